package studio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/internal/rulediff"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers {"error": "..."}.
func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

// decode reads a JSON request body into v; it answers the error itself and returns false when it fails.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		code := http.StatusBadRequest
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			code = http.StatusRequestEntityTooLarge
		}
		writeError(w, code, fmt.Errorf("request body: %w", err))
		return false
	}
	return true
}

// articleRef is an article the page can pick.
type articleRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func refs(as []tagger.Article) []articleRef {
	out := make([]articleRef, len(as))
	for i, a := range as {
		out[i] = articleRef{ID: a.ID, Title: a.Title}
	}
	return out
}

// getState answers GET /api/state: the pack's files and what there is to pick from.
func (s *Server) getState(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	files, v := s.saved, s.savedV
	s.mu.Unlock()
	labels := []string{}
	if e, err := s.pack(""); err == nil {
		labels = e.pack.Rules.Labels()
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"rules_path": s.cfg.RulesPath, "writable": s.dir != "", "files": files, "version": v,
		"labels": labels, "gold": refs(s.gold), "corpus": refs(s.corpus), "live": s.live != nil,
		"shadow": s.live != nil && s.live.shadow != nil,
	})
}

// getArticle answers GET /api/article?from=gold|corpus&id=ID with the article and, from the gold file, its labels.
func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	list := s.corpus
	if r.URL.Query().Get("from") == "gold" {
		list = s.gold
	}
	i := slices.IndexFunc(list, func(a tagger.Article) bool { return a.ID == id })
	if i < 0 {
		writeError(w, http.StatusNotFound, fmt.Errorf("no article %q", id))
		return
	}
	a := list[i]
	writeJSON(w, http.StatusOK, map[string]any{
		"article": map[string]string{"id": a.ID, "title": a.Title, "body": a.Body}, "gold": s.goldOf(a.ID),
	})
}

func (s *Server) goldOf(id string) *eval.Labels {
	for i := range s.golds {
		if s.golds[i].ID == id {
			return &s.golds[i].Gold
		}
	}
	return nil
}

// postTag answers POST /api/tag[?rules=VERSION][&record=compact]: an article (JSON object, read by
// Config.Decoder) in, the tagged record (full, or compact with record=compact) out, with an
// "explain" member (label scores including those under the threshold, how each piece of evidence counted, the
// alias behind each gazetteer entity) and, for an id of the gold file, a "gold" member.
func (s *Server) postTag(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, err)
		return
	}
	format, err := tagger.ParseRecordFormat(r.URL.Query().Get("record"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	dec := s.cfg.Decoder
	if dec == nil {
		dec = &tagger.Decoder{}
	}
	a, err := dec.Decode(nil, buf.Bytes())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	e, err := s.pack(r.URL.Query().Get("rules"))
	if err != nil {
		writeError(w, http.StatusNotFound, err)
		return
	}
	rec, err := e.tag.Tag(r.Context(), a)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	out, err := rec.Marshal(format)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	ex, err := json.Marshal(e.pack.Explain(rules.Doc{Title: rec.Article.Title, Body: rec.Article.Body}, rec))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	out = append(append(append(out[:len(out)-1:len(out)-1], `,"explain":`...), ex...), '}')
	if g := s.goldOf(a.ID); g != nil && a.ID != "" {
		gb, _ := json.Marshal(g)
		out = append(append(append(out[:len(out)-1], `,"gold":`...), gb...), '}')
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(out, '\n'))
}

// filesRequest is the body of /api/rules/check, /api/rules/save and /api/diff.
type filesRequest struct {
	Files map[string]string `json:"files"`
	Rules string            `json:"rules,omitempty"` // /api/diff: a checked version instead of files
	Over  string            `json:"over,omitempty"`  // /api/diff: "gold" or "corpus"
}

// checkError is one problem of a pack, as the page shows it.
type checkError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// exampleResult is one `rules test` example as the page shows it.
type exampleResult struct {
	Name       string   `json:"name"`
	File       string   `json:"file"`
	Line       int      `json:"line"`
	Pass       bool     `json:"pass"`
	Missing    []string `json:"missing,omitempty"`
	Unexpected []string `json:"unexpected,omitempty"`
}

func checkErrors(errs rules.ErrorList) []checkError {
	out := make([]checkError, len(errs))
	for i, e := range errs {
		out[i] = checkError{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Code: e.Code, Message: e.Msg}
	}
	return out
}

// postCheck answers POST /api/rules/check: {"files": {...}} in; {"ok", "errors": [...]} out, and for a valid pack
// its "version" (usable as ?rules= in /api/tag, /api/eval and /api/diff) and its examples run through the tagger.
func (s *Server) postCheck(w http.ResponseWriter, r *http.Request) {
	var req filesRequest
	if !decode(w, r, &req) {
		return
	}
	e, errs := s.compile(req.Files)
	if len(errs) > 0 {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "errors": checkErrors(errs)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ok": true, "errors": []checkError{}, "version": e.pack.Rules.Version(), "examples": s.examples(r, e),
	})
}

func (s *Server) examples(r *http.Request, e *packEntry) []exampleResult {
	rs := e.pack.Rules
	failed := rules.RunExamples(rs, func(d rules.Doc) (labels, entities []string) {
		rec, err := e.tag.Tag(r.Context(), tagger.Article{Title: d.Title, Body: d.Body})
		if err != nil {
			return nil, nil
		}
		for _, k := range rec.Canonicals() {
			entities = append(entities, k.Type+":"+k.Canonical)
		}
		return rec.Labels(), entities
	})
	out := []exampleResult{}
	for _, x := range rs.Examples() {
		res := exampleResult{Name: x.Name, File: x.Pos.File, Line: x.Pos.Line, Pass: true}
		for _, f := range failed {
			if f.Example.Pos == x.Pos && f.Example.Name == x.Name {
				res.Pass, res.Missing, res.Unexpected = false, f.Missing, f.Unexpected
			}
		}
		out = append(out, res)
	}
	return out
}

// postSave answers POST /api/rules/save: {"files": {...}} in. A valid pack's changed files are written into the
// pack directory atomically (a temporary file renamed over the old one), each previous version kept as
// NAME.bak; names outside the directory are refused. Out: {"ok", "errors", "version", "written", "backups"}.
func (s *Server) postSave(w http.ResponseWriter, r *http.Request) {
	var req filesRequest
	if !decode(w, r, &req) {
		return
	}
	if s.dir == "" {
		writeError(w, http.StatusConflict, errors.New("the embedded pack cannot be saved: start with --rules DIR (tagpipe rules init DIR writes one)"))
		return
	}
	for name := range req.Files {
		if !filepath.IsLocal(name) || filepath.Base(name) != name || !isRuleFile(name) {
			writeError(w, http.StatusForbidden, fmt.Errorf("refusing to write %q: only *.yaml and *.yml files directly in the pack directory", name))
			return
		}
	}
	e, errs := s.compile(req.Files)
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"ok": false, "errors": checkErrors(errs)})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	defer root.Close()
	written, backups := []string{}, []string{}
	names := make([]string, 0, len(req.Files))
	for n := range req.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		content := req.Files[name]
		old, had := s.saved[name]
		if had && old == content {
			continue
		}
		if had {
			if err := writeAtomic(root, name+".bak", old); err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			backups = append(backups, name+".bak")
		}
		if err := writeAtomic(root, name, content); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		written = append(written, name)
	}
	saved := make(map[string]string, len(s.saved))
	for k, v := range s.saved {
		saved[k] = v
	}
	for k, v := range req.Files {
		saved[k] = v
	}
	s.saved = saved
	s.savedV = e.pack.Rules.Version()
	s.log.Info("rules saved", "dir", s.dir, "version", s.savedV, "written", written)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "errors": []checkError{}, "version": s.savedV,
		"written": written, "backups": backups})
}

// writeAtomic writes name inside root through a temporary file and a rename, so a reader sees the old or the new
// content, never a part.
func writeAtomic(root *os.Root, name, content string) error {
	tmp := "." + name + ".tmp"
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return root.Rename(tmp, name)
}

// getEval answers GET /api/eval[?rules=VERSION]: the gold scores and per-rule statistics.
func (s *Server) getEval(w http.ResponseWriter, r *http.Request) {
	if s.golds == nil {
		writeError(w, http.StatusNotFound, errors.New("no gold file: start tagpipe studio with --gold FILE"))
		return
	}
	e, err := s.pack(r.URL.Query().Get("rules"))
	if err != nil {
		writeError(w, http.StatusNotFound, err)
		return
	}
	preds := map[string]eval.Prediction{}
	hits := map[string][]eval.RuleHit{}
	for _, a := range s.gold {
		rec, err := e.tag.Tag(r.Context(), a)
		if err != nil {
			writeError(w, http.StatusInternalServerError, fmt.Errorf("article %s: %w", a.ID, err))
			return
		}
		preds[a.ID] = rulediff.Prediction(rec)
		hits[a.ID] = e.pack.RuleHits(rec, e.pack.Explain(rules.Doc{Title: a.Title, Body: a.Body}, rec))
	}
	rep := eval.Run(s.golds, func(id string) (eval.Prediction, bool) { p, ok := preds[id]; return p, ok })
	rep.Rules = eval.RuleStats(s.golds, func(id string) []eval.RuleHit { return hits[id] }, e.pack.RuleIDs())
	type score struct {
		Name string  `json:"name"`
		P    float64 `json:"p"`
		R    float64 `json:"r"`
		F1   float64 `json:"f1"`
		eval.Counts
	}
	sc := func(name string, c eval.Counts) score { return score{name, c.Precision(), c.Recall(), c.F1(), c} }
	var labels, types []score
	for _, l := range slices.Sorted(maps.Keys(rep.PerLabel)) {
		labels = append(labels, sc(l, rep.PerLabel[l]))
	}
	for _, t := range slices.Sorted(maps.Keys(rep.PerType)) {
		types = append(types, sc(t, rep.PerType[t]))
	}
	type miss struct {
		eval.Article
		Title string `json:"title"`
	}
	misses := []miss{}
	for i, a := range rep.Articles {
		if len(a.MissedTopics)+len(a.ExtraTopics)+len(a.MissedEntities)+len(a.ExtraEntities) > 0 {
			misses = append(misses, miss{a, s.gold[i].Title})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"version": e.pack.Rules.Version(), "articles": len(s.golds),
		"topics": sc("micro", rep.Topics), "entities": sc("micro", rep.Entities), "labels": labels, "types": types,
		"rules": rep.Rules, "never_fired": eval.NeverFired(rep.Rules), "misses": misses,
	})
}

// postDiff answers POST /api/diff: {"files": {...}} or {"rules": VERSION}, and "over": "gold" (default when there
// is a gold file) or "corpus"; out the rules diff of the saved pack against that one (see `tagpipe rules diff`).
func (s *Server) postDiff(w http.ResponseWriter, r *http.Request) {
	var req filesRequest
	if !decode(w, r, &req) {
		return
	}
	var (
		e   *packEntry
		err error
	)
	if req.Files != nil {
		var errs rules.ErrorList
		if e, errs = s.compile(req.Files); len(errs) > 0 {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"ok": false, "errors": checkErrors(errs)})
			return
		}
	} else if e, err = s.pack(req.Rules); err != nil {
		writeError(w, http.StatusNotFound, err)
		return
	}
	old, err := s.pack("")
	if err != nil {
		writeError(w, http.StatusConflict, err)
		return
	}
	over := req.Over
	if over == "" {
		over = "corpus"
		if s.golds != nil {
			over = "gold"
		}
	}
	arts := s.corpus
	switch over {
	case "corpus":
	case "gold":
		if s.golds == nil {
			writeError(w, http.StatusNotFound, errors.New("no gold file: start tagpipe studio with --gold FILE"))
			return
		}
		arts = s.gold
	default:
		writeError(w, http.StatusBadRequest, fmt.Errorf(`"over" must be gold or corpus, not %q`, over))
		return
	}
	rep, err := rulediff.Corpus(r.Context(), old.tag, e.tag, arts)
	if err == nil && over == "gold" {
		rep.F1, err = rulediff.Gold(r.Context(), old.tag, e.tag, s.gold, s.golds)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// matchRecord reports whether a live record passes the label and entity filters (empty: any).
func matchRecord(labels []string, entities []string, label, entity string) bool {
	if label != "" && !slices.Contains(labels, label) {
		return false
	}
	if entity != "" {
		return slices.ContainsFunc(entities, func(e string) bool {
			_, name, _ := strings.Cut(e, ":")
			return strings.EqualFold(name, entity) || strings.EqualFold(e, entity)
		})
	}
	return true
}
