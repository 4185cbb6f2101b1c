package app

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/settings"
)

// settingsShow is the user's own settings: profile, password, API tokens.
func (s *Server) settingsShow(c echo.Context) error {
	return s.renderSettings(c, http.StatusOK, settings.Data{})
}

func (s *Server) renderSettings(c echo.Context, status int, d settings.Data) error {
	u := userOf(c)
	tokens, err := s.db.APITokens(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	d.User, d.Tokens, d.TimeZones = u, tokens, timeZones
	return s.render(c, status, settings.Page(s.page(c, "Settings", "settings"), d))
}

// profileSave changes the user's name and time zone.
func (s *Server) profileSave(c echo.Context) error {
	a, _ := actorOf(c)
	err := s.db.UpdateProfile(c.Request().Context(), a, models.ProfileRequest{Name: c.FormValue("name"), TimeZone: c.FormValue("time_zone")})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderSettings(c, http.StatusUnprocessableEntity, settings.Data{ProfileErrors: ve.Fields})
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "ok", "Profile saved.")
	return c.Redirect(http.StatusSeeOther, "/settings")
}

// passwordSave changes the password, which signs out every session; this
// browser is signed straight back in so the user is not thrown out.
func (s *Server) passwordSave(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	err := s.db.ChangePassword(ctx, a.UserID, c.FormValue("current_password"), c.FormValue("password"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderSettings(c, http.StatusUnprocessableEntity, settings.Data{PasswordErrs: ve.Fields})
	}
	if err != nil {
		return err
	}
	u, err := s.db.UserByID(ctx, a.UserID)
	if err != nil {
		return err
	}
	if err := s.signIn(c, u, false); err != nil {
		return err
	}
	if err := s.db.Audit(ctx, models.AuditEntry{Actor: &a, Action: "user.password_change", SubjectType: "user", SubjectID: u.ID,
		ClientIP: c.RealIP(), RequestID: requestID(c)}); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Password changed. Every other device has been signed out.")
	return c.Redirect(http.StatusSeeOther, "/settings")
}

// tokenCreate makes a personal API token and shows its secret once.
func (s *Server) tokenCreate(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	name := c.FormValue("name")
	var expires time.Time
	if v := c.FormValue("expires_at"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return s.renderSettings(c, http.StatusUnprocessableEntity, settings.Data{TokenName: name,
				TokenErrors: map[string]string{"expires_at": "Enter a date like 2027-01-31, or leave it empty."}})
		}
		expires = t.Add(24*time.Hour - time.Second) // valid through the chosen day
	}
	t, secret, err := s.db.CreateAPIToken(ctx, a.UserID, name, expires)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderSettings(c, http.StatusUnprocessableEntity, settings.Data{TokenName: name, TokenErrors: ve.Fields})
	}
	if err != nil {
		return err
	}
	if err := s.db.Audit(ctx, models.AuditEntry{Actor: &a, Action: "token.create", SubjectType: "api_token", SubjectID: t.ID,
		Detail: map[string]string{"name": t.Name}, ClientIP: c.RealIP(), RequestID: requestID(c)}); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.renderSettings(c, http.StatusCreated, settings.Data{NewToken: secret})
}

// tokenRevoke revokes one of the user's tokens.
func (s *Server) tokenRevoke(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	t, err := s.db.RevokeAPIToken(ctx, a, id)
	if err != nil {
		return err
	}
	if err := s.db.Audit(ctx, models.AuditEntry{Actor: &a, Action: "token.revoke", SubjectType: "api_token", SubjectID: t.ID,
		Detail: map[string]string{"name": t.Name}, ClientIP: c.RealIP(), RequestID: requestID(c)}); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Token “"+t.Name+"” revoked.")
	return c.Redirect(http.StatusSeeOther, "/settings#tokens")
}
