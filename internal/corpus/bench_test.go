package corpus

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jdkato/prose/v2"
	"gopkg.in/neurosnap/sentences.v1"
	"gopkg.in/neurosnap/sentences.v1/data"

	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// The benchmarks of the performance issue: the tagger on the generated corpus with the default pack and
// discovery on, rule compilation, a 10,000-entry gazetteer, and prose's NER alone as the Go peer. Run them with
//
//	go test ./internal/corpus -run '^$' -bench . -benchmem -cpu 1,2
//
// articles/s is per benchmark goroutine for the serial benchmarks and the whole process for the Parallel ones.

const benchArticles = 256 // distinct articles cycled through, so that caches see varied text

func benchTagger(b *testing.B, rs *rules.RuleSet, size int, parallel bool, opts ...tagger.Option) {
	b.Helper()
	tg, err := tagger.New(rs, opts...)
	if err != nil {
		b.Fatal(err)
	}
	as := New(1).Articles(benchArticles, size)
	var bytes int64
	for _, a := range as {
		bytes += int64(len(a.Title) + len(a.Body))
	}
	b.SetBytes(bytes / int64(len(as)))
	b.ReportAllocs()
	ctx := context.Background()
	cpu0 := cputime.Process()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, err := tg.Tag(ctx, as[i%len(as)]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		i := 0
		for b.Loop() {
			if _, err := tg.Tag(ctx, as[i%len(as)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	reportRates(b, cputime.Process()-cpu0)
}

// reportRates reports articles/s (wall clock) and articles/CPU-s: articles per second of the process's CPU time,
// which other processes on a shared machine do not disturb (GC included; setup before the loop is not).
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "articles/CPU-s")
	}
}

var sizes = []int{3000, 600}

func BenchmarkTag(b *testing.B) {
	rs := defaultRules(b)
	for _, size := range sizes {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) { benchTagger(b, rs, size, false) })
	}
}

func BenchmarkTagParallel(b *testing.B) {
	rs := defaultRules(b)
	for _, size := range sizes {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) { benchTagger(b, rs, size, true) })
	}
}

// BenchmarkTagGazetteer10k tags 3 KB articles with the default pack plus 10,000 generated entities; compare with
// BenchmarkTag/size=3000 (target: less than 2x slower).
func BenchmarkTagGazetteer10k(b *testing.B) {
	rs, err := CompileWithGazetteer(10000)
	if err != nil {
		b.Fatal(err)
	}
	benchTagger(b, rs, 3000, false)
}

func defaultRules(b *testing.B) *rules.RuleSet {
	b.Helper()
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	return rs
}

// BenchmarkCompile measures rules.Compile of already parsed files: the default pack, and the default pack plus
// 10,000 generated entities (target: at most 1 s).
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{0, 10000} {
		b.Run(fmt.Sprintf("gazetteer=%d", n), func(b *testing.B) {
			files := packFiles(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rules.Compile(files); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoad measures parsing plus compiling, what a rule reload costs end to end.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{0, 10000} {
		b.Run(fmt.Sprintf("gazetteer=%d", n), func(b *testing.B) {
			src, err := Gazetteer(n)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				files, errs := rules.ParseFS(rules.DefaultFS(), ".")
				if len(errs) > 0 {
					b.Fatal(errs)
				}
				f, errs := rules.Parse("gazetteer-generated.yaml", src)
				if len(errs) > 0 {
					b.Fatal(errs)
				}
				if _, err := rules.Compile(append(files, f)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func packFiles(b *testing.B, n int) []*rules.File {
	b.Helper()
	files, errs := rules.ParseFS(rules.DefaultFS(), ".")
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	if n == 0 {
		return files
	}
	src, err := Gazetteer(n)
	if err != nil {
		b.Fatal(err)
	}
	f, errs := rules.Parse("gazetteer-generated.yaml", src)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	return append(files, f)
}

// BenchmarkProseNER is peer (a) of the issue: prose v2's tokenizer, tagger and NER alone, with one shared model,
// on the same 3 KB articles (title and body, as the tagger sees them).
func BenchmarkProseNER(b *testing.B) {
	b.Run("stages=tokens+pos+ner", func(b *testing.B) { benchProse(b, true) })
	// Part-of-speech tags alone (NNP runs to confirm or type discovered names) cost this much.
	b.Run("stages=tokens+pos", func(b *testing.B) { benchProse(b, false) })
}

func benchProse(b *testing.B, extract bool) {
	model := proseModel(b)
	as := New(1).Articles(benchArticles, 3000)
	b.SetBytes(int64(len(as[0].Title) + len(as[0].Body)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	i := 0
	for b.Loop() {
		a := as[i%len(as)]
		for _, text := range []string{a.Title, a.Body} {
			d, err := prose.NewDocument(text, prose.UsingModel(model), prose.WithSegmentation(false),
				prose.WithExtraction(extract))
			if err != nil {
				b.Fatal(err)
			}
			_ = d.Entities()
		}
		i++
	}
	reportRates(b, cputime.Process()-cpu0)
}

// BenchmarkTagNER tags 3 KB articles in each NER mode (tagger.WithNER) with the default pack; the model of the
// prose modes is loaded before the timer starts.
func BenchmarkTagNER(b *testing.B) {
	rs := defaultRules(b)
	for _, m := range tagger.NERModes {
		b.Run("ner="+string(m), func(b *testing.B) { benchTagger(b, rs, 3000, false, tagger.WithNER(m)) })
	}
}

// BenchmarkSegment splits 3 KB articles (title and body) into sentences: prose's Punkt segmenter (model shared,
// no tokenizing, tagging or extraction) against a simple splitter on terminal punctuation and line breaks.
func BenchmarkSegment(b *testing.B) {
	as := New(1).Articles(benchArticles, 3000)
	model := proseModel(b)
	b.Run("prose", func(b *testing.B) {
		benchSegment(b, as, func(text string) int {
			d, err := prose.NewDocument(text, prose.UsingModel(model), prose.WithTokenization(false),
				prose.WithTagging(false), prose.WithExtraction(false))
			if err != nil {
				b.Fatal(err)
			}
			return len(d.Sentences())
		})
	})
	// prose rebuilds its Punkt model (a JSON decode of the English training data) in every NewDocument that
	// segments; the Punkt package it wraps, with the model built once, is what a shared segmenter would cost.
	b.Run("punkt-shared", func(b *testing.B) {
		src, err := data.Asset("data/english.json")
		if err != nil {
			b.Fatal(err)
		}
		training, err := sentences.LoadTraining(src)
		if err != nil {
			b.Fatal(err)
		}
		st := sentences.NewSentenceTokenizer(training)
		benchSegment(b, as, func(text string) int { return len(st.Tokenize(text)) })
	})
	b.Run("simple", func(b *testing.B) { benchSegment(b, as, simpleSentences) })
}

func benchSegment(b *testing.B, as []tagger.Article, split func(string) int) {
	b.SetBytes(int64(len(as[0].Title) + len(as[0].Body)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	i, n := 0, 0
	for b.Loop() {
		a := as[i%len(as)]
		n += split(a.Title) + split(a.Body)
		i++
	}
	reportRates(b, cputime.Process()-cpu0)
	b.ReportMetric(float64(n)/float64(i), "sentences/article")
}

// simpleSentences counts the sentences of s as a simple splitter sees them: a '.', '!' or '?' followed by white
// space and an upper-case letter or a quote, or a line break, ends one; a period after a single capital (an
// initial) does not.
func simpleSentences(s string) int {
	n, open := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			if open {
				n++
			}
			open = false
		case (c == '.' || c == '!' || c == '?') && i+2 < len(s) && s[i+1] == ' ' &&
			('A' <= s[i+2] && s[i+2] <= 'Z' || s[i+2] == '"'):
			if c == '.' && i >= 2 && s[i-2] == ' ' && 'A' <= s[i-1] && s[i-1] <= 'Z' {
				continue
			}
			n++
			open = false
		case c != ' ':
			open = true
		}
	}
	if open {
		n++
	}
	return n
}

func proseModel(b *testing.B) *prose.Model {
	b.Helper()
	doc, err := prose.NewDocument("", prose.WithSegmentation(false))
	if err != nil {
		b.Fatal(err)
	}
	return doc.Model
}
