package app

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/notes"
)

// notificationsShow lists the user's notifications, all or mentions only.
func (s *Server) notificationsShow(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	d := notes.NotificationsData{Tab: c.QueryParam("tab"), Location: userLocation(userOf(c))}
	if d.Tab != "mentions" {
		d.Tab = ""
	}
	page, err := s.db.Notifications(ctx, a, false, c.QueryParam("cursor"), 50)
	if err != nil {
		return listError(err)
	}
	d.NextCursor = page.NextCursor
	for _, n := range page.Notifications {
		// The models list every kind; the tab filters the page it got.
		if d.Tab == "mentions" && n.Kind != models.NotificationMention {
			continue
		}
		d.Notifications = append(d.Notifications, n)
	}
	if d.Unread, err = s.db.UnreadCount(ctx, a); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, notes.Notifications(s.page(c, "Notifications", ""), d))
}

// notificationsRead marks one notification read, or all of them.
func (s *Server) notificationsRead(c echo.Context) error {
	a, _ := actorOf(c)
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
	}
	var ids []int64
	for _, raw := range form["id"] {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	if len(form["id"]) > 0 && len(ids) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "That notification does not exist. Reload the page.")
	}
	if err := s.db.MarkRead(c.Request().Context(), a, ids); err != nil {
		return err
	}
	back := "/notifications"
	if form.Get("tab") == "mentions" {
		back += "?" + url.Values{"tab": {"mentions"}}.Encode()
	}
	return c.Redirect(http.StatusSeeOther, back)
}
