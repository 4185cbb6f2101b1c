package cli

import (
	"context"
	"fmt"

	"rapport/app/demo"
)

// demoData fills the database with sample contacts and histories.
func demoData(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("demo", env)
	contacts := fs.Int("contacts", 500, "how many contacts to create")
	interactions := fs.Int("interactions", 8, "interactions per contact, on average")
	heavy := fs.Int("heavy-items", 0, "also make one contact with this many timeline items (10000 to try long histories)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same data")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *contacts < 0 || *interactions < 0 {
		return usageError{"--contacts and --interactions must not be negative"}
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.Logger(env.Stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := demo.Generate(ctx, db, demo.Options{Contacts: *contacts, InteractionsPerItem: *interactions, HeavyItems: *heavy, Seed: *seed, Progress: env.Stderr}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created %d demo contacts with their histories in %s\n", *contacts, db.Dialect())
	return nil
}
