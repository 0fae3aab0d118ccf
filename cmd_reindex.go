package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// reindexCommand rebuilds the search index with a progress bar and prints a summary.
func reindexCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	if err := a.OpenSearch(ctx); err != nil {
		return err
	}
	total, err := a.Search.Count(ctx)
	if err != nil {
		return err
	}
	bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("indexing"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("items"), progressbar.OptionThrottle(100*time.Millisecond))
	start := time.Now()
	n, err := a.Search.Rebuild(ctx, func(done int) { _ = bar.Set(done) })
	_ = bar.Finish()
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	took := time.Since(start)
	missing, extra, err := a.Search.Drift(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reindexed %d items with %s in %s (%.0f items/s); drift: %d missing, %d extra\n",
		n, a.Config.SearchEngine, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 0.001), len(missing), len(extra))
	return nil
}
