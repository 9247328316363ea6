package studio

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tagpipe/tagpipe/internal/rulediff"
)

// TestLiveShadow feeds a shadow topic: its differences reach the live stream through the filters, and the counts
// carry the gained and lost totals.
// feedSource is a live source that delivers what is sent on feed.
func feedSource(feed chan []byte) LiveSource {
	return func(ctx context.Context, fn func([]byte) error) error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case v := <-feed:
				if err := fn(v); err != nil {
					return err
				}
			}
		}
	}
}

// openStream opens the SSE stream at url and returns a function that returns the data of the next event of a
// kind, skipping the others.
func openStream(ctx context.Context, t *testing.T, url string) func(kind string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan [2]string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		var ev string
		for sc.Scan() {
			if e, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				ev = e
			} else if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- [2]string{ev, d}
			}
		}
		close(events)
	}()
	return func(kind string) string {
		t.Helper()
		for e := range events {
			if e[0] == kind {
				return e[1]
			}
		}
		t.Fatalf("stream ended before a %s event", kind)
		return ""
	}
}

// TestLiveShadow feeds a shadow topic: its differences reach the live stream through the filters, and the counts
// carry the gained and lost totals.
func TestLiveShadow(t *testing.T) {
	feed := make(chan []byte)
	idle := func(ctx context.Context, _ func([]byte) error) error { <-ctx.Done(); return nil }
	s, _ := newTestServer(t, Config{Live: idle, Shadow: feedSource(feed)}, true)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go s.live.run(ctx)
	var state struct{ Shadow bool }
	call(t, s.Handler(), "GET", "/api/state", nil, &state)
	if !state.Shadow {
		t.Error(`/api/state lacks "shadow": true`)
	}
	next := openStream(ctx, t, srv.URL+"/api/live?label=russia")
	next("counts")
	feed <- []byte(`{"id":"a","gained":["military"],"lost":[],"old_rules_version":"v1","new_rules_version":"v2"}`)
	feed <- []byte(`not json`)
	feed <- []byte(`{"id":"b","gained":["PERSON:Kim Jong-un"],"lost":["russia"],"old_rules_version":"v1","new_rules_version":"v2"}`)
	var c rulediff.Change
	if err := json.Unmarshal([]byte(next("shadow")), &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != "b" || c.Lost[0] != "russia" || c.NewVersion != "v2" {
		t.Errorf("first difference through the russia filter: %+v", c)
	}
	for {
		var counts struct {
			Shadow struct {
				Changed int
				Counts  map[string]rulediff.Count
			}
		}
		if err := json.Unmarshal([]byte(next("counts")), &counts); err != nil {
			t.Fatal(err)
		}
		if counts.Shadow.Changed == 2 {
			if counts.Shadow.Counts["military"].Gained != 1 || counts.Shadow.Counts["russia"].Lost != 1 || counts.Shadow.Counts["PERSON:Kim Jong-un"].Gained != 1 {
				t.Errorf("shadow counts %+v", counts.Shadow.Counts)
			}
			return
		}
	}
}

// TestBrowserShadow opens the live view with a shadow topic: a shadow difference shows up in the page with its
// article id and the labels gained and lost, and the counts table lists them.
func TestBrowserShadow(t *testing.T) {
	exe := chromium(t)
	feed := make(chan []byte, 4)
	idle := func(ctx context.Context, _ func([]byte) error) error { <-ctx.Done(); return nil }
	url, _ := startStudio(t, Config{Live: idle, Shadow: feedSource(feed)})
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	poll := func(js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", js, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	poll(`document.querySelector("#pack-state").textContent.includes("sha256:")`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-view="live"]`)), chromedp.WaitVisible(chromedp.CSS("#shadow-box"))); err != nil {
		t.Fatal(err)
	}
	poll(`document.querySelector("#live-state").textContent === "connected"`)
	feed <- []byte(`{"id":"shadow-1","gained":["russia"],"lost":["LOCATION:Seoul"],"old_rules_version":"sha256:aaa","new_rules_version":"sha256:bbb"}`)
	poll(`document.querySelector("#shadow-list li") !== null`)
	item := text("#shadow-list li")
	poll(`document.querySelector("#shadow-counts").textContent.includes("russia")`)
	counts := text("#shadow-counts")
	for _, want := range []string{"shadow-1", "+russia", "−LOCATION:Seoul", "sha256:bbb"} {
		if !strings.Contains(item, want) {
			t.Errorf("shadow item %q lacks %q", item, want)
		}
	}
	if !strings.Contains(counts, "LOCATION:Seoul") || !strings.Contains(counts, "records changed") {
		t.Errorf("shadow counts %q", counts)
	}
}
