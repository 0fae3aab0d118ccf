// Command passhub is PAsS, the platform through which Italian regions put their experts at the
// service of comuni and province. Run `passhub help` for its commands.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"passhub/app"
	"passhub/app/auth"
	"passhub/app/config"

	"passhub/app/demo"
	"passhub/app/ente"
	"passhub/app/identity"
	_ "passhub/plugins/all" // identity providers, storage, mail, search engines
	"passhub/plugins/devidp"
)

const usage = `passhub — PAsS, PNRR ASsistenza e Supporto

Usage:
  passhub [-config FILE] serve                 migrate, import content/ (when enabled) and serve
  passhub [-config FILE] migrate               apply pending database migrations
  passhub [-config FILE] content import [DIR]  import Markdown content (default PASSHUB_CONTENT_DIR)
  passhub [-config FILE] content export DIR    write the current content back as Markdown
  passhub [-config FILE] reindex               rebuild the search index from the database, with progress
  passhub [-config FILE] search check          report drift between the database and the search index
  passhub [-config FILE] digest                send the notification digests now (serve sends them daily at 7:00)
  passhub [-config FILE] demo                  dev mode only: personas, enti, requests in every state
  passhub [-config FILE] enti import FILE     add enti to the registry from "istat;name;kind;province" lines
  passhub [-config FILE] user create-staff USERNAME EMAIL NAME FAMILYNAME
                                             staff account; password on stdin or PASSHUB_STAFF_PASSWORD
  passhub [-config FILE] user grant USERNAME|FISCALCODE ROLE [TASKFORCE]
                                             admin, editor, pm TASKFORCE or expert TASKFORCE
  passhub [-config FILE] backup FILE           write the database (a consistent snapshot, server running or not),
                                             the uploaded files and a manifest of checksums to FILE
  passhub [-config FILE] restore [--force] [--check] FILE
                                             restore FILE into the configured database and data folder
                                             (refused when not empty unless --force); --check only verifies it
  passhub [-config FILE] config                print the effective configuration, secrets masked

Configuration comes from defaults, the optional YAML file and PASSHUB_* variables
(see README.md).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command; cancelling ctx stops a running server gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("passhub", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, usage) }
	cfgPath := flags.String("config", "", "YAML configuration file")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	args = flags.Args()
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "passhub: configuration is not valid:\n%v\n", err)
		return 2
	}
	log := setupLogging(cfg, stderr)

	if args[0] == "config" {
		fmt.Fprint(stdout, cfg.Masked())
		return 0
	}
	if args[0] == "backup" || args[0] == "restore" {
		if err := backupCommand(ctx, cfg, args, stdout); err != nil {
			log.Error(args[0]+" failed", "err", err)
			return 1
		}
		return 0
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	defer a.Close()
	if err := command(ctx, a, args, stdout); err != nil {
		log.Error(args[0]+" failed", "err", err)
		return 1
	}
	return 0
}

// reindex rebuilds the search index with a progress bar and prints a summary.
func reindex(ctx context.Context, a *app.App, stdout io.Writer) error {
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
	fmt.Fprintf(stdout, "reindexed %d items with %s in %s (%.0f items/s); drift: %d missing, %d extra\n",
		n, a.Config.SearchEngine, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 0.001), len(missing), len(extra))
	return nil
}

func command(ctx context.Context, a *app.App, args []string, stdout io.Writer) error {
	switch {
	case args[0] == "serve":
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		if a.Config.ImportOnStart {
			if _, err := a.ImportContent(ctx, a.Config.ContentDir); err != nil {
				return err
			}
		}
		if a.Config.DemoEnabled() {
			if err := seedDemo(ctx, a); err != nil {
				return err
			}
		}
		return a.Serve(ctx, stdout)
	case args[0] == "migrate":
		return a.Migrate(ctx)
	case args[0] == "content" && len(args) >= 2 && args[1] == "import":
		dir := a.Config.ContentDir
		if len(args) > 2 {
			dir = args[2]
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
			fmt.Fprintf(stdout, "error: %s\n", e)
		}
		if len(rep.Errors) > 0 {
			return fmt.Errorf("%d files not imported", len(rep.Errors))
		}
		return nil
	case args[0] == "reindex" && len(args) == 1:
		return reindex(ctx, a, stdout)
	case args[0] == "search" && len(args) == 2 && args[1] == "check":
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
	case args[0] == "digest" && len(args) == 1:
		n, err := a.Notifications.SendDigests(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d digests sent\n", n)
		return nil
	case args[0] == "demo" && len(args) == 1:
		if !a.Config.DemoEnabled() {
			return fmt.Errorf("demo data are for dev mode only (PASSHUB_DEMO is off or the mode is production)")
		}
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		if _, err := a.ImportContent(ctx, a.Config.ContentDir); err != nil {
			return err
		}
		return seedDemo(ctx, a)
	case args[0] == "enti" && len(args) == 3 && args[1] == "import":
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		f, err := os.Open(args[2])
		if err != nil {
			return err
		}
		defer f.Close()
		list, err := ente.ReadRegistry(f, "Lombardia")
		if err != nil {
			return err
		}
		for _, p := range ente.LombardyProvinces {
			p.Region = "Lombardia"
			list = append(list, p)
		}
		n, err := a.Enti.Import(ctx, list)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "registry: %d enti imported or refreshed\n", n)
		return nil
	case args[0] == "user" && len(args) == 6 && args[1] == "create-staff":
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		password := os.Getenv("PASSHUB_STAFF_PASSWORD")
		if password == "" {
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("give the password on standard input or in PASSHUB_STAFF_PASSWORD")
			}
			password = strings.TrimRight(line, "\r\n")
		}
		u, err := a.Identity.CreateStaff(ctx, args[2], args[3], args[4], args[5], password)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "staff account %s created (id %d)\n", u.Username, u.ID)
		return nil
	case args[0] == "user" && (len(args) == 4 || len(args) == 5) && args[1] == "grant":
		u, err := a.Identity.UserByUsername(ctx, args[2])
		if err != nil {
			code, cerr := auth.NormalizeFiscalCode(args[2])
			if cerr != nil {
				return err
			}
			if u, err = a.Identity.UserByFiscalCode(ctx, code); err != nil {
				return err
			}
		}
		tf := ""
		if len(args) == 5 {
			tf = args[4]
		}
		if err := a.Identity.Grant(ctx, identity.Actor{Name: "passhub user grant"}, u.ID, args[3], tf); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s %s\n", u.FullName(), args[3], tf)
		return nil
	case args[0] == "content" && len(args) == 3 && args[1] == "export":
		n, err := a.Content.Export(ctx, args[2])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "exported %d entries to %s\n", n, args[2])
		return nil
	}
	return fmt.Errorf("unknown command %q; run `passhub help`", args)
}

// seedDemo binds the dev identity provider's personas to enti and roles (dev mode only).
func seedDemo(ctx context.Context, a *app.App) error {
	if n, err := a.Enti.Count(ctx); err != nil || n == 0 {
		a.Log.Warn("demo data skipped: the registry of enti is empty (run `passhub enti import FILE`, as `make run` does)")
		return err
	}
	people := make([]demo.Person, len(devidp.Personas))
	for i, p := range devidp.Personas {
		people[i] = demo.Person{Key: p.Key, FiscalCode: p.FiscalCode, Name: p.Name, FamilyName: p.FamilyName, Email: p.Email}
	}
	services := demo.Services{Identity: a.Identity, Enti: a.Enti}
	if err := demo.Seed(ctx, services, people); err != nil {
		return err
	}
	if err := demo.SeedRequests(ctx, services, demo.Requests{Requests: a.Requests, Workspace: a.Workspace}, people); err != nil {
		return err
	}
	a.Log.Info("demo data ready: log in at /accedi with the dev identity provider", "personas", len(people))
	return nil
}

// setupLogging makes the configured logger the process's default, so that the lines of plugins and
// libraries (slog's default logger, the standard log package) take the configured format too.
func setupLogging(cfg config.Config, w io.Writer) *slog.Logger {
	l := newLogger(cfg, w)
	slog.SetDefault(l)
	return l
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
