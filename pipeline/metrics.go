package pipeline

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"github.com/tagpipe/tagpipe/tagger"
)

// Metrics are the pipeline's Prometheus metrics, registered on a private registry (never the global one), so
// that several pipelines (tests, embedded demo) can live in one process.
type Metrics struct {
	// Registry holds every metric below plus the Go and process collectors.
	Registry *prometheus.Registry

	consumed      prometheus.Counter
	tagged        prometheus.Counter
	deadLettered  *prometheus.CounterVec
	errors        *prometheus.CounterVec
	tagLatency    prometheus.Histogram
	lag           *prometheus.GaugeVec
	rulesInfo     *prometheus.GaugeVec
	reloads       prometheus.Counter
	reloadFailure prometheus.Counter
	reloadOK      prometheus.Gauge
	reloadTime    prometheus.Gauge
	commits       prometheus.Counter
	inFlight      prometheus.Gauge
	inputFormats  *prometheus.CounterVec
	ready         prometheus.Gauge
	shadow        *shadowMetrics
}

// NewMetrics creates the metrics on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		consumed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_records_consumed_total", Help: "Records fetched from the input topic.",
		}),
		tagged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_records_tagged_total", Help: "Records tagged and acknowledged by the output topic.",
		}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagpipe_records_dead_lettered_total", Help: "Records written to the dead-letter topic, by reason.",
		}, []string{"reason"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagpipe_errors_total", Help: "Errors talking to Kafka, by operation (fetch, produce, commit, rules).",
		}, []string{"op"}),
		tagLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tagpipe_tag_duration_seconds",
			Help:    "Time to decode and tag one record.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12), // 100µs .. ~2.4s
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tagpipe_consumer_lag", Help: "Records behind the high watermark, per input partition, as of the last fetch.",
		}, []string{"partition"}),
		rulesInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tagpipe_rules_info", Help: "The rules version in use (value 1).",
		}, []string{"version"}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_rules_reloads_total", Help: "Rule packs loaded from the rules topic or the watched rule files.",
		}),
		reloadFailure: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_rules_reload_failures_total", Help: "Rule packs from the rules topic or the watched rule files that failed to load; the old rules stay.",
		}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tagpipe_rules_last_reload_success", Help: "Whether the last rule pack from the rules topic or the rule files loaded (1) or was rejected (0); 1 before any.",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tagpipe_rules_last_reload_timestamp_seconds", Help: "Unix time of the last successful rules load (the start, before any reload).",
		}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tagpipe_commits_total", Help: "Offset commits to the consumer group.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tagpipe_records_in_flight", Help: "Records fetched and not yet acknowledged.",
		}),
		inputFormats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagpipe_records_input_format_total",
			Help: "Records decoded, by the input format their value was read as (json or text; --input-format auto decides per record), dead-lettered or not.",
		}, []string{"format"}),
		ready: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tagpipe_ready", Help: "Whether the instance is ready (1: consuming; 0: starting, draining or stopped by a persistent failure), as GET /readyz answers.",
		}),
	}
	m.Registry.MustRegister(m.consumed, m.tagged, m.deadLettered, m.errors, m.tagLatency, m.lag, m.rulesInfo,
		m.reloads, m.reloadFailure, m.reloadOK, m.reloadTime, m.commits, m.inFlight, m.inputFormats, m.ready,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.shadow = newShadowMetrics(m.Registry)
	// Export the known series at zero, so that rates and alerts work before the first event.
	m.reloadOK.Set(1)
	m.reloadTime.Set(float64(time.Now().UnixNano()) / 1e9)
	for _, op := range []string{"fetch", "produce", "commit", "rules"} {
		m.errors.WithLabelValues(op)
	}
	for _, f := range []string{tagger.InputJSON, tagger.InputText} {
		m.inputFormats.WithLabelValues(f)
	}
	for _, c := range ReasonCodes() {
		m.deadLettered.WithLabelValues(c.String())
	}
	return m
}

func (m *Metrics) setRulesVersion(v string) {
	m.rulesInfo.Reset()
	m.rulesInfo.WithLabelValues(v).Set(1)
}

func (m *Metrics) setReady(ok bool) {
	v := 0.0
	if ok {
		v = 1
	}
	m.ready.Set(v)
}

// inputFormat counts one record read as format.
func (m *Metrics) inputFormat(format string) { m.inputFormats.WithLabelValues(format).Inc() }

func (m *Metrics) setLag(partition int, lag int64) {
	m.lag.WithLabelValues(strconv.Itoa(partition)).Set(float64(lag))
}

// Tagged returns the number of records tagged and acknowledged by the output topic so far (the value of
// tagpipe_records_tagged_total), for callers that wait for a count without gathering the whole registry.
func (m *Metrics) Tagged() float64 {
	var d dto.Metric
	if err := m.tagged.Write(&d); err != nil {
		return 0
	}
	return d.GetCounter().GetValue()
}

// reloaded records a rule pack of the given version swapped in at t.
func (m *Metrics) reloaded(t time.Time, version string) {
	m.setRulesVersion(version)
	m.reloads.Inc()
	m.reloadOK.Set(1)
	m.reloadTime.Set(float64(t.UnixNano()) / 1e9)
}

// reloadFailed records a rule pack that was rejected.
func (m *Metrics) reloadFailed() {
	m.reloadFailure.Inc()
	m.reloadOK.Set(0)
}
