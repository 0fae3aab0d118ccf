package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

func TestZZShots(t *testing.T) {
	dir := os.Getenv("SHOTS_DIR")
	if dir == "" {
		t.Skip()
	}
	s := apptest.Start(t)
	seedPersonas(t, s, false)
	tb := newTab(t)
	devLogin(t, tb, s, "caporedattore")
	pages := strings.Split(os.Getenv("SHOTS_PAGES"), ",")
	for _, w := range []int64{1280, 320} {
		tb.run(t, chromedp.EmulateViewport(w, 900))
		for i, p := range pages {
			tb.run(t, chromedp.Navigate(s.URL+p), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if w == 320 {
				for k := 0; k < 6; k++ {
					eval[chromedp.Void](t, tb, fmt.Sprintf("window.scrollTo(0, %d);0", 300+k*850))
					b, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
					if err != nil {
						t.Fatal(err)
					}
					_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s_n%d.png", strings.ReplaceAll(strings.Trim(p, "/"), "/", "_"), k)), b, 0o644)
				}
				continue
			}
			_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(strings.Trim(p, "/"), "/", "_")+"_"+string(rune('a'+i))+"_"+map[int64]string{1280: "w", 320: "n"}[w]+".png"), buf, 0o644)
		}
	}
}
