package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/internal/rulediff"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

// A shadow run tags every record with a candidate rule pack as well (Config.ShadowRules, a tagger given with
// WithShadow) and publishes what the candidate would change, a rulediff.Change, to Config.ShadowTopic: only for
// records whose labels or entities differ. What goes to Config.Out never changes. The shadow record is produced
// with the tagged record and acknowledged with it, so the shadow topic holds the differences of every record
// whose offset is committed (at least once, like the output).

// WithShadow tags every record with t as well and publishes the differences to Config.ShadowTopic (a shadow
// run). When t implements RulesSwapper and Config.ShadowRules is set, the pipeline reloads it when those files
// change.
func WithShadow(t Tagger) Option {
	return optionFunc(func(p *Pipeline) {
		if t != nil {
			p.shadow = &shadowRun{t: t}
		}
	})
}

// shadowRun is the candidate tagger of a shadow run and where its differences go.
type shadowRun struct {
	t       Tagger
	topic   string
	maxTime time.Duration
	m       *shadowMetrics
	log     *slog.Logger
	errLog  logLimiter
}

// setupShadow completes the shadow run after the options: it checks that Config.ShadowRules has a tagger and
// gives the tag processor its shadow.
func (p *Pipeline) setupShadow() error {
	if p.shadow == nil {
		if p.cfg.ShadowRules != "" {
			return errors.New("shadow-rules: the pipeline has no shadow tagger (pipeline.WithShadow)")
		}
		return nil
	}
	if p.cfg.ShadowTopic == "" {
		return errors.New(`shadow-topic "": required for a shadow run`)
	}
	s := p.shadow
	s.topic, s.maxTime, s.m = p.cfg.ShadowTopic, p.cfg.MaxTagTime, p.metrics.shadow
	s.log = p.log.With("component", "shadow")
	s.errLog.every = 5 * time.Second
	if rs, ok := s.t.(RulesSwapper); ok && rs.Rules() != nil {
		s.m.setRulesVersion(rs.Rules().Version())
	}
	if tp, ok := p.proc.(tagProcessor); ok {
		tp.shadow = s
		p.proc = tp
	}
	return nil
}

// prepareShadow creates (with Config.CreateTopics) and checks the shadow topic before the first record.
func (p *Pipeline) prepareShadow(ctx context.Context, cl *kafkaio.Cluster) error {
	if p.shadow == nil {
		return nil
	}
	t := p.shadow.topic
	if p.cfg.CreateTopics {
		if err := cl.CreateTopics(ctx, p.cfg.Partitions, p.cfg.ReplicationFactor, t); err != nil {
			return err
		}
	}
	if _, err := cl.Partitions(ctx, t); err != nil {
		return fmt.Errorf("shadow topic: %w (create it, or run with --create-topics)", err)
	}
	p.routeMu.Lock()
	p.routeKnown[t] = true
	p.routeMu.Unlock()
	return nil
}

// diff tags a with the shadow tagger and returns the JSON rulediff.Change against rec, the record of the main
// rules, or nil when nothing differs, s is nil, or the shadow tagging failed (counted and logged: a shadow run
// never dead-letters a record). The shadow Tag has its own max-tag-time budget.
func (s *shadowRun) diff(ctx context.Context, a tagger.Article, rec *tagger.Record) []byte {
	if s == nil {
		return nil
	}
	if s.maxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.maxTime)
		defer cancel()
	}
	cand, err := s.t.Tag(ctx, a)
	if err != nil {
		s.m.errors.Inc()
		if ok, suppressed := s.errLog.allow(time.Now()); ok {
			s.log.Warn("shadow tagging failed; the record is published without its shadow difference", "id", a.ID, "err", err, "suppressed", suppressed)
		}
		return nil
	}
	s.m.records.Inc()
	c := rulediff.Records(rec, cand)
	if c.Empty() {
		return nil
	}
	s.m.count(c)
	b, err := json.Marshal(c)
	if err != nil {
		return nil // a Change of strings always marshals
	}
	return b
}

// appendShadow adds the shadow difference of out, if any, to the records of one input record.
func (p *Pipeline) appendShadow(msgs []kafka.Message, out output) []kafka.Message {
	if p.shadow == nil || out.shadow == nil {
		return msgs
	}
	return append(msgs, kafka.Message{Topic: p.shadow.topic, Key: out.key, Value: out.shadow, Headers: []kafka.Header{
		{Key: HeaderContentType, Value: []byte("application/json")},
		{Key: HeaderRulesVersion, Value: []byte(out.rulesVersion)},
	}})
}

// shadowMetrics are the shadow run's series, registered with the pipeline's metrics (at zero without a shadow
// run).
type shadowMetrics struct {
	records     prometheus.Counter
	changed     prometheus.Counter
	differences *prometheus.CounterVec
	errors      prometheus.Counter
	rulesInfo   *prometheus.GaugeVec
	reloads     prometheus.Counter
	reloadFails prometheus.Counter
}

func newShadowMetrics(reg *prometheus.Registry) *shadowMetrics {
	m := &shadowMetrics{
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_shadow_records_total", Help: "Records tagged with the shadow rules as well.",
		}),
		changed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_shadow_changed_records_total", Help: "Records whose labels or entities differ under the shadow rules (one shadow record each).",
		}),
		differences: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagpipe_shadow_differences_total",
			Help: `Labels and entities the shadow rules gain or lose, by label (a topic label, or "entity:TYPE") and change (gained, lost).`,
		}, []string{"label", "change"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_shadow_errors_total", Help: "Records the shadow rules failed to tag (the record itself is published as usual).",
		}),
		rulesInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tagpipe_shadow_rules_info", Help: "The shadow rules version in use (value 1).",
		}, []string{"version"}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_shadow_rules_reloads_total", Help: "Shadow rule packs loaded from the watched files.",
		}),
		reloadFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_shadow_rules_reload_failures_total", Help: "Shadow rule packs that failed to load; the old shadow rules stay.",
		}),
	}
	reg.MustRegister(m.records, m.changed, m.differences, m.errors, m.rulesInfo, m.reloads, m.reloadFails)
	return m
}

// count adds one record's change to the difference counters.
func (m *shadowMetrics) count(c rulediff.Change) {
	m.changed.Inc()
	for _, part := range []struct {
		change string
		xs     []string
	}{{"gained", c.Gained}, {"lost", c.Lost}} {
		for _, x := range part.xs {
			label := x
			if rulediff.IsEntity(x) {
				typ, _, _ := strings.Cut(x, ":")
				label = "entity:" + typ // entity names are unbounded; their types are not
			}
			m.differences.WithLabelValues(label, part.change).Inc()
		}
	}
}

func (m *shadowMetrics) setRulesVersion(v string) {
	m.rulesInfo.Reset()
	m.rulesInfo.WithLabelValues(v).Set(1)
}

func (m *shadowMetrics) reloaded(_ time.Time, version string) {
	m.setRulesVersion(version)
	m.reloads.Inc()
}

func (m *shadowMetrics) reloadFailed() { m.reloadFails.Inc() }
