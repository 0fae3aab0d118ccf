package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var stuckDesc = prometheus.NewDesc("passhub_jobs_stuck", "Background jobs running longer than their queue allows, by queue.", []string{"queue"}, nil)

// collector reports the stuck jobs at every scrape.
type collector struct{ q *Queue }

func (c collector) Describe(ch chan<- *prometheus.Desc) { ch <- stuckDesc }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stuck, err := c.q.Stuck(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(stuckDesc, err)
		return
	}
	n := map[string]int{}
	for name := range c.q.lanes {
		n[name] = 0
	}
	for _, j := range stuck {
		n[j.Queue]++
	}
	for name, v := range n {
		ch <- prometheus.MustNewConstMetric(stuckDesc, prometheus.GaugeValue, float64(v), name)
	}
}

// Collector is the Prometheus collector of the queue's gauges (passhub_jobs_stuck).
func (q *Queue) Collector() prometheus.Collector { return collector{q} }
