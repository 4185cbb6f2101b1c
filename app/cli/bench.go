package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"rapport/app/bench"
)

// benchmark measures the whole system and writes the figures into the
// benchmarks document, replacing the previous figures for the same database.
func benchmark(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("bench", env)
	scale := fs.String("scale", "small", "small (2,000 contacts, minutes) or 1m (1,000,000 contacts and ~10,000,000 timeline items, a 1,000,000-row import)")
	contacts := fs.Int("contacts", 0, "contacts in the data set (overrides --scale)")
	heavy := fs.Int("heavy-items", 10000, "timeline items on the contact whose timeline is paged")
	samples := fs.Int("samples", 300, "timed requests per figure")
	clients := fs.Int("clients", 32, "concurrent clients for the throughput figure")
	duration := fs.Duration("duration", 15*time.Second, "how long the throughput run lasts")
	importRows := fs.Int("import-rows", 0, "rows of the generated CSV timed through the importer, with export and psql \\copy baselines (default 100,000; 1,000,000 at --scale 1m)")
	feedCount := fs.Int("feeds", 0, "feeds polled in one cycle for the feed poll figure (default 1,000; 10,000 at --scale 1m)")
	out := fs.String("out", "docs/BENCHMARKS.md", "file whose section for this database is replaced; empty prints only")
	if err := parse(fs, args); err != nil {
		return err
	}
	n, interactions, rows, nfeeds := *contacts, 5, 100_000, 1000
	switch {
	case n > 0:
	case *scale == "small":
		n = 2000
	case *scale == "1m":
		n, interactions, rows, nfeeds = 1_000_000, 10, 1_000_000, 10_000
	default:
		return usageError{fmt.Sprintf("unknown --scale %q: want small or 1m", *scale)}
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.Logger(env.Stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	if *importRows > 0 {
		rows = *importRows
	}
	if *feedCount > 0 {
		nfeeds = *feedCount
	}
	opts := bench.Options{Contacts: n, Interactions: interactions, ImportRows: rows, HeavyItems: *heavy, Samples: *samples, Clients: *clients, Duration: *duration, Log: env.Stderr,
		Social: bench.SocialOptions{Pushes: 300, Feeds: nfeeds, PostsPerFeed: 3}}
	if opts.Server, err = db.ServerInfo(ctx); err != nil {
		return err
	}
	results, err := bench.Run(ctx, cfg, db, opts)
	if err != nil {
		return err
	}
	table := bench.Markdown(results, db.Dialect(), opts, "rapport bench "+strings.Join(args, " "))
	fmt.Fprintln(env.Stdout, table)
	if *out == "" {
		return nil
	}
	return replaceSection(*out, "bench:"+db.Dialect(), table)
}

// replaceSection puts text between <!-- name --> and <!-- /name --> in
// path, appending the markers when the file has none yet.
func replaceSection(path, name, text string) error {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(b)
	open, end := "<!-- "+name+" -->", "<!-- /"+name+" -->"
	block := open + "\n" + text + "\n" + end
	i, j := strings.Index(doc, open), strings.Index(doc, end)
	if i >= 0 && j > i {
		doc = doc[:i] + block + doc[j+len(end):]
	} else {
		doc = strings.TrimRight(doc, "\n") + "\n\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}
