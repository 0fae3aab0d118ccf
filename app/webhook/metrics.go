package webhook

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	deliveriesDesc = prometheus.NewDesc("passhub_webhook_deliveries", "Webhook deliveries in the log, by status.", []string{"status"}, nil)
	endpointsDesc  = prometheus.NewDesc("passhub_webhook_endpoints", "Webhook endpoints, by state (enabled, disabled).", []string{"state"}, nil)
)

// collector reads the gauges from the database at every scrape, so every instance reports the
// same figures.
type collector struct{ s *Service }

func (c collector) Describe(ch chan<- *prometheus.Desc) { ch <- deliveriesDesc; ch <- endpointsDesc }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var byStatus []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	if err := c.s.db.NewSelect().Model((*Delivery)(nil)).Column("status").ColumnExpr("count(*) AS n").Group("status").Scan(ctx, &byStatus); err != nil {
		ch <- prometheus.NewInvalidMetric(deliveriesDesc, err)
		return
	}
	n := map[string]int{StatusPending: 0, StatusDelivered: 0, StatusFailed: 0, StatusCancelled: 0}
	for _, r := range byStatus {
		n[r.Status] = r.N
	}
	for status, v := range n {
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(v), status)
	}
	var byState []struct {
		Enabled bool `bun:"enabled"`
		N       int  `bun:"n"`
	}
	if err := c.s.db.NewSelect().Model((*Endpoint)(nil)).Column("enabled").ColumnExpr("count(*) AS n").Group("enabled").Scan(ctx, &byState); err != nil {
		ch <- prometheus.NewInvalidMetric(endpointsDesc, err)
		return
	}
	st := map[string]int{"enabled": 0, "disabled": 0}
	for _, r := range byState {
		st[map[bool]string{true: "enabled", false: "disabled"}[r.Enabled]] += r.N
	}
	for state, v := range st {
		ch <- prometheus.MustNewConstMetric(endpointsDesc, prometheus.GaugeValue, float64(v), state)
	}
}

// Collector is the Prometheus collector of the webhook gauges (passhub_webhook_deliveries,
// passhub_webhook_endpoints).
func (s *Service) Collector() prometheus.Collector { return collector{s} }
