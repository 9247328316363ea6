// Package corpus generates a deterministic synthetic corpus of news articles for benchmarks, soak and fault
// tests: original sentence templates filled with a vocabulary of the domain's people, places and organizations
// plus generated names no rule pack knows, in a realistic mix of stories (missile tests, leaflets, the war in
// Ukraine, diplomacy, sanctions, human rights, the inter-Korean border, nuclear, world news and articles outside
// the domain).
//
// The same seed, index and size always give the same article, whatever else was generated before, so a test can
// regenerate article i on its own.
package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"github.com/tagpipe/tagpipe/tagger"
)

// DefaultSize is the article size of the main benchmark: 3 KB of title and body.
const DefaultSize = 3000

// A Generator makes articles from a seed. It is safe for concurrent use (it holds no mutable state).
type Generator struct {
	seed uint64
}

// New returns a Generator for seed.
func New(seed uint64) *Generator {
	return &Generator{seed: seed}
}

// totalWeight is the sum of the stories' weights.
var totalWeight = func() int {
	n := 0
	for _, s := range stories {
		n += s.weight
	}
	return n
}()

// Article returns article i: an id ("c<seed>-<i>"), a title and a body of paragraphs whose title and body
// together hold size bytes give or take one sentence (never more than size, at least size minus the longest
// sentence, about 200 bytes; a size below a title's length gives a title and a one-sentence body).
func (g *Generator) Article(i, size int) tagger.Article {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	st := pickStory(r)
	f := filler{r: r}
	title := f.fill(st.titles[r.IntN(len(st.titles))])
	title = capitalize(title)

	var body strings.Builder
	budget := size - len(title)
	// Sentences are drawn from a shuffled deck of the story's templates, then the fillers, then the story again,
	// so a long article repeats itself as little as a real one.
	deck := shuffled(r, st.body)
	inParagraph := 0
	misses := 0
	for misses < 8 {
		if len(deck) == 0 {
			deck = shuffled(r, append(append([]string(nil), st.body...), fillers...))
		}
		s := capitalize(f.fill(deck[0]))
		deck = deck[1:]
		sep := ""
		if body.Len() > 0 {
			sep = " "
			if inParagraph >= 2+r.IntN(3) {
				sep = "\n\n"
			}
		}
		if body.Len()+len(sep)+len(s) > budget {
			if body.Len() == 0 {
				body.WriteString(s) // at least one sentence
				break
			}
			misses++ // try a shorter sentence before giving up
			continue
		}
		if sep == "\n\n" {
			inParagraph = 0
		}
		body.WriteString(sep)
		body.WriteString(s)
		inParagraph++
	}
	return tagger.Article{ID: fmt.Sprintf("c%d-%d", g.seed, i), Title: title, Body: body.String()}
}

// Articles returns articles 0 to n-1 of the given size.
func (g *Generator) Articles(n, size int) []tagger.Article {
	out := make([]tagger.Article, n)
	for i := range out {
		out[i] = g.Article(i, size)
	}
	return out
}

// Story returns the kind of story article i is (for example "missile", "leaflets", "offtopic"), for tests that
// want to know what to expect.
func (g *Generator) Story(i int) string {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	return pickStory(r).name
}

func pickStory(r *rand.Rand) *story {
	n := r.IntN(totalWeight)
	for i := range stories {
		if n < stories[i].weight {
			return &stories[i]
		}
		n -= stories[i].weight
	}
	panic("unreachable")
}

func shuffled(r *rand.Rand, s []string) []string {
	out := append([]string(nil), s...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// A filler fills template slots with draws from r.
type filler struct {
	r *rand.Rand
}

// fill replaces every {slot} of tmpl.
func (f filler) fill(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			panic("corpus: unclosed slot in " + tmpl)
		}
		b.WriteString(tmpl[:i])
		b.WriteString(f.slot(tmpl[i+1 : i+j]))
		tmpl = tmpl[i+j+1:]
	}
}

func (f filler) pick(s []string) string { return s[f.r.IntN(len(s))] }

func (f filler) slot(name string) string {
	switch name {
	case "newp":
		return f.person()
	case "neworg":
		return "the " + f.pick(orgStems) + " " + f.pick(orgCues)
	case "newplace":
		return f.pick(placeStems) + " " + f.pick(placeCues)
	}
	v, ok := slots[name]
	if !ok {
		panic("corpus: unknown slot " + name)
	}
	return f.pick(v)
}

// person returns a generated name: Korean style (Kim Sung-hee) two times in three, else Russian style.
func (f filler) person() string {
	if f.r.IntN(3) < 2 {
		return f.pick(krSurnames) + " " + capitalize(f.pick(krSyllables)) + "-" + f.pick(krSyllables)
	}
	return f.pick(ruFirst) + " " + f.pick(ruLast)
}

// WriteJSONL writes articles as JSONL, one {"id", "title", "body"} object per line.
func WriteJSONL(w io.Writer, articles []tagger.Article) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, a := range articles {
		if err := enc.Encode(struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Body  string `json:"body"`
		}{a.ID, a.Title, a.Body}); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	return nil
}

// capitalize upper-cases the first letter of an ASCII word.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
