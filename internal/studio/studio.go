// Package studio is tagpipe's rule-tuning workbench: an HTTP server with a JSON API and an embedded, offline web
// page (article view with highlighted evidence, rule editor with validation as you type, eval view with per-rule
// statistics, live view of the output topic). `tagpipe studio` starts it.
//
// The two types to learn first are Config (what the studio works on) and Server (the handler and its state).
// The JSON API is documented in the README; every handler is in api.go.
package studio

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/internal/explain"
	"github.com/tagpipe/tagpipe/internal/samples"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

//go:embed assets
var assetsFS embed.FS

// Request body limits.
const (
	maxArticleBody = 16 << 20 // POST /api/tag
	maxRulesBody   = 8 << 20  // POST /api/rules/*, /api/diff
	maxOtherBody   = 64 << 10
)

// LiveSource delivers the values of the output topic's records, from its end on, to fn until ctx ends or fn
// returns an error. cmd wires it to the Kafka tail reader.
type LiveSource func(ctx context.Context, fn func(value []byte) error) error

// Config says what the studio works on.
type Config struct {
	// RulesPath is the rule pack: a directory of *.yaml|*.yml files or one file. "" is the embedded pack, which
	// can be edited and tried but not saved.
	RulesPath string
	// GoldPath is a gold JSONL file for the eval view and for picking articles; "" for none.
	GoldPath string
	// CorpusPath is a JSONL corpus to pick articles from and to diff over; "" is the demo's sample articles.
	CorpusPath string
	// Live, when set, feeds the live view.
	Live LiveSource
	// Shadow, when set with Live, feeds the live view the differences of a shadow run (the values of its shadow
	// topic, rulediff.Change JSON).
	Shadow LiveSource
	// Token, when set, is required as a bearer token by every /api/ request.
	Token string
	// Decoder reads the articles posted to /api/tag (field mappings, HTML bodies); nil reads JSON objects with
	// id, title and body, HTML bodies as text.
	Decoder *tagger.Decoder
	// NoDiscovery tags with gazetteer entities only.
	NoDiscovery bool
	// NER is how names no rule lists are found (tagger.NERBuiltin when empty).
	NER tagger.NERMode
	// Log receives the tagger's log records; nil discards them.
	Log *slog.Logger
}

// Server serves the studio. It is safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	dir    string // the pack directory saves go to; "" for the embedded pack
	golds  []eval.Gold
	gold   []tagger.Article
	corpus []tagger.Article
	live   *hub

	mu     sync.Mutex
	saved  map[string]string // file name -> content, as on disk
	packs  map[string]*packEntry
	recent []string // pack versions, least recently used first
	savedV string   // "" while the pack on disk is invalid
}

// packEntry is a compiled pack with its tagger.
type packEntry struct {
	pack *explain.Pack
	tag  *tagger.Tagger
}

// maxPacks bounds the cache of compiled drafts.
const maxPacks = 16

// New loads the pack, the gold file and the corpus. A pack on disk with errors is served too (tagging waits until a
// valid pack is saved); an unreadable pack, gold file or corpus is an error.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: cfg.Log, packs: map[string]*packEntry{}}
	files, err := s.readPack()
	if err != nil {
		return nil, err
	}
	s.saved = files
	if e, errs := s.compile(files); len(errs) > 0 {
		// Serve anyway: the rule editor shows the errors and saving a fixed pack makes it the saved one.
		s.log.Warn("the rule pack has errors; fix them in the studio's Rules view", "rules", cfg.RulesPath, "errors", len(errs), "first", errs[0].Error())
	} else {
		s.savedV = e.pack.Rules.Version()
	}
	if cfg.GoldPath != "" {
		golds, lines, err := eval.ReadGold(cfg.GoldPath)
		if err != nil {
			return nil, err
		}
		for i, line := range lines {
			a, err := tagger.DecodeArticle(line)
			if err != nil {
				return nil, fmt.Errorf("%s: article %s: %w", cfg.GoldPath, golds[i].ID, err)
			}
			s.gold = append(s.gold, a)
		}
		s.golds = golds
	}
	var src []byte
	if cfg.CorpusPath != "" {
		if src, err = os.ReadFile(cfg.CorpusPath); err != nil {
			return nil, err
		}
	} else {
		src = samples.JSONL()
	}
	err = tagger.ReadArticles(strings.NewReader(string(src)), tagger.FormatJSONL, func(a tagger.Article, err error) error {
		if err != nil {
			return err
		}
		if a.ID == "" {
			a.ID = fmt.Sprintf("line-%d", len(s.corpus)+1)
		}
		s.corpus = append(s.corpus, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", cfg.CorpusPath, err)
	}
	if cfg.Live != nil {
		s.live = newHub(cfg.Live, s.log)
		if cfg.Shadow != nil {
			s.live.shadow = newShadowFeed(cfg.Shadow)
		}
	}
	return s, nil
}

// readPack reads the pack's files by base name and sets s.dir.
func (s *Server) readPack() (map[string]string, error) {
	files := map[string]string{}
	if s.cfg.RulesPath == "" {
		def := rules.DefaultFS()
		names, err := fs.Glob(def, "*.y*ml")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			b, err := fs.ReadFile(def, n)
			if err != nil {
				return nil, err
			}
			files[n] = string(b)
		}
		return files, nil
	}
	st, err := os.Stat(s.cfg.RulesPath)
	if err != nil {
		return nil, err
	}
	names := []string{s.cfg.RulesPath}
	s.dir = filepath.Dir(s.cfg.RulesPath)
	if st.IsDir() {
		s.dir = s.cfg.RulesPath
		names = nil
		ents, err := os.ReadDir(s.cfg.RulesPath)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if n := e.Name(); !e.IsDir() && isRuleFile(n) {
				names = append(names, filepath.Join(s.cfg.RulesPath, n))
			}
		}
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		files[filepath.Base(n)] = string(b)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.yaml or *.yml rule files", s.cfg.RulesPath)
	}
	return files, nil
}

func isRuleFile(name string) bool {
	return (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) && !strings.HasPrefix(name, ".")
}

// compile parses and compiles files, or returns the cached pack of the same content.
func (s *Server) compile(files map[string]string) (*packEntry, rules.ErrorList) {
	p, errs := explain.ParseFiles(files)
	if len(errs) > 0 {
		return nil, errs
	}
	v := p.Rules.Version()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.packs[v]; ok {
		s.touch(v)
		return e, nil
	}
	opts := []tagger.Option{tagger.WithLogger(s.log)}
	if s.cfg.NoDiscovery {
		opts = append(opts, tagger.WithDiscovery(false))
	} else if s.cfg.NER != "" {
		opts = append(opts, tagger.WithNER(s.cfg.NER))
	}
	t, err := tagger.New(p.Rules, opts...)
	if err != nil {
		return nil, rules.ErrorList{{Code: rules.CodeBadValue, Msg: err.Error()}}
	}
	e := &packEntry{pack: p, tag: t}
	s.packs[v] = e
	s.touch(v)
	for len(s.recent) > maxPacks {
		old := s.recent[0]
		s.recent = s.recent[1:]
		if old != s.savedV {
			delete(s.packs, old)
		}
	}
	return e, nil
}

// touch marks version v as just used; s.mu is held.
func (s *Server) touch(v string) {
	s.recent = slices.DeleteFunc(s.recent, func(x string) bool { return x == v })
	s.recent = append(s.recent, v)
}

// pack returns the compiled pack of version v, "" or "saved" for the saved one.
func (s *Server) pack(v string) (*packEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v == "" || v == "saved" {
		if s.savedV == "" {
			return nil, errors.New("the saved rule pack has errors: fix them in the Rules view and save")
		}
		v = s.savedV
	}
	e, ok := s.packs[v]
	if !ok {
		return nil, fmt.Errorf("unknown rules version %q: check the files first (POST /api/rules/check)", v)
	}
	if v != s.savedV {
		s.touch(v)
	}
	return e, nil
}

// CheckAddr refuses to serve on a non-loopback address without a token.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--http %q: %w", addr, err)
	}
	if token == "" && !isLoopback(host) {
		return fmt.Errorf("--http %s is not a loopback address: set --http-token (or TAGPIPE_HTTP_TOKEN) to serve it", addr)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Handler returns the studio's HTTP handler: the page, its assets and the JSON API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	sub, _ := fs.Sub(assetsFS, "assets")
	static := http.FileServerFS(sub)
	mux.Handle("GET /", static)
	mux.HandleFunc("GET /api/state", s.getState)
	mux.HandleFunc("GET /api/article", s.getArticle)
	mux.HandleFunc("POST /api/tag", s.postTag)
	mux.HandleFunc("POST /api/rules/check", s.postCheck)
	mux.HandleFunc("POST /api/rules/save", s.postSave)
	mux.HandleFunc("GET /api/eval", s.getEval)
	mux.HandleFunc("POST /api/diff", s.postDiff)
	mux.HandleFunc("GET /api/live", s.getLive)
	return s.guard(mux)
}

// guard enforces the token, same-origin JSON posts, loopback Host names (against DNS rebinding) and body limits.
func (s *Server) guard(next http.Handler) http.Handler {
	token := []byte(s.cfg.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(token) == 0 {
			host, _, err := net.SplitHostPort(r.Host)
			if err != nil {
				host = r.Host
			}
			if !isLoopback(strings.Trim(host, "[]")) {
				http.Error(w, "studio: this server answers loopback host names only", http.StatusForbidden)
				return
			}
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if len(token) > 0 {
				got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				if !ok || subtle.ConstantTimeCompare([]byte(got), token) != 1 {
					w.Header().Set("WWW-Authenticate", `Bearer realm="tagpipe studio"`)
					writeError(w, http.StatusUnauthorized, errors.New("a bearer token is required"))
					return
				}
			}
			if r.Method == http.MethodPost {
				// A cross-site form cannot send JSON without a CORS preflight, which this server never grants.
				if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
					writeError(w, http.StatusUnsupportedMediaType, errors.New("send Content-Type: application/json"))
					return
				}
			}
		}
		limit := int64(maxOtherBody)
		switch {
		case r.URL.Path == "/api/tag":
			limit = maxArticleBody
		case strings.HasPrefix(r.URL.Path, "/api/rules/"), r.URL.Path == "/api/diff":
			limit = maxRulesBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
		next.ServeHTTP(w, r)
	})
}

// Serve serves on ln until ctx ends, then shuts down within 5 s.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute, // the live stream lifts it for itself
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	if s.live != nil {
		go s.live.run(ctx)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shut)
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
