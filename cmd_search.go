package main

import (
	"context"
	"fmt"
)

// searchCheckCommand reports the drift between the database and the search index.
func searchCheckCommand(ctx context.Context, e *cmdEnv) error {
	a, stdout := e.app, e.stdout
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	if err := a.OpenSearch(ctx); err != nil {
		return err
	}
	missing, extra, err := a.Search.Drift(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "search index (%s): %d missing, %d not in the database\n", a.Config.SearchEngine, len(missing), len(extra))
	for i, r := range missing {
		if i == 10 {
			fmt.Fprintf(stdout, "  …\n")
			break
		}
		fmt.Fprintf(stdout, "  missing: %s\n", r)
	}
	for i, r := range extra {
		if i == 10 {
			fmt.Fprintf(stdout, "  …\n")
			break
		}
		fmt.Fprintf(stdout, "  extra: %s\n", r)
	}
	if len(missing)+len(extra) > 0 {
		return fmt.Errorf("the index drifted: run passhub reindex")
	}
	return nil
}
