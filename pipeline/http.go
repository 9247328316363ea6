package pipeline

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

// Request body limits of the HTTP endpoint.
const (
	maxArticlesBody = 16 << 20 // POST /articles
	maxOtherBody    = 4 << 10
)

// httpServer serves /metrics, /healthz, /readyz and, with WithArticleEndpoint, POST /articles.
type httpServer struct {
	srv *http.Server
	ln  net.Listener
	p   *Pipeline
	cl  *kafkaio.Cluster
}

// newHTTPServer listens on Config.HTTP now, so that a busy port fails the start.
func (p *Pipeline) newHTTPServer(cl *kafkaio.Cluster) (*httpServer, error) {
	ln, err := net.Listen("tcp", p.cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("http %s: %w", p.cfg.HTTP, err)
	}
	s := &httpServer{ln: ln, p: p, cl: cl}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(p.metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if p.failed() {
			http.Error(w, "failed", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !p.ready.Load() || p.failed() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	if p.acceptArticles {
		mux.HandleFunc("POST /articles", s.postArticles)
	}
	s.srv = &http.Server{
		Handler:           s.guard(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	addr := ln.Addr().String()
	p.log.Info("http endpoint listening", "addr", addr, "articles", p.acceptArticles, "auth", p.cfg.HTTPToken != "")
	if p.httpReady != nil {
		select {
		case p.httpReady <- addr:
		default:
		}
	}
	return s, nil
}

// guard checks the bearer token (when one is configured) and limits request bodies. The health probes
// (/healthz, /readyz) answer without the token: they say only up or down, and orchestrators probe them without
// credentials.
func (s *httpServer) guard(next http.Handler) http.Handler {
	token := []byte(s.p.cfg.HTTPToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(token) > 0 && !isProbe(r.URL.Path) {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), token) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tagpipe"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		limit := int64(maxOtherBody)
		if r.URL.Path == "/articles" {
			limit = maxArticlesBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

func isProbe(path string) bool { return path == "/healthz" || path == "/readyz" }

// run serves until ctx ends, then shuts down gracefully.
func (s *httpServer) run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.p.log.Error("http endpoint", "err", err)
		}
	}()
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(shut)
	<-done
}

// articlesResponse is the reply to POST /articles.
type articlesResponse struct {
	Accepted int            `json:"accepted"`
	IDs      []string       `json:"ids"`
	Rejected []rejectedLine `json:"rejected,omitempty"`
}

type rejectedLine struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// postArticles produces one JSON article or JSONL to the input topic. Invalid lines are reported, not sent.
func (s *httpServer) postArticles(w http.ResponseWriter, r *http.Request) {
	prod, err := kafkaio.NewProducerOn(r.Context(), s.cl, s.p.cfg.In, s.p.log)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer prod.Close()
	var resp articlesResponse
	var batch []tagger.Article
	err = tagger.ReadArticles(r.Body, tagger.FormatJSONL, func(a tagger.Article, err error) error {
		if err != nil {
			var le *tagger.LineError
			line := 0
			if errors.As(err, &le) {
				line = le.Line
			}
			resp.Rejected = append(resp.Rejected, rejectedLine{Line: line, Error: err.Error()})
			return nil
		}
		batch = append(batch, a)
		return nil
	})
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(w, fmt.Sprintf("body larger than %d bytes", tooBig.Limit), http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ids, err := prod.Send(r.Context(), batch...)
	if err != nil {
		http.Error(w, "produce: "+err.Error(), http.StatusBadGateway)
		return
	}
	resp.Accepted, resp.IDs = len(ids), ids
	w.Header().Set("Content-Type", "application/json")
	if len(resp.Rejected) > 0 && resp.Accepted == 0 {
		w.WriteHeader(http.StatusBadRequest)
	} else {
		w.WriteHeader(http.StatusAccepted)
	}
	_ = json.NewEncoder(w).Encode(resp)
}

// failed reports whether the pipeline hit a persistent failure.
func (p *Pipeline) failed() bool { return p.err() != nil }
