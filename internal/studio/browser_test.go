package studio

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tagpipe/tagpipe/rules"
)

var update = flag.Bool("update", false, "write the README screenshots to docs/img")

// startStudio serves a studio on 127.0.0.1 over a copy of the embedded pack and returns its URL and pack dir.
func startStudio(t *testing.T, cfg Config) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, rules.DefaultFS()); err != nil {
		t.Fatal(err)
	}
	// CopyFS keeps the embedded files' read-only mode; the studio must be able to replace them.
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error { return os.Chmod(p, 0o755) })
	if cfg.RulesPath == "" {
		cfg.RulesPath = dir
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), dir
}

func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped under -short")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test: no chromium on PATH (apt-get install -y chromium)")
	return ""
}

// TestBrowser drives the studio in headless Chromium: tag a pasted article and see highlights and topics, hover a
// highlight and see its rule, break a rule and see the error at its line, fix it and save, open the eval view and
// a miss.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	url, dir := startStudio(t, Config{GoldPath: "../../testdata/eval/holdout.jsonl"})

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.WindowSize(1400, 1000),
		chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}
	waitJS := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}

	// The page loads and checks the saved pack.
	do("load", chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(url))
	waitJS("the saved pack checked", `document.querySelector("#check-status").classList.contains("ok")`)

	// Pick an article of the corpus (the demo samples by default).
	eval(`(() => { const p = document.querySelector("#pick"); p.value = "corpus:sample-02"; p.dispatchEvent(new Event("change")); return ""; })()`)
	waitJS("the picked article", `document.querySelector("#rendered h2") && document.querySelector("#rendered h2").textContent.includes("leaflets")`)
	if got := text("#topics"); !strings.Contains(got, "leaflets") {
		t.Errorf("topics of sample-02 %q: want leaflets", got)
	}

	// Paste an article: entities highlighted, topics listed.
	do("paste",
		chromedp.SetValue(chromedp.CSS("#title"), "North Korea test-fires ballistic missile as Seoul and Washington hold drills"),
		chromedp.SetValue(chromedp.CSS("#body"), "North Korea fired a short-range ballistic missile into the East Sea on Friday, "+
			"South Korea's Joint Chiefs of Staff said, hours after Seoul and Washington began joint military drills. "+
			"Kim Jong Un watched the launch with his daughter, the Korean Central News Agency reported. "+
			"The Ministry of National Defense in Seoul called the launch a provocation that threatens peace on the peninsula. "+
			"Pyongyang has rejected calls to return to talks on its nuclear programme."),
		chromedp.Click(chromedp.CSS("#tag-btn")))
	waitJS("the pasted article tagged", `document.querySelector("#rendered h2").textContent.includes("test-fires") &&
		document.querySelectorAll("#rendered .ent-PERSON").length > 0`)
	if got := text("#topics"); !strings.Contains(got, "military") || !strings.Contains(got, "north-korea") {
		t.Errorf("topics %q: want military and north-korea", got)
	}
	if n := eval(`String(document.querySelectorAll("#rendered .ent-LOCATION").length)`); n == "0" {
		t.Error("no LOCATION highlight")
	}
	// "talks" alone does not make the article about diplomacy: the label is listed under its threshold.
	if n := eval(`String(document.querySelectorAll('#topics li.under[data-label="diplomacy"]').length)`); n != "1" {
		t.Errorf("diplomacy is not listed under its threshold: %s", text("#topics"))
	}

	// Hover the evidence "ballistic missile" in the title: the tooltip names the rule and how it counted.
	pos := eval(`(() => { const s = [...document.querySelectorAll("#rendered h2 .ev")].find(x => x.textContent.includes("missile"));
		const r = s.getBoundingClientRect(); return (r.left + r.width / 2) + "," + (r.top + r.height / 2); })()`)
	var x, y float64
	if _, err := fmt.Sscanf(pos, "%g,%g", &x, &y); err != nil {
		t.Fatalf("position %q: %v", pos, err)
	}
	do("hover", chromedp.MouseEvent(chromedp.MouseMoved, x, y), chromedp.WaitVisible(chromedp.CSS("#tip")))
	if tip := text("#tip"); !strings.Contains(tip, "military/terms/ballistic missile") || !strings.Contains(tip, "title") ||
		!strings.Contains(tip, "counted") {
		t.Errorf("tooltip %q: want the rule military/terms/ballistic missile and how it counted", tip)
	}
	if *update {
		shot(t, ctx, "studio-article.png")
	}

	// Break a rule: the error shows at its line, in the list and in the gutter.
	do("rules view", chromedp.Click(chromedp.CSS(`#tabs [data-view="rules"]`)), chromedp.WaitVisible(chromedp.CSS("#src")))
	src, err := os.ReadFile(filepath.Join(dir, "topics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	off := strings.Index(string(src), "threshold:")
	line := strings.Count(string(src[:off]), "\n") + 1
	eval(`(() => { const s = document.querySelector("#src"); s.value = s.value.replace("threshold:", "treshold:");
		s.dispatchEvent(new Event("input")); return ""; })()`)
	want := fmt.Sprintf("topics.yaml:%d:", line)
	waitJS("the error at "+want, fmt.Sprintf(`document.querySelector("#errors").textContent.includes(%q)`, want))
	if got := text("#errors"); !strings.Contains(got, "unknown_key") {
		t.Errorf("errors %q: want unknown_key", got)
	}
	if n := eval(fmt.Sprintf(`String(document.querySelectorAll('#gutter .err[data-line="%d"]').length)`, line)); n != "1" {
		t.Errorf("gutter marks line %d %s times, want once", line, n)
	}
	if *update {
		shot(t, ctx, "studio-rules.png")
	}

	// Fix it and add a topic: the current article is re-tagged with the draft, the examples run, the diff against
	// the saved pack shows the new label, and Save replaces the file and keeps the old one.
	eval(`(() => { const s = document.querySelector("#src");
		s.value = s.value.replace("treshold: 2", "threshold: 2").trimEnd() + "\n  - label: launch-watch\n    threshold: 1\n    terms: [launch]\n";
		s.dispatchEvent(new Event("input")); return ""; })()`)
	do("fixed", chromedp.WaitVisible(chromedp.CSS("#check-status.ok")))
	waitJS("the article re-tagged with the draft", `document.querySelector("#rules-topics").textContent.includes("launch-watch")`)
	var passed, total int
	if got := text("#examples-sum"); !regexp.MustCompile(`^\d+/\d+ pass$`).MatchString(strings.ToLower(got)) {
		t.Errorf("examples summary %q", got)
	} else if fmt.Sscanf(got, "%d/%d", &passed, &total); passed != total || total == 0 {
		t.Errorf("examples: %s, want all of the pack's examples to pass", got)
	}
	do("diff", chromedp.Click(chromedp.CSS("#diff-btn")))
	waitJS("the diff", `document.querySelector("#diff-out").textContent.includes("articles change")`)
	if got := text("#diff-out"); !strings.Contains(got, "launch-watch") {
		t.Errorf("diff %q: want the new label", got)
	}
	do("save", chromedp.Click(chromedp.CSS("#save-btn")))
	waitJS("saved", `document.querySelector("#flash").textContent.includes("saved topics.yaml")`)
	saved, _ := os.ReadFile(filepath.Join(dir, "topics.yaml"))
	backup, _ := os.ReadFile(filepath.Join(dir, "topics.yaml.bak"))
	if !strings.Contains(string(saved), "label: launch-watch") || strings.Contains(string(saved), "treshold") || string(backup) != string(src) {
		t.Errorf("after save: topics.yaml has the change: %v; topics.yaml.bak is the previous version: %v",
			strings.Contains(string(saved), "label: launch-watch"), string(backup) == string(src))
	}

	// The eval view: scores, rule statistics, misses; a miss opens in the article view with its labels marked.
	do("eval view", chromedp.Click(chromedp.CSS(`#tabs [data-view="eval"]`)), chromedp.WaitVisible(chromedp.CSS("#misses li")),
		chromedp.WaitVisible(chromedp.CSS("#eval-rules td.id")))
	if got := text("#eval-labels"); !strings.Contains(got, "leaflets") || !strings.Contains(got, "micro") {
		t.Errorf("per-label table %q", got)
	}
	if *update {
		eval(`(() => { document.querySelector("#flash").hidden = true; return ""; })()`)
		shot(t, ctx, "studio-eval.png")
	}
	missID := eval(`(() => { const li = [...document.querySelectorAll("#misses li")].find(l => l.querySelector(".lbl.plus, .lbl.minus") && /^[a-z]/.test(l.querySelector(".lbl").textContent.trim().slice(1))); li.click(); return li.dataset.id; })()`)
	waitJS("the miss "+missID+" in the article view", `document.querySelector("#view-article.active") && document.querySelectorAll("#topics .badge.false, #topics .badge.missing").length > 0`)
	if got := eval(`document.querySelector("#pick").value`); got != "gold:"+missID {
		t.Errorf("article view shows %q, want gold:%s", got, missID)
	}
}

// shot writes a PNG of the viewport to docs/img.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "img", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserToken checks that a studio with a token asks for it and works once it is given.
func TestBrowserToken(t *testing.T) {
	exe := chromium(t)
	url, _ := startStudio(t, Config{Token: "let-me-in"})
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#auth")),
		chromedp.SetValue(chromedp.CSS("#token"), "let-me-in"), chromedp.Click(chromedp.CSS(`#auth button`)),
		chromedp.WaitNotVisible(chromedp.CSS("#auth"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#pack-state").textContent.includes("sha256:")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the page did not load the state with the token: %v", err)
	}
}
