package app

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/tasks"
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
		NextCursor: page.NextCursor, AfterDay: c.QueryParam("after_day"), Filters: f, Location: loc,
		CanEdit: a.CanWrite(), CSRFToken: csrfToken(c)}
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
		form = &timeline.ComposerForm{ContactID: contactID, InteractionFields: timeline.InteractionFields{Kind: "call",
			Direction: "outbound", OccurredAt: time.Now().In(d.Location).Format(timeline.DateTimeLocal)}}
	}
	if !a.CanWrite() {
		form = nil
	}
	return timeline.Section(s.page(c, "", "contacts"), d, form), nil
}

// maxFilterQuery is longer than any query the timeline's filter form and
// links write.
const maxFilterQuery = 4096

// filterRedirect sends a browser without JavaScript from a timeline
// fragment's address to the page that shows it, filters kept. A query
// longer than any the page writes is dropped rather than copied into a
// Location header that clients refuse.
func filterRedirect(c echo.Context, page string) error {
	if q := c.QueryString(); q != "" && len(q) <= maxFilterQuery {
		page += "?" + q
	}
	return c.Redirect(http.StatusSeeOther, page)
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
		return filterRedirect(c, "/contacts/"+strconv.FormatInt(id, 10))
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
	fields, occurred, seconds, errs := interactionFields(c, loc)
	f := timeline.ComposerForm{ContactID: ct.ID, InteractionFields: fields}
	req := models.InteractionRequest{Kind: models.InteractionKind(f.Kind), Direction: models.InteractionDirection(f.Direction),
		Channel: f.Channel, OccurredAt: occurred, DurationSeconds: seconds, Subject: f.Subject, Body: f.Body, Outcome: f.Outcome,
		ContactIDs: []int64{ct.ID}}
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
	fresh := &timeline.ComposerForm{ContactID: ct.ID, Saved: true, InteractionFields: timeline.InteractionFields{Kind: f.Kind,
		Direction: f.Direction, OccurredAt: time.Now().In(loc).Format(timeline.DateTimeLocal)}}
	sec, err := s.timelineSection(c, ct.ID, fresh)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, sec)
}

// interactionFields reads the fields the composer and the edit form
// share. The time is a datetime-local in the viewer's zone (zero when
// empty); the length is given in minutes.
func interactionFields(c echo.Context, loc *time.Location) (f timeline.InteractionFields, occurred time.Time, seconds int, errs map[string]string) {
	f = timeline.InteractionFields{Kind: c.FormValue("kind"), Direction: c.FormValue("direction"), Channel: c.FormValue("channel"),
		OccurredAt: c.FormValue("occurred_at"), Minutes: c.FormValue("duration_minutes"), Subject: c.FormValue("subject"),
		Body: c.FormValue("body"), Outcome: c.FormValue("outcome")}
	errs = map[string]string{}
	if f.OccurredAt != "" {
		t, err := time.ParseInLocation(timeline.DateTimeLocal, f.OccurredAt, loc)
		if err != nil {
			errs["occurred_at"] = "Enter the date and time it happened."
		}
		occurred = t.UTC()
	}
	if f.Minutes != "" {
		m, err := strconv.Atoi(f.Minutes)
		if err != nil || m < 0 {
			errs["duration_seconds"] = "Enter the length in whole minutes."
		}
		seconds = m * 60
	}
	return f, occurred, seconds, errs
}

// interactionEditForm reads the interaction a route names and the timeline
// item and contact its form stands in for (?item=&contact=).
func (s *Server) interactionEditForm(c echo.Context) (*models.Interaction, timeline.EditForm, error) {
	var f timeline.EditForm
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, f, echo.ErrNotFound
	}
	f.ItemID, _ = strconv.ParseInt(c.QueryParam("item"), 10, 64)
	f.ContactID, err = strconv.ParseInt(c.QueryParam("contact"), 10, 64)
	if err != nil {
		return nil, f, echo.NewHTTPError(http.StatusBadRequest, "Open the interaction from a contact's timeline.")
	}
	a, _ := actorOf(c)
	i, err := s.db.Interaction(c.Request().Context(), a, id)
	if err != nil {
		return nil, f, err
	}
	f.InteractionID, f.Version, f.Location, f.Inline = i.ID, i.Version, userLocation(userOf(c)), isHTMX(c)
	return i, f, nil
}

// renderInteractionEdit answers with the edit form: in place of the
// timeline item for htmx (always 200, as htmx swaps only successes, and
// retargeted from the timeline the form posts to), else a page of its own
// with the real status.
func (s *Server) renderInteractionEdit(c echo.Context, status int, f timeline.EditForm) error {
	p := s.page(c, "Edit the "+f.Kind, "contacts")
	if !isHTMX(c) {
		return s.render(c, status, timeline.EditPage(p, f))
	}
	if status != http.StatusOK {
		c.Response().Header().Set("HX-Retarget", "#item-"+strconv.FormatInt(f.ItemID, 10))
		c.Response().Header().Set("HX-Reswap", "outerHTML")
	}
	return s.render(c, http.StatusOK, timeline.EditItem(p, f))
}

// interactionEdit swaps a timeline item for its interaction's edit form.
func (s *Server) interactionEdit(c echo.Context) error {
	i, f, err := s.interactionEditForm(c)
	if err != nil {
		return err
	}
	f.InteractionFields = timeline.FieldsOf(i, f.Location)
	f.Contacts, f.Users = i.Contacts, i.Users
	return s.renderInteractionEdit(c, http.StatusOK, f)
}

// editedParticipants reads the contacts and colleagues of a submitted
// edit form into f, with their names for showing the form again, and
// returns their ids for the patch. A contact the editor may not see keeps
// its id, so that the models refuse it, but loses its chip.
func (s *Server) editedParticipants(c echo.Context, a models.Actor, f *timeline.EditForm, errs map[string]string) (contactIDs, userIDs []int64, err error) {
	ctx := c.Request().Context()
	vals, _ := c.FormParams()
	contactIDs, userIDs = []int64{}, []int64{}
	f.Contacts, f.Users = []models.Participant{}, []models.Participant{}
	for _, raw := range vals["contact_ids"] {
		id, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil || id <= 0 {
			errs["contact_ids"] = "Choose the contacts with the search box."
			continue
		}
		if slices.Contains(contactIDs, id) {
			continue
		}
		contactIDs = append(contactIDs, id)
		ct, err := s.db.Contact(ctx, a, id)
		switch {
		case err == nil:
			f.Contacts = append(f.Contacts, models.Participant{ID: id, Name: ct.Name()})
		case !errors.Is(err, models.ErrNotFound):
			return nil, nil, err
		}
	}
	for _, raw := range vals["user_ids"] {
		if raw == "" { // "Nobody else" in a form from before the search
			continue
		}
		id, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil || id <= 0 {
			errs["user_ids"] = "Choose colleagues with the search box."
			continue
		}
		if !slices.Contains(userIDs, id) {
			userIDs = append(userIDs, id)
		}
	}
	if len(userIDs) > 0 {
		// One of each id; the models refuse an id that names no user.
		us, err := s.db.Users(ctx, models.UserListOptions{IDs: userIDs, Limit: len(userIDs)})
		if err != nil {
			return nil, nil, err
		}
		f.Users = participantsOf(us)
	}
	return contactIDs, userIDs, nil
}

// interactionUpdate saves an edited interaction and shows the timeline
// again, the item in its new place. A stale version never overwrites:
// what the person typed comes back beside what was saved meanwhile.
func (s *Server) interactionUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	_, f, err := s.interactionEditForm(c)
	if err != nil {
		return err
	}
	fields, occurred, seconds, errs := interactionFields(c, f.Location)
	f.InteractionFields = fields
	f.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	if f.OccurredAt == "" {
		errs["occurred_at"] = "Enter the date and time it happened."
	}
	kind, dir := models.InteractionKind(f.Kind), models.InteractionDirection(f.Direction)
	patch := models.InteractionPatch{Version: f.Version, Kind: &kind, Direction: &dir, Channel: &f.Channel,
		OccurredAt: &occurred, DurationSeconds: &seconds, Subject: &f.Subject, Body: &f.Body, Outcome: &f.Outcome}
	// A form from before participants could be edited leaves them alone.
	if c.FormValue("participants") != "" {
		contactIDs, userIDs, err := s.editedParticipants(c, a, &f, errs)
		if err != nil {
			return err
		}
		patch.ContactIDs, patch.UserIDs = &contactIDs, &userIDs
	} else if i, err := s.db.Interaction(ctx, a, f.InteractionID); err == nil {
		f.Contacts, f.Users = i.Contacts, i.Users
	}
	// Find (the form without JavaScript): the contacts and colleagues
	// matching the search boxes come back as boxes to tick, and nothing is
	// saved yet. Enter in any field presses the first Find, so either Find
	// searches both boxes; with both empty, Enter meant Save.
	q, cq := strings.TrimSpace(c.FormValue("q")), strings.TrimSpace(c.FormValue("colleague_q"))
	finding := c.FormValue("find_contacts") != "" || c.FormValue("find_colleagues") != ""
	if finding && (q != "" || cq != "") && patch.ContactIDs != nil {
		if q != "" {
			found, err := s.pickerContacts(ctx, a, q, *patch.ContactIDs...)
			if err != nil {
				return err
			}
			f.Query, f.Found = q, []models.Participant{}
			for _, ct := range found {
				f.Found = append(f.Found, models.Participant{ID: ct.ID, Name: ct.Name()})
			}
		}
		if cq != "" {
			found, more, err := s.findColleagues(ctx, cq)
			if err != nil {
				return err
			}
			f.ColleagueQuery, f.MoreColleagues = cq, more
			f.FoundColleagues = slices.DeleteFunc(found, func(p models.Participant) bool { return slices.Contains(*patch.UserIDs, p.ID) })
		}
		return s.renderInteractionEdit(c, http.StatusOK, f)
	}
	if len(errs) == 0 {
		_, err = s.db.UpdateInteraction(ctx, a, f.InteractionID, patch)
		var (
			ve *models.ValidationError
			ce *models.ConflictError[models.Interaction]
		)
		switch {
		case errors.As(err, &ce):
			f.Conflict, f.Version = ce.Current, ce.Current.Version
			return s.renderInteractionEdit(c, http.StatusConflict, f)
		case errors.As(err, &ve):
			errs = ve.Fields
		case errors.Is(err, models.ErrNotFound) && patch.ContactIDs != nil && s.interactionVisible(ctx, a, f.InteractionID):
			// The interaction is there, so a contact chosen is not.
			errs["contact_ids"] = "A contact you chose has been deleted or hidden from you, so it is off the list now. Check who it was with and save again."
		case errors.Is(err, models.ErrNotFound):
			errs["interaction"] = "Someone deleted this " + f.Kind + " while you were editing it, so it cannot be saved. Copy what you need from the form."
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		f.Errors = errs
		return s.renderInteractionEdit(c, http.StatusUnprocessableEntity, f)
	}
	return s.showTimelineAfter(c, f.ContactID, "Saved. Every timeline it is on shows the change.")
}

// interactionVisible reports whether the actor may still see interaction
// id, to tell a missing contact from a missing interaction after a save
// fails with ErrNotFound.
func (s *Server) interactionVisible(ctx context.Context, a models.Actor, id int64) bool {
	_, err := s.db.Interaction(ctx, a, id)
	return err == nil
}

// interactionDelete moves an interaction to the bin (soft, audited): it
// leaves every timeline it was on at once.
func (s *Server) interactionDelete(c echo.Context) error {
	a, _ := actorOf(c)
	i, f, err := s.interactionEditForm(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteInteraction(c.Request().Context(), a, i.ID); err != nil {
		return err
	}
	return s.showTimelineAfter(c, f.ContactID, "Deleted: the "+string(i.Kind)+" is off every timeline. The audit log keeps a record.")
}

// showTimelineAfter answers a change made from a contact's timeline: the
// refreshed timeline for htmx, else the contact's page with a message.
func (s *Server) showTimelineAfter(c echo.Context, contactID int64, message string) error {
	if !isHTMX(c) {
		s.setFlash(c, "ok", message)
		return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(contactID, 10))
	}
	sec, err := s.timelineSection(c, contactID, nil)
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

// contactPicker finds contacts for the composer's "also with", or for the
// new-task form (?for=task).
func (s *Server) contactPicker(c echo.Context) error {
	a, _ := actorOf(c)
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" {
		return c.HTML(http.StatusOK, "")
	}
	exclude, _ := strconv.ParseInt(c.QueryParam("exclude"), 10, 64)
	out, err := s.pickerContacts(c.Request().Context(), a, q, exclude)
	if err != nil {
		return err
	}
	if c.QueryParam("for") == "task" {
		return s.render(c, http.StatusOK, tasks.PickerResults(out))
	}
	return s.render(c, http.StatusOK, timeline.PickerResults(out, c.QueryParam("into")))
}

// pickerContacts are the first contacts matching q, less those in exclude.
func (s *Server) pickerContacts(ctx context.Context, a models.Actor, q string, exclude ...int64) ([]models.Contact, error) {
	page, err := s.db.Contacts(ctx, a, models.ContactListOptions{Query: q, Limit: 8})
	if err != nil {
		return nil, listError(err)
	}
	var out []models.Contact
	for _, ct := range page.Contacts {
		if !slices.Contains(exclude, ct.ID) {
			out = append(out, ct)
		}
	}
	return out, nil
}

// contactChip is one chosen participant of the composer, or the chosen
// contact of the new-task form (?for=task).
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
	if c.QueryParam("for") == "task" {
		return s.render(c, http.StatusOK, tasks.ContactChoice(strconv.FormatInt(ct.ID, 10), ct.Name()))
	}
	return s.render(c, http.StatusOK, timeline.PickedChip(*ct, c.QueryParam("into")))
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
		return filterRedirect(c, "/companies/"+strconv.FormatInt(id, 10))
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
