package corpus

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// TestRecordSize measures the bytes of the tagged records on the 3 KB corpus against the articles' own JSON and
// guards the compact format's saving against regressions. The sizes are deterministic (fixed seed), so this is a
// plain test, not a benchmark. Measured when the compact format landed: full 4.68x the input, compact 3.03x the
// input and 0.65x the full record; the corpus is dense (about 28 distinct entities and 40 rule hits in 3 KB), and
// the per-entity and per-rule members of the compact shape alone take more than half the input's bytes, so the
// performance issue's 1.5x-of-input target is out of reach for that shape (README, Records).
func TestRecordSize(t *testing.T) {
	if testing.Short() {
		t.Skip("tags 500 articles")
	}
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		t.Fatal(err)
	}
	var in, full, compact int
	for _, a := range New(1).Articles(500, DefaultSize) {
		b, err := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "body": a.Body})
		if err != nil {
			t.Fatal(err)
		}
		in += len(b)
		rec, err := tg.Tag(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		f, err := rec.Marshal(tagger.RecordFull)
		if err != nil {
			t.Fatal(err)
		}
		c, err := rec.Marshal(tagger.RecordCompact)
		if err != nil {
			t.Fatal(err)
		}
		full += len(f)
		compact += len(c)
	}
	rf, rc := float64(full)/float64(in), float64(compact)/float64(in)
	t.Logf("500 articles of 3 KB: input %d B, full %d B (%.2fx), compact %d B (%.2fx input, %.2fx full)",
		in, full, rf, compact, rc, float64(compact)/float64(full))
	if rc > 3.2 {
		t.Errorf("compact records are %.2fx the input, want <= 3.2x (3.03x when the format landed)", rc)
	}
	if r := float64(compact) / float64(full); r > 0.68 {
		t.Errorf("compact records are %.2fx the full ones, want <= 0.68x (0.65x when the format landed)", r)
	}
}
