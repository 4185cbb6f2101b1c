package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/notes"
)

// keyFactsData reads a contact's key facts for the card.
func (s *Server) keyFactsData(c echo.Context, contactID int64) (notes.KeyFactsData, error) {
	a, _ := actorOf(c)
	kf, err := s.db.KeyFacts(c.Request().Context(), a, contactID)
	if err != nil {
		return notes.KeyFactsData{}, err
	}
	return notes.KeyFactsData{ContactID: contactID, Facts: kf, CanWrite: a.CanWrite(), Location: userLocation(userOf(c)),
		Draft: kf.Body, Version: kf.Version}, nil
}

// contactKeyFacts is the key facts card of a contact's page.
func (s *Server) contactKeyFacts(c echo.Context, contactID int64) (templ.Component, error) {
	d, err := s.keyFactsData(c, contactID)
	if err != nil {
		return nil, err
	}
	return notes.KeyFactsCard(s.page(c, "", "contacts"), d), nil
}

// renderKeyFacts answers with the card: the fragment for htmx, else a page
// of its own with the real status.
func (s *Server) renderKeyFacts(c echo.Context, status int, d notes.KeyFactsData) error {
	p := s.page(c, "Key facts", "contacts")
	if isHTMX(c) {
		return s.render(c, http.StatusOK, notes.KeyFactsCard(p, d))
	}
	return s.render(c, status, notes.KeyFactsPage(p, d))
}

func keyFactsContactID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// keyFactsShow is the card (Cancel of an edit).
func (s *Server) keyFactsShow(c echo.Context) error {
	id, err := keyFactsContactID(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/contacts/"+c.Param("id"))
	}
	d, err := s.keyFactsData(c, id)
	if err != nil {
		return err
	}
	return s.renderKeyFacts(c, http.StatusOK, d)
}

// keyFactsEdit swaps the card for its form.
func (s *Server) keyFactsEdit(c echo.Context) error {
	id, err := keyFactsContactID(c)
	if err != nil {
		return err
	}
	d, err := s.keyFactsData(c, id)
	if err != nil {
		return err
	}
	d.Editing = true
	return s.renderKeyFacts(c, http.StatusOK, d)
}

// keyFactsSave saves the key facts; a stale version comes back as a
// conflict to merge, as for notes.
func (s *Server) keyFactsSave(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := keyFactsContactID(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil {
		version = -1 // the models explain a missing version
	}
	_, err = s.db.SaveKeyFacts(c.Request().Context(), a, id, body, version)
	var (
		ve *models.ValidationError
		ce *models.ConflictError[models.KeyFacts]
	)
	switch {
	case errors.As(err, &ce):
		d, err := s.keyFactsData(c, id)
		if err != nil {
			return err
		}
		d.Editing, d.Draft, d.Version = true, body, ce.Current.Version
		d.Conflict, d.Diff = ce.Current, models.DiffLines(ce.Current.Body, body)
		return s.renderKeyFacts(c, http.StatusConflict, d)
	case errors.As(err, &ve):
		d, err := s.keyFactsData(c, id)
		if err != nil {
			return err
		}
		d.Editing, d.Draft, d.Version, d.Error = true, body, max(version, 0), firstMessage(ve.Fields)
		return s.renderKeyFacts(c, http.StatusUnprocessableEntity, d)
	case err != nil:
		return err
	}
	if !isHTMX(c) {
		s.setFlash(c, "ok", "Key facts saved.")
		return c.Redirect(http.StatusSeeOther, "/contacts/"+c.Param("id"))
	}
	d, err := s.keyFactsData(c, id)
	if err != nil {
		return err
	}
	return s.renderKeyFacts(c, http.StatusOK, d)
}

// keyFactsHistory lists every save of a contact's key facts.
func (s *Server) keyFactsHistory(c echo.Context) error {
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	revs, err := s.db.KeyFactsHistory(c.Request().Context(), a, ct.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, notes.KeyFactsHistory(s.page(c, "Key facts of "+ct.Name(), "contacts"),
		notes.KeyFactsHistoryData{Contact: ct, Revisions: revs, Location: userLocation(userOf(c))}))
}
