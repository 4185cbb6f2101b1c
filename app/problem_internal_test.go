package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestClientGoneIsNotAServerError: when the client has gone, whatever the
// error says (SQLite's "interrupted (9)", pgx's i/o timeout, a plain
// context.Canceled), the request is recorded as 499 and logged below
// error level, with no error page rendered; with the client still there
// the same errors are what they were.
func TestClientGoneIsNotAServerError(t *testing.T) {
	var logged bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	e := echo.New()
	for _, err := range []error{errors.New("models: contact 4: interrupted (9)"), context.Canceled,
		errors.New("models: user 1: write failed: write tcp 127.0.0.1:5432: i/o timeout")} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/contacts/4", nil).WithContext(ctx), rec)
		s.handleError(err, c)
		if rec.Code != 499 || rec.Body.Len() != 0 {
			t.Errorf("%v, client gone: %d %q", err, rec.Code, rec.Body.String())
		}
	}
	// A refusal is still sent: a client that only closed its sending
	// side may be reading.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodPost, "/api/v1/contacts", nil).WithContext(ctx), rec)
	s.handleError(echo.NewHTTPError(http.StatusBadRequest, "The request body ended before its stated length."), c)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("a 400 for a client that closed its side: %d", rec.Code)
	}
	if logged.Len() != 0 {
		t.Errorf("a client going away was logged at info or above:\n%s", logged.String())
	}

	rec = httptest.NewRecorder()
	c = e.NewContext(httptest.NewRequest(http.MethodGet, "/api/v1/contacts/4", nil), rec)
	s.handleError(errors.New("models: contact 4: interrupted (9)"), c)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("the same error with the client there: %d", rec.Code)
	}
}
