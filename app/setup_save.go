package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/account"
)

// setupShow offers the first-run form while no admin exists.
func (s *Server) setupShow(c echo.Context) error {
	if s.isSetUp(c.Request().Context()) {
		return c.Redirect(http.StatusSeeOther, "/signin")
	}
	f := account.SetupForm{Departments: strings.Join(models.SuggestedDepartments, "\n"), MyDepartment: models.SuggestedDepartments[0]}
	return s.render(c, http.StatusOK, account.Setup(s.page(c, "Set up Rapport", ""), f))
}

// setupSave creates the first admin and the departments, then signs in.
func (s *Server) setupSave(c echo.Context) error {
	ctx := c.Request().Context()
	f := account.SetupForm{Name: c.FormValue("name"), Email: c.FormValue("email"),
		Departments: c.FormValue("departments"), MyDepartment: c.FormValue("my_department")}
	u, err := s.db.CompleteSetup(ctx, models.SetupRequest{Name: f.Name, Email: f.Email, Password: c.FormValue("password"),
		Departments: strings.Split(f.Departments, "\n"), MyDepartment: f.MyDepartment})
	var ve *models.ValidationError
	switch {
	case errors.Is(err, models.ErrAlreadySetUp):
		s.setFlash(c, "info", "Rapport is already set up. Sign in with your account.")
		return c.Redirect(http.StatusSeeOther, "/signin")
	case errors.As(err, &ve):
		f.Errors = ve.Fields
		return s.render(c, http.StatusUnprocessableEntity, account.Setup(s.page(c, "Set up Rapport", ""), f))
	case err != nil:
		return err
	}
	s.setupDone.Store(true)
	if err := s.signIn(c, u, false); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Rapport is ready. Invite your colleagues from Settings.")
	return c.Redirect(http.StatusSeeOther, "/")
}
