package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"rapport/app"
	"rapport/app/feeds"
	"rapport/app/importer"
	"rapport/app/jobs"
	"rapport/app/metrics"
	"rapport/app/reminders"
)

// serve runs the web application and the background job workers until
// SIGINT or SIGTERM (or ctx ends). Then the HTTP server stops accepting,
// in-flight requests finish, and running jobs are handed back to the queue
// for the next start — all within the shutdown timeout.
func serve(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("serve", env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	log := cfg.Logger(env.Stderr)
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
	m := metrics.New(db, log)
	runner := jobs.New(db, jobs.Options{Workers: cfg.Workers, Logger: log, Observe: m.ObserveJob})
	runner.Register(importer.Kind, importer.New(db, importer.Options{Logger: log}).Handler())
	reminders.Register(ctx, db, runner, log)
	feeds.Register(ctx, db, runner, cfg, Version, log)
	srv := app.New(app.Deps{Config: cfg, DB: db, Logger: log, Version: Version, Jobs: runner, Metrics: m})
	defer srv.Close()

	jobsDone := make(chan error, 1)
	if cfg.Workers > 0 {
		go func() { jobsDone <- runner.Run(ctx) }()
	} else {
		jobsDone <- nil
	}
	log.Info("Rapport is running", "url", cfg.BaseURL, "listen", ln.Addr().String(), "database", db.Dialect(),
		"workers", cfg.Workers, "version", Version)
	fmt.Fprintf(env.Stdout, "Rapport %s is running at %s (listening on %s, database: %s). Press Ctrl+C to stop.\n",
		Version, cfg.BaseURL, ln.Addr(), db.Dialect())

	serveErr := srv.Serve(ctx, ln)
	stop() // an HTTP failure stops the workers too
	select {
	case err := <-jobsDone:
		if err != nil && serveErr == nil {
			serveErr = fmt.Errorf("job runner: %w", err)
		}
	case <-time.After(cfg.ShutdownTimeout):
		log.Warn("background jobs did not stop within the shutdown timeout; their leases will expire and another start resumes them")
	}
	log.Info("Rapport stopped")
	return serveErr
}
