package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

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
	dec, err := cfg.Decoder() // checked by Validate
	if err != nil {
		return nil, err
	}
	format, err := tagger.ParseRecordFormat(string(cfg.Record))
	if err != nil {
		return nil, err
	}
	p := &Pipeline{
		cfg:          cfg,
		recordFormat: []byte(format),
		tracker:      newTracker(),
		sem:          make(chan struct{}, cfg.MaxInFlight),
		routeKnown:   map[string]bool{},
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
	p.proc = tagProcessor{t: t, dec: dec, record: format, maxTime: cfg.MaxTagTime, metrics: p.metrics}
	if err := p.setupShadow(); err != nil {
		return nil, err
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

// tagProcessor decodes an input value as an article (dec, with the record key as the id of a text article),
// tags it, each Tag bounded by maxTime (0: no limit), and encodes the record in the record format ("": full).
type tagProcessor struct {
	t       Tagger
	dec     *tagger.Decoder // nil: JSON objects, HTML bodies as text (the zero Config's)
	record  tagger.RecordFormat
	maxTime time.Duration
	metrics *Metrics   // nil in unit tests
	shadow  *shadowRun // nil without a shadow run
}

// defaultDecoder is the decoder of a tagProcessor without one.
var defaultDecoder = &tagger.Decoder{ContentIDs: true}

func (tp tagProcessor) process(ctx context.Context, key, value []byte, maxValue int) (output, error) {
	dec := tp.dec
	if dec == nil {
		dec = defaultDecoder
	}
	if tp.metrics != nil {
		tp.metrics.inputFormat(dec.Detect(value))
	}
	a, err := dec.Decode(key, value)
	if err != nil {
		return output{}, &reasonError{code: CodeDecode, err: fmt.Errorf("decode: %w", err)}
	}
	if a.ID == "" {
		a.ID = tagger.ContentID(a)
	}
	tagCtx := ctx
	if tp.maxTime > 0 {
		var cancel context.CancelFunc
		tagCtx, cancel = context.WithTimeout(ctx, tp.maxTime)
		defer cancel()
	}
	rec, err := tp.t.Tag(tagCtx, a)
	if err != nil {
		if tagger.IsTimeout(err) && ctx.Err() == nil {
			return output{}, &reasonError{code: CodeTimeout, err: fmt.Errorf("timeout: tag took longer than max-tag-time %s: %w", tp.maxTime, err)}
		}
		return output{}, &reasonError{code: CodeTag, err: fmt.Errorf("tag: %w", err)}
	}
	b, err := tagger.MarshalWithin(rec, tp.record, maxValue)
	if err != nil {
		code := CodeTag
		if errors.Is(err, tagger.ErrTooLarge) {
			code = CodeTooLarge
		}
		return output{}, &reasonError{code: code, err: err}
	}
	shadow := tp.shadow.diff(ctx, a, rec)
	return output{key: []byte(a.ID), value: b, labels: rec.Labels(), rulesVersion: rec.Tagger.RulesVersion, shadow: shadow}, nil
}

var _ interface {
	Tagger
	RulesSwapper
} = (*tagger.Tagger)(nil)
