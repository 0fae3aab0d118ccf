// Command passhub is PAsS, the platform through which Italian regions put their experts at the
// service of comuni and province. Run `passhub help` for its commands.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"passhub/app"
	"passhub/app/config"

	_ "passhub/plugins/all" // identity providers, storage, mail, search engines
)

// command is one subcommand of passhub: its words, the synopsis of its arguments, its help (one
// line, or more separated by "\n") and what it runs. Each one lives in a cmd_*.go file of its own.
type command struct {
	name     string // "serve", "content import"
	synopsis string // "[DIR]", "USERNAME EMAIL NAME FAMILYNAME"
	help     string
	// minArgs and maxArgs bound the arguments after the name (maxArgs < 0: no bound).
	minArgs, maxArgs int
	// standalone commands work on the configuration alone, without building the application.
	standalone bool
	run        func(ctx context.Context, e *cmdEnv) error
}

// cmdEnv is what a command runs with: its arguments after the name, the configuration, the
// logger, standard output and, unless the command is standalone, the application.
type cmdEnv struct {
	args   []string
	cfg    config.Config
	log    *slog.Logger
	stdout io.Writer
	app    *app.App
}

// commands is the table of passhub's subcommands; the usage text is generated from it.
var commands = []command{
	{name: "serve", help: "migrate, import content/ (when enabled) and serve", run: serveCommand},
	{name: "migrate", help: "apply pending database migrations", run: migrateCommand},
	{name: "content import", synopsis: "[DIR]", maxArgs: 1, help: "import Markdown content (default PASSHUB_CONTENT_DIR)", run: contentImportCommand},
	{name: "content export", synopsis: "DIR", minArgs: 1, maxArgs: 1, help: "write the current content back as Markdown", run: contentExportCommand},
	{name: "reindex", help: "rebuild the search index from the database, with progress", run: reindexCommand},
	{name: "stats rebuild", help: "recompute the statistics' roll-ups from the requests, with progress", run: statsRebuildCommand},
	{name: "stats report", synopsis: "YYYY-SN", minArgs: 1, maxArgs: 1, run: statsReportCommand,
		help: "draft monitoring report of a semester (2026-S1) in the newsroom,\nunless it exists; prints its newsroom address"},
	{name: "search check", help: "report drift between the database and the search index", run: searchCheckCommand},
	{name: "digest", help: "send the notification digests now (serve sends them daily at 7:00)", run: digestCommand},
	{name: "demo", help: "dev mode only: personas, enti, requests in every state", run: demoCommand},
	{name: "enti import", synopsis: "FILE", minArgs: 1, maxArgs: 1, help: `add enti to the registry from "istat;name;kind;province" lines`, run: entiImportCommand},
	{name: "bandi import", synopsis: "FILE", minArgs: 1, maxArgs: 1, run: bandiImportCommand,
		help: "load calls for funding from CSV or JSON (see docs/funding.md);\na known code updates its call, refused rows are reported"},
	{name: "user create-staff", synopsis: "USERNAME EMAIL NAME FAMILYNAME", minArgs: 4, maxArgs: 4,
		help: "staff account; password on stdin or PASSHUB_STAFF_PASSWORD", run: userCreateStaffCommand},
	{name: "user grant", synopsis: "USERNAME|FISCALCODE ROLE [TASKFORCE]", minArgs: 2, maxArgs: 3,
		help: "admin, editor, publisher, pm TASKFORCE or expert TASKFORCE", run: userGrantCommand},
	{name: "backup", synopsis: "FILE", minArgs: 1, maxArgs: 1, standalone: true, run: backupCommand,
		help: "write the database (a consistent snapshot, server running or not),\nthe uploaded files and a manifest of checksums to FILE"},
	{name: "restore", synopsis: "[--force] [--check] FILE", minArgs: 1, maxArgs: 3, standalone: true, run: restoreCommand,
		help: "restore FILE into the configured database and data folder\n(refused when not empty unless --force); --check only verifies it"},
	{name: "config", standalone: true, help: "print the effective configuration, secrets masked", run: configCommand},
}

const (
	usageHead = "passhub — PAsS, PNRR ASsistenza e Supporto\n\nUsage:\n"
	usageTail = "\nConfiguration comes from defaults, the optional YAML file and PASSHUB_* variables\n(see README.md).\n"
	// usageCmd prefixes every command; its name and synopsis take usageName columns, then the help.
	usageCmd  = "  passhub [-config FILE] "
	usageName = 22
	// usageMore indents the help lines that do not follow the name on its own line.
	usageMore = 45
)

// usage is the text of `passhub help`, generated from the table of commands.
func usage() string {
	var b strings.Builder
	b.WriteString(usageHead)
	for _, c := range commands {
		head := strings.TrimSpace(c.name + " " + c.synopsis)
		lines := strings.Split(c.help, "\n")
		b.WriteString(usageCmd + head)
		if len(head) < usageName-1 {
			b.WriteString(strings.Repeat(" ", usageName-len(head)) + lines[0])
			lines = lines[1:]
		}
		b.WriteString("\n")
		for _, l := range lines {
			b.WriteString(strings.Repeat(" ", usageMore) + l + "\n")
		}
	}
	b.WriteString(usageTail)
	return b.String()
}

// lookup finds the command named by the first words of args and returns it with the arguments
// after its name; it returns nil when no command has that name or the arguments do not fit it.
func lookup(args []string) (*command, []string) {
	for i := range commands {
		c := &commands[i]
		words := strings.Fields(c.name)
		if len(args) < len(words) || strings.Join(args[:len(words)], " ") != c.name {
			continue
		}
		rest := args[len(words):]
		if len(rest) < c.minArgs || (c.maxArgs >= 0 && len(rest) > c.maxArgs) {
			return nil, nil
		}
		return c, rest
	}
	return nil, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command; cancelling ctx stops a running server gracefully. It exits 2 with the
// usage on a command it does not know (or whose arguments do not fit) and on a bad configuration.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("passhub", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, usage()) }
	cfgPath := flags.String("config", "", "YAML configuration file")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	args = flags.Args()
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprint(stdout, usage())
		return 0
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		fmt.Fprintf(stderr, "passhub: unknown command %q\n\n%s", strings.Join(args, " "), usage())
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "passhub: configuration is not valid:\n%v\n", err)
		return 2
	}
	e := &cmdEnv{args: rest, cfg: cfg, log: setupLogging(cfg, stderr), stdout: stdout}
	if !cmd.standalone {
		a, err := app.New(ctx, cfg, e.log)
		if err != nil {
			e.log.Error("cannot start", "err", err)
			return 1
		}
		defer a.Close()
		e.app = a
	}
	if err := cmd.run(ctx, e); err != nil {
		e.log.Error(args[0]+" failed", "err", err)
		return 1
	}
	return 0
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
