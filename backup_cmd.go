package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"passhub/app"
	"passhub/app/backup"
	"passhub/app/config"
	"passhub/app/storage"
)

// backupCommand runs `backup FILE`, restoreCommand `restore [--force] [--check] FILE`; both work on
// the configured database and store of uploaded files (local folder or S3 bucket) without
// starting the application.
func backupCommand(ctx context.Context, e *cmdEnv) error {
	return archiveCommand(ctx, e.cfg, append([]string{"backup"}, e.args...), e.stdout)
}

func restoreCommand(ctx context.Context, e *cmdEnv) error {
	return archiveCommand(ctx, e.cfg, append([]string{"restore"}, e.args...), e.stdout)
}

func archiveCommand(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet(args[0], flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	force := flags.Bool("force", false, "restore over a database or store of uploaded files that is not empty")
	check := flags.Bool("check", false, "only verify the archive's checksums")
	if err := flags.Parse(args[1:]); err != nil || flags.NArg() != 1 || (args[0] == "backup" && (*force || *check)) {
		return errors.New("usage: passhub backup FILE | passhub restore [--force] [--check] FILE")
	}
	file := flags.Arg(0)
	start := time.Now()
	var store storage.Store
	if !*check {
		var err error
		if store, err = app.OpenStore(cfg); err != nil {
			return err
		}
	}
	switch {
	case args[0] == "backup":
		m, err := backup.Backup(ctx, cfg, store, file)
		if err != nil {
			return err
		}
		var rows, size int64
		for _, t := range m.Tables {
			rows += t.Rows
		}
		for _, p := range m.Parts {
			size += p.Size
		}
		fmt.Fprintf(stdout, "backup %s: %s database, %d tables, %d rows, %d files (%d referenced), %.1f MB in %s\n",
			file, m.Dialect, len(m.Tables), rows, m.Files, m.Referenced, float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	case *check:
		m, err := backup.Verify(file)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is intact: %d parts match their checksums (%s database taken %s, %d files)\n",
			file, len(m.Parts), m.Dialect, m.CreatedAt.Format(time.RFC3339), m.Files)
	default:
		rep, err := backup.Restore(ctx, cfg, store, file, *force)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "restored %s (taken %s): %d rows in %d tables, %d files, %d interrupted jobs back in the queue, in %s; verified: checksums, row counts, every referenced file with its hash\n",
			file, rep.Manifest.CreatedAt.Format(time.RFC3339), rep.Rows, len(rep.Manifest.Tables), rep.Files, rep.Requeued, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
