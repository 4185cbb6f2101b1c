package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/social"
)

func (s *Server) watchTermsPage(c echo.Context, status int, form social.TermForm) error {
	terms, err := s.db.WatchTerms(c.Request().Context())
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	d := social.TermsData{Terms: terms, CanAdmin: a.IsAdmin(), Form: form, Location: userLocation(userOf(c))}
	return s.render(c, status, social.TermsPage(s.page(c, "Watch terms", "listening"), d))
}

func (s *Server) watchTermsShow(c echo.Context) error {
	return s.watchTermsPage(c, http.StatusOK, social.TermForm{})
}

func (s *Server) watchTermCreateUI(c echo.Context) error {
	f := social.TermForm{Term: c.FormValue("term"), Exclude: c.FormValue("exclude")}
	in := models.WatchTermInput{Term: f.Term}
	for _, line := range strings.Split(f.Exclude, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Exclude = append(in.Exclude, line)
		}
	}
	a, _ := actorOf(c)
	t, err := s.db.CreateWatchTerm(c.Request().Context(), a, in)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		f.Errors = ve.Fields
		return s.watchTermsPage(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "ok", "Watching for “"+t.Term+"” now.")
	return c.Redirect(http.StatusSeeOther, "/listening/terms")
}

func (s *Server) watchTermDeleteUI(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if c.FormValue("confirm") != "yes" {
		s.setFlash(c, "warn", "Tick “Sure” beside the term to delete it.")
		return c.Redirect(http.StatusSeeOther, "/listening/terms")
	}
	a, _ := actorOf(c)
	if err := s.db.DeleteWatchTerm(c.Request().Context(), a, id); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Term deleted. Posts already in the Inbox stay there.")
	return c.Redirect(http.StatusSeeOther, "/listening/terms")
}
