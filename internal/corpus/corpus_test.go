package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

func TestArticleSize(t *testing.T) {
	g := New(7)
	for _, tc := range []struct {
		size     int
		min, max int
	}{
		{size: 600, min: 380, max: 600},
		{size: 3000, min: 2780, max: 3000},
		{size: 20000, min: 19780, max: 20000},
	} {
		for i := range 200 {
			a := g.Article(i, tc.size)
			n := len(a.Title) + len(a.Body)
			if n < tc.min || n > tc.max {
				t.Errorf("size %d, article %d: %d bytes, want %d..%d", tc.size, i, n, tc.min, tc.max)
			}
		}
	}
}

func TestArticleTinySize(t *testing.T) {
	a := New(1).Article(0, 10)
	if a.Title == "" || a.Body == "" {
		t.Fatalf("article of size 10 = %+v, want a title and one sentence", a)
	}
}

func same(a, b tagger.Article) bool { return a.ID == b.ID && a.Title == b.Title && a.Body == b.Body }

func TestDeterministic(t *testing.T) {
	a, b := New(42), New(42)
	later := b.Article(17, 3000) // generated first, out of order
	for i := range 20 {
		if !same(a.Article(i, 3000), b.Article(i, 3000)) {
			t.Fatalf("article %d differs between two generators of the same seed", i)
		}
	}
	if !same(a.Article(17, 3000), later) {
		t.Error("article 17 depends on what was generated before it")
	}
	if x, y := New(43).Article(0, 3000), a.Article(0, 3000); x.Title == y.Title && x.Body == y.Body {
		t.Error("seeds 42 and 43 give the same article")
	}
}

func TestNoUnfilledSlots(t *testing.T) {
	g := New(3)
	for i := range 500 {
		a := g.Article(i, 3000)
		for _, s := range []string{a.Title, a.Body} {
			if strings.ContainsAny(s, "{}") {
				t.Fatalf("article %d has an unfilled slot: %q", i, s)
			}
		}
		for _, p := range strings.Split(a.Body, "\n\n") {
			if p == "" || strings.ToUpper(p[:1]) != p[:1] {
				t.Fatalf("article %d: paragraph %q does not start with a capital", i, p)
			}
		}
	}
}

// TestMix checks that the corpus is what the benchmarks claim: most articles get topics and gazetteer entities,
// discovery finds generated names, and the off-topic stories get no country label from their passing mentions.
func TestMix(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		t.Fatal(err)
	}
	g := New(1)
	const n = 300
	stories := map[string]int{}
	var withTopics, discovered, offTopicNK int
	for i := range n {
		rec, err := tg.Tag(context.Background(), g.Article(i, 3000))
		if err != nil {
			t.Fatal(err)
		}
		st := g.Story(i)
		stories[st]++
		if len(rec.Topics) > 0 {
			withTopics++
		}
		for _, e := range rec.Entities {
			if e.Source == tagger.SourceDiscovered {
				discovered++
				break
			}
		}
		if st == "offtopic" && len(rec.Topics) > 0 && rec.Topics[0].Label == "north-korea" {
			offTopicNK++
		}
	}
	if len(stories) < 8 {
		t.Errorf("only %d kinds of story in %d articles: %v", len(stories), n, stories)
	}
	if withTopics < n*3/4 {
		t.Errorf("%d of %d articles got a topic, want most", withTopics, n)
	}
	if discovered < n/4 {
		t.Errorf("%d of %d articles had a discovered entity, want many", discovered, n)
	}
	if offTopicNK > stories["offtopic"]/4 {
		t.Errorf("%d of %d off-topic articles labelled north-korea first", offTopicNK, stories["offtopic"])
	}
}

func TestWriteJSONL(t *testing.T) {
	as := New(5).Articles(3, 600)
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, as); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(as) {
		t.Fatalf("%d lines for %d articles", len(lines), len(as))
	}
	for i, l := range lines {
		a, err := tagger.DecodeArticle([]byte(l))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if a.ID != as[i].ID || a.Title != as[i].Title || a.Body != as[i].Body {
			t.Errorf("line %d does not round-trip", i+1)
		}
		if !json.Valid([]byte(l)) {
			t.Errorf("line %d is not JSON", i+1)
		}
	}
}

func TestGazetteer(t *testing.T) {
	for _, n := range []int{0, 1, 3, 100} {
		src, err := Gazetteer(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(string(src), "canonical:"); got != n {
			t.Errorf("Gazetteer(%d) has %d entities", n, got)
		}
	}
	if _, err := Gazetteer(-1); err == nil {
		t.Error("Gazetteer(-1) did not fail")
	}
	rs, err := CompileWithGazetteer(300)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := Gazetteer(300)
	first := strings.SplitN(strings.SplitN(string(src), "canonical: \"", 2)[1], "\"", 2)[0]
	e, ok := rs.Lookup(first)
	if !ok || e.Canonical != first {
		t.Errorf("Lookup(%q) = %v, %v after compiling the generated gazetteer", first, e, ok)
	}
	if _, ok := rs.Lookup("Kim Jong-un"); !ok {
		t.Error("the default pack's entities are missing")
	}
}
