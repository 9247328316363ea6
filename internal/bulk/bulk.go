// Package bulk tags a stream of articles on all cores and delivers the results in input order: the engine of
// `tagpipe tag` and `tagpipe explain`.
//
// The two types to learn first are Options (how records are decoded, encoded and written) and Feed (what the
// input reader hands to Run: undecoded lines or decoded articles). Progress prints a progress line on a terminal.
//
// Work moves in batches of about BatchBytes of input: the reader only splits lines and copies them into a
// batch; each worker decodes, tags and encodes a whole batch into one output buffer; the writer writes the
// buffers in input order with one Write each. Batches and their buffers are reused. So the only serial work is
// line splitting and copying bytes, and goroutines meet once per batch, not once per article.
package bulk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tagpipe/tagpipe/tagger"
)

// Tagger tags one article; *tagger.Tagger implements it. Run calls it from several goroutines.
type Tagger interface {
	Tag(ctx context.Context, a tagger.Article) (*tagger.Record, error)
}

// BatchBytes is the default input size of a batch (Options.BatchBytes).
const BatchBytes = 256 << 10

// maxBatchItems bounds a batch of small records, so that workers share short inputs too.
const maxBatchItems = 256

// Options say how Run decodes, encodes and delivers records.
type Options struct {
	// Workers is the number of tagging goroutines (0: GOMAXPROCS).
	Workers int
	// BatchBytes is the input bytes gathered into one batch before it goes to a worker (0: BatchBytes).
	BatchBytes int
	// Decode turns a line given to Feed.Line into an article (nil: tagger.DecodeArticle). It runs on the
	// workers and must be safe for concurrent use.
	Decode func(line []byte) (tagger.Article, error)
	// Encode appends the output for one tagged article to dst; it runs on the workers. Output receives the
	// encoded bytes of each batch, in input order. Either Encode and Output, or Emit.
	Encode func(dst []byte, a tagger.Article, rec *tagger.Record) ([]byte, error)
	Output io.Writer
	// Emit, when Encode is nil, is called with each tagged article in input order, on one goroutine.
	Emit func(a tagger.Article, rec *tagger.Record) error
	// Bad is called, in input order, for each record that could not be decoded or tagged; where names it
	// ("file:line" or "article ID"). Run goes on with the next one.
	Bad func(where string, err error)
	// Done, if set, is called after each batch is delivered with the number of articles in it.
	Done func(articles int)
	// Progress, if set, counts the records read and delivered.
	Progress *Progress
	// MaxTagTime bounds the tagging of one article (0: no limit); an article over it, or over the rule set's
	// work budget, is reported through Bad with an error starting "timeout: " and Run goes on.
	MaxTagTime time.Duration
}

// item is one record of a batch: an undecoded line (a span of the batch's arena) or a decoded article.
type item struct {
	where      string // a line's "name:line", for decode errors
	start, end int    // the line in arena, when raw
	raw        bool
	a          tagger.Article
	rec        *tagger.Record // kept for Emit
	err        error
	errWhere   string
}

// batch is the unit of work: its items, the bytes of its lines and, once done, its output.
type batch struct {
	items []item
	arena []byte
	out   []byte
	done  chan struct{}
}

var batchPool = sync.Pool{New: func() any { return &batch{done: make(chan struct{}, 1)} }}

func (b *batch) reset() {
	clear(b.items) // drop references to articles and records
	b.items, b.arena, b.out = b.items[:0], b.arena[:0], b.out[:0]
}

// Feed receives the input in order, from the read function given to Run.
type Feed struct {
	ctx      context.Context
	limit    int
	pending  int // text bytes of the current batch's decoded articles
	progress *Progress
	cur      *batch
	work     chan<- *batch
	ordered  chan<- *batch
}

// Line adds one undecoded record (Options.Decode decodes it on a worker); where names it in errors. The line is
// copied: the caller may reuse it.
func (f *Feed) Line(where string, line []byte) error {
	b := f.batch()
	start := len(b.arena)
	b.arena = append(b.arena, line...)
	b.items = append(b.items, item{where: where, start: start, end: len(b.arena), raw: true})
	return f.flushIfFull()
}

// Article adds one decoded article.
func (f *Feed) Article(a tagger.Article) error {
	b := f.batch()
	b.items = append(b.items, item{a: a})
	f.pending += len(a.Title) + len(a.Body) // decoded articles count toward the batch by their text
	return f.flushIfFull()
}

// Bad adds a record that could not be read: it is reported through Options.Bad in its place in the input.
func (f *Feed) Bad(where string, err error) error {
	b := f.batch()
	b.items = append(b.items, item{err: err, errWhere: where})
	return f.flushIfFull()
}

func (f *Feed) batch() *batch {
	if f.cur == nil {
		f.cur = batchPool.Get().(*batch)
		f.cur.reset()
	}
	return f.cur
}

func (f *Feed) flushIfFull() error {
	b := f.cur
	if len(b.arena)+f.pending < f.limit && len(b.items) < maxBatchItems {
		return nil
	}
	return f.flush()
}

// flush hands the current batch to the workers and to the writer, in that order of the input.
func (f *Feed) flush() error {
	b := f.cur
	if b == nil || len(b.items) == 0 {
		return nil
	}
	f.cur, f.pending = nil, 0
	f.progress.feed(len(b.items))
	select {
	case f.ordered <- b:
	case <-f.ctx.Done():
		return f.ctx.Err()
	}
	select {
	case f.work <- b:
	case <-f.ctx.Done():
		return f.ctx.Err()
	}
	return nil
}

// Run tags what read feeds, on o.Workers goroutines, and delivers the results in input order. It returns the
// first error of read, Encode, Output or Emit (a record that cannot be decoded or tagged is not an error: it
// goes to o.Bad).
func Run(ctx context.Context, t Tagger, o Options, read func(*Feed) error) error {
	if (o.Encode == nil) == (o.Emit == nil) || (o.Encode != nil && o.Output == nil) {
		return errors.New("bulk: want Encode and Output, or Emit")
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = BatchBytes
	}
	if o.Decode == nil {
		o.Decode = tagger.DecodeArticle
	}
	if o.Bad == nil {
		o.Bad = func(string, error) {}
	}
	g, ctx := errgroup.WithContext(ctx)
	work := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers+2)
	g.Go(func() error {
		defer close(work)
		defer close(ordered)
		f := &Feed{ctx: ctx, limit: o.BatchBytes, work: work, ordered: ordered, progress: o.Progress}
		if err := read(f); err != nil {
			return err
		}
		return f.flush()
	})
	for range workers {
		g.Go(func() error {
			for b := range work {
				o.process(ctx, t, b)
				b.done <- struct{}{}
			}
			return nil
		})
	}
	g.Go(func() error {
		for b := range ordered {
			select {
			case <-b.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := o.deliver(b); err != nil {
				return err
			}
			batchPool.Put(b)
		}
		return nil
	})
	return g.Wait()
}

// process decodes, tags and encodes the items of b. An encoding error is kept in the item's err with an empty
// errWhere: deliver returns it.
func (o *Options) process(ctx context.Context, t Tagger, b *batch) {
	for i := range b.items {
		it := &b.items[i]
		if it.err != nil {
			continue
		}
		if it.raw {
			a, err := o.Decode(b.arena[it.start:it.end])
			if err != nil {
				it.err, it.errWhere = err, it.where
				continue
			}
			it.a = a
		}
		rec, err := o.tag(ctx, t, it.a)
		if err != nil {
			it.err, it.errWhere = err, articleName(it.a)
			if it.where != "" {
				it.errWhere = it.where + " (" + it.errWhere + ")"
			}
			continue
		}
		if o.Encode == nil {
			it.rec = rec
			continue
		}
		out, err := o.Encode(b.out, it.a, rec)
		if err != nil {
			it.err = fmt.Errorf("%s: %w", articleName(it.a), err)
			continue
		}
		b.out = out
	}
}

// tag tags a within o.MaxTagTime; a timeout (tagger.IsTimeout) while ctx itself goes on is a "timeout: " error.
func (o *Options) tag(ctx context.Context, t Tagger, a tagger.Article) (*tagger.Record, error) {
	tctx := ctx
	if o.MaxTagTime > 0 {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, o.MaxTagTime)
		defer cancel()
	}
	rec, err := t.Tag(tctx, a)
	if err != nil && tagger.IsTimeout(err) && ctx.Err() == nil {
		return nil, fmt.Errorf("timeout: tagging took longer than %s or the rule set's work budget: %w", o.MaxTagTime, err)
	}
	return rec, err
}

// deliver reports b's bad records and writes (or emits) its results.
func (o *Options) deliver(b *batch) error {
	n := 0
	for i := range b.items {
		it := &b.items[i]
		switch {
		case it.err != nil && it.errWhere == "":
			return it.err
		case it.err != nil:
			o.Bad(it.errWhere, it.err)
		case o.Emit != nil:
			if err := o.Emit(it.a, it.rec); err != nil {
				return err
			}
			n++
		default:
			n++
		}
	}
	if o.Encode != nil && len(b.out) > 0 {
		if _, err := o.Output.Write(b.out); err != nil {
			return err
		}
	}
	o.Progress.Add(n)
	if o.Done != nil {
		o.Done(n)
	}
	return nil
}

func articleName(a tagger.Article) string {
	if a.ID != "" {
		return "article " + a.ID
	}
	return "article"
}
