package bulk

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// Progress prints a progress line ("\r" and the line, erased before the next) on a terminal: the articles
// delivered, articles/s and, when the input's size is known, the share read and an ETA from the bytes read.
// A nil *Progress does nothing, so callers need not test for a terminal.
type Progress struct {
	w     io.Writer
	total int64 // input bytes, 0 when unknown
	now   func() time.Time
	start time.Time

	articles, fed, read atomic.Int64 // delivered, handed to the workers, input bytes read

	mu   sync.Mutex // serializes writes to w
	stop chan struct{}
	done chan struct{}
}

// isTerminal reports whether the file descriptor is a terminal; tests replace it.
var isTerminal = func(fd uintptr) bool { return term.IsTerminal(int(fd)) }

// NewProgress returns a Progress writing to w, or nil when w is not a terminal (a file, a pipe, a buffer).
// total is the input's size in bytes (0: unknown, no ETA).
func NewProgress(w io.Writer, total int64) *Progress {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !isTerminal(f.Fd()) {
		return nil
	}
	return &Progress{w: w, total: total, now: time.Now}
}

// Reader returns r counting the bytes read from it toward the ETA.
func (p *Progress) Reader(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return &countingReader{r: r, n: &p.read}
}

// Add counts n more articles delivered.
func (p *Progress) Add(n int) {
	if p != nil {
		p.articles.Add(int64(n))
	}
}

// feed counts n more records read from the input.
func (p *Progress) feed(n int) {
	if p != nil {
		p.fed.Add(int64(n))
	}
}

// Start prints the line every interval until Stop.
func (p *Progress) Start(interval time.Duration) {
	if p == nil {
		return
	}
	p.start = p.now()
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.print("\r\033[K" + p.Line())
			case <-p.stop:
				return
			}
		}
	}()
}

// Stop stops the updates and leaves the final line, ended by a newline.
func (p *Progress) Stop() {
	if p == nil || p.stop == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.print("\r\033[K" + p.Line() + "\n")
}

func (p *Progress) print(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, s)
}

// Line returns the progress line as of now, without "\r" or a newline.
func (p *Progress) Line() string {
	elapsed := p.now().Sub(p.start)
	n := p.articles.Load()
	s := fmt.Sprintf("tagged %d articles", n)
	if elapsed > 0 {
		s += fmt.Sprintf(", %.0f articles/s", float64(n)/elapsed.Seconds())
	}
	read, fed := p.read.Load(), p.fed.Load()
	if p.total <= 0 || read <= 0 || fed <= 0 {
		return s
	}
	// The reader runs ahead of the workers: estimate the input's articles from those read so far and count
	// the share delivered.
	frac := min(float64(n)*float64(read)/(float64(fed)*float64(p.total)), 1)
	s += fmt.Sprintf(", %.0f%% of %.1f MB", 100*frac, float64(p.total)/1e6)
	if frac < 1 && elapsed > 0 {
		eta := time.Duration(float64(elapsed) * (1 - frac) / frac).Round(time.Second)
		s += ", ETA " + eta.String()
	}
	return s
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
