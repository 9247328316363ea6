package bulk

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeTerm is a terminal as NewProgress sees one: a writer with a file descriptor that isTerminal accepts.
type fakeTerm struct{ bytes.Buffer }

func (*fakeTerm) Fd() uintptr { return 1 << 20 }

func withFakeTerminal(t *testing.T) {
	prev := isTerminal
	isTerminal = func(fd uintptr) bool { return fd == 1<<20 }
	t.Cleanup(func() { isTerminal = prev })
}

func TestProgressOnlyOnATerminal(t *testing.T) {
	withFakeTerminal(t)
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []io.Writer{&bytes.Buffer{}, f, io.Discard} {
		if p := NewProgress(w, 100); p != nil {
			t.Errorf("NewProgress(%T) is not nil: a progress line on a non-terminal", w)
		}
	}
	var p *Progress // nil: every method is a no-op
	p.Start(time.Millisecond)
	p.Add(3)
	p.Stop()
	if r := strings.NewReader("x"); p.Reader(r) != io.Reader(r) {
		t.Error("a nil Progress wraps the reader")
	}
}

func TestProgressLine(t *testing.T) {
	withFakeTerminal(t)
	term := &fakeTerm{}
	p := NewProgress(term, 4_000_000)
	if p == nil {
		t.Fatal("NewProgress on a terminal is nil")
	}
	now := time.Unix(1000, 0)
	p.now = func() time.Time { return now }
	p.Start(time.Hour) // no tick during the test: only Stop prints
	if _, err := io.Copy(io.Discard, p.Reader(strings.NewReader(strings.Repeat("x", 1_000_000)))); err != nil {
		t.Fatal(err)
	}
	p.feed(1000) // a quarter of the input read holds 1,000 articles: 4,000 in all
	p.Add(400)
	p.Add(100)
	now = now.Add(2 * time.Second)
	// 500 of 4,000 articles in 2 s leaves 14 s.
	want := "tagged 500 articles, 250 articles/s, 12% of 4.0 MB, ETA 14s"
	if got := p.Line(); got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
	p.Stop()
	if got := term.String(); got != "\r\033[K"+want+"\n" {
		t.Errorf("terminal got %q", got)
	}

	unknown := NewProgress(term, 0) // stdin from a pipe: no size, no ETA
	unknown.now = func() time.Time { return now }
	unknown.start = now.Add(-time.Second)
	unknown.Add(42)
	if got, want := unknown.Line(), "tagged 42 articles, 42 articles/s"; got != want {
		t.Errorf("Line() without a size = %q, want %q", got, want)
	}
}

func TestProgressTicks(t *testing.T) {
	withFakeTerminal(t)
	term := &fakeTerm{}
	p := NewProgress(term, 0)
	p.Start(time.Millisecond)
	p.Add(7)
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		s := term.String()
		p.mu.Unlock()
		if strings.Contains(s, "tagged 7 articles") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress line after 5 s: %q", s)
		}
		time.Sleep(time.Millisecond)
	}
	p.Stop()
	if s := term.String(); !strings.HasPrefix(s, "\r\033[K") || !strings.HasSuffix(s, "\n") {
		t.Errorf("terminal got %q: want \\r-erased lines ending with a newline", s)
	}
}
