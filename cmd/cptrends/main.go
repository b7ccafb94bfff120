// Command cptrends serves the child protection trends dashboard and manages
// its database: import, backup and user accounts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // dates in UK time wherever the binary runs
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the program, with its standard streams and environment, so that
// tests can run it whole in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, if set, receives the address serve listens on.
	Ready func(addr string)
}

// exitError carries an exit status; its message, if any, is printed.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

const usage = `usage: cptrends COMMAND [--db PATH] [ARGS]

commands:
  serve [--addr HOST:PORT]      serve the dashboard (default 127.0.0.1:8080)
  import [--dry-run] FILE...    validate files and load them as one upload
  user add --name NAME --role viewer|analyst|admin
                                create an account; the password is read from standard input
  backup FILE                   write a consistent copy of the database

--db defaults to $CPTRENDS_DB, else ./cptrends.db. It is an SQLite file, or a
PostgreSQL database given as postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=...,
which several serve processes may share.
`

// Run runs one command and returns the process exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = m.serve(ctx, args[1:])
	case "import":
		err = m.importFiles(ctx, args[1:])
	case "backup":
		err = m.backup(ctx, args[1:])
	case "user":
		err = m.user(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(m.Stderr, "cptrends: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(m.Stderr, "cptrends:", ee.msg)
		}
		return ee.code
	case errors.Is(err, flag.ErrHelp):
		return 2
	default:
		fmt.Fprintln(m.Stderr, "cptrends:", err)
		return 1
	}
}

// flags makes a flag set for a command, with the --db flag every command takes.
func (m *Main) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("cptrends "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	def := m.Getenv("CPTRENDS_DB")
	if def == "" {
		def = "cptrends.db"
	}
	db := fs.String("db", def, "database: an SQLite file, or a postgres://USER@HOST/DB?sslmode=... URL (default $CPTRENDS_DB, else ./cptrends.db)")
	return fs, db
}

// parse parses flags wherever they stand among the arguments, so that
// "import a.csv --dry-run" works as well as "import --dry-run a.csv".
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			// The flag package has printed the error and the usage; a bad
			// flag is a usage error, status 2, like a missing argument.
			return nil, &exitError{code: 2}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}
