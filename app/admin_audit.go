package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views"
	"rapport/views/admin"
)

// auditShow is the audit log: newest first, filterable by action and actor,
// keyset-paginated with an opaque "before" cursor.
func (s *Server) auditShow(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	opts := models.AuditListOptions{Action: c.QueryParam("action"), Limit: 50}
	if v := c.QueryParam("actor"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "The person to filter by is not one Rapport knows; choose them again from the list.")
		}
		opts.ActorID = id
	}
	if b := c.QueryParam("before"); b != "" {
		cur, err := parseAuditCursor(b)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The page link is damaged; start again from the first page.")
		}
		opts.Before = cur
	}
	evs, err := s.db.AuditEvents(ctx, a, opts)
	if err != nil {
		return err
	}
	actor, err := s.chosenUser(ctx, opts.ActorID, userPicks[views.ActorPicker.For].choosable)
	if err != nil {
		return err
	}
	if opts.ActorID != 0 && actor.ID == 0 {
		// The filter applies whoever it names; the page must not say
		// "Everyone" above an empty list (a deleted user, an old link).
		actor = models.Participant{ID: opts.ActorID, Name: fmt.Sprintf("Unknown person #%d", opts.ActorID)}
	}
	d := admin.AuditData{Events: evs, Action: opts.Action, Actions: models.AuditActions, Actor: actor, Location: userLocation(userOf(c))}
	if len(evs) == opts.Limit {
		last := evs[len(evs)-1]
		q := url.Values{"before": {fmt.Sprintf("%d-%d", last.OccurredAt.UnixNano(), last.ID)}}
		if opts.Action != "" {
			q.Set("action", opts.Action)
		}
		if opts.ActorID != 0 {
			q.Set("actor", strconv.FormatInt(opts.ActorID, 10))
		}
		d.NextPage = q.Encode()
	}
	if c.Request().Header.Get("Accept") == "application/json" {
		return c.JSON(http.StatusOK, map[string]any{"items": evs, "next": d.NextPage})
	}
	return s.render(c, http.StatusOK, admin.Audit(s.page(c, "Audit log", "settings"), d))
}

func parseAuditCursor(s string) (*models.AuditCursor, error) {
	ns, id, ok := strings.Cut(s, "-")
	if !ok {
		return nil, fmt.Errorf("cursor %q", s)
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("cursor %q", s)
	}
	return &models.AuditCursor{OccurredAt: time.Unix(0, n).UTC(), ID: i}, nil
}

// userLocation is the user's time zone, UTC when unset or unknown.
func userLocation(u *models.User) *time.Location {
	if u != nil {
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}
