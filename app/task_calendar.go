package app

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/tasks"
)

// calendarTokenSave makes a new calendar feed link (shown once, on the
// page this answers) or turns the feed off.
func (s *Server) calendarTokenSave(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	if c.FormValue("action") == "revoke" {
		if err := s.db.RevokeCalendarToken(ctx, a); err != nil {
			return err
		}
		s.setFlash(c, "ok", "The calendar link is turned off.")
		return c.Redirect(http.StatusSeeOther, "/tasks")
	}
	_, secret, err := s.db.CreateCalendarToken(ctx, a)
	if err != nil {
		return err
	}
	d, err := s.tasksData(c)
	if err != nil {
		return err
	}
	d.CalendarURL = s.cfg.BaseURL + "/calendar/" + secret + ".ics"
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, tasks.Page(s.page(c, "My tasks", "tasks"), d))
}

// calendarFeed serves a calendar secret's feed. It runs without a session;
// an unknown or revoked secret is a plain 404.
func (s *Server) calendarFeed(c echo.Context) error {
	secret, ok := strings.CutSuffix(c.Param("secret"), ".ics")
	if !ok || secret == "" {
		return echo.ErrNotFound
	}
	ts, u, err := s.db.CalendarTasks(c.Request().Context(), secret)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(models.RenderICS(ts, userLocation(u))))
}
