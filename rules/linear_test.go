package rules

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// naiveNear is the quadratic definition of a near hit that nearHits implements with an occIndex.
func naiveNear(a occ, bs []occ, within int32, otherSpan bool) bool {
	for _, b := range bs {
		if a.field == b.field && (!otherSpan || a.start != b.start || a.end != b.end) &&
			(within == 0 || wordDist(a, b) <= within) {
			return true
		}
	}
	return false
}

// randOccs makes n occurrences over two fields with word spans of 1-3 words, duplicates and overlaps included.
func randOccs(r *rand.Rand, n int) []occ {
	out := make([]occ, n)
	for i := range out {
		w0 := int32(r.IntN(40))
		w1 := w0 + int32(r.IntN(3))
		out[i] = occ{field: uint8(r.IntN(2)), w0: w0, w1: w1, start: w0 * 5, end: w1*5 + 4}
	}
	return out
}

func TestOccIndexAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var st matchState
	for round := 0; round < 3000; round++ {
		as, bs := randOccs(r, r.IntN(12)), randOccs(r, 1+r.IntN(12))
		ix := st.buildIndex(bs)
		for _, within := range []int32{0, 1, 2, 5} {
			for _, other := range []bool{false, true} {
				for _, a := range as {
					if got, want := ix.near(a, within, other), naiveNear(a, bs, within, other); got != want {
						t.Fatalf("near(%+v, within %d, otherSpan %v) = %v, want %v; occurrences %+v", a, within, other,
							got, want, bs)
					}
				}
			}
		}
	}
}

// naiveResolve is resolve as it was before issue 10: every ambiguous mention compared with every other mention,
// after the owner named right before it (issue 11), found by searching every owner phrase. texts are the folded
// fields.
func naiveResolve(rs *RuleSet, ments []ment, texts [2][]byte) []ment {
	ments = slices.Clone(ments)
	for i := range ments {
		m := &ments[i]
		if len(m.t.alts) == 0 {
			continue
		}
		owns := func(own int32) int32 {
			for _, a := range m.t.alts {
				if slices.Contains(rs.implies[a], own) {
					return a
				}
			}
			return -1
		}
		before := string(texts[m.field][:m.bs])
		poss := strings.HasSuffix(before, " s ")
		if poss {
			before = before[:len(before)-2]
		}
		byPhrase, byPhraseLen := int32(-1), 0
		for ph, id := range rs.owners {
			if strings.HasSuffix(before, " "+ph+" ") && len(ph) > byPhraseLen {
				byPhrase, byPhraseLen = id, len(ph)
			}
		}
		country := false
		if byPhrase >= 0 {
			if a := owns(byPhrase); a >= 0 {
				m.entity = a
				continue
			}
			country = rs.implied[byPhrase] && rs.entities[byPhrase].Type == Location
		}
		if i > 0 {
			if o := ments[i-1]; o.entity >= 0 && o.field == m.field && !o.implied && (o.w1 == m.w0-1 || poss && o.w1 == m.w0-2) {
				if a := owns(o.entity); a >= 0 {
					m.entity = a
					continue
				}
				country = country || rs.implied[o.entity] && rs.entities[o.entity].Type == Location
			}
		}
		if country {
			m.entity = -1 // a country that owns no candidate: no mention
			continue
		}
		m.entity = func() int32 {
			for _, a := range m.t.alts {
				for _, o := range ments {
					if o.entity == a && len(o.t.alts) == 0 {
						return a
					}
				}
			}
			best, bestDist := m.t.alts[0], int32(impliedWindow+1)
			for _, a := range m.t.alts {
				for _, imp := range rs.implies[a] {
					for _, o := range ments {
						if o.entity != imp || o.field != m.field || o.w1 > m.w0 {
							continue
						}
						if d := m.w0 - o.w1; d < bestDist {
							best, bestDist = a, d
						}
					}
				}
			}
			if bestDist <= impliedWindow || m.field == 0 {
				return best
			}
			for _, a := range m.t.alts {
				for _, imp := range rs.implies[a] {
					for _, o := range ments {
						if o.field != 0 || o.entity < 0 {
							continue
						}
						if o.entity == imp || len(o.t.alts) == 0 && !o.t.noImply && slices.Contains(rs.implies[o.entity], imp) {
							return a // its country is in the title, or implied there
						}
					}
				}
			}
			return best
		}()
	}
	ments = slices.DeleteFunc(ments, func(m ment) bool { return m.entity < 0 })
	n := len(ments)
	for i := 0; i < n; i++ {
		if len(ments[i].t.alts) > 0 || ments[i].t.noImply {
			continue // an ambiguous generic alias, or one not spelling the implied entity, implies nothing
		}
		for _, imp := range rs.implies[ments[i].entity] {
			m := ments[i]
			m.entity, m.implied, m.demonym = imp, true, false
			ments = append(ments, m)
		}
	}
	slices.SortStableFunc(ments, func(a, b ment) int {
		if a.field != b.field {
			return int(a.field) - int(b.field)
		}
		return int(a.start - b.start)
	})
	return ments
}

// TestResolveAgainstNaive runs the default pack's ambiguous ministries and the countries they imply in random
// orders and distances through resolve and through the quadratic definition.
func TestResolveAgainstNaive(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"defense ministry", "foreign ministry", "Japan", "Russia", "Taiwan", "South Korea",
		"North Korea", "Ministry of Defense", "Tokyo", "Democratic Party", "Democrats", "China", "said", "the",
		"officials", "in", "a", "statement", "Seoul's", "the North's", "Russian", "Moscow"}
	r := rand.New(rand.NewPCG(3, 4))
	st := rs.pool.Get().(*matchState)
	defer rs.pool.Put(st)
	for round := 0; round < 2000; round++ {
		var title, body []string
		for range r.IntN(6) {
			title = append(title, words[r.IntN(len(words))])
		}
		for range r.IntN(60) {
			body = append(body, words[r.IntN(len(words))])
		}
		doc := Doc{Title: strings.Join(title, " "), Body: strings.Join(body, " ")}
		st.m.reset(nil, 0)
		st.terms, st.ments = st.terms[:0], st.ments[:0]
		for fi, s := range [2]string{doc.Title, doc.Body} {
			st.f[fi].fold(s)
			rs.scan(st, uint8(fi))
		}
		want := naiveResolve(rs, st.ments, [2][]byte{st.f[0].text, st.f[1].text})
		rs.resolve(st)
		if !slices.Equal(st.ments, want) {
			t.Fatalf("%+v: resolve gives\n%+v\nwant\n%+v", doc, st.ments, want)
		}
	}
}

func TestMatchContext(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	doc := benchArticle(200 << 10)
	got, err := rs.MatchContext(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := rs.Match(doc); !slices.EqualFunc(got.Topics, want.Topics, func(a, b Topic) bool {
		return a.Label == b.Label && a.Score == b.Score && len(a.Evidence) == len(b.Evidence)
	}) || !slices.Equal(got.Mentions, want.Mentions) {
		t.Errorf("MatchContext differs from Match")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rs.MatchContext(ctx, doc); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
	// A deadline that passes while matching: the meter sees it within a few thousand units.
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(time.Microsecond))
	defer cancel()
	big := benchArticle(4 << 20)
	time.Sleep(time.Millisecond)
	res, err := rs.MatchContext(ctx, big)
	if !errors.Is(err, context.DeadlineExceeded) || len(res.Mentions)+len(res.Topics) != 0 {
		t.Errorf("deadline: err = %v with %d mentions, want context.DeadlineExceeded and an empty result", err,
			len(res.Mentions))
	}

	f, errs := ParseFS(DefaultFS(), ".")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, tc := range []struct {
		perByte int
		wantErr bool
	}{{1, true}, {DefaultWorkPerByte, false}, {0, false}} {
		small, err := Compile(f, WithWorkBudget(tc.perByte))
		if err != nil {
			t.Fatal(err)
		}
		// 2 MB of the costliest shape: more than the base allowance of workBase units.
		_, err = small.MatchContext(context.Background(), costShapes[1].doc(2<<20))
		if got := errors.Is(err, ErrBudget); got != tc.wantErr {
			t.Errorf("WithWorkBudget(%d): err = %v, want ErrBudget: %v", tc.perByte, err, tc.wantErr)
		}
	}
}
