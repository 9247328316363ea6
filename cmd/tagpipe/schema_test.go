package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tagpipe/tagpipe/internal/samples"
	"github.com/tagpipe/tagpipe/tagger"
)

// TestRecordSchemas validates every record `tagpipe tag` writes for the sample articles and the eval sets, in
// both formats, against the published JSON Schemas (docs/record.*.schema.json), and checks that a record of the
// wrong format is refused, so that the schemas constrain what they describe.
func TestRecordSchemas(t *testing.T) {
	input := append(append([]byte(nil), samples.JSONL()...), '\n')
	for _, f := range []string{"../../testdata/eval/holdout.jsonl", "../../testdata/eval/blind.jsonl"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		input = append(input, b...)
	}
	const base = "https://tagpipe.example/schemas/"
	formats := []tagger.RecordFormat{tagger.RecordFull, tagger.RecordCompact}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range formats { // both first: the compact schema refers to the full one's definitions
		name := "record." + string(f) + ".schema.json"
		if err := c.AddResource(base+name, loadJSON(t, filepath.Join("../../docs", name))); err != nil {
			t.Fatal(err)
		}
	}
	schemas := map[tagger.RecordFormat]*jsonschema.Schema{}
	for _, f := range formats {
		sch, err := c.Compile(base + "record." + string(f) + ".schema.json")
		if err != nil {
			t.Fatalf("compile %s schema: %v", f, err)
		}
		schemas[f] = sch
	}
	records := map[tagger.RecordFormat][]any{}
	for f, sch := range schemas {
		code, out, errs := runCLI(t, string(input), "tag", "--record", string(f))
		if code != exitOK {
			t.Fatalf("tag --record %s: exit %d\n%s", f, code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) < 50 {
			t.Fatalf("tag --record %s: %d records", f, len(lines))
		}
		for i, l := range lines {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(l))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s record %d does not validate: %v\n%s", f, i, err, l)
			}
			records[f] = append(records[f], v)
		}
	}
	// Each schema refuses the other format's records: they are not so loose that anything passes.
	if err := schemas[tagger.RecordFull].Validate(records[tagger.RecordCompact][0]); err == nil {
		t.Error("a compact record validates against the full schema")
	}
	if err := schemas[tagger.RecordCompact].Validate(records[tagger.RecordFull][0]); err == nil {
		t.Error("a full record validates against the compact schema")
	}
}

func loadJSON(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s: not JSON", path)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
