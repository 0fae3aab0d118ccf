package web

import (
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Route is one route of a URL tree: its method, its path and its handlers (the route-level
// checks, then the handler).
type Route struct {
	Method   string
	Path     string
	Handlers []fiber.Handler
}

// Mount registers a URL tree's routes, the most specific first: at the first segment where two
// paths differ in kind, a static segment comes before a parameter and a parameter before a
// wildcard, so that /richieste/nuova is never taken by /richieste/:id whatever the order of the
// table (Fiber tries routes in the order they were registered). Routes of equal specificity keep
// their order.
func Mount(r fiber.Router, routes []Route) {
	sorted := append([]Route(nil), routes...)
	sort.SliceStable(sorted, func(i, j int) bool { return moreSpecific(sorted[i].Path, sorted[j].Path) })
	for _, rt := range sorted {
		r.Add(rt.Method, rt.Path, rt.Handlers...)
	}
}

// moreSpecific reports whether path a must be tried before path b.
func moreSpecific(a, b string) bool {
	as, bs := strings.Split(strings.Trim(a, "/"), "/"), strings.Split(strings.Trim(b, "/"), "/")
	for i := 0; i < len(as) || i < len(bs); i++ {
		if ka, kb := segmentKind(as, i), segmentKind(bs, i); ka != kb {
			return ka < kb
		}
	}
	return false
}

// segmentKind ranks segment i of a path: a static segment, a parameter, the end of the path (a
// wildcard may match nothing, so a path that ends is tried before one that goes on with a
// wildcard), a wildcard.
func segmentKind(segs []string, i int) int {
	if i >= len(segs) {
		return 2
	}
	switch s := segs[i]; {
	case strings.HasPrefix(s, "*") || strings.HasPrefix(s, "+"):
		return 3
	case strings.HasPrefix(s, ":"):
		return 1
	}
	return 0
}
