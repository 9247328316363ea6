package benchrun

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText writes the report as the table `tagpipe bench` prints.
func (r *Report) WriteText(w io.Writer) {
	src := r.Corpus.Source
	if src == "generated" {
		src = fmt.Sprintf("generated, seed %d", r.Corpus.Seed)
	}
	disc := "on"
	if !r.Discovery {
		disc = "off"
	}
	fmt.Fprintf(w, "tagpipe bench: %d articles of %.0f bytes (%s); rules %s; discovery %s\n", r.Corpus.Articles,
		r.Corpus.MeanBytes, src, r.RulesVersion, disc)
	fmt.Fprintf(w, "%s, %d CPUs, %s\n\n", r.CPU, r.NumCPU, r.Go)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tarticles/s\tper CPU-s\tMB/s\tp50 ms\tp99 ms\tnote\t")
	fmt.Fprintf(tw, "tagger, 1 core\t%.0f\t%.0f\t%.2f\t\t\t%.0f allocs, %.1f KB per article\t\n",
		r.OneCore.ArticlesPerSec, r.OneCore.ArticlesPerCPUSec, r.OneCore.MBPerSec, r.OneCore.AllocsPerArt,
		r.OneCore.BytesPerArt/1024)
	fmt.Fprintf(tw, "tagger, %d cores\t%.0f\t%.0f\t%.2f\t\t\t%.2fx 1 core\t\n", r.AllCores.Goroutines,
		r.AllCores.ArticlesPerSec, r.AllCores.ArticlesPerCPUSec, r.AllCores.MBPerSec,
		r.AllCores.ArticlesPerSec/max(r.OneCore.ArticlesPerSec, 1e-9))
	if g := r.Gazetteer; g != nil {
		fmt.Fprintf(tw, "tagger, 1 core, +%d gazetteer entries\t%.0f\t%.0f\t\t\t\t%.2fx the time per article; compiled in %.2f s\t\n",
			g.Entries, g.ArticlesPerSec, g.ArticlesPerCPU, g.Slowdown, g.CompileSeconds)
	}
	if p := r.Pipeline; p != nil {
		where := "Kafka"
		if p.Embedded {
			where = "embedded broker"
		}
		note := fmt.Sprintf("%.0f%% of tagger on %d cores", 100*p.RatioToTagger, r.AllCores.Goroutines)
		if p.BrokerCPUPerArticle > 0 {
			note += fmt.Sprintf("; broker CPU %d µs per article", p.BrokerCPUPerArticle.Microseconds())
		}
		fmt.Fprintf(tw, "pipeline (%s), max\t%.0f\t%.0f\t%.2f\t\t\t%s\t\n", where,
			p.Max.ArticlesPerSec, p.Max.ArticlesPerCPUSec, p.Max.MBPerSec, note)
		for _, ph := range []struct {
			name string
			res  PhaseResult
		}{{"pipeline, paced at full rate", p.Full}, {"pipeline, paced at half rate", p.Half}} {
			fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%.1f\t%.1f\t%d articles, max %.0f ms; to tagging p50 %.1f, p99 %.1f ms\t\n",
				ph.name, ph.res.ArticlesPerSec, ph.res.ArticlesPerCPUSec, ph.res.MBPerSec, ph.res.P50ms, ph.res.P99ms,
				ph.res.Articles, ph.res.MaxMs, ph.res.IngressP50ms, ph.res.IngressP99ms)
		}
	}
	tw.Flush()
	if p := r.Pipeline; p != nil {
		p.Cost.writeText(w, r.Record, r.Corpus.MeanBytes)
	}
	fmt.Fprintf(w, "\npeak RSS %.0f MB", float64(r.PeakRSS)/(1<<20))
	if r.LoadAvg[0] != "" {
		fmt.Fprintf(w, "; load average %s at the start, %s at the end", r.LoadAvg[0], r.LoadAvg[1])
	}
	fmt.Fprintln(w)
}

// writeText writes the cost per article as a paragraph under the table.
func (c Cost) writeText(w io.Writer, record string, inBytes float64) {
	fmt.Fprintf(w, "\ncost per article (pipeline max phase, %s records): tagger %.0f µs CPU, pipeline process %.0f µs",
		record, c.TaggerCPUus, c.PipelineCPUus)
	if c.BrokerCPUus > 0 {
		fmt.Fprintf(w, ", broker %.0f µs", c.BrokerCPUus)
	}
	fmt.Fprintf(w, "; (pipeline + broker) / tagger = %.2f\n", c.Ratio)
	if c.OutputLogBytes > 0 {
		fmt.Fprintf(w, "output topic log: %.0f bytes per article (%.2fx the article's %.0f bytes of text)\n",
			c.OutputLogBytes, c.OutputLogBytes/max(inBytes, 1), inBytes)
	}
}
