package auth

import (
	"net/url"
	"strings"
	"testing"
)

// browserHost is where a browser on https://pass.example/ goes for Location: loc, following the
// WHATWG URL parser's leniencies that matter here: tabs and line breaks removed, leading and
// trailing C0 controls and spaces trimmed, backslashes read as slashes.
func browserHost(loc string) string {
	loc = strings.Trim(loc, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
	base, _ := url.Parse("https://pass.example/area-riservata/x")
	u, err := url.Parse(loc)
	if err != nil {
		return "unparsable"
	}
	return base.ResolveReference(u).Host
}

func TestLocalPathRefusesEveryWayOut(t *testing.T) {
	// Values as the handler reads them, after the query string's own decoding.
	bad := []string{
		"", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", " /x",
		"/\x00/evil.example", "/\x0b/evil.example", "/\x7f/evil.example", "/\u0085/evil.example",
		"//evil.example", "///evil.example", "/\\evil.example", "\\/evil.example", "\\\\evil.example", "/\\/evil.example",
		"https://evil.example", "http:/evil.example", "javascript:alert(1)", "data:text/html,x", "evil.example",
		"/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/%5cevil.example", "/%09/evil.example",
		"/%0d%0a/evil.example", "/%E2%80%AEevil", "/x?a=%00", "/x#%0a",
		"/\u202e/evil.example", "/\u2028/evil.example", "/\xff", "/%ff", "//%2Fevil.example",
		"/" + strings.Repeat("a", 3000),
	}
	for _, in := range bad {
		if got := LocalPath(in); got != "" {
			t.Errorf("LocalPath(%q) = %q, want refused", in, got)
		}
	}
	good := map[string]string{
		"/area-riservata":                      "/area-riservata",
		"/area-riservata/richieste/12?tab=doc": "/area-riservata/richieste/12?tab=doc",
		"/cerca?q=citt%C3%A0+verde":            "/cerca?q=citt%C3%A0+verde",
		"/notizie/città":                       "/notizie/citt%C3%A0",
		"/a/./b/../c":                          "/a/c",
		"/x#sezione":                           "/x#sezione",
		"/":                                    "/",
	}
	for in, want := range good {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
	// Whatever is accepted stays on the site for a lenient browser too.
	for _, in := range append(bad, "/a", "/a//b", "/a/%2F/b", "/;//evil.example", "/?//evil.example", "/#//evil.example",
		"/..//evil.example", "/./..//evil.example", "/a/../..//evil.example") {
		if got := LocalPath(in); got != "" && browserHost(got) != "pass.example" {
			t.Errorf("LocalPath(%q) = %q leads a browser to %q", in, got, browserHost(got))
		}
	}
}
