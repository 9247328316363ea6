package tagger

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCompactRoundTrip tags articles, writes them in both formats and reads each back: the compact record keeps
// every label, score and entity mention (text recovered from the spans), and each rule's first hit.
func TestCompactRoundTrip(t *testing.T) {
	tg := defaultTagger(t)
	r := rand.New(rand.NewPCG(7, 7))
	arts := []Article{mustDecode(t, sampleJSON)}
	for i := range 20 {
		arts = append(arts, Article{ID: string(rune('a' + i)), Title: genTitle(r), Body: genArticle(r, 3000)})
	}
	for _, a := range arts {
		rec, err := tg.Tag(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		full, err := rec.Marshal(RecordFull)
		if err != nil {
			t.Fatal(err)
		}
		comp, err := rec.Marshal(RecordCompact)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(comp) {
			t.Fatalf("%s: compact record is not valid JSON: %s", a.ID, comp)
		}
		if len(comp) >= len(full) && len(rec.Entities) > 0 {
			t.Errorf("%s: compact %d bytes, full %d", a.ID, len(comp), len(full))
		}
		var back Record
		if err := back.UnmarshalJSON(comp); err != nil {
			t.Fatalf("%s: %v\n%s", a.ID, err, comp)
		}
		if back.Tagger.Record != RecordCompact || back.Tagger.RulesVersion != rec.Tagger.RulesVersion {
			t.Errorf("%s: tagger member %+v", a.ID, back.Tagger)
		}
		if !slices.Equal(back.Labels(), rec.Labels()) {
			t.Errorf("%s: labels %v, want %v", a.ID, back.Labels(), rec.Labels())
		}
		for i := range back.Topics {
			if math.Abs(back.Topics[i].Score-rec.Topics[i].Score) > 5e-5 {
				t.Errorf("%s: %s score %v, want %v", a.ID, rec.Topics[i].Label, back.Topics[i].Score, rec.Topics[i].Score)
			}
			want := firstPerRule(rec.Topics[i].Evidence)
			if !slices.Equal(back.Topics[i].Evidence, want) {
				t.Errorf("%s: %s evidence\n got %v\nwant %v", a.ID, rec.Topics[i].Label, back.Topics[i].Evidence, want)
			}
		}
		if len(back.Entities) != len(rec.Entities) {
			t.Fatalf("%s: %d mentions back, want %d", a.ID, len(back.Entities), len(rec.Entities))
		}
		for i, e := range rec.Entities {
			e.Demonym, e.Implied = false, false // per-mention flags are not in the compact format
			if back.Entities[i] != e {
				t.Errorf("%s: mention %d = %+v, want %+v", a.ID, i, back.Entities[i], e)
			}
		}
	}
}

func firstPerRule(evs []Evidence) []Evidence {
	var out []Evidence
	seen := map[string]bool{}
	for _, e := range evs {
		if !seen[e.Rule] {
			seen[e.Rule] = true
			out = append(out, e)
		}
	}
	return out
}

func mustDecode(t *testing.T, s string) Article {
	t.Helper()
	a, err := DecodeArticle([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCompactShape(t *testing.T) {
	rec := &Record{
		Article: Article{ID: "x1", Title: "Kim in Busan", Body: "Kim met Kim."},
		Topics: []Topic{{Label: "ports", Score: 0.75, Evidence: []Evidence{
			{Rule: "ports/terms/busan", Text: "Busan", Field: "title", Start: 7, End: 12},
			{Rule: "ports/entities/0", Text: "Kim", Field: "body", Start: 0, End: 3},
			{Rule: "ports/terms/busan", Text: "Busan", Field: "body", Start: 8, End: 13},
		}}},
		Entities: []Entity{
			{Text: "Kim", Canonical: "Kim", Type: "PERSON", Source: SourceDiscovered, Field: "title", Start: 0, End: 3},
			{Text: "Busan", Canonical: "Busan", Type: "LOCATION", ID: "Q16520", Source: SourceGazetteer, Field: "title", Start: 7, End: 12},
			{Text: "Kim", Canonical: "Kim", Type: "PERSON", Source: SourceDiscovered, Field: "body", Start: 0, End: 3},
			{Text: "Kim", Canonical: "Kim", Type: "PERSON", Source: SourceDiscovered, Field: "body", Start: 8, End: 11},
		},
		Tagger: Meta{Version: "v1", RulesVersion: "r1"},
	}
	got, err := rec.MarshalCompact()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"x1","title":"Kim in Busan","body":"Kim met Kim.",` +
		`"topics":[{"label":"ports","score":0.75,"rules":[` +
		`{"rule":"ports/terms/busan","field":"title","start":7,"end":12,"count":2},` +
		`{"rule":"ports/entities/0","field":"body","start":0,"end":3,"count":1}]}],` +
		`"entities":[{"canonical":"Kim","type":"PERSON","source":"discovered","count":3,` +
		`"mentions":[["title",0,3],["body",0,3],["body",8,11]]},` +
		`{"canonical":"Busan","type":"LOCATION","id":"Q16520","source":"gazetteer","count":1,"mentions":[["title",7,12]]}],` +
		`"tagger":{"version":"v1","rules_version":"r1","tagged_at":"0001-01-01T00:00:00Z","record":"compact"}}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRuneSlice(t *testing.T) {
	for _, tc := range []struct {
		s          string
		start, end int
		want       string
	}{
		{"Seoul", 0, 5, "Seoul"}, {"Seoul", 1, 3, "eo"}, {"Seoul", 5, 5, ""}, {"Seoul", 4, 6, ""},
		{"Pyeongchang’s", 12, 13, "s"}, {"Pyeongchang’s", 11, 12, "’"}, {"한국어", 1, 3, "국어"}, {"", 0, 0, ""},
		{"abc", -1, 2, ""}, {"abc", 2, 1, ""},
	} {
		if got := runeSlice(tc.s, tc.start, tc.end); got != tc.want {
			t.Errorf("runeSlice(%q, %d, %d) = %q, want %q", tc.s, tc.start, tc.end, got, tc.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]RecordFormat{"": RecordFull, "full": RecordFull, "compact": RecordCompact} {
		if got, err := ParseRecordFormat(in); err != nil || got != want {
			t.Errorf("ParseRecordFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRecordFormat("lean"); err == nil {
		t.Error("ParseRecordFormat(lean): no error")
	}
}
