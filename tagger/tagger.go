package tagger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tagpipe/tagpipe/rules"
)

// A Tagger tags articles with a rule set: topics and gazetteer entities from rules.RuleSet.Match, plus the
// entities discovery finds. It is safe for concurrent use by any number of goroutines; SetRules may be called
// at any time and affects the articles tagged after it returns.
type Tagger struct {
	rules     atomic.Pointer[rules.RuleSet]
	discovery bool
	ner       NERMode
	clock     func() time.Time
	version   string
	log       *slog.Logger
}

// An Option configures a Tagger built by New.
type Option func(*config)

type config struct {
	discovery, discoverySet bool
	ner                     NERMode
	clock                   func() time.Time
	version                 string
	log                     *slog.Logger
}

// WithDiscovery turns entity discovery (entities found by capitalization and context that no rule names) on or
// off. The default is on. Off, a record's entities are exactly the gazetteer's mentions.
func WithDiscovery(on bool) Option {
	return func(c *config) { c.discovery, c.discoverySet = on, true }
}

// WithProseNER(true) is WithNER(NERProse): prose's statistical recognizer instead of discovery; false is
// WithNER(NERBuiltin). Kept for callers written before WithNER.
func WithProseNER(on bool) Option {
	if on {
		return WithNER(NERProse)
	}
	return WithNER(NERBuiltin)
}

// WithClock sets the clock that stamps Record.Tagger.TaggedAt. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithVersion sets the tagger version written to Record.Tagger.Version. The default is the main module's
// version from the build information, or "devel".
func WithVersion(v string) Option {
	return func(c *config) { c.version = v }
}

// WithLogger sets the logger (the caller tags it, e.g. with "component"). The default discards everything. The
// Tagger logs rule swaps at Info level and per-article details at Debug level only.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.log = l }
}

// ErrNoRules is returned by New and SetRules for a nil rule set.
var ErrNoRules = errors.New("tagger: nil rule set")

// New returns a Tagger that uses rs. It returns an error for a nil rule set or conflicting options.
func New(rs *rules.RuleSet, opts ...Option) (*Tagger, error) {
	if rs == nil {
		return nil, ErrNoRules
	}
	c := config{discovery: true, ner: NERBuiltin}
	for _, o := range opts {
		o(&c)
	}
	ner, err := ParseNERMode(string(c.ner))
	if err != nil {
		return nil, err
	}
	if ner.usesProse() && c.discoverySet && !c.discovery {
		return nil, fmt.Errorf("tagger: WithNER(%s) conflicts with WithDiscovery(false)", ner)
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.version == "" {
		c.version = buildVersion()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	t := &Tagger{discovery: c.discovery, ner: ner, clock: c.clock, version: c.version, log: c.log}
	t.rules.Store(rs)
	if ner.usesProse() {
		proseModel() // load the model now rather than in the first Tag
	}
	return t, nil
}

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// SetRules makes rs the rule set for the articles tagged from now on (hot reload). A Tag call already running
// finishes with the rule set it started with. It returns ErrNoRules, and keeps the current set, if rs is nil.
func (t *Tagger) SetRules(rs *rules.RuleSet) error {
	if rs == nil {
		return ErrNoRules
	}
	old := t.rules.Swap(rs)
	if old != rs {
		t.log.Info("rules replaced", "old_version", old.Version(), "new_version", rs.Version())
	}
	return nil
}

// Rules returns the current rule set.
func (t *Tagger) Rules() *rules.RuleSet { return t.rules.Load() }

// NER returns the tagger's NER mode.
func (t *Tagger) NER() NERMode { return t.ner }

// Version returns the tagger version written to records.
func (t *Tagger) Version() string { return t.version }

// Tag tags one article and returns its Record. It does not block, and it checks ctx as it goes: at entry,
// between matching and discovery, and every few thousand tokens inside discovery (and, in the prose
// and hybrid NER modes, between fields). Once ctx is done it stops and returns an error wrapping ctx.Err(), for which IsTimeout reports
// a deadline. The Record shares the article's Fields. An article whose title or body is not valid UTF-8 is
// repaired first (Record.Article.Repaired is set).
func (t *Tagger) Tag(ctx context.Context, a Article) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tagger: %w", err)
	}
	if !utf8.ValidString(a.Title) || !utf8.ValidString(a.Body) {
		a.Title = strings.ToValidUTF8(a.Title, "\uFFFD")
		a.Body = strings.ToValidUTF8(a.Body, "\uFFFD")
		a.Repaired = true
	}
	rs := t.rules.Load()
	doc := rules.Doc{Title: a.Title, Body: a.Body}
	res, err := match(ctx, rs, doc)
	if err != nil {
		return nil, err
	}

	rec := &Record{
		Article: a,
		Tagger:  Meta{Version: t.version, RulesVersion: rs.Version(), TaggedAt: t.clock().UTC()},
	}
	if len(res.Topics) > 0 {
		rec.Topics = make([]Topic, len(res.Topics))
		for i, tp := range res.Topics {
			ev := make([]Evidence, len(tp.Evidence))
			for j, e := range tp.Evidence {
				ev[j] = Evidence{Rule: e.Rule, Text: e.Text, Field: string(e.Field), Start: e.Start, End: e.End}
			}
			rec.Topics[i] = Topic{Label: tp.Label, Score: tp.Score, Evidence: ev}
		}
	}
	var ents []Entity
	switch t.ner {
	case NERProse:
		ents, err = proseEntities(ctx, rs, doc, res.Mentions)
	case NERHybrid:
		ents, err = hybridEntities(ctx, rs, doc, res.Mentions)
	default:
		ents, err = entities(ctx, rs, doc, res.Mentions, t.discovery)
	}
	if err != nil {
		return nil, err
	}
	rec.Entities = ents
	if t.log.Enabled(ctx, slog.LevelDebug) {
		t.log.DebugContext(ctx, "tagged", "id", a.ID, "topics", len(rec.Topics), "entities", len(rec.Entities),
			"repaired", a.Repaired, "rules_version", rec.Tagger.RulesVersion)
	}
	return rec, nil
}

// match runs the rule set on doc, giving up with an error wrapping ctx.Err() once ctx is done.
func match(ctx context.Context, rs *rules.RuleSet, doc rules.Doc) (rules.Result, error) {
	res, err := rs.MatchContext(ctx, doc)
	if err != nil {
		return rules.Result{}, fmt.Errorf("tagger: %w", err)
	}
	return res, nil
}

// IsTimeout reports whether err says a Tag call ran out of time or work budget: it wraps
// context.DeadlineExceeded (the caller's per-record deadline) or rules.ErrBudget. A cancelled context (shutdown)
// is not a timeout.
func IsTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, rules.ErrBudget)
}
