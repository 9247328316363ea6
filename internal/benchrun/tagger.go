package benchrun

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagpipe/tagpipe/internal/corpus"
	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// measureTagger tags the corpus with goroutines goroutines (and GOMAXPROCS set to the same), o.Repeat times for
// at least o.Duration each, and returns the median rate.
func measureTagger(ctx context.Context, t *tagger.Tagger, as []tagger.Article, goroutines int, o Options,
	bytesPer float64) (Rate, error) {
	prev := runtime.GOMAXPROCS(goroutines)
	defer runtime.GOMAXPROCS(prev)
	res := Rate{Goroutines: goroutines, GOMAXPROCS: goroutines}
	// Warm up: one pass over a few articles (lazy initialization, caches).
	for _, a := range as[:min(len(as), 50)] {
		if _, err := t.Tag(ctx, a); err != nil {
			return res, err
		}
	}
	var allocs, allocBytes, tagged float64
	for range o.Repeat {
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		var (
			next  atomic.Int64
			count atomic.Int64
			wg    sync.WaitGroup
			errc  = make(chan error, goroutines)
		)
		start, cpu0 := time.Now(), cputime.Process()
		deadline := start.Add(o.Duration)
		for range goroutines {
			wg.Go(func() {
				for {
					// Claim articles in chunks so the goroutines do not contend on the counter.
					first := next.Add(16) - 16
					for i := first; i < first+16; i++ {
						if _, err := t.Tag(ctx, as[int(i)%len(as)]); err != nil {
							errc <- err
							return
						}
					}
					count.Add(16)
					if time.Now().After(deadline) {
						return
					}
				}
			})
		}
		wg.Wait()
		elapsed, cpu := time.Since(start), cputime.Process()-cpu0
		runtime.ReadMemStats(&ms1)
		select {
		case err := <-errc:
			return res, err
		default:
		}
		n := float64(count.Load())
		res.Runs = append(res.Runs, n/elapsed.Seconds())
		if cpu > 0 {
			res.CPURuns = append(res.CPURuns, n/cpu.Seconds())
		}
		allocs += float64(ms1.Mallocs - ms0.Mallocs)
		allocBytes += float64(ms1.TotalAlloc - ms0.TotalAlloc)
		tagged += n
	}
	res.ArticlesPerSec = median(res.Runs)
	res.ArticlesPerCPUSec = median(res.CPURuns)
	res.MBPerSec = res.ArticlesPerSec * bytesPer / 1e6
	res.AllocsPerArt = allocs / tagged
	res.BytesPerArt = allocBytes / tagged
	return res, nil
}

// measureGazetteer compiles the pack with o.Gazetteer generated entities and measures the 1-core rate with it.
func measureGazetteer(ctx context.Context, as []tagger.Article, o Options, bytesPer float64, base Rate) (*GazetteerResult, error) {
	files, errs := rules.ParseFS(rules.DefaultFS(), ".")
	if len(errs) > 0 {
		return nil, errs
	}
	src, err := corpus.Gazetteer(o.Gazetteer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	f, errs := rules.Parse("gazetteer-generated.yaml", src)
	if len(errs) > 0 {
		return nil, errs
	}
	start := time.Now()
	rs, err := rules.Compile(append(files, f))
	if err != nil {
		return nil, err
	}
	compile := time.Since(start)
	t, err := tagger.New(rs, tagger.WithDiscovery(!o.NoDiscovery), tagger.WithVersion(o.Version))
	if err != nil {
		return nil, err
	}
	r, err := measureTagger(ctx, t, as, 1, o, bytesPer)
	if err != nil {
		return nil, err
	}
	g := &GazetteerResult{Entries: o.Gazetteer, CompileSeconds: compile.Seconds(), ArticlesPerSec: r.ArticlesPerSec,
		ArticlesPerCPU: r.ArticlesPerCPUSec}
	switch {
	case r.ArticlesPerCPUSec > 0 && base.ArticlesPerCPUSec > 0:
		g.Slowdown = base.ArticlesPerCPUSec / r.ArticlesPerCPUSec
	case r.ArticlesPerSec > 0:
		g.Slowdown = base.ArticlesPerSec / r.ArticlesPerSec
	}
	return g, nil
}
