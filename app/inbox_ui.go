package app

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/social"
)

// inboxEnv gathers what every Inbox card needs: the clock, the target,
// and for writers the departments an item can be assigned to (a person is
// found by the card's search, as few or many as there are).
func (s *Server) inboxEnv(c echo.Context) (social.Env, error) {
	a, _ := actorOf(c)
	e := social.Env{Now: time.Now(), Target: s.cfg.InboxTarget, Location: userLocation(userOf(c)), CanWrite: a.CanWrite()}
	if !e.CanWrite {
		return e, nil
	}
	var err error
	e.Departments, err = s.db.Departments(c.Request().Context())
	return e, err
}

// inboxTabOptions turns a tab of the Inbox page into the query behind it.
func inboxTabOptions(tab string, departmentID int64) models.InboxOptions {
	switch tab {
	case "mine":
		return models.InboxOptions{Status: models.InboxOpen, Assignee: "me"}
	case "department":
		return models.InboxOptions{Status: models.InboxOpen, Assignee: "department:" + strconv.FormatInt(departmentID, 10)}
	case "replied":
		return models.InboxOptions{Status: models.InboxReplied}
	case "closed":
		return models.InboxOptions{Status: models.InboxClosed}
	}
	return models.InboxOptions{Status: models.InboxOpen}
}

func (s *Server) inboxShow(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	d := social.InboxData{Tab: c.QueryParam("tab")}
	if !slices.ContainsFunc(social.Tabs, func(t social.Tab) bool { return t.Key == d.Tab }) {
		d.Tab = "open"
	}
	var err error
	if d.Tab == "department" {
		if d.Departments, err = s.db.DepartmentsByID(ctx, a.DepartmentIDs); err != nil {
			return err
		}
		want, _ := strconv.ParseInt(c.QueryParam("department"), 10, 64)
		for _, dep := range d.Departments {
			if dep.ID == want || d.DepartmentID == 0 {
				d.DepartmentID = dep.ID
			}
		}
	}
	if d.Env, err = s.inboxEnv(c); err != nil {
		return err
	}
	if d.Tab != "department" || d.DepartmentID != 0 {
		opts := inboxTabOptions(d.Tab, d.DepartmentID)
		opts.Cursor = c.QueryParam("cursor")
		page, err := s.db.Inbox(ctx, a, opts)
		if err != nil {
			return err
		}
		d.Items, d.NextCursor = page.Items, page.NextCursor
	}
	p := s.page(c, "Inbox", "inbox")
	if isHTMX(c) && c.QueryParam("cursor") != "" {
		return s.render(c, http.StatusOK, social.Cards(p, d))
	}
	return s.render(c, http.StatusOK, social.InboxPage(p, d))
}

// inboxAction applies change to the Inbox item in the path, made against
// the form's version, and answers the item's card (htmx) or the Inbox.
func (s *Server) inboxAction(c echo.Context, done string,
	change func(ctx context.Context, a models.Actor, id, version int64) (*models.InboxItem, error)) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form is missing the item's version. Reload the page and try again.")
	}
	a, _ := actorOf(c)
	it, err := change(c.Request().Context(), a, id, version)
	var stale *models.ConflictError[models.InboxItem]
	var ve *models.ValidationError
	switch {
	case errors.As(err, &stale):
		return &conflictError{msg: "Someone changed this item since you opened the page. Reload to see it as it is now.", current: nil}
	case errors.As(err, &ve):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, formMessages(ve))
	case err != nil:
		return err
	}
	if !isHTMX(c) {
		s.setFlash(c, "ok", done)
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	e, err := s.inboxEnv(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, social.Card(s.page(c, "", ""), e, *it))
}

// formMessages joins a validation error's messages into one sentence list
// for a form answered without its page (htmx shows it as the flash).
func formMessages(ve *models.ValidationError) string {
	keys := make([]string, 0, len(ve.Fields))
	for k := range ve.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = ve.Fields[k]
	}
	return strings.Join(msgs, " ")
}

func (s *Server) inboxAssignUI(c echo.Context) error {
	var req models.InboxAssign
	if v := c.FormValue("assignee"); v != "" {
		kind, raw, _ := strings.Cut(v, ":")
		id, err := strconv.ParseInt(raw, 10, 64)
		switch {
		case err != nil:
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose whom to assign it to from the list.")
		case kind == "user":
			req.UserID = &id
		case kind == "department":
			req.DepartmentID = &id
		default:
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose whom to assign it to from the list.")
		}
	}
	return s.inboxAction(c, "Assigned.", func(ctx context.Context, a models.Actor, id, version int64) (*models.InboxItem, error) {
		req.Version = version
		return s.db.AssignInboxItem(ctx, a, id, req)
	})
}

func (s *Server) inboxReplyUI(c echo.Context) error {
	r := models.InboxReply{Text: c.FormValue("text"), URL: strings.TrimSpace(c.FormValue("url"))}
	return s.inboxAction(c, "Reply logged.", func(ctx context.Context, a models.Actor, id, version int64) (*models.InboxItem, error) {
		r.Version = version
		return s.db.ReplyInboxItem(ctx, a, id, r)
	})
}

func (s *Server) inboxCloseUI(c echo.Context) error {
	reason := strings.TrimSpace(c.FormValue("reason"))
	return s.inboxAction(c, "Closed.", func(ctx context.Context, a models.Actor, id, version int64) (*models.InboxItem, error) {
		return s.db.CloseInboxItem(ctx, a, id, version, reason)
	})
}

func (s *Server) inboxReopenUI(c echo.Context) error {
	return s.inboxAction(c, "Reopened.", s.db.ReopenInboxItem)
}

// homeInbox is the home page's list of open Inbox items assigned to the
// reader or to one of their departments, longest waiting first.
func (s *Server) homeInbox(c echo.Context) (templ.Component, error) {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	assignees := []string{"me"}
	for _, id := range a.DepartmentIDs {
		assignees = append(assignees, "department:"+strconv.FormatInt(id, 10))
	}
	var items []models.InboxItem
	for _, as := range assignees {
		page, err := s.db.Inbox(ctx, a, models.InboxOptions{Status: models.InboxOpen, Assignee: as, Limit: 10})
		if err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
	}
	slices.SortFunc(items, func(x, y models.InboxItem) int { return x.PublishedAt.Compare(y.PublishedAt) })
	if len(items) == 0 {
		return nil, nil // nothing waiting: the home page stays as it was
	}
	if len(items) > 10 {
		items = items[:10]
	}
	e := social.Env{Now: time.Now(), Target: s.cfg.InboxTarget, Location: userLocation(userOf(c))}
	return social.HomeSection(e, items), nil
}
