package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/notes"
)

// The notes pages. Each fragment answers the element it was asked from
// (the notes section, one note, the key facts card); without JavaScript
// the same forms post and redirect, and a refused save is shown on a page
// of its own.

// noteSubject reads the contact or company a notes route is about.
func noteSubject(c echo.Context) (notes.Subject, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return notes.Subject{}, echo.ErrNotFound
	}
	kind := "contact"
	if strings.Contains(c.Path(), "/companies/") {
		kind = "company"
	}
	return notes.Subject{Kind: kind, ID: id}, nil
}

// noteList is a subject's notes, each with its thread.
func (s *Server) noteList(c echo.Context, subj notes.Subject, composer notes.Composer) (notes.ListData, error) {
	a, _ := actorOf(c)
	opts := models.NoteListOptions{Cursor: c.QueryParam("notes_cursor"), Limit: 30}
	if subj.Kind == "company" {
		opts.CompanyID = subj.ID
	} else {
		opts.ContactID = subj.ID
	}
	d := notes.ListData{Subject: subj, CanWrite: a.CanWrite(), InDepartment: len(a.DepartmentIDs) > 0,
		Composer: composer, Location: userLocation(userOf(c))}
	page, err := s.db.Notes(c.Request().Context(), a, opts)
	if err != nil {
		return d, listError(err)
	}
	d.NextCursor = page.NextCursor
	replies, err := s.db.RepliesOf(c.Request().Context(), a, page.Notes)
	if err != nil {
		return d, err
	}
	for _, n := range page.Notes {
		d.Notes = append(d.Notes, notes.View{Note: n, Replies: replies[n.ID], CanWrite: d.CanWrite, Location: d.Location})
	}
	return d, nil
}

// noteView is a note with its replies, ready to show.
func (s *Server) noteView(c echo.Context, n models.Note) (notes.View, error) {
	a, _ := actorOf(c)
	replies, err := s.db.NoteReplies(c.Request().Context(), a, n.ID)
	if err != nil {
		return notes.View{}, err
	}
	return notes.View{Note: n, Replies: replies, CanWrite: a.CanWrite(), Location: userLocation(userOf(c))}, nil
}

// contactNotes is the notes section of a contact's page.
func (s *Server) contactNotes(c echo.Context, contactID int64) (templ.Component, error) {
	d, err := s.noteList(c, notes.Subject{Kind: "contact", ID: contactID}, notes.Composer{})
	if err != nil {
		return nil, err
	}
	return notes.Section(s.page(c, "", "contacts"), d), nil
}

// companyNotesShow is a company's notes page.
func (s *Server) companyNotesShow(c echo.Context) error {
	subj, err := noteSubject(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	co, err := s.db.Company(c.Request().Context(), a, subj.ID)
	if err != nil {
		return err
	}
	subj.Name = co.Name
	d, err := s.noteList(c, subj, notes.Composer{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, notes.CompanyNotes(s.page(c, "Notes on "+co.Name, "contacts"), notes.CompanyNotesData{Company: co, List: d}))
}

// noteCreate posts a note from the composer on a contact or company.
func (s *Server) noteCreate(c echo.Context) error {
	subj, err := noteSubject(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	f := notes.Composer{Body: c.FormValue("body"), Visibility: c.FormValue("visibility"), NeedsReply: c.FormValue("needs_reply") != ""}
	req := models.NoteRequest{Body: f.Body, Visibility: models.NoteVisibility(f.Visibility), NeedsReply: f.NeedsReply}
	if subj.Kind == "company" {
		req.CompanyID = subj.ID
	} else {
		req.ContactID = subj.ID
	}
	_, err = s.db.CreateNote(c.Request().Context(), a, req)
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		f.Errors = ve.Fields
		if !isHTMX(c) {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, firstMessage(f.Errors))
		}
	case err != nil:
		return err
	case !isHTMX(c):
		s.setFlash(c, "ok", "Note saved.")
		return c.Redirect(http.StatusSeeOther, subjectPage(subj))
	default:
		f = notes.Composer{Saved: true, Visibility: f.Visibility}
	}
	d, err := s.noteList(c, subj, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, notes.Section(s.page(c, "", "contacts"), d))
}

func subjectPage(subj notes.Subject) string {
	if subj.Kind == "company" {
		return "/companies/" + strconv.FormatInt(subj.ID, 10) + "/notes"
	}
	return "/contacts/" + strconv.FormatInt(subj.ID, 10)
}

// noteParam reads the note a route names, if the actor may see it.
func (s *Server) noteParam(c echo.Context) (*models.Note, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, echo.ErrNotFound
	}
	a, _ := actorOf(c)
	return s.db.Note(c.Request().Context(), a, id)
}

// renderNote answers with one note: the fragment for htmx (always 200, as
// htmx swaps only successes; the fragment carries its error state), else a
// page of its own with the real status.
func (s *Server) renderNote(c echo.Context, status int, v notes.View) error {
	p := s.page(c, "Note", "contacts")
	if isHTMX(c) {
		return s.render(c, http.StatusOK, notes.Item(p, v))
	}
	return s.render(c, status, notes.NotePage(p, v))
}

// noteShow is one note: the fragment for htmx (Cancel of an edit), else
// the page that shows it.
func (s *Server) noteShow(c echo.Context) error {
	n, err := s.noteParam(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, notes.SubjectURL(n))
	}
	v, err := s.noteView(c, *n)
	if err != nil {
		return err
	}
	return s.renderNote(c, http.StatusOK, v)
}

// noteEdit swaps the note for its edit form.
func (s *Server) noteEdit(c echo.Context) error {
	n, err := s.noteParam(c)
	if err != nil {
		return err
	}
	v, err := s.noteView(c, *n)
	if err != nil {
		return err
	}
	v.Editing, v.Draft, v.Version = true, n.Body, n.Version
	return s.renderNote(c, http.StatusOK, v)
}

// noteUpdate saves an edit. A stale version never overwrites: the person's
// text comes back beside the note as it now stands, with their diff, and
// the form carries the current version so that saving again is a
// deliberate merge.
func (s *Server) noteUpdate(c echo.Context) error {
	a, _ := actorOf(c)
	n, err := s.noteParam(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	saved, err := s.db.UpdateNote(c.Request().Context(), a, n.ID, models.NotePatch{Version: version, Body: &body})
	var (
		ve *models.ValidationError
		ce *models.ConflictError[models.Note]
	)
	switch {
	case errors.As(err, &ce):
		v, err := s.noteView(c, *ce.Current)
		if err != nil {
			return err
		}
		v.Editing, v.Draft, v.Version = true, body, ce.Current.Version
		v.Conflict, v.Diff = ce.Current, models.DiffLines(ce.Current.Body, body)
		// The note names its author, not who saved it last; the person
		// being refused needs the latter, to know whom to ask.
		revs, err := s.db.NoteRevisions(c.Request().Context(), a, n.ID)
		if err != nil {
			return err
		}
		if len(revs) > 0 && revs[0].Version == ce.Current.Version {
			v.ConflictBy = &revs[0]
		}
		return s.renderNote(c, http.StatusConflict, v)
	case errors.As(err, &ve):
		v, err := s.noteView(c, *n)
		if err != nil {
			return err
		}
		v.Editing, v.Draft, v.Version, v.Error = true, body, version, firstMessage(ve.Fields)
		return s.renderNote(c, http.StatusUnprocessableEntity, v)
	case err != nil:
		return err
	}
	if !isHTMX(c) {
		s.setFlash(c, "ok", "Note saved.")
		return c.Redirect(http.StatusSeeOther, notes.SubjectURL(saved))
	}
	v, err := s.noteView(c, *saved)
	if err != nil {
		return err
	}
	return s.renderNote(c, http.StatusOK, v)
}

// noteDelete removes a note and its thread.
func (s *Server) noteDelete(c echo.Context) error {
	a, _ := actorOf(c)
	n, err := s.noteParam(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteNote(c.Request().Context(), a, n.ID); err != nil {
		return err
	}
	if isHTMX(c) {
		return c.HTML(http.StatusOK, "")
	}
	s.setFlash(c, "ok", "Note deleted.")
	back := notes.SubjectURL(n)
	back, _, _ = strings.Cut(back, "#")
	return c.Redirect(http.StatusSeeOther, back)
}

// noteReply posts a reply in a note's thread.
func (s *Server) noteReply(c echo.Context) error {
	a, _ := actorOf(c)
	n, err := s.noteParam(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	_, err = s.db.ReplyToNote(c.Request().Context(), a, n.ID, body)
	var ve *models.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	if ve == nil && !isHTMX(c) {
		s.setFlash(c, "ok", "Reply posted.")
		return c.Redirect(http.StatusSeeOther, notes.SubjectURL(n))
	}
	parentID := n.ID
	if n.ParentID != nil {
		parentID = *n.ParentID
	}
	parent, err := s.db.Note(c.Request().Context(), a, parentID)
	if err != nil {
		return err
	}
	v, err := s.noteView(c, *parent)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if ve != nil {
		v.ReplyDraft, v.ReplyError = body, firstMessage(ve.Fields)
		status = http.StatusUnprocessableEntity
	}
	return s.renderNote(c, status, v)
}

// noteHistory lists a note's revisions and compares two of them: by
// default the latest with the one before.
func (s *Server) noteHistory(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	n, err := s.noteParam(c)
	if err != nil {
		return err
	}
	revs, err := s.db.NoteRevisions(ctx, a, n.ID)
	if err != nil {
		return err
	}
	d := notes.HistoryData{Note: *n, Revisions: revs, CanWrite: a.CanWrite(), Location: userLocation(userOf(c))}
	d.From, _ = strconv.ParseInt(c.QueryParam("from"), 10, 64)
	d.To, _ = strconv.ParseInt(c.QueryParam("to"), 10, 64)
	if d.From == 0 && d.To == 0 && len(revs) > 1 {
		d.From, d.To = revs[1].Version, revs[0].Version
	}
	if d.From > d.To {
		d.From, d.To = d.To, d.From
	}
	if d.From != 0 && d.To != 0 {
		if d.Diff, err = s.db.NoteRevisionDiff(ctx, a, n.ID, d.From, d.To); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, notes.History(s.page(c, "History of the note", "contacts"), d))
}

// noteRestore makes an earlier version current again, as a new revision.
func (s *Server) noteRestore(c echo.Context) error {
	a, _ := actorOf(c)
	n, err := s.noteParam(c)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	current, _ := strconv.ParseInt(c.FormValue("current_version"), 10, 64)
	back := "/notes/" + strconv.FormatInt(n.ID, 10) + "/history"
	_, err = s.db.RestoreNoteRevision(c.Request().Context(), a, n.ID, version, current)
	var ce *models.ConflictError[models.Note]
	switch {
	case errors.As(err, &ce):
		s.setFlash(c, "warn", "Someone saved the note since you opened its history, so nothing was restored. Look at the latest version and restore again if you still want to.")
	case err != nil:
		return err
	default:
		s.setFlash(c, "ok", "Version "+strconv.FormatInt(version, 10)+" restored as the latest version.")
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// noteSearch finds the notes the user may see by their words.
func (s *Server) noteSearch(c echo.Context) error {
	a, _ := actorOf(c)
	d := notes.SearchData{Query: strings.TrimSpace(c.QueryParam("q")), Location: userLocation(userOf(c))}
	if d.Query != "" {
		page, err := s.db.SearchNotes(c.Request().Context(), a, d.Query, c.QueryParam("cursor"), 30)
		var ve *models.ValidationError
		switch {
		case errors.As(err, &ve) && ve.Fields["q"] != "":
			d.Error = ve.Fields["q"]
		case err != nil:
			return listError(err)
		default:
			d.Results, d.NextCursor = page.Results, page.NextCursor
		}
	}
	return s.render(c, http.StatusOK, notes.Search(s.page(c, "Search notes", ""), d))
}
