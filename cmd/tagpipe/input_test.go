package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// taggedLine is the part of a tagged record the input-format tests check.
type taggedLine struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	BodyText    string `json:"body_text"`
	InputFormat string `json:"input_format"`
	Topics      []struct{ Label string }
	Entities    []struct {
		Canonical, Field string
		Text             string
		Start, End       int
	}
}

func (r taggedLine) labels() []string {
	var out []string
	for _, t := range r.Topics {
		out = append(out, t.Label)
	}
	return out
}

func (r taggedLine) canonicals() []string {
	var out []string
	for _, e := range r.Entities {
		out = append(out, e.Canonical)
	}
	return out
}

func TestTagInputFormats(t *testing.T) {
	// Three producers' shapes on one stream: plain text, a foreign JSON shape, an HTML body.
	foreign := `{"meta":{"guid":"wire-9"},"headline":"Kim Jong Un oversees missile launch","content":"",` +
		`"text":"North Korea fired two ballistic missiles into the East Sea, South Korea's military said."}`
	html := `{"id":"h1","title":"Russia and North Korea sign pact","body":"<p>Russian President Vladimir Putin ` +
		`and Kim Jong Un signed a defense treaty in Pyongyang.</p><script>ad()</script><p>Seoul&rsquo;s ` +
		`defense ministry protested.</p>"}`
	input := "N. Korea fires missiles toward East Sea\n" + foreign + "\n" + html + "\n"
	code, out, errs := runCLI(t, input, "tag", "--input-format", "auto", "--field", "id=/meta/guid,/id",
		"--field", "title=/headline,/title", "--field", "body=/content,/text,/body")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d records:\n%s", len(lines), out)
	}
	recs := make([]taggedLine, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	text, mapped, hb := recs[0], recs[1], recs[2]
	if text.InputFormat != "text" || text.Title != "N. Korea fires missiles toward East Sea" || text.ID != "" {
		t.Errorf("text record: %s", lines[0])
	}
	if !slices.Contains(text.labels(), "north-korea") || !slices.Contains(text.labels(), "military") {
		t.Errorf("text record topics %v", text.labels())
	}
	if mapped.ID != "wire-9" || mapped.InputFormat != "" || !strings.HasPrefix(mapped.Body, "North Korea fired") ||
		!strings.Contains(lines[1], `"headline":"Kim Jong Un oversees missile launch"`) {
		t.Errorf("mapped record: %s", lines[1])
	}
	if !slices.Contains(mapped.canonicals(), "Kim Jong-un") || !slices.Contains(mapped.labels(), "military") {
		t.Errorf("mapped record: topics %v, entities %v", mapped.labels(), mapped.canonicals())
	}
	if hb.ID != "h1" || !strings.HasPrefix(hb.Body, "<p>") || strings.Contains(hb.BodyText, "<") ||
		strings.Contains(hb.BodyText, "ad()") || !strings.Contains(hb.BodyText, "Seoul’s") {
		t.Errorf("HTML record: %s", lines[2])
	}
	for _, want := range []string{"Vladimir Putin", "Kim Jong-un", "Pyongyang"} {
		if !slices.Contains(hb.canonicals(), want) {
			t.Errorf("HTML record entities %v lack %s", hb.canonicals(), want)
		}
	}
	for _, e := range hb.Entities {
		if e.Field == "body" && string([]rune(hb.BodyText)[e.Start:e.End]) != e.Text {
			t.Errorf("entity %q at [%d,%d) does not point into body_text", e.Text, e.Start, e.End)
		}
	}

	// --html off tags the markup as it is and adds no body_text.
	code, out, _ = runCLI(t, html, "tag", "--html", "off")
	if code != exitOK || strings.Contains(out, "body_text") {
		t.Errorf("--html off: exit %d\n%s", code, out)
	}
	// A mapped field of the wrong type is reported with its pointer, and the other lines are tagged.
	code, out, errs = runCLI(t, `{"headline":["x"]}`+"\n"+foreign+"\n", "tag", "--field", "title=/headline")
	if code != exitFailure || !strings.Contains(errs, `<stdin>:1: article: bad_field: "/headline"`) ||
		strings.Count(out, "\n") != 1 {
		t.Errorf("wrong type: exit %d, stderr %q, out %q", code, errs, out)
	}
}

func TestTagInputFormatFiles(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.txt")
	if err := os.WriteFile(page, []byte("Seoul and Washington hold talks\n<p>South Korean and American envoys met in "+
		"Seoul.</p><nav>Home</nav>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "tag", "--format", "text", page)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rec taggedLine
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.BodyText != "South Korean and American envoys met in Seoul." || rec.InputFormat != "" ||
		!slices.Contains(rec.canonicals(), "United States") {
		t.Errorf("HTML text file: %s", out)
	}
	pretty := filepath.Join(dir, "a.json")
	if err := os.WriteFile(pretty, []byte("{\n  \"id\": \"p1\",\n  \"title\": \"Kim visits Moscow\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, "", "tag", "--format", "text", "--input-format", "json", pretty)
	if code != exitOK || !strings.HasPrefix(out, `{"body":"","id":"p1","title":"Kim visits Moscow"`) {
		t.Errorf("pretty JSON file: exit %d %s %s", code, out, errs)
	}
	// --input-format text alone reads stdin as one article, as kcat's producer would send it.
	code, out, errs = runCLI(t, "N. Korea fires missiles\nNorth Korea fired two ballistic missiles.\n", "tag",
		"--input-format", "text")
	if code != exitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"body":"North Korea fired two ballistic missiles."`) {
		t.Errorf("text on stdin: exit %d %s %s", code, out, errs)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tag", "--input-format", "xml"}, `input format "xml": want one of json, text, auto`},
		{[]string{"tag", "--html", "maybe"}, `HTML mode "maybe"`},
		{[]string{"tag", "--field", "headline=/h"}, `unknown field "headline"`},
		{[]string{"tag", "--field", "title=headline"}, "must start with /"},
		{[]string{"tag", "--format", "listing", "--input-format", "json"}, "does not apply to --format listing"},
	} {
		code, _, errs := runCLI(t, "", tt.args...)
		if code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
}
