package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/tagpipe/tagpipe/rules"
)

// ruleFileDebounce is how long the file watcher waits after the last change before it loads the pack: an editor's
// save or a ConfigMap update is a burst of events, loaded once. Well under the 2 s a change must take effect in.
const ruleFileDebounce = 300 * time.Millisecond

// reloadRecorder counts rule reloads: the main rules' metrics, or the shadow rules'.
type reloadRecorder interface {
	reloaded(t time.Time, version string)
	reloadFailed()
}

// install swaps in pack, loaded with err, as target's rules. A pack that failed to load (every error is logged
// with its file:line:col) or that target refuses keeps the current rules and counts a failure. It reports whether
// the rules were replaced.
func install(log *slog.Logger, target RulesSwapper, rec reloadRecorder, pack *rules.Pack, err error) bool {
	if err == nil && (pack == nil || pack.Rules == nil) {
		err = errors.New("rule pack has no rules")
	}
	if err != nil {
		rec.reloadFailed()
		var list rules.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				log.Error("rule pack error", "err", e)
			}
		}
		log.Error("rule pack rejected; keeping the current rules", "err", err)
		return false
	}
	rs := pack.Rules
	old := target.Rules()
	if err := target.SetRules(rs); err != nil {
		rec.reloadFailed()
		log.Error("tagger refused the rule pack; keeping the current rules", "err", err)
		return false
	}
	rec.reloaded(time.Now(), rs.Version())
	oldVersion := ""
	if old != nil {
		oldVersion = old.Version()
	}
	log.Info("rules reloaded", "version", rs.Version(), "previous", oldVersion, "files", len(pack.Sources))
	return true
}

// watchRuleFiles watches the rule pack at path (a file or a directory, as rules.LoadPath reads it) and loads it
// again ruleFileDebounce after the last change, installing it in target. It watches the directory that holds the
// files rather than the files, so that it sees what editors do (write a new file, rename it over the old one) and
// the symlink swap of a Kubernetes ConfigMap volume (a new ..data symlink renamed over the old one), and the
// directory above, so that path itself may be replaced. A load whose files did not change since the last one is
// skipped, one whose rules did not change (same version) swaps nothing. It returns when ctx ends; when the files
// cannot be watched at all it logs why and returns at once (the rules then change only with a restart or the
// rules topic).
func watchRuleFiles(ctx context.Context, log *slog.Logger, path string, target RulesSwapper, rec reloadRecorder) {
	log = log.With("path", path)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		log.Warn("cannot watch the rule files; they reload only on restart", "err", err)
		return
	}
	defer w.Close()
	clean, err := filepath.Abs(path) // events then name absolute paths, and "." has a parent
	if err != nil {
		log.Warn("cannot watch the rule files; they reload only on restart", "err", err)
		return
	}
	parent, base := filepath.Dir(clean), filepath.Base(clean)
	if err := w.Add(parent); err != nil {
		log.Warn("cannot watch the rule files; they reload only on restart", "err", err)
		return
	}
	watchPath := func() {
		_ = w.Remove(clean) // the old directory may be gone; a new one is watched below
		if st, err := os.Stat(clean); err == nil && st.IsDir() {
			if err := w.Add(clean); err != nil {
				log.Warn("cannot watch the rule directory", "err", err)
			}
		}
	}
	watchPath()

	var last [sha256.Size]byte
	load := func() {
		pack, err := rules.LoadPath(path)
		fp := fingerprint(pack)
		if fp == last {
			return
		}
		last = fp
		if err == nil && pack.Rules != nil {
			if cur := target.Rules(); cur != nil && cur.Version() == pack.Rules.Version() {
				log.Debug("rule files changed, rules did not", "version", cur.Version())
				return
			}
		}
		install(log, target, rec, pack, err)
	}
	load() // what changed between the first load and now
	log.Info("watching the rule files")

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			name := filepath.Base(ev.Name)
			inParent := filepath.Dir(ev.Name) == parent
			if inParent && name != base && !strings.HasPrefix(name, "..") {
				continue // a sibling of the pack
			}
			if inParent && name == base {
				watchPath() // path itself was created, replaced or removed
			}
			timer.Reset(ruleFileDebounce)
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			log.Warn("rule file watcher", "err", err)
			timer.Reset(ruleFileDebounce) // events may have been lost (overflow): look again
		case <-timer.C:
			load()
		}
	}
}

// watchFiles starts, on bg, the watchers of Config.Rules (for the tagger, when it supports hot reload) and of
// Config.ShadowRules (for the shadow tagger).
func (p *Pipeline) watchFiles(ctx context.Context, bg *sync.WaitGroup) {
	if rs := p.reload; rs != nil && p.cfg.Rules != "" {
		bg.Go(func() { watchRuleFiles(ctx, p.log.With("component", "rules"), p.cfg.Rules, rs, p.metrics) })
	}
	if p.shadow == nil || p.cfg.ShadowRules == "" {
		return
	}
	if rs, ok := p.shadow.t.(RulesSwapper); ok {
		bg.Go(func() {
			watchRuleFiles(ctx, p.log.With("component", "shadow"), p.cfg.ShadowRules, rs, p.metrics.shadow)
		})
	}
}

// fingerprint hashes the file names and contents of a loaded pack.
func fingerprint(pack *rules.Pack) [sha256.Size]byte {
	h := sha256.New()
	if pack != nil {
		for _, name := range slices.Sorted(maps.Keys(pack.Sources)) {
			h.Write([]byte(name))
			h.Write([]byte{0})
			h.Write(pack.Sources[name])
			h.Write([]byte{0})
		}
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
