package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/config"
)

// TestCustomThemeOverridesDefault layers a theme folder with one partial and one message over the
// default theme: those two change, everything else stays.
func TestCustomThemeOverridesDefault(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustWrite := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite("partials/footer.html", `<footer id="footer" class="custom-footer">Regione di prova</footer>`)
	s := apptest.Start(t, func(c *config.Config) { c.ThemeDir = dir })
	_, body := s.Get(t, "/procedure", "Accept-Language", "it")
	doc := parse(t, body)
	if got := doc.Find("footer.custom-footer").Text(); got != "Regione di prova" {
		t.Errorf("footer not overridden: %q", got)
	}
	if !strings.Contains(doc.Find("h1").Text(), "Catalogo delle procedure") || doc.Find("header.it-header-wrapper").Length() != 1 {
		t.Error("default templates lost under the custom theme")
	}
}

// TestProductionMode checks the headers and cookies that only production sets.
func TestProductionMode(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, func(c *config.Config) {
		c.Env = config.ModeProduction
		c.BaseURL = "https://pass.example.it"
	})
	res, _ := s.Get(t, "/contatti")
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS in production")
	}
	found := false
	for _, c := range res.Cookies() {
		if c.Name == "__Host-csrf" {
			found = true
			if !c.Secure || !c.HttpOnly || c.Path != "/" {
				t.Errorf("csrf cookie: %+v", c)
			}
		}
	}
	if !found {
		t.Error("no __Host-csrf cookie in production")
	}
}
