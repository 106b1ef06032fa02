// Command kepu runs the Kepu science-popularization platform. Each subcommand lives in its
// own file and only wires packages together.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// usage is printed by `kepu help` and on an unknown subcommand.
const usage = `kepu — the science-popularization network platform

Usage: kepu <command> [flags]

Commands:
  serve     run the web server (creates and migrates the embedded database on first start)
  migrate   apply pending database migrations
  user      add, list and change accounts (kepu user help)
  regions   load, show, export and import the division tree (kepu regions help)
  registry  import, export and template of registry records (kepu registry help)
  demo      fill a database with a synthetic demo network
  report    write the annual report of a unit and year (HTML, .xlsx appendix; kepu report -h)
  config    print the effective configuration, secrets redacted

Every flag falls back to the environment variable KEPU_<FLAG> (dashes become underscores),
and KEPU_<FLAG>_FILE reads the value from a file. "kepu <command> -h" lists its flags.
`

// app carries what every subcommand writes to; tests replace the streams.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	log    *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(a.run(ctx, os.Args[1:]))
}

// run dispatches a subcommand and returns the process exit code: 0 on success, 1 when the
// command failed, 2 on a usage error.
func (a *app) run(ctx context.Context, args []string) int {
	a.log = newLogger(a.stderr)
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = a.serve(ctx, args[1:])
	case "migrate":
		err = a.migrate(ctx, args[1:])
	case "user":
		err = a.user(ctx, args[1:])
	case "regions":
		err = a.regions(ctx, args[1:])
	case "registry":
		err = a.registry(ctx, args[1:])
	case "demo":
		err = a.demo(ctx, args[1:])
	case "report":
		err = a.report(ctx, args[1:])
	case "config":
		err = a.config(args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(a.stdout, usage)
		return 0
	default:
		fmt.Fprintf(a.stderr, "kepu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintf(a.stderr, "kepu %s: %s\n", args[0], ue.msg)
			return 2
		}
		if err == errHelp {
			return 0
		}
		fmt.Fprintf(a.stderr, "kepu %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// usageError is a mistake in how a command was called (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// newLogger configures log/slog once: text on a terminal, JSON otherwise.
func newLogger(w io.Writer) *slog.Logger {
	var h slog.Handler
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		h = slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	} else {
		h = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	l := slog.New(h)
	slog.SetDefault(l)
	return l
}
