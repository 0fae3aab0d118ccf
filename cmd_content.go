package main

import (
	"context"
	"fmt"
)

// contentImportCommand imports the Markdown content of a folder (default PASSHUB_CONTENT_DIR).
func contentImportCommand(ctx context.Context, e *cmdEnv) error {
	a, stdout := e.app, e.stdout
	dir := a.Config.ContentDir
	if len(e.args) > 0 {
		dir = e.args[0]
	}
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	rep, err := a.ImportContent(ctx, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %d, updated %d, unchanged %d, conflicts %d, errors %d\n",
		rep.Created, rep.Updated, rep.Unchanged, len(rep.Conflicts), len(rep.Errors))
	for _, c := range rep.Conflicts {
		fmt.Fprintf(stdout, "conflict: %s (edited in the database since the last import; not overwritten)\n", c)
	}
	for _, e := range rep.Errors {
		for _, p := range e.All() { // every problem of the file, each with its line
			fmt.Fprintf(stdout, "error: %s\n", p)
		}
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d files not imported", len(rep.Errors))
	}
	return nil
}

// contentExportCommand writes the current content back as Markdown into a folder.
func contentExportCommand(ctx context.Context, e *cmdEnv) error {
	n, err := e.app.Content.Export(ctx, e.args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported %d entries to %s\n", n, e.args[0])
	return nil
}
