package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// contactsBulk applies one action to the ticked contacts of the list.
func (s *Server) contactsBulk(c echo.Context) error {
	a, _ := actorOf(c)
	vals, _ := c.FormParams()
	var ids []int64
	for _, raw := range vals["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The selection is damaged; select the contacts again.")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		s.setFlash(c, "warn", "Tick the contacts first, then choose what to do with them.")
		return c.Redirect(http.StatusSeeOther, "/contacts")
	}
	action := c.FormValue("action")
	if action == "export" {
		q := url.Values{"format": {"csv"}}
		for _, id := range ids {
			q.Add("id", strconv.FormatInt(id, 10))
		}
		return c.Redirect(http.StatusSeeOther, "/export/contacts?"+q.Encode())
	}
	if action == models.BulkDelete && c.FormValue("confirm") != "yes" {
		s.setFlash(c, "warn", "Nothing was deleted: tick “Yes, delete them” to confirm.")
		return c.Redirect(http.StatusSeeOther, "/contacts")
	}
	owner, _ := strconv.ParseInt(c.FormValue("owner_id"), 10, 64)
	n, err := s.db.BulkUpdateContacts(c.Request().Context(), a, ids, models.BulkAction{Kind: action, Tag: c.FormValue("tag"), OwnerID: owner})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		s.setFlash(c, "error", firstMessage(ve.Fields))
		return c.Redirect(http.StatusSeeOther, "/contacts")
	}
	if err != nil {
		return err
	}
	verb := map[string]string{models.BulkTag: "tagged", models.BulkUntag: "untagged", models.BulkOwner: "reassigned", models.BulkDelete: "deleted"}[action]
	s.setFlash(c, "ok", fmt.Sprintf("%d of %d selected contacts %s.", n, len(ids), verb))
	return c.Redirect(http.StatusSeeOther, "/contacts")
}
