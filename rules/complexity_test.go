package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/internal/cputime"
)

// costShape is an adversarial input shape: unit repeated to the wanted size (body), with a short title.
type costShape struct {
	name string
	doc  func(size int) Doc
}

func repeatDoc(unit string) func(int) Doc {
	return func(size int) Doc {
		return Doc{Title: strings.TrimSpace(unit), Body: strings.Repeat(unit, max(1, size/len(unit)))}
	}
}

// capsDoc is size bytes of distinct capitalized tokens, as discovery sees in lists of names.
func capsDoc(size int) Doc {
	var b strings.Builder
	syl := []string{"Kim", "Park", "Lee", "Choi", "Moon", "Han", "Jo", "Yoon", "Kang", "Seo"}
	for i := 0; b.Len() < size; i++ {
		b.WriteString(syl[i%10])
		b.WriteString(strings.ToLower(syl[(i/10)%10]))
		b.WriteString(strings.ToLower(syl[(i/100)%10]))
		b.WriteByte(' ')
		if i%7 == 6 {
			b.WriteString("Ministry Agency President Gen. ")
		}
	}
	return Doc{Title: "Kim Park", Body: b.String()}
}

// costShapes are the shapes of issue 10: each must cost about as much per byte at 1 MB as at 10 KB, and at 1 MB
// at most 5x what ordinary news costs. They are written for the default pack.
var costShapes = []costShape{
	{"ordinary", func(size int) Doc { return benchArticle(size) }},
	{"ambiguous-alias", repeatDoc("The defense ministry said. ")},
	{"ambiguous-mixed", repeatDoc("Japan's defense ministry said. The defence ministry of Russia denied it. ")},
	// "launched" and "missile" alternate more than `within: 6` words apart: no near hit, every a meets every b.
	{"near-far", repeatDoc("They launched one of them at dawn near the coast before the missile was seen again. ")},
	// missile hits with an unless term more than 4 words away: every hit meets every unless occurrence.
	{"unless-far", repeatDoc("The missile flew over the hills before the crowd watched football. ")},
	{"giant-word", func(size int) Doc { return Doc{Title: "x", Body: strings.Repeat("defense", size/7)} }},
	{"separators", repeatDoc(".,;- ")},
	{"capitalized", capsDoc},
}

// workOf is the meter's count for doc.
func workOf(rs *RuleSet, doc Doc) int64 {
	_, w, _ := rs.match(nil, doc, 0)
	return w
}

// cpuOf is the least CPU time of three rounds of matching docs.
func cpuOf(rs *RuleSet, docs ...Doc) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		c0 := cputime.Process()
		for _, d := range docs {
			rs.Match(d)
		}
		best = min(best, cputime.Process()-c0)
	}
	return best
}

// TestLinearCost checks that every stage is linear in the input: for each shape the work counted by the meter
// (deterministic) and the CPU time (with generous factors) of one 1 MB document are those of a hundred 10 KB
// ones, and 1 MB of each shape costs at most 5x 1 MB of ordinary news. It takes a few seconds: skipped under
// -short.
func TestLinearCost(t *testing.T) {
	if testing.Short() {
		t.Skip("complexity test: matches 1 MB documents")
	}
	if cputime.Process() == 0 {
		t.Skip("no CPU time on this system")
	}
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	const small, big = 10 << 10, 1 << 20
	var ordinary time.Duration
	for _, sh := range costShapes {
		sd, bd := sh.doc(small), sh.doc(big)
		smalls := make([]Doc, big/small)
		for i := range smalls {
			smalls[i] = sd
		}
		ws, wb := workOf(rs, sd)*int64(len(smalls)), workOf(rs, bd)
		cs, cb := cpuOf(rs, smalls...), cpuOf(rs, bd)
		if sh.name == "ordinary" {
			ordinary = cb
		}
		wr, cr, vs := float64(wb)/float64(ws), float64(cb)/float64(cs), float64(cb)/float64(ordinary)
		t.Logf("%-16s 1 MB: %8.1f ms, %5.2f units/byte; vs 100 x 10 KB: work x%.2f, cpu x%.2f; vs ordinary 1 MB: x%.2f",
			sh.name, float64(cb)/1e6, float64(wb)/float64(len(bd.Title)+len(bd.Body)), wr, cr, vs)
		if wr > 1.5 {
			t.Errorf("%s: 1 MB takes %.2fx the work of 100 x 10 KB: superlinear", sh.name, wr)
		}
		if cr > 4 {
			t.Errorf("%s: 1 MB takes %.2fx the CPU time of 100 x 10 KB: superlinear", sh.name, cr)
		}
		if vs > 5 {
			t.Errorf("%s: 1 MB takes %.2fx the CPU time of 1 MB of ordinary news, want at most 5x", sh.name, vs)
		}
	}
}

// BenchmarkMatchShapes times the default pack on 1 MB of each shape of costShapes.
func BenchmarkMatchShapes(b *testing.B) {
	rs, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, sh := range costShapes {
		doc := sh.doc(1 << 20)
		b.Run(fmt.Sprintf("%s-1MB", sh.name), func(b *testing.B) {
			b.SetBytes(int64(len(doc.Title) + len(doc.Body)))
			cpu0 := cputime.Process()
			for b.Loop() {
				rs.Match(doc)
			}
			reportCPU(b, cpu0)
		})
	}
}
