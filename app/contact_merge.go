package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/contacts"
)

// duplicatesList lists likely duplicate pairs.
func (s *Server) duplicatesList(c echo.Context) error {
	a, _ := actorOf(c)
	page, err := s.db.DuplicatePairs(c.Request().Context(), a, c.QueryParam("cursor"), 25)
	if err != nil {
		return listError(err)
	}
	return s.render(c, http.StatusOK, contacts.Duplicates(s.page(c, "Likely duplicates", "contacts"),
		contacts.DuplicatesData{Pairs: page.Pairs, NextCursor: page.NextCursor}))
}

// mergeShow compares two contacts for a merge.
func (s *Server) mergeShow(c echo.Context) error {
	return s.renderMerge(c, http.StatusOK, c.QueryParam("a"), c.QueryParam("b"), nil)
}

func (s *Server) renderMerge(c echo.Context, status int, aID, bID string, errs map[string]string) error {
	ctx := c.Request().Context()
	actor, _ := actorOf(c)
	var pair [2]*models.Contact
	for i, raw := range []string{aID, bID} {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Choose two contacts to compare.")
		}
		if pair[i], err = s.db.Contact(ctx, actor, id); err != nil {
			return err
		}
	}
	if pair[0].ID == pair[1].ID {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose two different contacts to compare.")
	}
	owners := map[int64]string{}
	var facts [2]string
	for i, ct := range pair {
		if ct.OwnerID != nil {
			if u, err := s.db.UserByID(ctx, *ct.OwnerID); err == nil {
				owners[u.ID] = u.Name
			}
		}
		kf, err := s.db.KeyFacts(ctx, actor, ct.ID)
		if err != nil {
			return err
		}
		facts[i] = kf.Body
	}
	return s.render(c, status, contacts.Merge(s.page(c, "Merge contacts", "contacts"),
		contacts.MergeData{A: pair[0], B: pair[1], Owners: owners, FactsA: facts[0], FactsB: facts[1], Errors: errs}))
}

// mergeSave merges the contact not kept into the one kept, taking each
// field from the side the person chose.
func (s *Server) mergeSave(c echo.Context) error {
	actor, _ := actorOf(c)
	ids := map[string]int64{}
	for _, k := range []string{"a", "b", "a_version", "b_version"} {
		n, err := strconv.ParseInt(c.FormValue(k), 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The merge form is incomplete. Open the comparison again.")
		}
		ids[k] = n
	}
	keep, drop := "a", "b"
	if c.FormValue("keep") == "b" {
		keep, drop = "b", "a"
	}
	req := models.MergeRequest{SurvivorID: ids[keep], LoserID: ids[drop], SurvivorVersion: ids[keep+"_version"],
		LoserVersion: ids[drop+"_version"], Take: map[string]string{}}
	for _, f := range models.MergeFields {
		if c.FormValue("take_"+f) == drop {
			req.Take[f] = "loser"
		}
	}
	switch c.FormValue("take_key_facts") {
	case keep:
		req.Take["key_facts"] = "survivor"
	case drop:
		req.Take["key_facts"] = "loser"
	}
	m, err := s.db.MergeContacts(c.Request().Context(), actor, req)
	var ve *models.ValidationError
	switch {
	case errors.Is(err, models.ErrConflict):
		s.setFlash(c, "warn", "One of the contacts changed while you were comparing. Here they are as they are now; choose again.")
		return c.Redirect(http.StatusSeeOther, "/contacts/merge?a="+c.FormValue("a")+"&b="+c.FormValue("b"))
	case errors.As(err, &ve):
		return s.renderMerge(c, http.StatusUnprocessableEntity, c.FormValue("a"), c.FormValue("b"), ve.Fields)
	case err != nil:
		return err
	}
	s.setFlash(c, "ok", "Merged. Everything from both contacts is on this one now; you can undo the merge below.")
	return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(m.SurvivorID, 10))
}

// mergeUndo reverses a merge.
func (s *Server) mergeUndo(c echo.Context) error {
	actor, _ := actorOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	m, err := s.db.UndoMerge(c.Request().Context(), actor, id)
	switch {
	case errors.Is(err, models.ErrMergeChangedSince):
		return echo.NewHTTPError(http.StatusConflict, "This contact was edited after the merge, so undoing it would lose those edits. Split the contacts by hand instead.")
	case errors.Is(err, models.ErrConflict):
		return echo.NewHTTPError(http.StatusConflict, "This merge was already undone.")
	case err != nil:
		return err
	}
	s.setFlash(c, "ok", "Merge undone: both contacts are back as they were.")
	return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(m.SurvivorID, 10))
}
