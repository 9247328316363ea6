package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runCLI runs the command line with stdin and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const (
	missileArticle = `{"id":"m1","title":"N. Korea fires ballistic missile toward East Sea","body":"North Korea fired a short-range ballistic missile on Tuesday, the Joint Chiefs of Staff said. Kim Jong Un watched the launch, according to KCNA.","source":"wire","lang":"en"}`
	gardenArticle  = `{"id":"g1","title":"How to tell a compound leaf from its leaflets","body":"Each leaflet of a rose leaf has its own short stalk. Gardeners count the leaflets to tell species apart."}`
)

func TestTagCommand(t *testing.T) {
	input := missileArticle + "\n" + `{"id": 7, "title": ` + "\n" + gardenArticle + "\n"
	code, out, errs := runCLI(t, input, "tag")
	if code != exitFailure {
		t.Errorf("exit code %d, want %d (one bad line)", code, exitFailure)
	}
	if !strings.Contains(errs, "<stdin>:2:") {
		t.Errorf("stderr does not name the bad line 2:\n%s", errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d records, want 2 (the good lines, in order):\n%s", len(lines), out)
	}
	var first, second struct {
		ID       string `json:"id"`
		Source   string `json:"source"`
		Lang     string `json:"lang"`
		Topics   []struct{ Label string }
		Entities []struct{ Canonical, Type, Source string }
		Tagger   struct {
			RulesVersion string `json:"rules_version"`
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if first.ID != "m1" || second.ID != "g1" {
		t.Errorf("ids %q, %q: want m1, g1 in input order", first.ID, second.ID)
	}
	if first.Source != "wire" || first.Lang != "en" {
		t.Errorf("input fields not passed through: %s", lines[0])
	}
	if !strings.HasPrefix(first.Tagger.RulesVersion, "sha256:") {
		t.Errorf("rules_version %q", first.Tagger.RulesVersion)
	}
	var labels, ents []string
	for _, tp := range first.Topics {
		labels = append(labels, tp.Label)
	}
	for _, e := range first.Entities {
		ents = append(ents, e.Type+":"+e.Canonical)
	}
	for _, want := range []string{"north-korea", "military"} {
		if !slices.Contains(labels, want) {
			t.Errorf("missile article labels %v lack %s", labels, want)
		}
	}
	for _, want := range []string{"LOCATION:North Korea", "PERSON:Kim Jong-un", "ORGANIZATION:Korean Central News Agency", "ORGANIZATION:Joint Chiefs of Staff"} {
		if !slices.Contains(ents, want) {
			t.Errorf("missile article entities %v lack %s", ents, want)
		}
	}
	if len(second.Topics) != 0 {
		t.Errorf("botanical leaflets got topics %+v, want none", second.Topics)
	}
}

func TestTagTextFormatAndUsage(t *testing.T) {
	dir := t.TempDir()
	story := filepath.Join(dir, "story.txt")
	if err := os.WriteFile(story, []byte("Seoul and Washington hold talks\n\nSouth Korean and American envoys met in Seoul to discuss the alliance.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "tag", "--format", "text", story)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"title":"Seoul and Washington hold talks"`) || !strings.Contains(out, `"canonical":"United States"`) {
		t.Errorf("text article not tagged as expected:\n%s", out)
	}

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"tag", "--format", "xml"}, "--format must be jsonl, text or listing"},
		{[]string{"tag", "--rules", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"eval"}, "--gold FILE is required"},
		{[]string{"explain", "--color", "sometimes"}, "--color must be"},
		{[]string{"tag", "--bogus"}, "unknown flag"},
	}
	for _, tt := range tests {
		code, _, errs := runCLI(t, "", tt.args...)
		if code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
}

func TestEvalCommand(t *testing.T) {
	gold := `{"id":"a","title":"N. Korea fires ballistic missile","body":"North Korea fired a ballistic missile, Seoul's Joint Chiefs of Staff said.","gold":{"topics":["north-korea","military"],"entities":[{"type":"LOCATION","canonical":"North Korea"},{"type":"ORGANIZATION","canonical":"JCS","alt":["Joint Chiefs of Staff"]},{"type":"LOCATION","canonical":"Seoul"}]}}
{"id":"b","title":"Rose growers count leaflets","body":"A rose leaf has five or seven leaflets, the growers said.","gold":{"topics":[],"entities":[]}}
`
	path := filepath.Join(t.TempDir(), "gold.jsonl")
	if err := os.WriteFile(path, []byte(gold), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "eval", "--gold", path, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var report struct {
		Topics, Entities struct{ TP, FP, FN int }
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if report.Topics.TP != 2 || report.Entities.TP != 3 {
		t.Errorf("report %+v: want 2 topic and 3 entity true positives", report)
	}

	// A minimum above what the tagger reaches fails with exit code 1 and says why.
	impossible := `{"id":"c","title":"Weather","body":"It rained.","gold":{"topics":["economy"],"entities":[]}}` + "\n"
	if err := os.WriteFile(path, []byte(impossible), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, "", "eval", "--gold", path, "--min-topic-f1", "0.5")
	if code != exitFailure || !strings.Contains(errs, "below --min-topic-f1") {
		t.Errorf("exit %d, stderr %q: want exit 1 naming the minimum", code, errs)
	}
	if !strings.Contains(out, "c: -economy") {
		t.Errorf("per-article misses missing from the report:\n%s", out)
	}
}

func TestExplainCommand(t *testing.T) {
	code, out, errs := runCLI(t, "Kim Jong Un inspects artillery drills\nNorth Korean leader Kim Jong Un watched artillery drills near Pyongyang, KCNA said.\n", "explain", "--color", "never")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"[Kim Jong Un|PERSON]", "[Pyongyang|LOCATION]", "military", "Kim Jong-un", "gazetteer"} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("--color never printed escape codes")
	}
}

// TestExplainScores checks that explain shows every label with evidence, the unassigned one too, with what the
// relevance model discounted and why.
func TestExplainScores(t *testing.T) {
	in := "Balloons land in Paju\nNorth Korea floated trash balloons over the border, the Joint Chiefs of Staff said. " +
		"Residents were told not to touch them.\n"
	code, out, errs := runCLI(t, in, "explain", "--color", "never")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	scores := out[strings.Index(out, "Scores"):]
	for _, want := range []string{"leaflets", "assigned", "south-korea", "not assigned", `"Joint Chiefs of Staff" s1`,
		"attribution, below min", "raw 0.00 / threshold 2"} {
		if !strings.Contains(scores, want) {
			t.Errorf("scores lack %q:\n%s", want, scores)
		}
	}
}

func TestRulesCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pack")
	if code, _, errs := runCLI(t, "", "rules", "init", dir); code != exitOK {
		t.Fatalf("rules init: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "rules", "init", dir); code != exitUsage || !strings.Contains(errs, "--force") {
		t.Errorf("rules init over existing files: exit %d, %q; want a refusal naming --force", code, errs)
	}
	code, out, errs := runCLI(t, "", "rules", "check", dir)
	if code != exitOK || !strings.Contains(out, "OK") {
		t.Fatalf("rules check of the written default pack: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := runCLI(t, "", "rules", "test", dir); code != exitOK || !strings.Contains(out, "examples passed") {
		t.Fatalf("rules test of the default pack: exit %d\n%s%s", code, out, errs)
	}

	// Break the pack twice: both problems are reported, with positions, and the examples fail.
	bad := "topics:\n  - label: leaflets2\n    treshold: 2\n    terms: [leaflet]\n    patterns:\n      - {regex: '(a', weight: 2}\n"
	if err := os.WriteFile(filepath.Join(dir, "zz-bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "", "rules", "check", dir)
	if code != exitFailure {
		t.Errorf("rules check of a broken pack: exit %d, want 1", code)
	}
	for _, want := range []string{"zz-bad.yaml:3:5: unknown_key", "zz-bad.yaml:6:", "bad_regex", "    ^"} {
		if !strings.Contains(out, want) {
			t.Errorf("rules check output lacks %q:\n%s", want, out)
		}
	}

	failing := "examples:\n  - name: impossible\n    body: The weather was fine.\n    want: [military]\n"
	if err := os.WriteFile(filepath.Join(dir, "zz-bad.yaml"), []byte(failing), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "", "rules", "test", dir)
	if code != exitFailure || !strings.Contains(out, `zz-bad.yaml:2`) || !strings.Contains(out, "missing military") {
		t.Errorf("rules test with a failing example: exit %d\n%s", code, out)
	}
}

// TestHoldoutQuality guards tagging quality on the project's own hand-labelled articles (testdata/eval), hard
// negatives included. The floors sit a little under the scores measured when they were last set (topics / entities:
// holdout 0.949 / 0.988; blind 0.881 / 0.977; dev2, the relevance model's development set, 0.886 / 0.978; dev3 and
// dev4, independent labellers' sets, 0.843 / 0.933 and 0.844 / 0.946; blind2 0.849 / 0.922), so a rule change that
// costs real quality fails here.
func TestHoldoutQuality(t *testing.T) {
	// Floors a little under today's scores (testdata/eval/README.md has the figures). blind's topic floor went
	// from 0.90 to 0.87 in the round that tuned the relevance model on the sets of independent, taxonomy-only
	// labellers (dev3, dev4: topic F1 about 0.80 -> 0.85; blind2, never tuned on, 0.798 -> 0.848), while blind,
	// labelled earlier by a developer, fell from 0.918 to 0.881: the labellers' conventions differ. blind and
	// blind2 are only scored: their misses are not read.
	for _, set := range []struct{ name, topicF1, entityF1 string }{
		{"holdout", "0.93", "0.97"}, {"blind", "0.87", "0.96"}, {"dev2", "0.88", "0.96"}, {"dev3", "0.84", "0.93"},
		{"dev4", "0.83", "0.93"}, {"blind2", "0.83", "0.91"},
	} {
		t.Run(set.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", "eval", "--gold", "../../testdata/eval/"+set.name+".jsonl", "-q",
				"--min-topic-f1", set.topicF1, "--min-entity-f1", set.entityF1)
			t.Log(out[strings.LastIndex(out, "topics   micro"):])
			if code != exitOK {
				t.Fatalf("%s quality below the floor (exit %d): %s", set.name, code, errs)
			}
		})
	}
}

func TestTagMaxTagTime(t *testing.T) {
	in := `{"id":"m1","title":"North Korea","body":"Pyongyang said."}` + "\n" + `{"id":"m2","title":"Seoul","body":"Talks."}` + "\n"
	// A budget no article can meet: each is reported with its line and id and skipped, and tag goes on.
	code, stdout, stderr := runCLI(t, in, "tag", "--max-tag-time", "1ns")
	if code != exitFailure || stdout != "" {
		t.Errorf("exit %d, stdout %q; want exit 1 and no records", code, stdout)
	}
	for _, want := range []string{"<stdin>:1 (article m1): timeout: ", "<stdin>:2 (article m2): timeout: "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	// The default budget tags both.
	code, stdout, stderr = runCLI(t, in, "tag")
	if code != exitOK || strings.Count(stdout, "\n") != 2 {
		t.Errorf("default max-tag-time: exit %d, %d records, stderr %q", code, strings.Count(stdout, "\n"), stderr)
	}
}

func TestRulesDiffCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "", "rules", "init", dir); code != exitOK {
		t.Fatal(errs)
	}
	// The candidate pack drops the leaflets topic's terms' weight below any use: raise its threshold instead.
	src, err := os.ReadFile(filepath.Join(dir, "topics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "label: leaflets")
	j := i + strings.Index(string(src[i:]), "threshold:")
	k := j + strings.IndexByte(string(src[j:]), '\n')
	changed := string(src[:j]) + "threshold: 50" + string(src[k:])
	if err := os.WriteFile(filepath.Join(dir, "topics.yaml"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	corpus := filepath.Join(t.TempDir(), "corpus.jsonl")
	leaflets := `{"id":"l1","title":"Activists float anti-Pyongyang leaflets across the border","body":"Activists flew balloons carrying propaganda leaflets across the border toward North Korea."}`
	if err := os.WriteFile(corpus, []byte(leaflets+"\n"+gardenArticle+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "rules", "diff", "--new", dir, corpus, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Articles, Changed int
		Labels            map[string]struct{ Gained, Lost int }
		Changes           []struct {
			ID           string
			Gained, Lost []string
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Articles != 2 || r.Changed != 1 || r.Labels["leaflets"].Lost != 1 || r.Changes[0].ID != "l1" ||
		!slices.Contains(r.Changes[0].Lost, "leaflets") {
		t.Errorf("diff %s", out)
	}
	code, out, _ = runCLI(t, "", "rules", "diff", "--new", dir, corpus)
	if code != exitOK || !strings.Contains(out, "1 of 2 articles changed") || !strings.Contains(out, "l1: -leaflets") {
		t.Errorf("text diff (exit %d):\n%s", code, out)
	}
}

func TestEvalRuleStats(t *testing.T) {
	gold := `{"id":"a","title":"Rose growers count leaflets","body":"Activists say a rose leaf has seven leaflets near the border with North Korea, the growers said.","gold":{"topics":[],"entities":[]}}` + "\n"
	path := filepath.Join(t.TempDir(), "gold.jsonl")
	if err := os.WriteFile(path, []byte(gold), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "eval", "--gold", path, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var report struct {
		Rules []struct {
			ID              string
			Fired, Articles int
			TruePositive    int `json:"true_positive"`
			FalsePositive   int `json:"false_positive"`
		}
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Rules) < 100 {
		t.Fatalf("%d rules: want every rule of the pack", len(report.Rules))
	}
	fired := map[string]int{}
	for _, r := range report.Rules {
		fired[r.ID] = r.Fired
	}
	if fired["gazetteer/North Korea/canonical/North Korea"] != 1 {
		t.Errorf("North Korea alias fired %d times, want 1", fired["gazetteer/North Korea/canonical/North Korea"])
	}
	code, out, _ = runCLI(t, "", "eval", "--gold", path, "-q")
	if code != exitOK || !strings.Contains(out, "never fired:") || !strings.Contains(out, "fired  articles") {
		t.Errorf("text report lacks rule statistics:\n%s", out)
	}
}

// TestRulesFit fits the default pack to the holdout set: the report names every label, and the written pack passes
// rules check and rules test.
func TestRulesFit(t *testing.T) {
	if code, _, errs := runCLI(t, "", "rules", "fit", "--gold", "../../testdata/eval/holdout.jsonl"); code != exitUsage {
		t.Errorf("fit without --out: exit %d (%s), want a usage error", code, errs)
	}
	out := filepath.Join(t.TempDir(), "fitted")
	code, stdout, errs := runCLI(t, "", "rules", "fit", "--gold", "../../testdata/eval/holdout.jsonl", "--out", out)
	if code != exitOK {
		t.Fatalf("rules fit: exit %d: %s", code, errs)
	}
	for _, want := range []string{"held out", "military", "economy", "held-out micro F1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("fit report lacks %q:\n%s", want, stdout)
		}
	}
	for _, sub := range []string{"check", "test"} {
		if code, o, errs := runCLI(t, "", "rules", sub, out); code != exitOK {
			t.Errorf("rules %s of the fitted pack: exit %d\n%s%s", sub, code, o, errs)
		}
	}
}
