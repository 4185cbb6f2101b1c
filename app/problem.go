package app

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views"
)

// Problem is an RFC 9457 problem detail, the body of every API error.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"`
	// Current carries the stored version of a record on a 409 conflict, so a
	// client can show both sides.
	Current any `json:"current,omitempty"`
}

// conflictError is a 409 that carries the current version of a record.
type conflictError struct {
	msg     string
	current any
}

func (e *conflictError) Error() string { return e.msg }

// problemFor classifies any error a handler returns into a status and a
// message a person can act on. Only 5xx errors are logged with their cause.
func problemFor(err error) Problem {
	var (
		he  *echo.HTTPError
		ve  *models.ValidationError
		ce  *conflictError
		ne  net.Error
		msg string
	)
	switch {
	case errors.As(err, &ve):
		return Problem{Status: http.StatusUnprocessableEntity, Detail: "Some fields need attention.", Errors: ve.Fields}
	case errors.As(err, &ce):
		return Problem{Status: http.StatusConflict, Detail: ce.msg, Current: ce.current}
	case errors.As(err, &he):
		if m, ok := he.Message.(string); ok && m != http.StatusText(he.Code) {
			msg = m
		}
		if he.Code == http.StatusRequestEntityTooLarge && msg == "" {
			// echo's body limit says only the status; an upload's own
			// limit says which and what to do.
			msg = "The request is larger than this server accepts."
		}
		return Problem{Status: he.Code, Detail: msg}
	case errors.Is(err, models.ErrNotFound):
		return Problem{Status: http.StatusNotFound}
	case errors.Is(err, models.ErrForbidden):
		return Problem{Status: http.StatusForbidden, Detail: "You are not allowed to do this."}
	case errors.Is(err, models.ErrConflict):
		return Problem{Status: http.StatusConflict, Detail: "Someone changed this record since you opened it. Reload and try again."}
	case models.IsUniqueViolation(err):
		// A model that expects a race answers it itself; one that slips
		// through is still the same thing saved twice at once, not a fault.
		return Problem{Status: http.StatusConflict, Detail: "The same thing was saved by someone else at the same moment. Reload and try again."}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, driver.ErrBadConn), errors.As(err, &ne),
		strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "the database system is"):
		return Problem{Status: http.StatusServiceUnavailable, Detail: "The database is not answering right now. Try again in a moment."}
	}
	return Problem{Status: http.StatusInternalServerError, Detail: "Something went wrong on our side. It has been logged; try again, and tell an admin if it keeps happening."}
}

// handleError is echo's error handler: problem JSON on the API and for htmx,
// an error page that looks like the app elsewhere.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problemFor(err)
	if p.Status >= 500 && c.Request().Context().Err() != nil {
		// The client went away (a closed tab, a cancelled upload) and its
		// query was stopped: no one reads an answer, and it is no fault of
		// the server's. 499 is the status proxies log for it. The
		// request's own context says so (the timeout middleware has handed
		// it back by now); the error may not: SQLite reports the stopped
		// query as "interrupted (9)", pgx as an i/o timeout. A 4xx is still
		// sent: a client that only closed its sending side (a body cut
		// short) may be reading.
		s.log.Debug("client closed the request", "path", c.Request().URL.Path, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		c.Response().WriteHeader(499)
		return
	}
	p.Title = http.StatusText(p.Status)
	p.Type = "about:blank"
	if p.Detail == "" && p.Status == http.StatusNotFound {
		p.Detail = "There is nothing here, or you may not see it."
	}
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 {
		s.log.Error("request failed", "err", err, "path", p.Instance, "request_id", p.RequestID)
	}
	if p.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
	}
	if isAPI(c) || isHTMX(c) || strings.Contains(c.Request().Header.Get("Accept"), "application/problem+json") {
		_ = c.Blob(p.Status, "application/problem+json", mustJSON(p))
		return
	}
	title := p.Title
	switch p.Status {
	case http.StatusNotFound:
		title = "Page not found"
	case http.StatusInternalServerError:
		title = "Something went wrong"
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	if err := s.render(c, p.Status, views.ErrorPage(s.page(c, title, ""), p.Status, title, p.Detail)); err != nil {
		s.log.Error("render error page", "err", err, "request_id", p.RequestID)
		_ = c.String(p.Status, p.Title+": "+p.Detail)
	}
}

// render writes a component as a whole page. It renders into a buffer first
// so a failing template yields an error page, not half a page with 200.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// ctxPage holds the request's views.Page once page has built it.
const ctxPage = "page"

// page collects what the layout needs for the current request. A page is
// built from several fragments that each ask for it (the contact page five
// times), so the per-user part — the navigation counts and the flash, which
// may be taken only once — is read on the first call and reused after.
func (s *Server) page(c echo.Context, title, nav string) views.Page {
	p, ok := c.Get(ctxPage).(views.Page)
	if !ok {
		p = s.pageChrome(c)
		c.Set(ctxPage, p)
	}
	p.Title, p.Nav = title, nav
	return p
}

// pageChrome reads what every page of the request shares.
func (s *Server) pageChrome(c echo.Context) views.Page {
	p := views.Page{Version: s.version}
	if tok, ok := c.Get("csrf").(string); ok {
		p.CSRFToken = tok
	}
	if u := userOf(c); u != nil {
		p.User = &views.Viewer{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), Departments: u.DepartmentNames()}
		if a, ok := actorOf(c); ok {
			s.navCounts(c, a, u, &p)
		}
	}
	if c.Get(ctxSession) == nil {
		return p // assets and probes run without a session
	}
	if f := s.sessions.PopString(c.Request().Context(), sessFlash); f != "" {
		kind, msg, _ := strings.Cut(f, "\x00")
		p.Flash = &views.Flash{Kind: kind, Message: msg}
	}
	return p
}

// navCounts fills the navigation's badges: unread notifications, the
// user's own overdue tasks (not their departments' queues: the badge says
// what is theirs to do) and the open Inbox items they may see. Each is one
// indexed count that stops at models.NavCountCap. A failure must not take
// the page down: a count is a hint, so it is logged and left out.
func (s *Server) navCounts(c echo.Context, a models.Actor, u *models.User, p *views.Page) {
	ctx := c.Request().Context()
	var err error
	if p.Unread, err = s.db.UnreadCount(ctx, a); err != nil {
		s.log.Warn("navigation: unread count", "err", err)
	}
	if p.Overdue, err = s.db.OverdueCount(ctx, a, userLocation(u)); err != nil {
		s.log.Warn("navigation: overdue count", "err", err)
	}
	if p.Inbox, err = s.db.OpenInboxBadge(ctx, a); err != nil {
		s.log.Warn("navigation: open Inbox count", "err", err)
	}
}
