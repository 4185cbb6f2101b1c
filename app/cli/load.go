package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"rapport/app/bench"
)

// loadTest drives a bounded mixed workload at a separate Rapport process.
func loadTest(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("load", env)
	contacts := fs.Int("contacts", 2000, "contacts the database should hold (generated when short)")
	clients := fs.Int("clients", 64, "concurrent clients")
	duration := fs.Duration("duration", 5*time.Minute, "how long the load runs (it always stops by itself)")
	out := fs.String("out", "docs/BENCHMARKS.md", "file whose load section for this database is replaced; empty prints only")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > time.Hour {
		return usageError{"--duration must be between 1s and 1h"}
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.Logger(env.Stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	opts := bench.LoadOptions{Binary: self, DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Contacts: *contacts,
		Clients: *clients, Duration: *duration, Log: env.Stderr}
	if opts.Server, err = db.ServerInfo(ctx); err != nil {
		return err
	}
	res, err := bench.Load(ctx, db, opts)
	if err != nil {
		return err
	}
	table := bench.LoadMarkdown(res, db.Dialect(), opts, "rapport load "+strings.Join(args, " "))
	fmt.Fprintln(env.Stdout, table)
	if res.Errors > 0 {
		defer fmt.Fprintf(env.Stderr, "load: %d requests failed\n", res.Errors)
	}
	if *out == "" {
		return nil
	}
	return replaceSection(*out, "load:"+db.Dialect(), table)
}
