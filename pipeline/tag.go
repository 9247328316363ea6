package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// Tagger tags one article. *tagger.Tagger implements it; tests use fakes. Implementations must be safe for
// concurrent use: the pipeline calls Tag from Config.Workers goroutines.
type Tagger interface {
	Tag(ctx context.Context, a tagger.Article) (*tagger.Record, error)
}

// RulesSwapper is a Tagger whose rule set can be replaced while it runs. When the Tagger given to New implements
// it and Config.RulesTopic is set, the pipeline hot-reloads rule packs published there.
type RulesSwapper interface {
	SetRules(rs *rules.RuleSet) error
	Rules() *rules.RuleSet
}

// Option configures a Pipeline.
type Option interface{ apply(*Pipeline) }

type optionFunc func(*Pipeline)

func (f optionFunc) apply(p *Pipeline) { f(p) }

// WithLogger sets the logger. Default: discard.
func WithLogger(log *slog.Logger) Option {
	return optionFunc(func(p *Pipeline) { p.log = log })
}

// WithMetrics sets the metrics the pipeline updates, for a caller that serves them itself. Default: NewMetrics().
func WithMetrics(m *Metrics) Option {
	return optionFunc(func(p *Pipeline) { p.metrics = m })
}

// WithArticleEndpoint also serves POST /articles on Config.HTTP: one JSON article or JSONL, produced to
// Config.In. Meant for the embedded broker, so that a user can try the service with curl.
func WithArticleEndpoint() Option {
	return optionFunc(func(p *Pipeline) { p.acceptArticles = true })
}

// WithHTTPAddr receives the HTTP endpoint's actual address once it listens (useful with port 0). The channel
// must have room for one value.
func WithHTTPAddr(ch chan string) Option {
	return optionFunc(func(p *Pipeline) { p.httpReady = ch })
}

// New validates cfg and returns a pipeline that tags with t. Call cfg.ResolveSecrets before.
func New(cfg Config, t Tagger, opts ...Option) (*Pipeline, error) {
	if t == nil {
		return nil, errors.New("pipeline: nil tagger")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("brokers []: required")
	}
	p := &Pipeline{
		cfg:        cfg,
		proc:       tagProcessor{t: t, record: cfg.Record},
		tracker:    newTracker(),
		sem:        make(chan struct{}, cfg.MaxInFlight),
		routeKnown: map[string]bool{},
	}
	for _, o := range opts {
		o.apply(p)
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.metrics == nil {
		p.metrics = NewMetrics()
	}
	if rs, ok := t.(RulesSwapper); ok {
		p.reload = rs
		if r := rs.Rules(); r != nil {
			p.metrics.setRulesVersion(r.Version())
		}
	}
	return p, nil
}

// Metrics returns the pipeline's metrics.
func (p *Pipeline) Metrics() *Metrics { return p.metrics }

// reloader is the part of RulesSwapper the pipeline uses.
type reloader = RulesSwapper

// tagProcessor decodes an input value as an article, tags it and encodes the record in the record format.
type tagProcessor struct {
	t      Tagger
	record tagger.RecordFormat
}

func (tp tagProcessor) process(ctx context.Context, value []byte, maxValue int) (output, error) {
	a, err := tagger.DecodeArticle(value)
	if err != nil {
		return output{}, fmt.Errorf("decode: %w", err)
	}
	if a.ID == "" {
		a.ID = tagger.ContentID(a)
	}
	rec, err := tp.t.Tag(ctx, a)
	if err != nil {
		return output{}, fmt.Errorf("tag: %w", err)
	}
	b, err := marshalWithin(rec, tp.record, maxValue)
	if err != nil {
		return output{}, err
	}
	return output{key: []byte(a.ID), value: b, labels: rec.Labels(), rulesVersion: rec.Tagger.RulesVersion}, nil
}

// TrimmedMember is the member added to a tagged record that was trimmed to fit the maximum message size; its
// value lists what was dropped.
const TrimmedMember = "tagpipe_trimmed"

// marshalWithin marshals rec in at most max bytes: first as is, then without topic evidence, then with one
// mention per entity, then without entities. The record says what was dropped in TrimmedMember. An article too
// large even then is an error whose text starts with ReasonTooLarge.
func marshalWithin(rec *tagger.Record, f tagger.RecordFormat, max int) ([]byte, error) {
	b, err := rec.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("tag: marshal record: %w", err)
	}
	if len(b) <= max {
		return b, nil
	}
	r := *rec
	r.Article.Fields = append([]tagger.Field(nil), rec.Article.Fields...)
	var dropped []string
	steps := []func(){
		func() {
			r.Topics = append([]tagger.Topic(nil), rec.Topics...)
			for i := range r.Topics {
				r.Topics[i].Evidence = nil
			}
			dropped = append(dropped, "evidence")
		},
		func() {
			seen := map[tagger.EntityKey]bool{}
			var ents []tagger.Entity
			for _, e := range rec.Entities {
				k := tagger.EntityKey{Type: e.Type, Canonical: e.Canonical}
				if !seen[k] {
					seen[k] = true
					ents = append(ents, e)
				}
			}
			r.Entities = ents
			dropped = append(dropped, "repeated-mentions")
		},
		func() {
			r.Entities = nil
			dropped = append(dropped, "entities")
		},
	}
	size := len(b)
	for _, step := range steps {
		step()
		note, _ := json.Marshal(dropped)
		r.Article.SetField(TrimmedMember, note)
		if b, err = r.Marshal(f); err != nil {
			return nil, fmt.Errorf("tag: marshal record: %w", err)
		}
		if len(b) <= max {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s: %d bytes (%d after trimming evidence and entities), max %d", ReasonTooLarge, size, len(b), max)
}

// ArticleJSON returns a's JSON object: its members in input order with id, title and body taken from the
// Article's fields (those the input lacked come first; an empty id is left out).
func ArticleJSON(a tagger.Article) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	member := func(name string, value []byte) {
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(name)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(value)
	}
	str := func(s string) []byte { b, _ := json.Marshal(s); return b }
	_, hasID := a.Field("id")
	_, hasTitle := a.Field("title")
	_, hasBody := a.Field("body")
	if !hasID && a.ID != "" {
		member("id", str(a.ID))
	}
	if !hasTitle {
		member("title", str(a.Title))
	}
	if !hasBody {
		member("body", str(a.Body))
	}
	for _, f := range a.Fields {
		switch f.Name {
		case "id":
			member("id", str(a.ID))
		case "title":
			member("title", str(a.Title))
		case "body":
			member("body", str(a.Body))
		default:
			member(f.Name, f.Value)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

var _ interface {
	Tagger
	RulesSwapper
} = (*tagger.Tagger)(nil)
