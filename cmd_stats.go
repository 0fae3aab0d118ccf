package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"passhub/app/monitor"
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

// statsReportCommand writes the draft monitoring report of a semester (2026-S1) in the newsroom,
// unless it exists, and prints the entry's newsroom address.
func statsReportCommand(ctx context.Context, e *cmdEnv) error {
	sem, err := monitor.ParseSemester(e.args[0])
	if err != nil {
		return err
	}
	a := e.app
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	res, err := a.Monitor.Generate(ctx, sem)
	if err != nil {
		return err
	}
	url := strings.TrimRight(a.Config.BaseURL, "/") + res.DeskURL()
	if res.Created {
		fmt.Fprintf(e.stdout, "%s: draft report written, the publishers are told: %s\n", sem, url)
	} else {
		fmt.Fprintf(e.stdout, "%s: the report exists (%s), nothing changed: %s\n", sem, res.State, url)
	}
	return nil
}
