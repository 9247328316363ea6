package tagger

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchArticleJSON returns a generated article of about size bytes of body as a wire object with the extra
// members a news feed carries, in the shape the pipeline consumes.
func benchArticleJSON(r *rand.Rand, i, size int) []byte {
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return fmt.Appendf(nil, `{"id":"wire-%06d","source":"Example Wire","url":"https://news.example.org/2026/03/%d/story-%d",`+
		`"published_at":"2026-03-01T09:%02d:00+09:00","lang":"en","authors":["Staff Reporter","Desk %d"],`+
		`"title":%s,"body":%s,"tags":["korea","defence"],"meta":{"wordcount":%d,"paywall":false,"section":"world","score":0.73}}`,
		i, i%28+1, i, i%60, i%7, str(genTitle(r)), str(genArticle(r, size)), size/6)
}

func benchDecode(b *testing.B, decode func([]byte) (Article, error)) {
	r := rand.New(rand.NewPCG(11, 3000))
	inputs := make([][]byte, 16)
	n := 0
	for i := range inputs {
		inputs[i] = benchArticleJSON(r, i, 3000)
		n += len(inputs[i])
	}
	b.SetBytes(int64(n / len(inputs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := decode(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkDecodeArticle decodes 3 KB articles with the members a news feed adds.
func BenchmarkDecodeArticle(b *testing.B) { benchDecode(b, DecodeArticle) }

// BenchmarkDecodeArticleReference is BenchmarkDecodeArticle for the encoding/json based decoder.
func BenchmarkDecodeArticleReference(b *testing.B) { benchDecode(b, refDecodeArticle) }

func benchMarshal(b *testing.B, marshal func(*Record) ([]byte, error)) {
	tg := defaultTagger(b)
	r := rand.New(rand.NewPCG(11, 3000))
	recs := make([]*Record, 16)
	n := 0
	for i := range recs {
		a, err := DecodeArticle(benchArticleJSON(r, i, 3000))
		if err != nil {
			b.Fatal(err)
		}
		if recs[i], err = tg.Tag(context.Background(), a); err != nil {
			b.Fatal(err)
		}
		out, _ := recs[i].MarshalJSON()
		n += len(out)
	}
	b.SetBytes(int64(n / len(recs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := marshal(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkMarshalRecord marshals the records of tagged 3 KB articles.
func BenchmarkMarshalRecord(b *testing.B) { benchMarshal(b, (*Record).MarshalJSON) }

// BenchmarkMarshalRecordReference is BenchmarkMarshalRecord for the previous encoder.
func BenchmarkMarshalRecordReference(b *testing.B) { benchMarshal(b, refMarshalJSON) }
