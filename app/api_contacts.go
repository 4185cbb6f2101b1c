package app

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// contactAPIRoutes registers the contacts and companies JSON API. Every
// route here is documented in openapi.json (a test holds them together).
// Viewers are turned away from writes before their body is read; the
// models check again.
func (s *Server) contactAPIRoutes(api *echo.Group) {
	api.GET("/contacts", s.apiContactList)
	api.POST("/contacts", s.apiContactCreate, requireWriter)
	api.GET("/contacts/:id", s.apiContactShow)
	api.PATCH("/contacts/:id", s.apiContactUpdate, requireWriter)
	api.DELETE("/contacts/:id", s.apiContactDelete, requireWriter)

	api.GET("/companies", s.apiCompanyList)
	api.POST("/companies", s.apiCompanyCreate, requireWriter)
	api.GET("/companies/:id", s.apiCompanyShow)
	api.PATCH("/companies/:id", s.apiCompanyUpdate, requireWriter)

	api.GET("/custom-fields", s.apiCustomFieldList)
}

// contactListParams are the query parameters GET /contacts takes.
var contactListParams = []string{"q", "tag", "company_id", "owner_id", "email", "phone", "phone_region", "active_department_id",
	"last_contacted_from", "last_contacted_to", "sort", "cursor", "limit"}

func (s *Server) apiContactList(c echo.Context) error {
	q, err := readListQuery(c, contactListParams...)
	if err != nil {
		return err
	}
	opts := models.ContactListOptions{Query: q.String("q"), Tag: q.String("tag"), Email: q.String("email"),
		Phone: q.String("phone"), PhoneRegion: q.String("phone_region"), Sort: models.ContactSort(q.String("sort")),
		Cursor: q.String("cursor")}
	if opts.CompanyID, err = q.ID("company_id"); err != nil {
		return err
	}
	if opts.OwnerID, err = q.ID("owner_id"); err != nil {
		return err
	}
	if opts.ActiveDepartmentID, err = q.ID("active_department_id"); err != nil {
		return err
	}
	var v models.ValidationError
	opts.LastContactedFrom = queryTime(q, "last_contacted_from", false, &v)
	opts.LastContactedTo = queryTime(q, "last_contacted_to", true, &v)
	if err := v.OrNil(); err != nil {
		return err
	}
	if opts.Limit, err = q.Limit(200); err != nil {
		return err
	}
	page, err := s.db.Contacts(c.Request().Context(), apiActor(c), opts)
	if err != nil {
		return err
	}
	out := apiContactPage{Items: make([]apiContactSummary, len(page.Contacts))}
	for i := range page.Contacts {
		out.Items[i] = contactSummaryJSON(&page.Contacts[i])
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiContactCreate(c echo.Context) error {
	var in contactInput
	if err := readJSON(c, &in, contactCreateReadOnly...); err != nil {
		return err
	}
	req, err := in.request()
	if err != nil {
		return err
	}
	s.discoverFeeds(c.Request().Context(), req.SocialProfiles, nil)
	ct, err := s.db.CreateContact(c.Request().Context(), apiActor(c), req)
	if err != nil {
		return renameFields(err, contactField)
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/contacts/%d", ct.ID))
	return c.JSON(http.StatusCreated, contactJSON(ct))
}

func (s *Server) apiContactShow(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	ct, err := s.db.Contact(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, contactJSON(ct))
}

func (s *Server) apiContactUpdate(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in contactPatchInput
	if err := readJSON(c, &in, contactReadOnly...); err != nil {
		return err
	}
	if err := requireVersion(in.Version, "contact"); err != nil {
		return err
	}
	patch, err := in.patch()
	if err != nil {
		return err
	}
	patch.Version = in.Version.Value
	s.discoverPatchFeeds(c.Request().Context(), apiActor(c), id, &patch)
	ct, err := s.db.UpdateContact(c.Request().Context(), apiActor(c), id, patch)
	var stale *models.ConflictError[models.Contact]
	if errors.As(err, &stale) {
		return &conflictError{msg: "Someone changed this contact since you read it. 'current' holds it as it is now: " +
			"apply your change to it and send it again with that version.", current: contactJSON(stale.Current)}
	}
	if err != nil {
		return renameFields(err, contactField)
	}
	return c.JSON(http.StatusOK, contactJSON(ct))
}

func (s *Server) apiContactDelete(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteContact(c.Request().Context(), apiActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// requireVersion refuses a PATCH that does not say which version of the
// record it was made against: without it a change could silently
// overwrite someone else's.
func requireVersion(v optional[int64], what string) error {
	if v.Given() && v.Value > 0 {
		return nil
	}
	msg := fmt.Sprintf("The version is required: send the version of the %s you read, so that a change made since is not overwritten.", what)
	if v.Given() {
		msg = fmt.Sprintf("Send the version of the %s you read, a whole number from 1 up.", what)
	}
	return &models.ValidationError{Fields: map[string]string{"version": msg}}
}
