package rulediff

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

func rec(id, version string, labels []string, ents ...tagger.Entity) *tagger.Record {
	r := &tagger.Record{Article: tagger.Article{ID: id}, Entities: ents, Tagger: tagger.Meta{RulesVersion: version}}
	for _, l := range labels {
		r.Topics = append(r.Topics, tagger.Topic{Label: l, Score: 0.7})
	}
	return r
}

func TestRecords(t *testing.T) {
	nk := tagger.Entity{Type: "LOCATION", Canonical: "North Korea", Text: "DPRK"}
	nk2 := tagger.Entity{Type: "LOCATION", Canonical: "North Korea", Text: "North Korea", Start: 9}
	kim := tagger.Entity{Type: "PERSON", Canonical: "Kim Jong-un"}
	tests := []struct {
		name     string
		old, new *tagger.Record
		want     Change
	}{
		{"same outcomes, other mentions", rec("a", "v1", []string{"military"}, nk), rec("a", "v2", []string{"military"}, nk, nk2),
			Change{ID: "a", Gained: []string{}, Lost: []string{}, OldVersion: "v1", NewVersion: "v2"}},
		{"labels and entities", rec("b", "v1", []string{"nuclear", "military"}, nk), rec("b", "v2", []string{"russia", "military", "diplomacy"}, kim, nk),
			Change{ID: "b", Gained: []string{"diplomacy", "russia", "PERSON:Kim Jong-un"}, Lost: []string{"nuclear"}, OldVersion: "v1", NewVersion: "v2"}},
		{"everything lost", rec("c", "v1", []string{"leaflets"}, kim), rec("c", "v2", nil),
			Change{ID: "c", Gained: []string{}, Lost: []string{"leaflets", "PERSON:Kim Jong-un"}, OldVersion: "v1", NewVersion: "v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Records(tt.old, tt.new)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got.Empty() != (len(tt.want.Gained)+len(tt.want.Lost) == 0) {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}
}

func TestReport(t *testing.T) {
	r := NewReport()
	r.Add(Change{ID: "a", Gained: []string{}, Lost: []string{}})
	r.Add(Change{ID: "b", Gained: []string{"russia", "PERSON:Kim Jong-un"}, Lost: []string{"nuclear"}})
	r.Add(Change{ID: "c", Gained: []string{"russia"}, Lost: []string{"PERSON:Kim Jong-un"}})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Articles, Changed int
		Labels            map[string]Count
		Entities          map[string]Count
		Changes           []struct {
			ID           string
			Gained, Lost []string
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Articles != 3 || got.Changed != 2 || len(got.Changes) != 2 || got.Changes[0].ID != "b" {
		t.Errorf("report %s", b)
	}
	if got.Labels["russia"] != (Count{Gained: 2}) || got.Labels["nuclear"] != (Count{Lost: 1}) ||
		got.Entities["PERSON:Kim Jong-un"] != (Count{Gained: 1, Lost: 1}) || len(got.Labels) != 2 {
		t.Errorf("counts %s", b)
	}
}

func TestIsEntity(t *testing.T) {
	for s, want := range map[string]bool{"LOCATION:Seoul": true, "military": false, "x:y": false, ":a": false, "PERSON": false} {
		if IsEntity(s) != want {
			t.Errorf("IsEntity(%q) = %v", s, !want)
		}
	}
}

const packA = `
topics:
  - label: military
    terms:
      - missile
`

func TestCorpusAndGold(t *testing.T) {
	compile := func(src string) *tagger.Tagger {
		f, errs := rules.Parse("p.yaml", []byte(src))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		rs, err := rules.Compile([]*rules.File{f})
		if err != nil {
			t.Fatal(err)
		}
		tg, err := tagger.New(rs, tagger.WithDiscovery(false))
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	old, new := compile(packA), compile(packA+"      - drill\n")
	arts := []tagger.Article{{ID: "1", Body: "A missile test."}, {ID: "2", Body: "A drill."}, {ID: "3", Body: "Rain."}}
	r, err := Corpus(context.Background(), old, new, arts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Articles != 3 || r.Changed != 1 || r.Changes[0].ID != "2" || r.Labels["military"] != (Count{Gained: 1}) {
		t.Errorf("report %+v", r)
	}
	golds := []eval.Gold{{ID: "1", Gold: eval.Labels{Topics: []string{"military"}}}, {ID: "2", Gold: eval.Labels{Topics: []string{"military"}}}}
	f1, err := Gold(context.Background(), old, new, arts[:2], golds)
	if err != nil {
		t.Fatal(err)
	}
	m := f1.Labels["military"]
	if m.Old >= m.New || m.New != 1 || m.Delta <= 0 {
		t.Errorf("military F1 %+v: the new pack finds both", m)
	}
}

func TestFromChanges(t *testing.T) {
	ch := func(id, old, new string, gained, lost []string) Change {
		return Change{ID: id, Gained: gained, Lost: lost, OldVersion: old, NewVersion: new}
	}
	tests := []struct {
		name              string
		in                []Change
		wantIDs           []string
		wantOld, wantNew  string
		wantRussiaGained  int
		wantVersionOnEach bool
	}{
		{"empty topic", nil, []string{}, "", "", 0, false},
		{"one run, a duplicate", []Change{
			ch("b", "v1", "v2", []string{"russia"}, []string{}),
			ch("a", "v1", "v2", []string{"russia"}, []string{"nuclear"}),
			ch("b", "v1", "v2", []string{"russia"}, []string{}),
		}, []string{"a", "b"}, "v1", "v2", 2, false},
		{"the candidate reloaded", []Change{
			ch("a", "v1", "v2", []string{"russia"}, []string{}),
			ch("a", "v1", "v3", []string{"russia", "nuclear"}, []string{}),
		}, []string{"a", "a"}, "", "", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := FromChanges(tt.in)
			ids := []string{}
			for _, c := range r.Changes {
				ids = append(ids, c.ID)
				if (c.NewVersion != "") != tt.wantVersionOnEach {
					t.Errorf("change %+v: versions on each = %v, want %v", c, c.NewVersion != "", tt.wantVersionOnEach)
				}
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) || r.Articles != len(tt.wantIDs) || r.Changed != len(tt.wantIDs) {
				t.Errorf("ids %v, articles %d, changed %d; want %v", ids, r.Articles, r.Changed, tt.wantIDs)
			}
			if r.OldVersion != tt.wantOld || r.NewVersion != tt.wantNew || r.Labels["russia"].Gained != tt.wantRussiaGained {
				t.Errorf("report %+v", r)
			}
		})
	}
}
