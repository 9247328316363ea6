package tagger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/rules"
)

// The complexity tests of issue 10: for each adversarial shape, a tagger stage (decode, discovery, encode) costs
// about as much CPU time per byte on 1 MB as on 10 KB (a quadratic stage would cost 100 times as much), and at
// 1 MB about as much as ordinary news text. They compare CPU time within one run (the minimum of a few trials of
// the same total bytes), so a noisy machine moves both sides; they are skipped under -short.
//
//	go test ./tagger -run Complexity -v

const (
	smallSize = 10 << 10
	largeSize = 1 << 20
	// maxGrowth bounds the per-byte cost at 1 MB over the cost at 10 KB: quadratic is 100, linear 1 to 5 here (a
	// million tokens leave the caches, and the GC works harder).
	maxGrowth = 12.0
	// maxVsNews bounds the decode-Tag-encode time of a shape at 1 MB over that of 1 MB of news text: the target
	// is 5, the bound leaves room for noise.
	maxVsNews = 10.0
)

// Text shapes: the title and body an article of about size bytes.
var textShapes = []struct {
	name string
	gen  func(size int) string
}{
	{"news", func(size int) string { return genArticle(rand.New(rand.NewPCG(1, 2)), size) }},
	{"capitalized", genCapitalized},
	{"giant-word", func(size int) string { return "K" + strings.Repeat("a", size-1) }},
	{"separators", func(size int) string { return strings.Repeat(".,;-", size/4) }},
	{"place-cue", func(size int) string { return strings.Repeat("Seoul News said. ", size/17) }},
}

// genCapitalized writes capitalized made-up words, sentences of five: thousands of runs, pieces, single words
// waiting for coreference and weak persons.
func genCapitalized(size int) string {
	r := rand.New(rand.NewPCG(3, 4))
	syl := []string{"ka", "lo", "mi", "ner", "sta", "vik", "dor", "hal", "un", "tre", "bo", "gen"}
	var b strings.Builder
	for n := 0; b.Len() < size; n++ {
		w := syl[r.IntN(len(syl))] + syl[r.IntN(len(syl))] + syl[r.IntN(len(syl))]
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		switch {
		case n%5 == 4:
			b.WriteString(". ")
		case n%7 == 3:
			b.WriteString(" of the ")
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// JSON shapes: one article object of about size bytes.
var jsonShapes = []struct {
	name string
	gen  func(size int) []byte
}{
	{"news", func(size int) []byte { return articleJSON(genArticle(rand.New(rand.NewPCG(1, 2)), size)) }},
	{"many-members", func(size int) []byte {
		var b strings.Builder
		b.WriteString(`{"id":"1","title":"t","body":"b"`)
		for i := 0; b.Len() < size; i++ {
			fmt.Fprintf(&b, `,"m%d":%d`, i, i)
		}
		b.WriteString("}")
		return []byte(b.String())
	}},
	{"deep-nesting", func(size int) []byte { // nested as deep as encoding/json allows, many times
		var b strings.Builder
		b.WriteString(`{"id":"1","body":"b"`)
		for i := 0; b.Len() < size; i++ {
			fmt.Fprintf(&b, `,"x%d":%s1%s`, i, strings.Repeat(`[{"a":`, 500), strings.Repeat(`}]`, 500))
		}
		b.WriteString("}")
		return []byte(b.String())
	}},
	{"too-deep", func(size int) []byte { // members, then one nested deeper than encoding/json allows: rejected
		var b strings.Builder
		b.WriteString(`{"id":"1","body":"b"`)
		for i := 0; b.Len() < size-10_010; i++ {
			fmt.Fprintf(&b, `,"m%d":[{"a":"text"}]`, i)
		}
		b.WriteString(`,"x":` + strings.Repeat("[", 10_001))
		return []byte(b.String())
	}},
	{"separators", func(size int) []byte { return []byte(`{"id":"1"` + strings.Repeat(" \n\t", size/3) + `}`) }},
	{"giant-word", func(size int) []byte { return articleJSON("K" + strings.Repeat("a", size-1)) }},
}

func articleJSON(body string) []byte {
	rec := Record{Article: Article{ID: "1", Title: "title", Body: body}}
	b, err := rec.MarshalJSON()
	if err != nil {
		panic(err)
	}
	return b
}

// cpuPerRun returns the CPU time of one call of f: the minimum over three trials of the mean over calls that
// together take at least 40 ms.
func cpuPerRun(f func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		n, start := 0, cputime.Process()
		var spent time.Duration
		for n == 0 || spent < 40*time.Millisecond {
			f()
			n++
			spent = cputime.Process() - start
		}
		best = min(best, spent/time.Duration(n))
	}
	return max(best, 1)
}

// stageCost is a stage's CPU time for size bytes of one shape.
type stageCost map[string]map[int]time.Duration // shape -> size -> time

// perUnit divides a stage's costs by the units of work each input is (for the encoder, the bytes it writes:
// a 10 KB text may hold proportionally fewer entities than 1 MB of it).
func (c stageCost) perUnit(units map[string]map[int]int) {
	for sh, m := range c {
		for size := range m {
			m[size] = time.Duration(float64(m[size]) * float64(size) / float64(units[sh][size]))
		}
	}
}

// checkGrowth checks each shape's growth from 10 KB to 1 MB, and logs its cost at 1 MB against news text.
func checkGrowth(t *testing.T, stage string, c stageCost, shapes []string) {
	t.Helper()
	news := c["news"][largeSize]
	for _, sh := range shapes {
		small, large := c[sh][smallSize], c[sh][largeSize]
		growth := float64(large) / float64(small) / (largeSize / smallSize)
		vsNews := float64(large) / float64(news)
		t.Logf("%-10s %-13s 10KB %9v  1MB %11v  per-byte growth %5.2fx  1MB vs news %5.2fx", stage, sh, small, large,
			growth, vsNews)
		if growth > maxGrowth {
			t.Errorf("%s %s: 1 MB costs %.1fx per byte what 10 KB does (max %.0fx): not linear", stage, sh, growth,
				maxGrowth)
		}
	}
}

func TestComplexityDecode(t *testing.T) {
	if testing.Short() {
		t.Skip("complexity test: CPU time of 1 MB inputs")
	}
	c := stageCost{}
	var names []string
	for _, sh := range jsonShapes {
		names = append(names, sh.name)
		c[sh.name] = map[int]time.Duration{}
		for _, size := range []int{smallSize, largeSize} {
			data := sh.gen(size)
			if _, err := DecodeArticle(data); (err != nil) != (sh.name == "too-deep") {
				t.Fatalf("%s: DecodeArticle: %v", sh.name, err)
			}
			c[sh.name][size] = cpuPerRun(func() { DecodeArticle(data) })
		}
	}
	checkGrowth(t, "decode", c, names)
}

func TestComplexityDiscoveryEncode(t *testing.T) {
	if testing.Short() {
		t.Skip("complexity test: CPU time of 1 MB inputs")
	}
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	disc, enc, out := stageCost{}, stageCost{}, map[string]map[int]int{}
	var names []string
	for _, sh := range textShapes {
		names = append(names, sh.name)
		disc[sh.name], enc[sh.name], out[sh.name] = map[int]time.Duration{}, map[int]time.Duration{}, map[int]int{}
		for _, size := range []int{smallSize, largeSize} {
			doc := rules.Doc{Title: "Officials meet in Seoul", Body: sh.gen(size)}
			ms := rs.Match(doc).Mentions
			ents, err := entities(ctx, rs, doc, ms, true)
			if err != nil {
				t.Fatal(err)
			}
			disc[sh.name][size] = cpuPerRun(func() { entities(ctx, rs, doc, ms, true) })
			rec := &Record{Article: Article{ID: "1", Title: doc.Title, Body: doc.Body}, Entities: ents}
			enc[sh.name][size] = cpuPerRun(func() { rec.MarshalJSON() })
			b, err := rec.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			out[sh.name][size] = len(b)
		}
	}
	enc.perUnit(out) // in the time per byte written, scaled to the input's size
	checkGrowth(t, "discovery", disc, names)
	checkGrowth(t, "encode", enc, names)
}

// TestComplexityEndToEnd compares, at 1 MB, the time the tagger takes for each shape (DecodeArticle, Tag,
// MarshalJSON) with its time for news text.
func TestComplexityEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("complexity test: CPU time of 1 MB inputs")
	}
	tg := defaultTagger(t)
	ctx := context.Background()
	inputs := map[string][]byte{}
	var names []string
	for _, sh := range jsonShapes {
		names = append(names, "json/"+sh.name)
		inputs["json/"+sh.name] = sh.gen(largeSize)
	}
	for _, sh := range textShapes[1:] {
		names = append(names, "text/"+sh.name)
		inputs["text/"+sh.name] = articleJSON(sh.gen(largeSize))
	}
	tagOne := func(data []byte) {
		a, err := DecodeArticle(data)
		if err != nil {
			return // too-deep: rejected, and that is the whole cost
		}
		rec, err := tg.Tag(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rec.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	}
	news := cpuPerRun(func() { tagOne(inputs["json/news"]) })
	for _, n := range names {
		d := cpuPerRun(func() { tagOne(inputs[n]) })
		ratio := float64(d) / float64(news)
		t.Logf("decode+Tag+encode 1MB %-18s %11v  vs news %5.2fx", n, d, ratio)
		if ratio > maxVsNews {
			t.Errorf("%s: 1 MB takes %.1fx the time of 1 MB of news text (max %.0fx)", n, ratio, maxVsNews)
		}
	}
}

// A countingCtx is a context whose Err reports a deadline from its after-th call on: it tells whether and how
// often a stage checks its context, without timing.
type countingCtx struct {
	context.Context
	calls, after int
}

func (c *countingCtx) Err() error {
	c.calls++
	if c.calls >= c.after {
		return context.DeadlineExceeded
	}
	return nil
}

func TestDiscoveryChecksContext(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	doc := rules.Doc{Body: genCapitalized(200 << 10)}
	ms := rs.Match(doc).Mentions
	ctx := &countingCtx{Context: context.Background(), after: 4}
	if _, err := entities(ctx, rs, doc, ms, true); !IsTimeout(err) {
		t.Fatalf("entities with a deadline passed inside discovery: err = %v, want a timeout", err)
	}
	if ctx.calls != ctx.after {
		t.Errorf("discovery read ctx.Err %d times before stopping, want %d", ctx.calls, ctx.after)
	}
	// The checks are spaced: a 200 KB body is checked a bounded number of times, not once per token.
	ctx = &countingCtx{Context: context.Background(), after: 1 << 30}
	if _, err := entities(ctx, rs, doc, ms, true); err != nil {
		t.Fatal(err)
	}
	if toks := len(tokenize(doc.Body, nil)); ctx.calls < 3 || ctx.calls > toks/ctxEvery+3 {
		t.Errorf("discovery read ctx.Err %d times for %d tokens, want between 3 and %d", ctx.calls, toks,
			toks/ctxEvery+3)
	}
}

func TestTagTimeout(t *testing.T) {
	tg := defaultTagger(t)
	a := Article{Title: "Seoul", Body: genCapitalized(50 << 10)}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := tg.Tag(ctx, a); !IsTimeout(err) {
		t.Errorf("Tag past its deadline: err = %v, want IsTimeout", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := tg.Tag(ctx, a); err == nil || IsTimeout(err) {
		t.Errorf("Tag with a cancelled context: err = %v, want an error that is not a timeout", err)
	}
	if _, err := tg.Tag(context.Background(), a); err != nil {
		t.Errorf("Tag without a deadline: %v", err)
	}
}
