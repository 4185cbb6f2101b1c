// Package cli is Rapport's command line: one binary whose subcommands serve
// the web application, migrate, and let operators and scripts set Rapport up
// without a browser. Every command that opens the database migrates it first.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"rapport/app/config"
	"rapport/models"
)

// Version is set at build time with -ldflags "-X rapport/app/cli.Version=…".
var Version = "dev"

// Env is what a command may touch: arguments, standard streams and the
// environment, passed in so tests can drive commands without a process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "rapport serve [flags]", "run the web application (the default)", serve},
		{"migrate", "rapport migrate [flags]", "apply pending database migrations and report the schema version", migrate},
		{"version", "rapport version", "print the version", version},
		{"user", "rapport user create|list|password [flags]", "manage users from the command line", user},
		{"token", "rapport token create --email E --name N [--expires 2027-01-31]", "create a personal API token", token},
		{"config", "rapport config", "print the configuration settings as a Markdown table", printConfig},
		{"bench", "rapport bench [--scale small] [--out docs/BENCHMARKS.md]", "measure search, contact pages and timelines over HTTP and record the figures", benchmark},
		{"export", "rapport export --as EMAIL [--format csv|vcard] [--query Q] [--tag T] [--columns a,b] [--excel] [-o FILE]", "write the contacts a user may see as CSV or vCard", exportContacts},
		{"import", "rapport import --as EMAIL [--mapping NAME|auto] [--on-duplicate skip|fill|overwrite] [--match-name-company] [--dry-run] FILE", "import contacts from a CSV or vCard file as a user", importContacts},
		{"load", "rapport load [--clients 64] [--duration 5m] [--contacts 2000]", "run a bounded mixed load at a separate Rapport process on loopback and record it", loadTest},
		{"demo", "rapport demo [--contacts 500] [--interactions 8] [--seed 1]", "fill the database with sample contacts and histories", demoData},
	}
}

// usageError is a mistake in the command line; Main prints usage for it.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs the command named by args and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		printUsage(env.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, env, args)
			var ue usageError
			var ce *config.Error
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.As(err, &ue):
				fmt.Fprintf(env.Stderr, "rapport %s: %s\nusage: %s\n", name, ue.msg, c.usage)
				return 2
			case errors.As(err, &ce):
				fmt.Fprintf(env.Stderr, "rapport: %s\n", ce)
				return 2
			default:
				fmt.Fprintf(env.Stderr, "rapport %s: %s\n", name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(env.Stderr, "rapport: unknown command %q\n", name)
	printUsage(env.Stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Rapport — one timeline per customer, shared across departments.\n\nCommands:")
	cs := commands()
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'rapport COMMAND -h' for a command's flags. Settings come from RAPPORT_* environment variables; flags override them.")
}

// flags makes a command's flag set with every configuration setting on it.
func flags(name string, env Env) (*flag.FlagSet, *config.Config) {
	fs := flag.NewFlagSet("rapport "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs, config.Register(fs, env.Getenv)
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// openDB resolves the configuration, opens the database and migrates it.
func openDB(ctx context.Context, cfg *config.Config, log *slog.Logger) (*models.DB, error) {
	db, err := models.Open(ctx, cfg.DatabaseURL, models.Options{Logger: log, MaxOpenConns: cfg.DBMaxConns})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openAs resolves the configuration, opens and migrates the database, and
// finds the user a command acts as: commands that read or write contacts
// do so as a person, so that person's visibility and role apply.
func openAs(ctx context.Context, env Env, cfg *config.Config, email string) (*models.DB, *models.User, error) {
	if err := cfg.Resolve(); err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, cfg, cfg.Logger(env.Stderr))
	if err != nil {
		return nil, nil, err
	}
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("no user with email %s", email)
	}
	return db, u, nil
}

func version(_ context.Context, env Env, _ []string) error {
	fmt.Fprintf(env.Stdout, "rapport %s\n", Version)
	return nil
}

func printConfig(_ context.Context, env Env, _ []string) error {
	fmt.Fprint(env.Stdout, config.MarkdownTable())
	return nil
}

func migrate(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("migrate", env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	log := cfg.Logger(env.Stderr)
	db, err := models.Open(ctx, cfg.DatabaseURL, models.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s schema at version %d (applied %d now)\n", db.Dialect(), st.Current, len(st.Applied))
	return nil
}
