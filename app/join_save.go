package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/account"
)

// joinShow is the page an invitation link opens.
func (s *Server) joinShow(c echo.Context) error {
	inv, err := s.db.InvitationBySecret(c.Request().Context(), c.Param("secret"))
	if errors.Is(err, models.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "This invitation link has expired, was revoked or was already used. Ask your admin for a new one.")
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return s.render(c, http.StatusOK, account.Join(s.page(c, "Join Rapport", ""), account.JoinForm{Email: inv.Email, Name: inv.Name, Secret: c.Param("secret")}))
}

// joinSave accepts an invitation, creates the account and signs in.
func (s *Server) joinSave(c echo.Context) error {
	ctx := c.Request().Context()
	secret := c.Param("secret")
	inv, err := s.db.InvitationBySecret(ctx, secret)
	if errors.Is(err, models.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "This invitation link has expired, was revoked or was already used. Ask your admin for a new one.")
	}
	if err != nil {
		return err
	}
	u, err := s.db.AcceptInvitation(ctx, secret, c.FormValue("name"), c.FormValue("password"))
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		return s.render(c, http.StatusUnprocessableEntity, account.Join(s.page(c, "Join Rapport", ""),
			account.JoinForm{Email: inv.Email, Name: c.FormValue("name"), Secret: secret, Errors: ve.Fields}))
	case errors.Is(err, models.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "This invitation was used a moment ago. Sign in instead.")
	case err != nil:
		return err
	}
	if err := s.signIn(c, u, false); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Welcome to Rapport, "+u.Name+".")
	return c.Redirect(http.StatusSeeOther, "/")
}
