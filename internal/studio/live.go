package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/tagpipe/tagpipe/internal/rulediff"
	"github.com/tagpipe/tagpipe/tagger"
)

// liveRecord is what the live view shows of a tagged record.
type liveRecord struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Labels       []string  `json:"labels"`
	Entities     []string  `json:"entities"` // "TYPE:Canonical", distinct
	RulesVersion string    `json:"rules_version"`
	Seen         time.Time `json:"seen"`
}

// hub reads the live source once and fans the records out to every open /api/live stream. It keeps the last
// records for new streams and per-minute label counts for the last hour.
type hub struct {
	src LiveSource
	log *slog.Logger

	mu      sync.Mutex
	subs    map[chan liveRecord]struct{}
	recent  []liveRecord
	minutes [60]minuteCount
	err     string
	shadow  *shadowFeed // nil without a shadow topic
}

type minuteCount struct {
	minute int64 // unix minute
	labels map[string]int
	total  int
}

const liveRecent = 100

func newHub(src LiveSource, log *slog.Logger) *hub {
	return &hub{src: src, log: log, subs: map[chan liveRecord]struct{}{}}
}

// run reads the source (and the shadow source, if any) until ctx ends, reconnecting with a growing pause after
// errors.
func (h *hub) run(ctx context.Context) {
	if h.shadow != nil {
		go h.follow(ctx, h.shadow.src, "shadow topic", h.addShadow, nil)
	}
	h.follow(ctx, h.src, "output topic", func(v []byte) { h.add(v, time.Now()) }, func(err error) {
		h.mu.Lock()
		h.err = fmt.Sprint(err)
		h.mu.Unlock()
	})
}

// follow reads src into add until ctx ends, reconnecting with a growing pause after errors, each logged (what
// names the topic) and passed to failed when it is not nil.
func (h *hub) follow(ctx context.Context, src LiveSource, what string, add func([]byte), failed func(error)) {
	pause := time.Second
	for ctx.Err() == nil {
		err := src(ctx, func(v []byte) error {
			add(v)
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		if failed != nil {
			failed(err)
		}
		h.log.Warn("live view: reading the "+what+" failed; retrying", "err", err, "pause", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// add decodes one record value and hands it out; values that are not tagged records are skipped.
func (h *hub) add(v []byte, now time.Time) {
	var rec tagger.Record
	if err := json.Unmarshal(v, &rec); err != nil {
		return
	}
	lr := liveRecord{ID: rec.Article.ID, Title: rec.Article.Title, Labels: rec.Labels(), Entities: []string{},
		RulesVersion: rec.Tagger.RulesVersion, Seen: now.UTC()}
	for _, k := range rec.Canonicals() {
		lr.Entities = append(lr.Entities, k.Type+":"+k.Canonical)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.err = ""
	m := now.Unix() / 60
	slot := &h.minutes[m%60]
	if slot.minute != m {
		*slot = minuteCount{minute: m, labels: map[string]int{}}
	}
	slot.total++
	for _, l := range lr.Labels {
		slot.labels[l]++
	}
	h.recent = append(h.recent, lr)
	if len(h.recent) > liveRecent {
		h.recent = h.recent[len(h.recent)-liveRecent:]
	}
	for c := range h.subs {
		select {
		case c <- lr:
		default: // a slow page misses records rather than holding the reader up
		}
	}
}

// counts returns the records per label over the last hour and their total; h.mu is held.
func (h *hub) counts(now time.Time) (map[string]int, int) {
	m := now.Unix() / 60
	out, total := map[string]int{}, 0
	for _, s := range h.minutes {
		if s.labels == nil || m-s.minute >= 60 {
			continue
		}
		total += s.total
		for l, n := range s.labels {
			out[l] += n
		}
	}
	return out, total
}

// getLive answers GET /api/live[?label=L&entity=NAME] with server-sent events: "record" for each tagged record
// that passes the filters (the last ones first), "counts" ({"labels": {...}, "total": N, "error": "..."}) every
// few seconds, over the last hour and unfiltered. With a shadow topic also "shadow" for each difference of the
// shadow run that passes the filters (a rulediff.Change), and "counts" carries "shadow": {"changed": N,
// "counts": {"LABEL or TYPE:Canonical": {"gained", "lost"}}} since the studio started.
func (s *Server) getLive(w http.ResponseWriter, r *http.Request) {
	if s.live == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("no live view: start tagpipe studio with --brokers"))
		return
	}
	h := s.live
	label, entity := r.URL.Query().Get("label"), r.URL.Query().Get("entity")
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)

	c := make(chan liveRecord, 64)
	var sc chan rulediff.Change // stays nil (never ready) without a shadow topic
	var shadowBacklog []rulediff.Change
	h.mu.Lock()
	backlog := append([]liveRecord(nil), h.recent...)
	h.subs[c] = struct{}{}
	if h.shadow != nil {
		sc = make(chan rulediff.Change, 64)
		shadowBacklog = append(shadowBacklog, h.shadow.recent...)
		h.shadow.subs[sc] = struct{}{}
	}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, c)
		if sc != nil {
			delete(h.shadow.subs, sc)
		}
		h.mu.Unlock()
	}()
	send := func(event string, v any) bool {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	sendCounts := func() bool {
		h.mu.Lock()
		labels, total := h.counts(time.Now())
		msg := map[string]any{"labels": labels, "total": total, "error": h.err}
		if h.shadow != nil {
			msg["shadow"] = map[string]any{"changed": h.shadow.total, "counts": maps.Clone(h.shadow.counts)}
		}
		h.mu.Unlock()
		return send("counts", msg)
	}
	for _, lr := range backlog {
		if matchRecord(lr.Labels, lr.Entities, label, entity) && !send("record", lr) {
			return
		}
	}
	for _, ch := range shadowBacklog {
		if matchChange(ch, label, entity) && !send("shadow", ch) {
			return
		}
	}
	if !sendCounts() {
		return
	}
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case lr := <-c:
			if matchRecord(lr.Labels, lr.Entities, label, entity) && !send("record", lr) {
				return
			}
		case ch := <-sc:
			if matchChange(ch, label, entity) && !send("shadow", ch) {
				return
			}
		case <-tick.C:
			if !sendCounts() {
				return
			}
		}
	}
}
