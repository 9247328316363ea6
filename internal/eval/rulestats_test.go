package eval

import (
	"reflect"
	"slices"
	"testing"
)

func TestRuleStats(t *testing.T) {
	golds := []Gold{
		{ID: "a", Gold: Labels{Topics: []string{"military"}, Entities: []GoldEntity{{Type: "LOCATION", Canonical: "North Korea"}}}},
		{ID: "b", Gold: Labels{Topics: []string{"leaflets"}}},
		{ID: "c", Gold: Labels{}},
	}
	nk := &Entity{Type: "LOCATION", Canonical: "North Korea"}
	hits := map[string][]RuleHit{
		"a": {
			{Rule: "military/terms/missile", Group: "military", Label: "military", Hits: 2, Output: true, Decisive: true},
			{Rule: "military/terms/drill", Group: "military", Label: "military", Hits: 1, Output: true},
			{Rule: "gazetteer/North Korea/aliases/DPRK", Group: "LOCATION:North Korea", Entity: nk, Hits: 1, Output: true, Decisive: true},
		},
		"b": {
			{Rule: "military/terms/drill", Group: "military", Label: "military", Hits: 1, Output: true, Decisive: true},
			{Rule: "military/terms/missile", Group: "military", Label: "military", Hits: 1, Output: true},
		},
		"c": {
			{Rule: "military/terms/missile", Group: "military", Label: "military", Hits: 1},
			{Rule: "gazetteer/North Korea/aliases/DPRK", Group: "LOCATION:North Korea", Entity: nk, Hits: 3, Output: true, Decisive: true},
		},
	}
	stats := RuleStats(golds, func(id string) []RuleHit { return hits[id] }, []string{"military/terms/missile", "leaflets/terms/leaflet"})
	byID := map[string]RuleStat{}
	for _, s := range stats {
		byID[s.ID] = s
	}
	tests := []struct {
		id   string
		want RuleStat
	}{
		{"military/terms/missile", RuleStat{ID: "military/terms/missile", Fired: 4, Articles: 3, TruePositive: 1, FalsePositive: 1,
			DecisiveTrue: 1, UnderThreshold: 1}},
		{"military/terms/drill", RuleStat{ID: "military/terms/drill", Fired: 2, Articles: 2, TruePositive: 1, FalsePositive: 1,
			DecisiveFalse: 1, RedundantWith: []string{"military/terms/missile"}}},
		{"gazetteer/North Korea/aliases/DPRK", RuleStat{ID: "gazetteer/North Korea/aliases/DPRK", Fired: 4, Articles: 2,
			TruePositive: 1, FalsePositive: 1, DecisiveTrue: 1, DecisiveFalse: 1}},
		{"leaflets/terms/leaflet", RuleStat{ID: "leaflets/terms/leaflet"}},
	}
	for _, tt := range tests {
		got := byID[tt.id]
		if !slices.Equal(got.RedundantWith, tt.want.RedundantWith) {
			t.Errorf("%s: redundant with %v, want %v", tt.id, got.RedundantWith, tt.want.RedundantWith)
		}
		got.RedundantWith, tt.want.RedundantWith = nil, nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.id, got, tt.want)
		}
	}
	if len(stats) != 4 {
		t.Errorf("got %d rules, want 4", len(stats))
	}
	// Most harmful first: a decisive false label beats a non-decisive one.
	if stats[0].DecisiveFalse != 1 || stats[len(stats)-1].ID != "leaflets/terms/leaflet" {
		t.Errorf("order: %v", stats)
	}
	if got := NeverFired(stats); !slices.Equal(got, []string{"leaflets/terms/leaflet"}) {
		t.Errorf("NeverFired = %v", got)
	}
}
