package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

const watchPackA = `topics:
  - label: military
    terms:
      - missile
`

// lockedBuffer is a bytes.Buffer safe for a logger and a test reading it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func writeFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startWatch loads path, makes a tagger of it and watches path until the test ends.
func startWatch(t *testing.T, path string) (*tagger.Tagger, *Metrics, *lockedBuffer) {
	t.Helper()
	pack, err := rules.LoadPath(path)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(pack.Rules, tagger.WithDiscovery(false))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics()
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchRuleFiles(ctx, slog.New(slog.NewTextHandler(logs, nil)), path, tg, m)
	}()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the watcher to start", func() bool { return strings.Contains(logs.String(), "watching the rule files") })
	return tg, m, logs
}

// waitVersion waits for tg's rules to leave version old and returns how long it took.
func waitVersion(t *testing.T, tg *tagger.Tagger, old string) time.Duration {
	t.Helper()
	start := time.Now()
	waitFor(t, "a new rules version", func() bool { return tg.Rules().Version() != old })
	return time.Since(start)
}

func labelsOf(t *testing.T, tg *tagger.Tagger, body string) string {
	t.Helper()
	rec, err := tg.Tag(context.Background(), tagger.Article{ID: "x", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(rec.Labels(), ",")
}

func TestWatchRuleFilesEditBreakFix(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "topics.yaml")
	writeFile(t, file, watchPackA)
	tg, m, logs := startWatch(t, dir)
	const body = "The army held a drill near the missile base."

	// Edit: a new term takes effect.
	v1 := tg.Rules().Version()
	writeFile(t, file, watchPackA+"      - drill\n")
	t.Logf("edit reloaded in %s", waitVersion(t, tg, v1))
	v2 := tg.Rules().Version()
	if got := counterValue(m.reloads); got != 1 {
		t.Errorf("reloads = %v, want 1", got)
	}

	// Break: the error is logged at its file:line:col, counted, and the rules stay.
	writeFile(t, file, watchPackA+"      - [drill\n")
	waitFor(t, "a reload failure", func() bool { return counterValue(m.reloadFailure) == 1 })
	if tg.Rules().Version() != v2 {
		t.Error("a broken pack replaced the rules")
	}
	if !regexp.MustCompile(regexp.QuoteMeta(file) + `:\d+:\d+`).MatchString(logs.String()) {
		t.Errorf("log lacks the error's file:line:col:\n%s", logs.String())
	}
	if labelsOf(t, tg, body) == "" {
		t.Error("the old rules stopped tagging")
	}

	// A comment changes the files, not the rules: nothing is swapped. Fix: the new rules come in.
	writeFile(t, file, watchPackA+"      - drill\n# same rules\n")
	time.Sleep(3 * ruleFileDebounce)
	if tg.Rules().Version() != v2 || counterValue(m.reloads) != 1 {
		t.Errorf("an unchanged pack was swapped in (version %s, reloads %v)", tg.Rules().Version(), counterValue(m.reloads))
	}
	writeFile(t, file, watchPackA+"      - drill\n      - artillery\n")
	waitVersion(t, tg, v2)
	if got := counterValue(m.reloads); got != 2 {
		t.Errorf("reloads = %v, want 2", got)
	}
	if gaugeValue(m.reloadOK) != 1 {
		t.Error("last reload success gauge not 1 after the fix")
	}
}

// TestWatchRuleFilesConfigMap swaps the files the way the kubelet updates a ConfigMap volume: the files are
// symlinks through ..data, which is renamed over by a new symlink to a new timestamped directory.
func TestWatchRuleFilesConfigMap(t *testing.T) {
	dir := t.TempDir()
	version := func(name, src string) {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name, "topics.yaml"), src)
	}
	version("..2026_12_04_01", watchPackA)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("..2026_12_04_01", filepath.Join(dir, "..data")))
	must(os.Symlink("..data/topics.yaml", filepath.Join(dir, "topics.yaml")))
	tg, _, _ := startWatch(t, dir)
	if labelsOf(t, tg, "A drill.") != "" {
		t.Fatal("drill tagged before the update")
	}

	v1 := tg.Rules().Version()
	version("..2026_12_04_02", watchPackA+"      - drill\n")
	must(os.Symlink("..2026_12_04_02", filepath.Join(dir, "..data_tmp")))
	must(os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	must(os.RemoveAll(filepath.Join(dir, "..2026_12_04_01")))
	t.Logf("ConfigMap swap reloaded in %s", waitVersion(t, tg, v1))
	if labelsOf(t, tg, "A drill.") != "military" {
		t.Error("the swapped-in rules do not tag drill")
	}
}

// TestWatchRuleFilesSymlinkedPath replaces the path itself: --rules names a symlink to a release directory,
// and a deploy points it at another one.
func TestWatchRuleFilesSymlinkedPath(t *testing.T) {
	root := t.TempDir()
	for name, src := range map[string]string{"r1": watchPackA, "r2": watchPackA + "      - drill\n"} {
		if err := os.Mkdir(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, name, "topics.yaml"), src)
	}
	cur := filepath.Join(root, "current")
	if err := os.Symlink("r1", cur); err != nil {
		t.Fatal(err)
	}
	tg, _, _ := startWatch(t, cur)
	v1 := tg.Rules().Version()
	if err := os.Symlink("r2", cur+".tmp"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(cur+".tmp", cur); err != nil {
		t.Fatal(err)
	}
	waitVersion(t, tg, v1)
	if labelsOf(t, tg, "A drill.") != "military" {
		t.Error("the new release's rules do not tag drill")
	}
}

// TestWatchFilesWiresBothPacks: a pipeline watches Config.Rules for its tagger and Config.ShadowRules for its
// shadow tagger, each counted in its own metrics.
func TestWatchFilesWiresBothPacks(t *testing.T) {
	mainDir, shadowDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(mainDir, "topics.yaml"), watchPackA)
	writeFile(t, filepath.Join(shadowDir, "topics.yaml"), watchPackA)
	main, cand := packTagger(t, watchPackA), packTagger(t, watchPackA)
	cfg := DefaultConfig()
	cfg.Brokers = []string{"127.0.0.1:1"}
	cfg.Rules, cfg.ShadowRules = mainDir, shadowDir
	p, err := New(cfg, main, WithShadow(cand))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	p.watchFiles(ctx, &bg)
	defer func() { cancel(); bg.Wait() }()
	// No wait for the watchers: a change before a watcher is up is found by its first load.

	v := cand.Rules().Version()
	writeFile(t, filepath.Join(shadowDir, "topics.yaml"), watchPackA+"      - drill\n")
	waitVersion(t, cand, v)
	if main.Rules().Version() != v || counterValue(p.metrics.reloads) != 0 {
		t.Error("a shadow file change reloaded the main rules")
	}
	if counterValue(p.metrics.shadow.reloads) != 1 {
		t.Errorf("shadow reloads = %v, want 1", counterValue(p.metrics.shadow.reloads))
	}
	writeFile(t, filepath.Join(shadowDir, "topics.yaml"), "topics: [oops\n")
	waitFor(t, "a shadow reload failure", func() bool { return counterValue(p.metrics.shadow.reloadFails) == 1 })
	if counterValue(p.metrics.reloadFailure) != 0 {
		t.Error("a broken shadow pack counted as a main reload failure")
	}

	writeFile(t, filepath.Join(mainDir, "topics.yaml"), watchPackA+"      - artillery\n")
	waitVersion(t, main, v)
	if counterValue(p.metrics.reloads) != 1 {
		t.Errorf("main reloads = %v, want 1", counterValue(p.metrics.reloads))
	}
}

// TestWatchRuleFilesRelativePath watches --rules . from inside the pack directory.
func TestWatchRuleFilesRelativePath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "topics.yaml"), watchPackA)
	t.Chdir(dir)
	tg, _, _ := startWatch(t, ".")
	v1 := tg.Rules().Version()
	writeFile(t, "topics.yaml", watchPackA+"      - drill\n")
	waitVersion(t, tg, v1)
}
