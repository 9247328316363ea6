package pipeline

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tagpipe/tagpipe/internal/corpus"
	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// BenchmarkProcess times what a worker does per record, without Kafka: decode the value (--input-format json,
// text, or JSON with an HTML body under --html auto), tag it with the default pack and encode the record (--record
// full or compact), on 3 KB generated articles. Run with -cpu 1 for articles/s per core.
func BenchmarkProcess(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		b.Fatal(err)
	}
	as := corpus.New(1).Articles(256, 3000)
	inputs := []struct {
		name, format string
		value        func(a tagger.Article) []byte
	}{
		{"json", tagger.InputJSON, func(a tagger.Article) []byte {
			v, _ := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "body": a.Body})
			return v
		}},
		{"text", tagger.InputText, func(a tagger.Article) []byte { return []byte(a.Title + "\n" + a.Body) }},
		{"html", tagger.InputJSON, func(a tagger.Article) []byte {
			var sb strings.Builder
			sb.WriteString(`<nav><a href="/">Home</a> | <a href="/world">World</a></nav><article>`)
			for p := range strings.SplitSeq(a.Body, "\n\n") {
				sb.WriteString("<p>" + strings.ReplaceAll(p, "'", "&rsquo;") + "</p>\n")
			}
			sb.WriteString(`</article><script>track("view");</script>`)
			v, _ := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "body": sb.String()})
			return v
		}},
	}
	for _, in := range inputs {
		values := make([][]byte, len(as))
		var size int64
		for i, a := range as {
			values[i] = in.value(a)
			size += int64(len(values[i]))
		}
		for _, rf := range []tagger.RecordFormat{tagger.RecordFull, tagger.RecordCompact} {
			b.Run(in.name+"/"+string(rf), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.InputFormat = in.format
				dec, err := cfg.Decoder()
				if err != nil {
					b.Fatal(err)
				}
				tp := tagProcessor{t: tg, dec: dec, record: rf}
				b.SetBytes(size / int64(len(values)))
				b.ReportAllocs()
				ctx := context.Background()
				var out int64
				cpu0 := cputime.Process()
				i := 0
				for b.Loop() {
					o, err := tp.process(ctx, []byte("key"), values[i%len(values)], 1<<20)
					if err != nil {
						b.Fatal(err)
					}
					out += int64(len(o.value))
					i++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
				if cpu := cputime.Process() - cpu0; cpu > 0 {
					b.ReportMetric(float64(b.N)/cpu.Seconds(), "articles/CPU-s")
				}
				b.ReportMetric(float64(out)/float64(b.N), "out-B/article")
			})
		}
	}
}
