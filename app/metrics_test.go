package app_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"passhub/app/apptest"
)

// TestMetricsStayReadableAfterMixedTraffic sends many methods, paths and logins (whose request
// buffers fasthttp reuses) in parallel, then scrapes /metrics: it must answer 200 every time, parse
// with Prometheus' own text parser, and carry only the standard methods and the routes' patterns.
func TestMetricsStayReadableAfterMixedTraffic(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	if _, err := s.Identity.CreateStaff(t.Context(), "anna.admin", "anna@pass.example.it", "Anna", "Admin", "Breakglass-Access-77"); err != nil {
		t.Fatal(err)
	}
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "GETT"}
	paths := []string{"/", "/procedure", "/notizie", "/cerca?q=ambiente", "/accedi", "/accedi/staff", "/contatti",
		"/area-riservata", "/nessuna-pagina-" + strings.Repeat("x", 300), "/static/abc/css/pass.css", "/api/v1/content", "/healthz"}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				req, _ := http.NewRequest(methods[(i+w)%len(methods)], s.URL+paths[(i*7+w)%len(paths)], strings.NewReader("a=b"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if res, err := s.Client.Do(req); err == nil {
					res.Body.Close()
				}
				if i%3 != 0 {
					continue
				}
				form := url.Values{"_csrf": {apptest.CSRFToken}, "username": {"anna.admin"}, "password": {"Breakglass-Access-77"}}
				if i%2 == 0 {
					form.Set("password", "wrong-password-"+strings.Repeat("z", i))
				}
				req, _ = http.NewRequest("POST", s.URL+"/accedi/staff", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Cookie", "csrf="+apptest.CSRFToken)
				req.Header.Set("X-Forwarded-For", "203.0.113."+string(rune('1'+w)))
				if res, err := s.Client.Do(req); err == nil {
					res.Body.Close()
				}
			}
		}(w)
	}
	wg.Wait()
	standard := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "CONNECT": true, "TRACE": true, "OTHER": true}
	for scrape := 0; scrape < 3; scrape++ {
		res, body := s.Get(t, "/metrics")
		if res.StatusCode != 200 {
			t.Fatalf("scrape %d: /metrics = %d: %.300s", scrape, res.StatusCode, body)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err := parser.TextToMetricFamilies(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatalf("scrape %d: not Prometheus text: %v", scrape, err)
		}
		fam := families["passhub_http_requests_total"]
		if fam == nil || len(fam.Metric) < 10 {
			t.Fatalf("scrape %d: request counters missing", scrape)
		}
		for _, m := range fam.Metric {
			for _, l := range m.Label {
				switch l.GetName() {
				case "method":
					if !standard[l.GetValue()] {
						t.Errorf("method label %q", l.GetValue())
					}
				case "route":
					if !strings.HasPrefix(l.GetValue(), "/") || strings.Contains(l.GetValue(), "nessuna-pagina") {
						t.Errorf("route label %q is not a route pattern", l.GetValue())
					}
				}
			}
		}
	}
}
