package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/timeline"
)

// timelineRequest reads the timeline filters from the query string. Dates
// are days in the viewer's time zone: "to" includes the whole day.
func timelineRequest(c echo.Context, loc *time.Location) (timeline.Filters, models.TimelineOptions, error) {
	vals := c.QueryParams()
	f := timeline.Filters{DepartmentID: c.QueryParam("department_id"), Channel: c.QueryParam("channel"),
		From: c.QueryParam("from"), To: c.QueryParam("to")}
	opts := models.TimelineOptions{Channel: f.Channel, Cursor: c.QueryParam("cursor"), Limit: 30}
	for _, raw := range vals["kind"] {
		for _, k := range strings.Split(raw, ",") {
			if k = strings.TrimSpace(k); k != "" {
				f.Kinds = append(f.Kinds, k)
				opts.Kinds = append(opts.Kinds, models.TimelineKind(k))
			}
		}
	}
	if f.DepartmentID != "" {
		id, err := strconv.ParseInt(f.DepartmentID, 10, 64)
		if err != nil {
			return f, opts, echo.NewHTTPError(http.StatusBadRequest, "Choose a department from the list.")
		}
		opts.DepartmentID = id
	}
	day := func(s string) (time.Time, error) { return time.ParseInLocation(time.DateOnly, s, loc) }
	if f.From != "" {
		t, err := day(f.From)
		if err != nil {
			return f, opts, echo.NewHTTPError(http.StatusBadRequest, "Enter the 'from' date as YYYY-MM-DD.")
		}
		opts.From = t.UTC()
	}
	if f.To != "" {
		t, err := day(f.To)
		if err != nil {
			return f, opts, echo.NewHTTPError(http.StatusBadRequest, "Enter the 'to' date as YYYY-MM-DD.")
		}
		opts.To = t.AddDate(0, 0, 1).UTC()
	}
	return f, opts, nil
}

// contactTimeline builds a contact's timeline page of items.
func (s *Server) contactTimeline(c echo.Context, contactID int64, withCounts bool) (timeline.Data, error) {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	loc := userLocation(userOf(c))
	f, opts, err := timelineRequest(c, loc)
	if err != nil {
		return timeline.Data{}, err
	}
	opts.ContactID = contactID
	page, err := s.db.Timeline(ctx, a, opts)
	if err != nil {
		return timeline.Data{}, listError(err)
	}
	id := strconv.FormatInt(contactID, 10)
	d := timeline.Data{Base: "/contacts/" + id + "/timeline", PagePath: "/contacts/" + id, Items: page.Items,
		NextCursor: page.NextCursor, AfterDay: c.QueryParam("after_day"), Filters: f, Location: loc}
	if withCounts {
		if d.Counts, err = s.db.TimelineCounts(ctx, a, contactID); err != nil {
			return d, err
		}
		if d.Departments, err = s.db.Departments(ctx); err != nil {
			return d, err
		}
	}
	return d, nil
}

// timelineSection is the contact page's timeline with the composer for
// those who may write.
func (s *Server) timelineSection(c echo.Context, contactID int64, form *timeline.ComposerForm) (templ.Component, error) {
	d, err := s.contactTimeline(c, contactID, true)
	if err != nil {
		return nil, err
	}
	a, _ := actorOf(c)
	if a.CanWrite() && form == nil {
		form = &timeline.ComposerForm{ContactID: contactID, Kind: "call", Direction: "outbound",
			OccurredAt: time.Now().In(d.Location).Format("2006-01-02T15:04")}
	}
	if !a.CanWrite() {
		form = nil
	}
	return timeline.Section(s.page(c, "", "contacts"), d, form), nil
}

// timelineItems is a page of a contact's timeline, for infinite scroll and
// the filters.
func (s *Server) timelineItems(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if !isHTMX(c) {
		// Without JavaScript the filter form and "older" link open the page.
		return c.Redirect(http.StatusSeeOther, "/contacts/"+c.Param("id")+"?"+c.QueryString())
	}
	d, err := s.contactTimeline(c, id, false)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, timeline.Items(d))
}

// interactionLog logs a call, meeting, email or message from the composer.
func (s *Server) interactionLog(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	loc := userLocation(userOf(c))
	f := timeline.ComposerForm{ContactID: ct.ID, Kind: c.FormValue("kind"), Direction: c.FormValue("direction"),
		Channel: c.FormValue("channel"), OccurredAt: c.FormValue("occurred_at"), Minutes: c.FormValue("duration_minutes"),
		Subject: c.FormValue("subject"), Body: c.FormValue("body"), Outcome: c.FormValue("outcome")}
	req := models.InteractionRequest{Kind: models.InteractionKind(f.Kind), Direction: models.InteractionDirection(f.Direction),
		Channel: f.Channel, Subject: f.Subject, Body: f.Body, Outcome: f.Outcome, ContactIDs: []int64{ct.ID}}
	errs := map[string]string{}
	if f.OccurredAt != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.OccurredAt, loc)
		if err != nil {
			errs["occurred_at"] = "Enter the date and time it happened."
		}
		req.OccurredAt = t.UTC()
	}
	if f.Minutes != "" {
		m, err := strconv.Atoi(f.Minutes)
		if err != nil || m < 0 {
			errs["duration_seconds"] = "Enter the length in whole minutes."
		}
		req.DurationSeconds = m * 60
	}
	vals, _ := c.FormParams()
	for _, raw := range vals["contact_ids"] {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil && id != ct.ID {
			req.ContactIDs = append(req.ContactIDs, id)
		}
	}
	for _, id := range req.ContactIDs[1:] {
		if other, err := s.db.Contact(ctx, a, id); err == nil {
			f.AlsoWith = append(f.AlsoWith, *other)
		}
	}
	if len(errs) == 0 {
		_, err = s.db.LogInteraction(ctx, a, req)
		var ve *models.ValidationError
		switch {
		case errors.As(err, &ve):
			errs = ve.Fields
		case errors.Is(err, models.ErrNotFound):
			errs["contact_ids"] = "One of the people is no longer there. Remove them and try again."
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		f.Errors = errs
		if !isHTMX(c) {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, firstMessage(errs))
		}
		sec, err := s.timelineSection(c, ct.ID, &f)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, sec)
	}
	if !isHTMX(c) {
		s.setFlash(c, "ok", "Logged.")
		return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(ct.ID, 10))
	}
	fresh := &timeline.ComposerForm{ContactID: ct.ID, Kind: f.Kind, Direction: f.Direction, Saved: true,
		OccurredAt: time.Now().In(loc).Format("2006-01-02T15:04")}
	sec, err := s.timelineSection(c, ct.ID, fresh)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, sec)
}

func firstMessage(errs map[string]string) string {
	for _, m := range errs {
		return m
	}
	return "Some fields need attention."
}

// contactPicker finds contacts for the composer's "also with".
func (s *Server) contactPicker(c echo.Context) error {
	a, _ := actorOf(c)
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" {
		return c.HTML(http.StatusOK, "")
	}
	exclude, _ := strconv.ParseInt(c.QueryParam("exclude"), 10, 64)
	page, err := s.db.Contacts(c.Request().Context(), a, models.ContactListOptions{Query: q, Limit: 8})
	if err != nil {
		return listError(err)
	}
	var out []models.Contact
	for _, ct := range page.Contacts {
		if ct.ID != exclude {
			out = append(out, ct)
		}
	}
	return s.render(c, http.StatusOK, timeline.PickerResults(out))
}

// contactChip is one chosen participant of the composer.
func (s *Server) contactChip(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := strconv.ParseInt(c.QueryParam("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	ct, err := s.db.Contact(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, timeline.Chip(*ct))
}

// companyTimeline is a company's timeline: its people's, merged.
func (s *Server) companyTimeline(c echo.Context, companyID int64) (timeline.Data, error) {
	a, _ := actorOf(c)
	loc := userLocation(userOf(c))
	f, opts, err := timelineRequest(c, loc)
	if err != nil {
		return timeline.Data{}, err
	}
	opts.CompanyID = companyID
	page, err := s.db.Timeline(c.Request().Context(), a, opts)
	if err != nil {
		return timeline.Data{}, listError(err)
	}
	id := strconv.FormatInt(companyID, 10)
	return timeline.Data{Base: "/companies/" + id + "/timeline", PagePath: "/companies/" + id, Items: page.Items,
		NextCursor: page.NextCursor, AfterDay: c.QueryParam("after_day"), Filters: f, Location: loc, ShowContact: true}, nil
}

// companyTimelineItems pages a company's timeline.
func (s *Server) companyTimelineItems(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/companies/"+c.Param("id")+"?"+c.QueryString())
	}
	d, err := s.companyTimeline(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, timeline.Items(d))
}

// activity is what happened lately across the contacts the user may see,
// or only theirs.
func (s *Server) activity(c echo.Context) (timeline.Data, error) {
	a, _ := actorOf(c)
	mine := c.QueryParam("mine") == "1"
	page, err := s.db.Activity(c.Request().Context(), a, models.ActivityOptions{Mine: mine, Cursor: c.QueryParam("cursor"), Limit: 20})
	if err != nil {
		return timeline.Data{}, listError(err)
	}
	return timeline.Data{Base: "/activity", PagePath: "/", Items: page.Items, NextCursor: page.NextCursor,
		AfterDay: c.QueryParam("after_day"), Location: userLocation(userOf(c)), ShowContact: true,
		Filters: timeline.Filters{Mine: mine}}, nil
}

// activityItems pages the activity feed.
func (s *Server) activityItems(c echo.Context) error {
	d, err := s.activity(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, timeline.Items(d))
}
