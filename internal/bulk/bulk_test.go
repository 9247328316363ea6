package bulk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/internal/bulk"
	"github.com/tagpipe/tagpipe/internal/corpus"
	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// newTagger returns the default-pack tagger with a fixed clock, so that records are byte-comparable.
func newTagger(t testing.TB) *tagger.Tagger {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(rs, tagger.WithClock(func() time.Time { return time.Unix(1e9, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// jitter delays some articles (chosen by a hash of the id), so that workers finish out of input order.
type jitter struct{ t bulk.Tagger }

func (j jitter) Tag(ctx context.Context, a tagger.Article) (*tagger.Record, error) {
	h := fnv.New32a()
	h.Write([]byte(a.ID))
	if h.Sum32()%5 == 0 {
		time.Sleep(time.Duration(h.Sum32()%700) * time.Microsecond)
	}
	return j.t.Tag(ctx, a)
}

// input returns n generated articles as JSONL lines with a bad line every 37th.
func input(t *testing.T, n int) [][]byte {
	var buf bytes.Buffer
	if err := corpus.WriteJSONL(&buf, corpus.New(7).Articles(n, 800)); err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	for i, l := range bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n")) {
		if i%37 == 36 {
			lines = append(lines, []byte(`{"id": "broken`))
		}
		lines = append(lines, l)
	}
	return lines
}

func TestRunKeepsInputOrderAndBytes(t *testing.T) {
	tg := newTagger(t)
	lines := input(t, 300)
	for _, rf := range []tagger.RecordFormat{tagger.RecordFull, tagger.RecordCompact} {
		// What one goroutine tagging line after line writes.
		var want bytes.Buffer
		var wantBad []string
		for i, l := range lines {
			a, err := tagger.DecodeArticle(l)
			if err != nil {
				wantBad = append(wantBad, fmt.Sprintf("in:%d", i+1))
				continue
			}
			rec, err := tg.Tag(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := rec.Marshal(rf)
			if err != nil {
				t.Fatal(err)
			}
			want.Write(b)
			want.WriteByte('\n')
		}
		for _, tt := range []struct{ workers, batch int }{{1, 0}, {4, 1}, {3, 3000}, {8, 50000}} {
			t.Run(fmt.Sprintf("%s/workers=%d/batch=%d", rf, tt.workers, tt.batch), func(t *testing.T) {
				var got bytes.Buffer
				var bad []string
				delivered := 0
				o := bulk.Options{
					Workers: tt.workers, BatchBytes: tt.batch, Output: &got,
					Encode: func(dst []byte, _ tagger.Article, rec *tagger.Record) ([]byte, error) {
						b, err := rec.Marshal(rf)
						return append(append(dst, b...), '\n'), err
					},
					Bad:  func(where string, err error) { bad = append(bad, where) },
					Done: func(n int) { delivered += n },
				}
				err := bulk.Run(context.Background(), jitter{tg}, o, func(f *bulk.Feed) error {
					for i, l := range lines {
						if err := f.Line(fmt.Sprintf("in:%d", i+1), l); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("output differs from the sequential one (%d vs %d bytes)", got.Len(), want.Len())
				}
				if strings.Join(bad, " ") != strings.Join(wantBad, " ") {
					t.Errorf("bad records %v, want %v", bad, wantBad)
				}
				if n := len(lines) - len(wantBad); delivered != n {
					t.Errorf("Done counted %d articles, want %d", delivered, n)
				}
			})
		}
	}
}

func TestRunEmitsDecodedArticlesInOrder(t *testing.T) {
	as := corpus.New(3).Articles(120, 400)
	var ids []string
	o := bulk.Options{Workers: 4, BatchBytes: 1000, Emit: func(a tagger.Article, rec *tagger.Record) error {
		if rec.Article.ID != a.ID {
			t.Errorf("record of %s emitted with article %s", rec.Article.ID, a.ID)
		}
		ids = append(ids, a.ID)
		return nil
	}}
	err := bulk.Run(context.Background(), jitter{newTagger(t)}, o, func(f *bulk.Feed) error {
		for i, a := range as {
			if i == 5 {
				if err := f.Bad("in:6", errors.New("unreadable")); err != nil {
					return err
				}
			}
			if err := f.Article(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(as) {
		t.Fatalf("emitted %d articles, want %d", len(ids), len(as))
	}
	for i, a := range as {
		if ids[i] != a.ID {
			t.Fatalf("article %d emitted is %s, want %s", i, ids[i], a.ID)
		}
	}
}

func TestRunReturnsEncodeAndReadErrors(t *testing.T) {
	tg := newTagger(t)
	as := corpus.New(3).Articles(40, 400)
	boom := errors.New("boom")
	feed := func(f *bulk.Feed) error {
		for _, a := range as {
			if err := f.Article(a); err != nil {
				return err
			}
		}
		return nil
	}
	enc := func(dst []byte, a tagger.Article, _ *tagger.Record) ([]byte, error) {
		if a.ID == as[17].ID {
			return dst, boom
		}
		return append(dst, a.ID+"\n"...), nil
	}
	var out bytes.Buffer
	err := bulk.Run(context.Background(), tg, bulk.Options{Workers: 2, BatchBytes: 1, Output: &out, Encode: enc}, feed)
	if !errors.Is(err, boom) {
		t.Errorf("Run = %v, want the encoder's error", err)
	}
	var want strings.Builder
	for _, a := range as[:17] {
		want.WriteString(a.ID + "\n")
	}
	if out.String() != want.String() {
		t.Errorf("output with an encode error at article 17 = %q, want the 17 records before it", out.String())
	}
	out.Reset()
	err = bulk.Run(context.Background(), tg, bulk.Options{Output: &out, Encode: enc}, func(*bulk.Feed) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("Run = %v, want the reader's error", err)
	}
	if err := bulk.Run(context.Background(), tg, bulk.Options{}, feed); err == nil {
		t.Error("Run without Encode or Emit: no error")
	}
}

// BenchmarkRun tags 3 KB articles as `tagpipe tag` does (JSONL lines in, full records out, all workers); run
// with -cpu 1,2 to see how it scales. It reports articles per second and per CPU second.
func BenchmarkRun(b *testing.B) {
	tg := newTagger(b)
	var buf bytes.Buffer
	if err := corpus.WriteJSONL(&buf, corpus.New(1).Articles(2000, corpus.DefaultSize)); err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	o := bulk.Options{Output: io.Discard, Encode: func(dst []byte, _ tagger.Article, rec *tagger.Record) ([]byte, error) {
		out, err := rec.Marshal(tagger.RecordFull)
		return append(append(dst, out...), '\n'), err
	}}
	b.ResetTimer()
	start, cpu0 := time.Now(), cputime.Process()
	n := 0
	for b.Loop() {
		err := bulk.Run(context.Background(), tg, o, func(f *bulk.Feed) error {
			for _, l := range lines {
				if err := f.Line("", l); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		n += len(lines)
	}
	elapsed, cpu := time.Since(start), cputime.Process()-cpu0
	b.ReportMetric(float64(n)/elapsed.Seconds(), "articles/s")
	b.ReportMetric(float64(n)/cpu.Seconds(), "articles/CPU-s")
}
