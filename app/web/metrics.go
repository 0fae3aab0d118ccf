package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics counts requests and their durations by route pattern and status, for Prometheus.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passhub_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "passhub_http_request_duration_seconds", Help: "HTTP request duration by method and route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where other parts of the program register their collectors.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

func (m *metrics) handler(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	// Fiber's strings point into the request buffer, which fasthttp reuses: labels are kept for
	// the life of the process, so they are copies.
	route := strings.Clone(c.Route().Path)
	method := methodLabel(c.Method())
	status := c.Response().StatusCode()
	if err != nil {
		status = statusOf(err)
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	return err
}

// standardMethods are the methods counted under their own name.
var standardMethods = []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
	fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace}

// methodLabel is the method as a label: one of the standard methods (a constant, never the request's
// bytes), or "OTHER", so that made-up methods cannot grow the series.
func methodLabel(m string) string {
	for _, s := range standardMethods {
		if m == s {
			return s
		}
	}
	return "OTHER"
}

func (m *metrics) expose() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}
