package eval

import (
	"math"
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Kim Jong-un", "kimjongun"},
		{"Kim Jong Un", "kimjongun"},
		{"N. Korea", "nkorea"},
		{"Workers' Party", "workersparty"},
		{"Workers’ Party", "workersparty"},
		{"  UN  Security Council ", "unsecuritycouncil"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScore(t *testing.T) {
	gold := Labels{
		Topics: []string{"north-korea", "military"},
		Entities: []GoldEntity{
			{Type: "LOCATION", Canonical: "North Korea"},
			{Type: "ORGANIZATION", Canonical: "UN Security Council", Alt: []string{"United Nations Security Council"}},
			{Type: "PERSON", Canonical: "Kim Jong-un"},
		},
	}
	tests := []struct {
		name                   string
		pred                   Prediction
		topics, entities       Counts
		missedTopics, extraEnt []string
	}{
		{
			name: "perfect, with alt spelling and name variants",
			pred: Prediction{
				Topics: []string{"military", "North-Korea"},
				Entities: []Entity{
					{"LOCATION", "north korea"}, {"ORGANIZATION", "United Nations Security Council"},
					{"PERSON", "Kim Jong Un"},
				},
			},
			topics: Counts{TP: 2}, entities: Counts{TP: 3},
		},
		{
			name: "wrong type does not match, duplicates count once",
			pred: Prediction{
				Topics:   []string{"north-korea", "russia"},
				Entities: []Entity{{"PERSON", "North Korea"}, {"LOCATION", "North Korea"}, {"LOCATION", "North-Korea"}},
			},
			topics: Counts{TP: 1, FP: 1, FN: 1}, entities: Counts{TP: 1, FP: 1, FN: 2},
			missedTopics: []string{"military"}, extraEnt: []string{"PERSON:North Korea"},
		},
		{
			name: "a gold entity is matched at most once",
			pred: Prediction{Entities: []Entity{
				{"ORGANIZATION", "UN Security Council"}, {"ORGANIZATION", "United Nations Security Council"},
			}},
			topics: Counts{FN: 2}, entities: Counts{TP: 1, FP: 1, FN: 2},
			missedTopics: []string{"military", "north-korea"}, extraEnt: []string{"ORGANIZATION:United Nations Security Council"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Score("x", gold, tt.pred)
			if a.Topics != tt.topics {
				t.Errorf("topics = %+v, want %+v", a.Topics, tt.topics)
			}
			if a.Entities != tt.entities {
				t.Errorf("entities = %+v, want %+v", a.Entities, tt.entities)
			}
			if !slices.Equal(a.MissedTopics, tt.missedTopics) {
				t.Errorf("missed topics = %v, want %v", a.MissedTopics, tt.missedTopics)
			}
			if !slices.Equal(a.ExtraEntities, tt.extraEnt) {
				t.Errorf("extra entities = %v, want %v", a.ExtraEntities, tt.extraEnt)
			}
		})
	}
}

func TestCountsF1(t *testing.T) {
	tests := []struct {
		c       Counts
		p, r, f float64
	}{
		{Counts{TP: 3, FP: 1, FN: 1}, 0.75, 0.75, 0.75},
		{Counts{TP: 1, FP: 0, FN: 3}, 1, 0.25, 0.4},
		{Counts{}, 1, 1, 1},
		{Counts{FP: 2}, 0, 1, 0},
		{Counts{FN: 2}, 1, 0, 0},
	}
	for _, tt := range tests {
		if p, r, f := tt.c.Precision(), tt.c.Recall(), tt.c.F1(); math.Abs(p-tt.p) > 1e-9 || math.Abs(r-tt.r) > 1e-9 || math.Abs(f-tt.f) > 1e-9 {
			t.Errorf("%+v: P/R/F1 = %v/%v/%v, want %v/%v/%v", tt.c, p, r, f, tt.p, tt.r, tt.f)
		}
	}
}

func TestRunAggregates(t *testing.T) {
	golds := []Gold{
		{ID: "a", Gold: Labels{Topics: []string{"russia"}, Entities: []GoldEntity{{Type: "LOCATION", Canonical: "Russia"}}}},
		{ID: "b", Gold: Labels{Topics: []string{"russia", "military"}, Entities: []GoldEntity{{Type: "PERSON", Canonical: "Sergei Shoigu"}}}},
		{ID: "c", Gold: Labels{Topics: []string{"economy"}}},
	}
	preds := map[string]Prediction{
		"a": {Topics: []string{"russia"}, Entities: []Entity{{"LOCATION", "Russia"}, {"LOCATION", "Moscow"}}},
		"b": {Topics: []string{"russia"}, Entities: []Entity{{"PERSON", "Sergei Shoigu"}}},
	}
	r := Run(golds, func(id string) (Prediction, bool) { p, ok := preds[id]; return p, ok })
	if want := (Counts{TP: 2, FN: 2}); r.Topics != want {
		t.Errorf("topics = %+v, want %+v", r.Topics, want)
	}
	if want := (Counts{TP: 2, FP: 1}); r.Entities != want {
		t.Errorf("entities = %+v, want %+v", r.Entities, want)
	}
	if want := (Counts{TP: 2}); r.PerLabel["russia"] != want {
		t.Errorf("per label russia = %+v, want %+v", r.PerLabel["russia"], want)
	}
	if want := (Counts{TP: 1, FP: 1}); r.PerType["LOCATION"] != want {
		t.Errorf("per type LOCATION = %+v, want %+v", r.PerType["LOCATION"], want)
	}
	if !slices.Equal(r.Unscored, []string{"c"}) {
		t.Errorf("unscored = %v, want [c]", r.Unscored)
	}
}
