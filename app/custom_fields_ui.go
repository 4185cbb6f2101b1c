package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/admin"
)

// The custom fields page, for admins: define, relabel, reorder and
// remove the fields every contact form shows. The models check the rules
// (admins only, fixed keys and kinds, valid choices).

// customFieldsShow lists the definitions with the form for a new one.
func (s *Server) customFieldsShow(c echo.Context) error {
	return s.renderCustomFields(c, http.StatusOK, admin.CustomFieldsData{New: models.CustomFieldDefRequest{Kind: models.CustomFieldText}})
}

func (s *Server) renderCustomFields(c echo.Context, status int, d admin.CustomFieldsData) error {
	var err error
	if d.Defs, err = s.db.CustomFieldDefs(c.Request().Context()); err != nil {
		return err
	}
	return s.render(c, status, admin.CustomFields(s.page(c, "Custom fields", "settings"), d))
}

// choiceLines reads a choices text area: one choice per line.
func choiceLines(s string) []string {
	var out []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// customFieldSaved answers a save: back to the page with a message, or
// the page again with the errors beside the definition they concern.
func (s *Server) customFieldSaved(c echo.Context, err error, d admin.CustomFieldsData, message string) error {
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		d.Errors = ve.Fields
		return s.renderCustomFields(c, http.StatusUnprocessableEntity, d)
	case err != nil:
		return err
	}
	s.setFlash(c, "ok", message)
	return c.Redirect(http.StatusSeeOther, "/admin/custom-fields")
}

// customFieldCreate defines a new field.
func (s *Server) customFieldCreate(c echo.Context) error {
	a, _ := actorOf(c)
	d := admin.CustomFieldsData{NewChoices: c.FormValue("choices"), New: models.CustomFieldDefRequest{Key: c.FormValue("key"),
		Label: c.FormValue("label"), Kind: models.CustomFieldKind(c.FormValue("kind"))}}
	d.New.Choices = choiceLines(d.NewChoices)
	def, err := s.db.CreateCustomFieldDef(c.Request().Context(), a, d.New)
	msg := ""
	if def != nil {
		msg = def.Label + " added: it is on every contact's form now."
	}
	return s.customFieldSaved(c, err, d, msg)
}

// customFieldParam reads the definition id a route names.
func customFieldParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// customFieldUpdate relabels, reorders or changes the choices of a field.
func (s *Server) customFieldUpdate(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := customFieldParam(c)
	if err != nil {
		return err
	}
	label := c.FormValue("label")
	patch := models.CustomFieldDefPatch{Label: &label}
	if pos, err := strconv.Atoi(strings.TrimSpace(c.FormValue("position"))); err == nil {
		patch.Position = &pos
	}
	if _, ok := c.Request().PostForm["choices"]; ok {
		choices := choiceLines(c.FormValue("choices"))
		patch.Choices = &choices
	}
	def, err := s.db.UpdateCustomFieldDef(c.Request().Context(), a, id, patch)
	msg := ""
	if def != nil {
		msg = def.Label + " saved."
	}
	return s.customFieldSaved(c, err, admin.CustomFieldsData{ErrorsFor: id}, msg)
}

// customFieldDelete removes a field from the forms; contacts keep their
// values, so defining the same key again brings them back.
func (s *Server) customFieldDelete(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := customFieldParam(c)
	if err != nil {
		return err
	}
	err = s.db.DeleteCustomFieldDef(c.Request().Context(), a, id)
	return s.customFieldSaved(c, err, admin.CustomFieldsData{ErrorsFor: id},
		"Field removed from the forms. Contacts keep their values; add a field with the same key to show them again.")
}
