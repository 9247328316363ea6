package tagger_test

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

// BenchmarkDecodeTag measures articles per second per core, decoding included, for 3 KB generated articles
// (internal/corpus) as the pipeline receives them: JSON objects (today's input, the baseline), plain text values
// (--input-format text), and JSON with the body wrapped in HTML (p elements, entities, a script and a nav bar)
// under --html auto. Decode and DecodeOnly sub-benchmarks split the cost. Run it with
//
//	go test ./tagger -run '^$' -bench DecodeTag -cpu 1
func BenchmarkDecodeTag(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		b.Fatal(err)
	}
	as := corpus.New(1).Articles(256, 3000)
	cases := []struct {
		name  string
		d     *tagger.Decoder
		value func(a tagger.Article) []byte
	}{
		{"json", &tagger.Decoder{ContentIDs: true}, func(a tagger.Article) []byte {
			v, _ := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "body": a.Body})
			return v
		}},
		{"text", &tagger.Decoder{Format: tagger.InputText, ContentIDs: true}, func(a tagger.Article) []byte {
			return []byte(a.Title + "\n" + a.Body)
		}},
		{"html", &tagger.Decoder{ContentIDs: true}, func(a tagger.Article) []byte {
			v, _ := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "body": htmlPage(a.Body)})
			return v
		}},
	}
	for _, c := range cases {
		values := make([][]byte, len(as))
		for i, a := range as {
			values[i] = c.value(a)
		}
		for _, tagToo := range []bool{true, false} {
			name := c.name
			if !tagToo {
				name += "/DecodeOnly"
			}
			b.Run(name, func(b *testing.B) {
				var n int64
				for _, v := range values {
					n += int64(len(v))
				}
				b.SetBytes(n / int64(len(values)))
				b.ReportAllocs()
				ctx := context.Background()
				cpu0 := cputime.Process()
				i := 0
				for b.Loop() {
					a, err := c.d.Decode([]byte("key"), values[i%len(values)])
					if err != nil {
						b.Fatal(err)
					}
					if tagToo {
						if _, err := tg.Tag(ctx, a); err != nil {
							b.Fatal(err)
						}
					}
					i++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
				if cpu := cputime.Process() - cpu0; cpu > 0 {
					b.ReportMetric(float64(b.N)/cpu.Seconds(), "articles/CPU-s")
				}
			})
		}
	}
}

// htmlPage wraps a body's paragraphs in the markup a feed or scraper sends.
func htmlPage(body string) string {
	var sb strings.Builder
	sb.WriteString(`<html><head><title>x</title><script>window.track && track("view");</script></head><body>`)
	sb.WriteString(`<nav><a href="/">Home</a> | <a href="/world">World</a></nav><article>`)
	for _, p := range strings.Split(body, "\n\n") {
		p = strings.ReplaceAll(p, "'", "&rsquo;")
		sb.WriteString("<p>" + p + "</p>\n")
	}
	sb.WriteString(`<p class="byline">By a staff reporter</p></article></body></html>`)
	return sb.String()
}
