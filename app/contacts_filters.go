package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/contacts"
)

// contactActivityFilters reads the contact list's activity filters: the
// department that worked with the contacts, and a last-contacted range of
// days in the viewer's time zone ("to" includes its whole day). The
// departments fill the filter's choices on a full page.
func (s *Server) contactActivityFilters(c echo.Context, d *contacts.ListData, opts *models.ContactListOptions) error {
	d.ActiveDepartmentID, d.ContactedFrom, d.ContactedTo = c.QueryParam("department_id"), c.QueryParam("contacted_from"), c.QueryParam("contacted_to")
	if d.ActiveDepartmentID != "" {
		id, err := strconv.ParseInt(d.ActiveDepartmentID, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Choose a department from the list.")
		}
		opts.ActiveDepartmentID = id
	}
	loc := userLocation(userOf(c))
	for _, f := range []struct {
		raw  string
		dst  *time.Time
		days int
	}{{d.ContactedFrom, &opts.LastContactedFrom, 0}, {d.ContactedTo, &opts.LastContactedTo, 1}} {
		if f.raw == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, f.raw, loc)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Enter the last-contacted dates as YYYY-MM-DD.")
		}
		*f.dst = t.AddDate(0, 0, f.days).UTC()
	}
	if !opts.LastContactedFrom.IsZero() && !opts.LastContactedTo.IsZero() && !opts.LastContactedFrom.Before(opts.LastContactedTo) {
		return echo.NewHTTPError(http.StatusBadRequest, "The last-contacted range ends before it starts: choose a later 'to' date.")
	}
	if c.QueryParam("fragment") == "rows" {
		return nil
	}
	var err error
	d.Departments, err = s.db.Departments(c.Request().Context())
	return err
}
