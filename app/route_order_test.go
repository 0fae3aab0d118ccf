package app_test

import (
	"strings"
	"testing"

	"passhub/app/apptest"
)

// TestNoRouteShadowsALaterOne: Fiber tries routes in the order they were registered, so a
// parametric route registered before a static one of the same shape (/richieste/:id before
// /richieste/nuova) would silently take its requests. No route of the application may be taken by
// one registered before it: the order in which packages mount their routes does not matter.
func TestNoRouteShadowsALaterOne(t *testing.T) {
	s := apptest.Start(t)
	routes := s.Web.App.GetRoutes(true)
	for j, b := range routes {
		if b.Method != "GET" && b.Method != "POST" {
			continue
		}
		sample := samplePath(b.Path)
		for _, a := range routes[:j] {
			if a.Method == b.Method && a.Path != b.Path && routeMatches(a.Path, sample) {
				t.Errorf("%s %s is registered before %s and takes its requests (%s)", a.Method, a.Path, b.Path, sample)
			}
		}
	}
	// The request and workspace tree is there, with its static route and its parametric one.
	have := map[string]bool{}
	for _, r := range routes {
		have[r.Method+" "+r.Path] = true
	}
	for _, want := range []string{"GET /area-riservata/richieste/nuova", "GET /area-riservata/richieste/:id", "GET /admin/richieste-senza-pm"} {
		if !have[want] {
			t.Errorf("route %s is not mounted", want)
		}
	}
}

// samplePath is a request path that route path p serves: each parameter replaced by a value no
// static segment has.
func samplePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") || strings.HasPrefix(s, "+") {
			segs[i] = "7z7"
		}
	}
	return strings.Join(segs, "/")
}

// routeMatches reports whether route path p (static segments, :params, a trailing wildcard) takes
// request path path.
func routeMatches(p, path string) bool {
	ps, xs := strings.Split(strings.Trim(p, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range ps {
		if strings.HasPrefix(s, "*") || strings.HasPrefix(s, "+") {
			return true
		}
		if i >= len(xs) {
			return strings.HasSuffix(s, "?") && i == len(ps)-1
		}
		if strings.HasPrefix(s, ":") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if s != xs[i] {
			return false
		}
	}
	return len(ps) == len(xs)
}
