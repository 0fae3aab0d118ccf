package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// statsRebuildCommand recomputes the statistics from the requests with a progress bar.
func statsRebuildCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("requests"),
		progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
	start := time.Now()
	n, err := a.Stats.Rebuild(ctx, func(done, total int64) {
		bar.ChangeMax64(total)
		_ = bar.Set64(done)
	})
	_ = bar.Finish()
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "statistics rebuilt from %d requests in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
