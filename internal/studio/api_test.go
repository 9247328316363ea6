package studio

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

const testGold = `{"id":"g1","title":"North Korea fires a ballistic missile","body":"North Korea fired a ballistic missile on Monday, Seoul said.","gold":{"topics":["north-korea","military"],"entities":[{"type":"LOCATION","canonical":"North Korea"},{"type":"LOCATION","canonical":"Seoul"}]}}
{"id":"g2","title":"Rose growers count leaflets","body":"A rose leaf has seven leaflets, the growers said.","gold":{"topics":["leaflets"],"entities":[]}}
`

// newTestServer builds a studio over a copy of the embedded pack (or the embedded pack itself with embedded).
func newTestServer(t *testing.T, cfg Config, embedded bool) (*Server, string) {
	t.Helper()
	dir := ""
	if !embedded {
		_, dir = startStudio(t, Config{}) // copies the pack; its server is not used
		cfg.RulesPath = dir
	}
	if cfg.GoldPath == "" {
		cfg.GoldPath = filepath.Join(t.TempDir(), "gold.jsonl")
		if err := os.WriteFile(cfg.GoldPath, []byte(testGold), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// call sends a request as the page does (loopback host, JSON) and decodes the JSON answer into out.
func call(t *testing.T, h http.Handler, method, path string, body any, out any, edit ...func(*http.Request)) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, path, rd)
	req.Host = "127.0.0.1:8080"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, f := range edit {
		f(req)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, w.Code, w.Body.String(), err)
		}
	}
	return w.Code
}

type checkResp struct {
	OK       bool            `json:"ok"`
	Errors   []checkError    `json:"errors"`
	Version  string          `json:"version"`
	Examples []exampleResult `json:"examples"`
}

func TestRulesCheck(t *testing.T) {
	s, _ := newTestServer(t, Config{}, false)
	h := s.Handler()
	var st struct{ Files map[string]string }
	call(t, h, "GET", "/api/state", nil, &st)
	topics := st.Files["topics.yaml"]
	if topics == "" {
		t.Fatal("state has no topics.yaml")
	}
	tests := []struct {
		name      string
		edit      func(string) string
		ok        bool
		line, col int
		code      string
	}{
		{"unknown key", func(s string) string { return strings.Replace(s, "threshold:", "treshold:", 1) }, false,
			strings.Count(topics[:strings.Index(topics, "threshold:")], "\n") + 1, 5, "unknown_key"},
		{"bad regex", func(s string) string { return s + "  - label: extra\n    patterns:\n      - {regex: '(unclosed'}\n" }, false,
			strings.Count(topics, "\n") + 3, 17, "bad_regex"},
		{"valid", func(s string) string { return s }, true, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range st.Files {
				files[k] = v
			}
			files["topics.yaml"] = tt.edit(topics)
			var r checkResp
			if code := call(t, h, "POST", "/api/rules/check", map[string]any{"files": files}, &r); code != 200 {
				t.Fatalf("status %d", code)
			}
			if r.OK != tt.ok {
				t.Fatalf("ok = %v, errors %+v", r.OK, r.Errors)
			}
			if !tt.ok {
				e := r.Errors[0]
				if e.File != "topics.yaml" || e.Line != tt.line || e.Col != tt.col || e.Code != tt.code || e.Message == "" {
					t.Errorf("first error %+v, want topics.yaml:%d:%d %s", e, tt.line, tt.col, tt.code)
				}
				return
			}
			if r.Version == "" || len(r.Examples) < 10 {
				t.Errorf("valid pack: version %q, %d examples", r.Version, len(r.Examples))
			}
			for _, x := range r.Examples {
				if !x.Pass {
					t.Errorf("example %q of the embedded pack fails: %+v", x.Name, x)
				}
			}
		})
	}
}

func TestTagDraftAndExplain(t *testing.T) {
	s, _ := newTestServer(t, Config{}, true)
	h := s.Handler()
	art := map[string]string{"id": "x", "title": "Gardeners swap seeds", "body": "The gardeners swapped tulip seeds at the fair."}
	var rec struct {
		Topics  []struct{ Label string }
		Explain struct {
			Scores []struct {
				Label    string
				Assigned bool
			}
		}
	}
	if code := call(t, h, "POST", "/api/tag", art, &rec); code != 200 || len(rec.Topics) != 0 {
		t.Fatalf("saved pack: status %d, topics %+v", code, rec.Topics)
	}
	var st struct{ Files map[string]string }
	call(t, h, "GET", "/api/state", nil, &st)
	st.Files["garden.yaml"] = "topics:\n  - label: gardening\n    threshold: 2\n    terms: [gardener, seed, tulip]\n"
	var chk checkResp
	call(t, h, "POST", "/api/rules/check", map[string]any{"files": st.Files}, &chk)
	if !chk.OK {
		t.Fatalf("draft: %+v", chk.Errors)
	}
	call(t, h, "POST", "/api/tag?rules="+chk.Version, art, &rec)
	if len(rec.Topics) != 1 || rec.Topics[0].Label != "gardening" || len(rec.Explain.Scores) == 0 || !rec.Explain.Scores[0].Assigned {
		t.Errorf("draft pack: %+v", rec)
	}
	var e map[string]string
	if code := call(t, h, "POST", "/api/tag?rules=sha256:000000000000", art, &e); code != 404 || e["error"] == "" {
		t.Errorf("unknown version: %d %v", code, e)
	}
	// An article of the gold file comes back with its gold labels.
	var g struct{ Gold *struct{ Topics []string } }
	call(t, h, "POST", "/api/tag", map[string]string{"id": "g2", "title": "Rose growers count leaflets", "body": "x"}, &g)
	if g.Gold == nil || g.Gold.Topics[0] != "leaflets" {
		t.Errorf("gold of g2: %+v", g.Gold)
	}
}

func TestRulesSave(t *testing.T) {
	s, dir := newTestServer(t, Config{}, false)
	h := s.Handler()
	orig, err := os.ReadFile(filepath.Join(dir, "topics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../evil.yaml", "sub/x.yaml", "/tmp/x.yaml", "notes.txt", ".hidden.yaml"} {
		var e map[string]string
		if code := call(t, h, "POST", "/api/rules/save", map[string]any{"files": map[string]string{name: "topics: []\n"}}, &e); code != http.StatusForbidden {
			t.Errorf("save %q: status %d %v, want 403", name, code, e)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil.yaml")); err == nil {
		t.Error("a file was written outside the pack directory")
	}
	// An invalid pack is refused and nothing is written.
	var r struct {
		OK      bool
		Errors  []checkError
		Written []string
		Backups []string
		Version string
	}
	bad := strings.Replace(string(orig), "threshold:", "treshold:", 1)
	if code := call(t, h, "POST", "/api/rules/save", map[string]any{"files": map[string]string{"topics.yaml": bad}}, &r); code != 422 || r.OK {
		t.Errorf("invalid save: %d %+v", code, r)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "topics.yaml")); string(now) != string(orig) {
		t.Error("an invalid pack was written")
	}
	good := string(orig) + "\n# tuned\n"
	if code := call(t, h, "POST", "/api/rules/save", map[string]any{"files": map[string]string{"topics.yaml": good}}, &r); code != 200 || !r.OK {
		t.Fatalf("save: %d %+v", code, r)
	}
	now, _ := os.ReadFile(filepath.Join(dir, "topics.yaml"))
	bak, _ := os.ReadFile(filepath.Join(dir, "topics.yaml.bak"))
	if string(now) != good || string(bak) != string(orig) || len(r.Written) != 1 || len(r.Backups) != 1 {
		t.Errorf("after save: new content %v, backup %v, %+v", string(now) == good, string(bak) == string(orig), r)
	}
	packFiles, err := fs.Glob(rules.DefaultFS(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != len(packFiles)+1 { // the pack's files and the backup, nothing temporary left
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("pack directory holds %v", names)
	}
	var st struct{ Files map[string]string }
	call(t, h, "GET", "/api/state", nil, &st)
	if st.Files["topics.yaml"] != good {
		t.Error("state does not show the saved file")
	}
	// The embedded pack cannot be saved.
	se, _ := newTestServer(t, Config{}, true)
	if code := call(t, se.Handler(), "POST", "/api/rules/save", map[string]any{"files": map[string]string{"topics.yaml": good}}, nil); code != http.StatusConflict {
		t.Errorf("saving the embedded pack: status %d, want 409", code)
	}
}

func TestGuard(t *testing.T) {
	s, _ := newTestServer(t, Config{Token: "s3cret"}, true)
	h := s.Handler()
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	tests := []struct {
		name, method, path string
		body               any
		edit               []func(*http.Request)
		want               int
	}{
		{"page without token", "GET", "/", nil, nil, 200},
		{"api without token", "GET", "/api/state", nil, nil, 401},
		{"api with a wrong token", "GET", "/api/state", nil, []func(*http.Request){bearer("nope")}, 401},
		{"api with the token", "GET", "/api/state", nil, []func(*http.Request){bearer("s3cret")}, 200},
		{"post as a form", "POST", "/api/tag", map[string]string{"body": "x"}, []func(*http.Request){bearer("s3cret"),
			func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }}, 415},
		{"body too large", "POST", "/api/rules/check", map[string]any{"files": map[string]string{"a.yaml": strings.Repeat("#", 9<<20)}},
			[]func(*http.Request){bearer("s3cret")}, 413},
	}
	for _, tt := range tests {
		if code := call(t, h, tt.method, tt.path, tt.body, nil, tt.edit...); code != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, code, tt.want)
		}
	}
	// Without a token, only loopback host names are answered (a rebinding DNS name is not).
	open, _ := newTestServer(t, Config{}, true)
	for host, want := range map[string]int{"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "evil.example:8080": 403} {
		if code := call(t, open.Handler(), "GET", "/api/state", nil, nil, func(r *http.Request) { r.Host = host }); code != want {
			t.Errorf("Host %s: status %d, want %d", host, code, want)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	for _, tt := range []struct {
		addr, token string
		ok          bool
	}{{"127.0.0.1:8080", "", true}, {"[::1]:8080", "", true}, {"localhost:0", "", true}, {"0.0.0.0:8080", "", false},
		{":8080", "", false}, {"10.0.0.5:8080", "t", true}, {"nonsense", "", false}} {
		if err := CheckAddr(tt.addr, tt.token); (err == nil) != tt.ok {
			t.Errorf("CheckAddr(%q, %q) = %v", tt.addr, tt.token, err)
		}
	}
}

func TestEvalAndDiff(t *testing.T) {
	s, _ := newTestServer(t, Config{}, true)
	h := s.Handler()
	var ev struct {
		Articles int
		Topics   struct{ F1 float64 }
		Rules    []struct {
			ID    string
			Fired int
		}
		Misses []struct {
			ID           string
			MissedTopics []string `json:"missed_topics"`
		}
	}
	if code := call(t, h, "GET", "/api/eval", nil, &ev); code != 200 || ev.Articles != 2 || len(ev.Rules) < 100 {
		t.Fatalf("eval: %d, %d articles, %d rules", code, ev.Articles, len(ev.Rules))
	}
	if len(ev.Misses) != 1 || ev.Misses[0].ID != "g2" || ev.Misses[0].MissedTopics[0] != "leaflets" {
		t.Errorf("misses %+v: want g2 missing leaflets", ev.Misses)
	}
	var st struct{ Files map[string]string }
	call(t, h, "GET", "/api/state", nil, &st)
	st.Files["garden.yaml"] = "topics:\n  - label: leaflets-botany\n    terms: [rose leaf]\n"
	var d struct {
		Articles, Changed int
		Labels            map[string]struct{ Gained, Lost int }
		F1                *struct{ Topics struct{ Old, New float64 } }
	}
	if code := call(t, h, "POST", "/api/diff", map[string]any{"files": st.Files, "over": "gold"}, &d); code != 200 {
		t.Fatalf("diff: %d", code)
	}
	if d.Articles != 2 || d.Changed != 1 || d.Labels["leaflets-botany"].Gained != 1 || d.F1 == nil || d.F1.Topics.New >= d.F1.Topics.Old {
		t.Errorf("diff %+v", d)
	}
}

func TestLiveStream(t *testing.T) {
	feed := make(chan []byte)
	s, _ := newTestServer(t, Config{Live: feedSource(feed)}, true)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go s.live.run(ctx)
	next := openStream(ctx, t, srv.URL+"/api/live?label=leaflets")
	next("counts") // the stream is open
	feed <- []byte(`{"id":"m1","title":"Missiles","topics":[{"label":"military","score":0.9,"evidence":[]}],"entities":[]}`)
	feed <- []byte(`not json`)
	feed <- []byte(`{"id":"l1","title":"Balloons","topics":[{"label":"leaflets","score":0.8,"evidence":[]}],"entities":[{"text":"DPRK","canonical":"North Korea","type":"LOCATION","source":"gazetteer","field":"body","start":0,"end":4}]}`)
	var rec liveRecord
	if err := json.Unmarshal([]byte(next("record")), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != "l1" || rec.Entities[0] != "LOCATION:North Korea" {
		t.Errorf("first record through the leaflets filter: %+v", rec)
	}
	var counts struct {
		Labels map[string]int
		Total  int
	}
	for counts.Total < 2 {
		if err := json.Unmarshal([]byte(next("counts")), &counts); err != nil {
			t.Fatal(err)
		}
	}
	if counts.Labels["military"] != 1 || counts.Labels["leaflets"] != 1 || counts.Total != 2 {
		t.Errorf("counts %+v", counts)
	}
}

func TestBrokenPackOnDisk(t *testing.T) {
	_, dir := startStudio(t, Config{})
	path := filepath.Join(dir, "topics.yaml")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(orig), "threshold:", "treshold:", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{RulesPath: dir})
	if err != nil {
		t.Fatalf("a pack with errors must still open for fixing: %v", err)
	}
	h := s.Handler()
	var e map[string]string
	if code := call(t, h, "POST", "/api/tag", map[string]string{"title": "x"}, &e); code != 404 || !strings.Contains(e["error"], "errors") {
		t.Errorf("tag with a broken saved pack: %d %v", code, e)
	}
	var st struct {
		Files   map[string]string
		Version string
	}
	call(t, h, "GET", "/api/state", nil, &st)
	if st.Version != "" || st.Files["topics.yaml"] != broken {
		t.Errorf("state: version %q, topics.yaml served as on disk: %v", st.Version, st.Files["topics.yaml"] == broken)
	}
	var chk checkResp
	call(t, h, "POST", "/api/rules/check", map[string]any{"files": st.Files}, &chk)
	if chk.OK || len(chk.Errors) == 0 {
		t.Errorf("check of the broken pack: %+v", chk)
	}
	var r struct{ OK bool }
	if code := call(t, h, "POST", "/api/rules/save", map[string]any{"files": map[string]string{"topics.yaml": string(orig)}}, &r); code != 200 || !r.OK {
		t.Fatalf("saving the fixed file: %d", code)
	}
	var rec struct{ Topics []struct{ Label string } }
	if code := call(t, h, "POST", "/api/tag", map[string]string{"title": "North Korea fires ballistic missiles"}, &rec); code != 200 || len(rec.Topics) == 0 {
		t.Errorf("tag after the fix: %d %+v", code, rec)
	}
}

func TestTagRecordFormatAndFields(t *testing.T) {
	dec, err := tagger.NewDecoder("", "", []string{"id=/meta/guid", "title=/headline", "body=/content"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newTestServer(t, Config{Decoder: dec}, true)
	h := s.Handler()
	art := map[string]any{"headline": "North Korea fires ballistic missiles", "content": "Kim Jong Un watched the launch.",
		"meta": map[string]string{"guid": "m1"}}
	type entity struct {
		Canonical string
		Text      string
		Mentions  [][]any
	}
	var full struct {
		ID       string
		Topics   []struct{ Label string }
		Entities []entity
		Tagger   struct{ Record string }
	}
	if code := call(t, h, "POST", "/api/tag", art, &full); code != 200 || full.ID != "m1" || len(full.Topics) == 0 || full.Entities[0].Text == "" {
		t.Fatalf("mapped article: %d %+v", code, full)
	}
	var compact = full
	compact.Entities = nil
	if code := call(t, h, "POST", "/api/tag?record=compact", art, &compact); code != 200 || compact.Tagger.Record != "compact" {
		t.Fatalf("record=compact: %d %+v", code, compact)
	}
	if len(compact.Entities) == 0 || compact.Entities[0].Text != "" || len(compact.Entities[0].Mentions) == 0 || len(compact.Topics) != len(full.Topics) {
		t.Errorf("record=compact entities %+v topics %v; full topics %v", compact.Entities, compact.Topics, full.Topics)
	}
	var e map[string]string
	if code := call(t, h, "POST", "/api/tag?record=lean", art, &e); code != 400 || !strings.Contains(e["error"], "lean") {
		t.Errorf("record=lean: %d %v", code, e)
	}
}
