// Package app is Rapport's HTTP application: server set-up, every route,
// middleware and the handlers. Handlers are thin: they parse the request,
// call models (or a domain package such as jobs) and render a view or JSON.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"rapport/app/config"
	"rapport/app/jobs"
	"rapport/app/metrics"
	"rapport/models"
)

// Server holds what every handler needs. It is built once in New and passed
// nowhere else: there are no package globals.
type Server struct {
	cfg      *config.Config
	db       *models.DB
	log      *slog.Logger
	sessions *scs.SessionManager
	store    models.SessionStore
	jobs     *jobs.Runner
	metrics  *metrics.Metrics
	version  string
	echo     *echo.Echo

	// sessionLoader loads the sessions that sessions then reads and
	// commits (see loadSession).
	sessionLoader *scs.SessionManager

	// setupDone caches that a first user exists; once true it stays true, so
	// the check costs a query only until setup is complete.
	setupDone atomic.Bool
}

// Deps are the Server's dependencies.
type Deps struct {
	Config  *config.Config
	DB      *models.DB
	Logger  *slog.Logger
	Version string
	// Jobs is the process's job runner; handlers enqueue work and wake it.
	// Nil in tests that need no background work.
	Jobs *jobs.Runner
	// Metrics collects this process's Prometheus metrics; New makes one
	// when nil.
	Metrics *metrics.Metrics
}

// New builds the server and registers every route.
func New(d Deps) *Server {
	s := &Server{cfg: d.Config, db: d.DB, log: d.Logger, version: d.Version, jobs: d.Jobs, metrics: d.Metrics}
	if s.metrics == nil {
		s.metrics = metrics.New(d.DB, d.Logger)
	}
	s.store = d.DB.SessionStore()
	s.sessions = newSessionManager(s.store, d.Config)
	s.sessionLoader = sessionLoader(s.sessions)
	s.echo = echo.New()
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor = echo.ExtractIPDirect()
	s.routes()
	return s
}

// Handler returns the whole application as an http.Handler, for tests.
func (s *Server) Handler() http.Handler { return s.echo }

// Close releases what New started.
func (s *Server) Close() { s.store.StopCleanup() }

// Serve answers requests on ln until ctx is cancelled, then stops accepting
// connections and gives in-flight requests the configured shutdown timeout to
// finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		// Long uploads and streamed exports extend their own deadlines with
		// http.ResponseController; everything else must be quick.
		ReadTimeout:  2 * time.Minute,
		WriteTimeout: 2 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:  func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down HTTP server", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
