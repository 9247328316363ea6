package rules

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// ErrBudget is the error (wrapped) that MatchContext returns when a document needs more work than its budget:
// use errors.Is(err, ErrBudget).
var ErrBudget = errors.New("rules: work budget exceeded")

// Work is counted in units of about one step of a stage's inner loop: a word start and each trie step from it, an
// automaton hit, an ambiguous mention's candidate, a condition occurrence, a byte a pattern runs over. Every stage
// is linear in the input, so ordinary news costs a few units per byte of title and body (see the package doc).
const (
	// DefaultWorkPerByte is the budget MatchContext allows per byte of title and body unless WithWorkBudget
	// says otherwise: 50x what the costliest known shape needs (about 4 units per byte), it only stops a regression to superlinear cost.
	DefaultWorkPerByte = 200
	// workBase is allowed on top of the per-byte budget, so tiny documents never hit it.
	workBase = 1 << 20
	// checkEvery is how many work units pass between two checks of the context.
	checkEvery = 1 << 12
)

// WithWorkBudget sets the work MatchContext allows per byte of title and body (see DefaultWorkPerByte); 0 or less
// means no budget (the context alone bounds a call).
func WithWorkBudget(perByte int) Option {
	return func(c *compileConfig) { c.workPerByte = perByte; c.workSet = true }
}

// meter counts the work of one match and stops it when the context ends or the budget is spent. The zero value
// (Match) never stops: its next check is at math.MaxInt64 units.
type meter struct {
	ctx   context.Context
	used  int64
	next  int64 // the used count at which check runs
	limit int64 // 0: none
	err   error
}

func (m *meter) reset(ctx context.Context, limit int64) {
	*m = meter{ctx: ctx, limit: limit, next: math.MaxInt64}
	if ctx != nil || limit > 0 {
		m.next = 0
	}
}

// add counts n units and reports whether matching may go on. It is the only call on the hot path: an addition
// and a comparison, the context is read every checkEvery units.
func (m *meter) add(n int) bool {
	m.used += int64(n)
	if m.used < m.next {
		return true
	}
	return m.check()
}

func (m *meter) check() bool {
	if m.err != nil {
		return false
	}
	if m.ctx != nil {
		if err := m.ctx.Err(); err != nil {
			m.err = fmt.Errorf("rules: match stopped after %d work units: %w", m.used, err)
			return false
		}
	}
	if m.limit > 0 && m.used > m.limit {
		m.err = fmt.Errorf("%w: %d units used, budget %d", ErrBudget, m.used, m.limit)
		return false
	}
	m.next = m.used + checkEvery
	if m.limit > 0 {
		m.next = min(m.next, m.limit+1)
	}
	if m.ctx == nil && m.limit == 0 {
		m.next = math.MaxInt64
	}
	return true
}

// budget returns the work limit for doc (0: none).
func (rs *RuleSet) budget(doc Doc) int64 {
	if rs.workPerByte <= 0 {
		return 0
	}
	return int64(rs.workPerByte)*int64(len(doc.Title)+len(doc.Body)) + workBase
}

// MatchContext is Match with a deadline and a work budget: it checks ctx as it goes (every few thousand units of
// work: word starts, hits, occurrences) and stops with an error wrapping ctx.Err() when ctx ends, or wrapping
// ErrBudget when the document needs more work than the rule set's budget (WithWorkBudget). On error the Result is
// empty. Its results are otherwise those of Match.
func (rs *RuleSet) MatchContext(ctx context.Context, doc Doc) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("rules: match not started: %w", err)
	}
	res, _, err := rs.match(ctx, doc, rs.budget(doc))
	if err != nil {
		return Result{}, err
	}
	return res, nil
}
