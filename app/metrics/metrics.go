// Package metrics exposes Rapport's Prometheus metrics: request latency by
// route, background job outcomes and durations, and the job queue's depth
// read from the database at scrape time. Each Server has its own registry;
// nothing registers globally.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"rapport/models"
)

// Metrics holds the collectors of one Rapport process.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	jobs     *prometheus.HistogramVec
}

// New builds the registry with Go runtime and process collectors, the
// request and job histograms, and a queue-depth collector over db.
func New(db *models.DB, log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rapport_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern, method and status class.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "status"})
	m.jobs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rapport_job_duration_seconds",
		Help:    "Time background job attempts ran, by kind and outcome.",
		Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
	}, []string{"kind", "outcome"})
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.jobs, &queueCollector{db: db, log: log})
	return m
}

// Middleware records each request under its route pattern (never the raw
// path, which would make one series per contact id).
func (m *Metrics) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			if he, ok := err.(*echo.HTTPError); ok {
				status = he.Code
			} else if status < 400 {
				status = http.StatusInternalServerError
			}
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(status/100)+"xx").Observe(time.Since(start).Seconds())
		return err
	}
}

// ObserveJob is the job runner's Observe hook.
func (m *Metrics) ObserveJob(kind, outcome string, d time.Duration) {
	m.jobs.WithLabelValues(kind, outcome).Observe(d.Seconds())
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	// The server's gzip middleware compresses; promhttp must not do it twice.
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{DisableCompression: true})
}

var queueDepth = prometheus.NewDesc("rapport_jobs", "Background jobs waiting or running, by kind and status.",
	[]string{"kind", "status"}, nil)

// queueCollector asks the database for the queue's depth when scraped.
type queueCollector struct {
	db  *models.DB
	log *slog.Logger
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepth }

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := q.db.JobQueueDepth(ctx)
	if err != nil {
		q.log.Warn("metrics: job queue depth", "err", err)
		return
	}
	for _, c := range counts {
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(c.Count), c.Kind, c.Status)
	}
}
