package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/contacts"
)

// companyParam reads the company a route names, if the actor may see it.
func (s *Server) companyParam(c echo.Context) (*models.Company, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, echo.ErrNotFound
	}
	a, _ := actorOf(c)
	return s.db.Company(c.Request().Context(), a, id)
}

// companyEdit shows a company's edit form.
func (s *Server) companyEdit(c echo.Context) error {
	co, err := s.companyParam(c)
	if err != nil {
		return err
	}
	f := contacts.CompanyForm{ID: co.ID, Version: co.Version, Name: co.Name, Domain: co.Domain, Industry: co.Industry,
		Size: co.Size, Address: co.Address, Tags: strings.Join(co.Tags, ", ")}
	return s.render(c, http.StatusOK, contacts.CompanyEdit(s.page(c, "Edit "+co.Name, "contacts"), f))
}

// companyUpdate saves the edit form. A stale version never overwrites: the
// form comes back with what the person typed beside the company as it now
// stands, carrying the current version, so saving again is deliberate.
func (s *Server) companyUpdate(c echo.Context) error {
	a, _ := actorOf(c)
	co, err := s.companyParam(c)
	if err != nil {
		return err
	}
	f := contacts.CompanyForm{ID: co.ID, Name: c.FormValue("name"), Domain: c.FormValue("domain"), Industry: c.FormValue("industry"),
		Size: c.FormValue("size"), Address: c.FormValue("address"), Tags: c.FormValue("tags")}
	f.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	tags := splitTags(f.Tags)
	_, err = s.db.UpdateCompany(c.Request().Context(), a, co.ID, models.CompanyPatch{Version: f.Version, Name: &f.Name,
		Domain: &f.Domain, Industry: &f.Industry, Size: &f.Size, Address: &f.Address, Tags: &tags})
	var (
		ve *models.ValidationError
		ce *models.ConflictError[models.Company]
	)
	status := http.StatusOK
	switch {
	case errors.As(err, &ce):
		f.Conflict, f.Version, status = ce.Current, ce.Current.Version, http.StatusConflict
	case errors.As(err, &ve):
		f.Errors, status = ve.Fields, http.StatusUnprocessableEntity
	case err != nil:
		return err
	default:
		s.setFlash(c, "ok", "Company saved.")
		return c.Redirect(http.StatusSeeOther, "/companies/"+strconv.FormatInt(co.ID, 10))
	}
	return s.render(c, status, contacts.CompanyEdit(s.page(c, "Edit "+co.Name, "contacts"), f))
}

// splitTags reads a comma-separated tags field.
func splitTags(s string) []string {
	var tags []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}
