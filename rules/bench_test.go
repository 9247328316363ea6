package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/internal/cputime"
)

// syntheticPack writes a rule file with n generated entities (two or three aliases each, a demonym for every
// tenth, an exact alias for every twentieth) and 20 topics of 15 terms with near and unless rules, for
// benchmarks. Every fifth topic draws its terms from benchVocabulary, the words of the benchmark article; the
// others use generated words, so that a few topics fire per article, as in real news.
func syntheticPack(n int) string {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	syl := []string{"ka", "ro", "mi", "san", "do", "ye", "hwa", "pol", "lin", "gu", "ber", "to", "chen", "va", "ni", "su"}
	word := func() string {
		var b strings.Builder
		for k := 0; k < 2+rng.IntN(2); k++ {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		w := b.String()
		return strings.ToUpper(w[:1]) + w[1:]
	}
	var b strings.Builder
	b.WriteString("entities:\n")
	seen := map[string]bool{}
	name := func(words int) string {
		for {
			p := make([]string, words)
			for i := range p {
				p[i] = word()
			}
			s := strings.Join(p, " ")
			if !seen[Fold(s)] {
				seen[Fold(s)] = true
				return s
			}
		}
	}
	types := []string{"PERSON", "LOCATION", "ORGANIZATION"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - canonical: %s\n    type: %s\n    aliases: [%s, %s]\n", name(2), types[i%3], name(2), name(3))
		if i%10 == 0 {
			fmt.Fprintf(&b, "    demonyms: [%s]\n", name(1)+"ian")
		}
		if i%20 == 0 {
			fmt.Fprintf(&b, "    exact: [%s]\n", strings.ToUpper(name(1)))
		}
	}
	b.WriteString("topics:\n")
	vocab := strings.Fields(benchVocabulary)
	for t := 0; t < 20; t++ {
		fmt.Fprintf(&b, "  - label: topic-%d\n    threshold: 3\n    terms:\n", t)
		for k := 0; k < 15; k++ {
			term := strings.ToLower(word())
			if t%5 == 0 || k == 0 {
				term = vocab[(t*7+k*3)%len(vocab)]
			}
			fmt.Fprintf(&b, "      - {term: %s, weight: %d}\n", term, 1+k%2)
		}
		fmt.Fprintf(&b, "    near:\n      - {a: [%s], b: [%s, North Korea], within: 8}\n", vocab[t], vocab[t+5])
		fmt.Fprintf(&b, "    unless:\n      - {terms: [%s], within: 5}\n", vocab[t+11])
	}
	return b.String()
}

const benchVocabulary = `balloon leaflet border activist launch missile satellite sanction summit talks envoy
treaty shipment cargo ferry harbor drill exercise artillery shell reactor uranium warhead test drone patrol vessel
defector refugee famine harvest rice fertilizer tariff export factory wage worker hacker wallet exchange crypto
court verdict election ballot parliament minister decree pardon prisoner camp`

// benchArticle is a made-up news story of about size bytes built from stock sentences.
func benchArticle(size int) Doc {
	sentences := []string{
		"Activists in the border town of Paju said on Tuesday that they had launched twenty large balloons carrying leaflets, rice and memory sticks toward North Korea.",
		"The South Korean unification ministry urged the group to stop, citing the safety of residents living near the demilitarized zone.",
		"Pyongyang has previously answered such launches with balloons of its own, filled with waste paper and cigarette ends.",
		"A spokesperson for the Democratic People’s Republic of Korea called the leaflets a grave provocation and warned of unspecified countermeasures.",
		"Analysts at a Seoul research institute said the exchange of balloons had become a low-cost way for both sides to signal displeasure.",
		"Meanwhile, the U.S. envoy for North Korean human rights met defectors and refugees in Seoul to discuss the famine years and the harvest outlook.",
		"Russian officials denied that any artillery shells or missile parts had been shipped by ferry through the harbor at Rajin.",
		"Satellite images reviewed by independent researchers showed new cargo containers stacked near the pier, and a patrol vessel moored alongside.",
		"Kim Jong-un inspected a fertilizer factory on Sunday, according to state media, which said workers had exceeded their quota.",
		"Officials said the talks would resume after the election, although no date for a summit has been set.",
	}
	var body strings.Builder
	for i := 0; body.Len() < size; i++ {
		if i > 0 {
			body.WriteByte(' ')
		}
		body.WriteString(sentences[i%len(sentences)])
	}
	return Doc{Title: "Activists launch balloons with leaflets toward North Korea as Pyongyang warns of response", Body: body.String()}
}

func benchRuleSet(b *testing.B, n int) *RuleSet {
	b.Helper()
	engine, errs := ParsePath("testdata/engine.good.yaml")
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	f, errs := Parse("synthetic.yaml", []byte(syntheticPack(n)))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	rs, err := Compile(append(engine, f))
	if err != nil {
		b.Fatal(err)
	}
	return rs
}

func BenchmarkMatch(b *testing.B) {
	benchMatch(b, benchRuleSet(b, 1000))
}

// benchMatch times rs.Match on a 0.6 KB and a 3 KB article, one sub-benchmark each.
func benchMatch(b *testing.B, rs *RuleSet) {
	for _, size := range []int{600, 3000} {
		doc := benchArticle(size)
		b.Run(fmt.Sprintf("%dB", len(doc.Title)+len(doc.Body)), func(b *testing.B) {
			b.SetBytes(int64(len(doc.Title) + len(doc.Body)))
			b.ReportAllocs()
			cpu0 := cputime.Process()
			for b.Loop() {
				rs.Match(doc)
			}
			reportCPU(b, cpu0)
		})
	}
}

func BenchmarkCompile10k(b *testing.B) {
	f, errs := Parse("synthetic.yaml", []byte(syntheticPack(10000)))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		if _, err := Compile([]*File{f}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

func TestSyntheticPackIsValid(t *testing.T) {
	f, errs := Parse("synthetic.yaml", []byte(syntheticPack(300)))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rs.Entities()); got != 300 {
		t.Errorf("%d entities, want 300", got)
	}
	doc := benchArticle(3000)
	r := rs.Match(doc)
	checkSpans(t, doc, r)
}

// reportCPU adds the process CPU time per op since cpu0 as "cpu-ns/op". With GOMAXPROCS=1 (-cpu 1) it is the
// cost of one op including garbage collection, whatever else the machine is doing.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := cputime.Process() - cpu0; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkMatchDefault runs the embedded default pack over the same articles.
func BenchmarkMatchDefault(b *testing.B) {
	rs, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	benchMatch(b, rs)
}
