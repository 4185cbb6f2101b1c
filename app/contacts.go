package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/contacts"
	"rapport/views/timeline"
)

// contactsList is the contact list. htmx asks for the results fragment as
// the user types, and for more rows when "Load more" is pressed.
func (s *Server) contactsList(c echo.Context) error {
	a, _ := actorOf(c)
	d := contacts.ListData{Query: c.QueryParam("q"), Tag: c.QueryParam("tag"), Sort: c.QueryParam("sort"),
		Mine: c.QueryParam("mine") == "1", CanWrite: a.CanWrite()}
	d.CompanyID, _ = strconv.ParseInt(c.QueryParam("company_id"), 10, 64)
	opts := models.ContactListOptions{Query: d.Query, Tag: d.Tag, Sort: models.ContactSort(d.Sort), CompanyID: d.CompanyID,
		Cursor: c.QueryParam("cursor"), Limit: 50}
	if d.Mine {
		opts.OwnerID = a.UserID
	}
	if err := s.contactActivityFilters(c, &d, &opts); err != nil {
		return err
	}
	page, err := s.db.Contacts(c.Request().Context(), a, opts)
	if err != nil {
		return listError(err)
	}
	d.Contacts, d.NextCursor = page.Contacts, page.NextCursor
	if tok, ok := c.Get("csrf").(string); ok {
		d.CSRFToken = tok
	}
	switch {
	case c.QueryParam("fragment") == "rows":
		return s.render(c, http.StatusOK, contacts.Rows(d))
	case isHTMX(c) && c.Request().Header.Get("HX-Target") == "contact-results":
		return s.render(c, http.StatusOK, contacts.Results(d))
	}
	return s.render(c, http.StatusOK, contacts.List(s.page(c, "Contacts", "contacts"), d))
}

// contactShow is a contact's page.
func (s *Server) contactShow(c echo.Context) error {
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	p := s.page(c, ct.Name(), "contacts")
	d, err := s.showData(c, ct)
	if err != nil {
		return err
	}
	if isHTMX(c) && c.Request().Header.Get("HX-Target") == "profile" {
		return s.render(c, http.StatusOK, contacts.ProfileCard(p, d))
	}
	a, _ := actorOf(c)
	if d.Duplicates, err = s.db.DuplicatesOfContact(c.Request().Context(), a, ct); err != nil {
		return err
	}
	if d.Merges, err = s.db.ContactMerges(c.Request().Context(), a, ct.ID); err != nil {
		return err
	}
	if d.KeyFacts, err = s.contactKeyFacts(c, ct.ID); err != nil {
		return err
	}
	if d.Notes, err = s.contactNotes(c, ct.ID); err != nil {
		return err
	}
	if d.Timeline, err = s.timelineSection(c, ct.ID, nil); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, contacts.Show(p, d))
}

func (s *Server) showData(c echo.Context, ct *models.Contact) (contacts.ShowData, error) {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	d := contacts.ShowData{Contact: ct, CanWrite: a.CanWrite(), Location: userLocation(userOf(c))}
	var err error
	if d.Owner, d.Restricted, err = s.db.ContactPeople(ctx, ct); err != nil || len(ct.CustomFields) == 0 {
		return d, err
	}
	defs, err := s.db.CustomFieldDefs(ctx)
	d.Custom = contacts.CustomValues(defs, ct.CustomFields)
	return d, err
}

func (s *Server) contactParam(c echo.Context) (*models.Contact, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, echo.ErrNotFound
	}
	a, _ := actorOf(c)
	return s.db.Contact(c.Request().Context(), a, id)
}

// myDepartments are the departments the actor may restrict a contact to.
func (s *Server) myDepartments(c echo.Context) ([]models.Department, error) {
	a, _ := actorOf(c)
	return s.db.DepartmentsByID(c.Request().Context(), a.DepartmentIDs)
}

// contactNew shows the empty contact form.
func (s *Server) contactNew(c echo.Context) error {
	f := contacts.Form{}
	return s.renderNewContact(c, http.StatusOK, f)
}

func (s *Server) renderNewContact(c echo.Context, status int, f contacts.Form) error {
	deps, err := s.myDepartments(c)
	if err != nil {
		return err
	}
	f.Departments = deps
	if f.CustomDefs, err = s.db.CustomFieldDefs(c.Request().Context()); err != nil {
		return err
	}
	if len(f.Emails) > 0 && !anyPrimaryEmail(f) {
		f.Emails[0].Primary = true
	}
	padRows(&f)
	return s.render(c, status, contacts.New(s.page(c, "New contact", "contacts"), f))
}

func anyPrimaryEmail(f contacts.Form) bool {
	for _, e := range f.Emails {
		if e.Primary {
			return true
		}
	}
	return false
}

// contactCreate saves a new contact from the form.
func (s *Server) contactCreate(c echo.Context) error {
	a, _ := actorOf(c)
	f := parseContactForm(c)
	req := contactRequest(f)
	s.discoverFeeds(c.Request().Context(), req.SocialProfiles, nil)
	ct, err := s.db.CreateContact(c.Request().Context(), a, req)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		f.Errors = formErrors(ve.Fields)
		return s.renderNewContact(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "ok", ct.Name()+" added.")
	return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(ct.ID, 10))
}

// contactEdit shows the edit form: in place of the profile card for htmx,
// as a page otherwise.
func (s *Server) contactEdit(c echo.Context) error {
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	return s.renderEditContact(c, http.StatusOK, formFromContact(ct))
}

func (s *Server) renderEditContact(c echo.Context, status int, f contacts.Form) error {
	deps, err := s.myDepartments(c)
	if err != nil {
		return err
	}
	f.Departments = deps
	if f.CustomDefs, err = s.db.CustomFieldDefs(c.Request().Context()); err != nil {
		return err
	}
	padRows(&f)
	p := s.page(c, "Edit contact", "contacts")
	if isHTMX(c) {
		// htmx swaps only 2xx responses by default; the fragment carries its
		// own error state, so answer 200 and let the form show it.
		return s.render(c, http.StatusOK, contacts.ProfileForm(p, f))
	}
	return s.render(c, status, contacts.Edit(p, f))
}

// contactUpdate saves the edit form. A stale version never overwrites: the
// user's input comes back with what is stored now, to merge and save again.
func (s *Server) contactUpdate(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	f := parseContactForm(c)
	f.ID = id
	patch := contactPatch(f)
	s.discoverPatchFeeds(c.Request().Context(), a, id, &patch)
	ct, err := s.db.UpdateContact(c.Request().Context(), a, id, patch)
	var (
		ve *models.ValidationError
		ce *models.ConflictError[models.Contact]
	)
	switch {
	case errors.As(err, &ce):
		f.Conflict = ce.Current
		f.Version = ce.Current.Version
		return s.renderEditContact(c, http.StatusConflict, f)
	case errors.As(err, &ve):
		f.Errors = formErrors(ve.Fields)
		return s.renderEditContact(c, http.StatusUnprocessableEntity, f)
	case err != nil:
		return err
	}
	if isHTMX(c) {
		d, err := s.showData(c, ct)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, contacts.ProfileCard(s.page(c, ct.Name(), "contacts"), d))
	}
	s.setFlash(c, "ok", "Saved.")
	return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(id, 10))
}

// contactDelete soft-deletes a contact after the user ticked the box.
func (s *Server) contactDelete(c echo.Context) error {
	a, _ := actorOf(c)
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		s.setFlash(c, "warn", "Tick “I want to delete this contact” to confirm.")
		return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(ct.ID, 10)+"/edit")
	}
	if err := s.db.DeleteContact(c.Request().Context(), a, ct.ID); err != nil {
		return err
	}
	s.setFlash(c, "ok", ct.Name()+" deleted.")
	return c.Redirect(http.StatusSeeOther, "/contacts")
}

// companiesList lists companies.
func (s *Server) companiesList(c echo.Context) error {
	a, _ := actorOf(c)
	d := contacts.CompaniesData{Query: c.QueryParam("q")}
	page, err := s.db.Companies(c.Request().Context(), a, models.CompanyListOptions{Query: d.Query, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return listError(err)
	}
	d.Companies, d.NextCursor = page.Companies, page.NextCursor
	return s.render(c, http.StatusOK, contacts.Companies(s.page(c, "Companies", "contacts"), d))
}

// companyShow is a company's page with the people the viewer may see.
func (s *Server) companyShow(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	co, err := s.db.Company(ctx, a, id)
	if err != nil {
		return err
	}
	page, err := s.db.Contacts(ctx, a, models.ContactListOptions{CompanyID: id, Limit: 50})
	if err != nil {
		return err
	}
	d := contacts.CompanyData{Company: co, People: contacts.ListData{Contacts: page.Contacts, NextCursor: page.NextCursor, CompanyID: id}}
	td, err := s.companyTimeline(c, id)
	if err != nil {
		return err
	}
	d.Timeline = timeline.Items(td)
	return s.render(c, http.StatusOK, contacts.CompanyShow(s.page(c, co.Name, "contacts"), d))
}

// listError explains a list query's failure: a damaged or outdated cursor
// (the only invalid input a list link carries) is the user's to restart.
func listError(err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return echo.NewHTTPError(http.StatusBadRequest, "That list link is out of date. Start the search again.")
	}
	return err
}
