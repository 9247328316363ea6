package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTagNERModes runs `tag --ner MODE` end to end in every mode on an article whose second name only prose
// finds (a plain `First Last` no cue marks), and checks each mode's records: the gazetteer's entities in every
// mode, prose's entities (source "prose") only in the modes that use it, and a usage error for an unknown mode.
func TestTagNERModes(t *testing.T) {
	const article = `{"id":"n1","title":"Japan beat South Korea in Busan","body":"Japan took the lead through ` +
		`a header from Seiya Murase shortly before half-time, and the visitors held on."}`
	type entity struct{ Canonical, Type, Source string }
	tagged := func(mode string) []entity {
		t.Helper()
		code, out, errs := runCLI(t, article+"\n", "tag", "--ner", mode)
		if code != 0 {
			t.Fatalf("--ner %s: exit %d: %s", mode, code, errs)
		}
		var rec struct{ Entities []entity }
		if err := json.Unmarshal([]byte(out), &rec); err != nil {
			t.Fatalf("--ner %s: %v: %s", mode, err, out)
		}
		return rec.Entities
	}
	has := func(ents []entity, canonical, typ, source string) bool {
		for _, e := range ents {
			if e.Canonical == canonical && e.Type == typ && (source == "" || e.Source == source) {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		mode      string
		murase    bool // Seiya Murase found
		fromProse bool // some entity has source "prose"
	}{
		{"builtin", false, false},
		{"prose", true, true},
		{"hybrid", true, false}, // prose confirms discovery's weak `First Last`: source "discovered"
	} {
		ents := tagged(tc.mode)
		if !has(ents, "South Korea", "LOCATION", "gazetteer") || !has(ents, "Japan", "LOCATION", "gazetteer") {
			t.Errorf("--ner %s: gazetteer entities missing: %+v", tc.mode, ents)
		}
		if got := has(ents, "Seiya Murase", "PERSON", ""); got != tc.murase {
			t.Errorf("--ner %s: Seiya Murase found %v, want %v: %+v", tc.mode, got, tc.murase, ents)
		}
		if got := has(ents, "Seiya Murase", "PERSON", "prose"); got != tc.fromProse {
			t.Errorf("--ner %s: entity from prose %v, want %v: %+v", tc.mode, got, tc.fromProse, ents)
		}
	}
	code, _, errs := runCLI(t, article+"\n", "tag", "--ner", "spacy")
	if code != exitUsage || !strings.Contains(errs, "--ner") {
		t.Errorf("--ner spacy: exit %d, stderr %q; want a usage error naming --ner", code, errs)
	}
	code, _, errs = runCLI(t, article+"\n", "tag", "--ner", "hybrid", "--no-discovery")
	if code != exitUsage || !strings.Contains(errs, "conflicts") {
		t.Errorf("--ner hybrid --no-discovery: exit %d, stderr %q; want a usage error", code, errs)
	}
	t.Setenv("TAGPIPE_NER", "hybrid")
	code, out, errs := runCLI(t, article+"\n", "tag")
	if code != 0 || !strings.Contains(out, `"Seiya Murase"`) {
		t.Errorf("TAGPIPE_NER=hybrid: exit %d, %s %s", code, out, errs)
	}
}
