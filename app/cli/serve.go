package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"rapport/app"
)

// serve runs the web application until SIGINT or SIGTERM, then lets
// in-flight requests and background jobs finish.
func serve(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("serve", env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	log := cfg.Logger(os.Stderr)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (RAPPORT_ADDR): %w", cfg.Addr, err)
	}
	srv := app.New(app.Deps{Config: cfg, DB: db, Logger: log, Version: Version})
	defer srv.Close()
	log.Info("Rapport is running", "url", cfg.BaseURL, "listen", ln.Addr().String(), "database", db.Dialect(), "version", Version)
	fmt.Fprintf(env.Stdout, "Rapport %s is running at %s (database: %s). Press Ctrl+C to stop.\n", Version, cfg.BaseURL, db.Dialect())
	return srv.Serve(ctx, ln)
}
