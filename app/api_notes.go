package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// noteInput is the body of POST …/notes.
type noteInput struct {
	Body       string `json:"body"`
	Visibility string `json:"visibility"`
	NeedsReply bool   `json:"needs_reply"`
}

// notePatchInput is the body of PATCH /notes/{id}: version is required,
// other members are changed only when present.
type notePatchInput struct {
	Version    optional[int64]  `json:"version"`
	Body       optional[string] `json:"body"`
	Visibility optional[string] `json:"visibility"`
	NeedsReply optional[bool]   `json:"needs_reply"`
}

// replyInput is the body of POST /notes/{id}/replies.
type replyInput struct {
	Body string `json:"body"`
}

// keyFactsInput is the body of PUT /contacts/{id}/key-facts.
type keyFactsInput struct {
	Body    string          `json:"body"`
	Version optional[int64] `json:"version"`
}

// notificationsReadInput is the body of POST /notifications/read.
type notificationsReadInput struct {
	IDs []int64 `json:"ids"`
}

// apiNoteSubject reads whether a notes route is about a contact or a
// company.
func apiNoteSubject(c echo.Context) (contactID, companyID int64, err error) {
	id, err := apiRecordID(c)
	if err != nil {
		return 0, 0, err
	}
	if strings.HasPrefix(c.Path(), "/api/v1/companies/") {
		return 0, id, nil
	}
	return id, 0, nil
}

func (s *Server) apiNoteList(c echo.Context) error {
	contactID, companyID, err := apiNoteSubject(c)
	if err != nil {
		return err
	}
	q, err := readListQuery(c, "cursor", "limit")
	if err != nil {
		return err
	}
	opts := models.NoteListOptions{ContactID: contactID, CompanyID: companyID, Cursor: q.String("cursor")}
	if opts.Limit, err = q.Limit(200); err != nil {
		return err
	}
	page, err := s.db.Notes(c.Request().Context(), apiActor(c), opts)
	if err != nil {
		return err
	}
	out := apiNotePage{Items: make([]apiNote, len(page.Notes)), NextCursor: nextCursor(page.NextCursor)}
	for i := range page.Notes {
		out.Items[i] = noteJSON(&page.Notes[i])
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiNoteCreate(c echo.Context) error {
	contactID, companyID, err := apiNoteSubject(c)
	if err != nil {
		return err
	}
	var in noteInput
	if err := readJSON(c, &in, append(noteReadOnly, "version")...); err != nil {
		return err
	}
	n, err := s.db.CreateNote(c.Request().Context(), apiActor(c), models.NoteRequest{ContactID: contactID, CompanyID: companyID,
		Body: in.Body, Visibility: models.NoteVisibility(in.Visibility), NeedsReply: in.NeedsReply})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/notes/%d", n.ID))
	return c.JSON(http.StatusCreated, noteJSON(n))
}

func (s *Server) apiNoteShow(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	n, err := s.db.Note(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, noteJSON(n))
}

func (s *Server) apiNoteUpdate(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in notePatchInput
	if err := readJSON(c, &in, noteReadOnly...); err != nil {
		return err
	}
	if err := requireVersion(in.Version, "note"); err != nil {
		return err
	}
	patch := models.NotePatch{Version: in.Version.Value}
	var v models.ValidationError
	if in.Body.Set {
		if in.Body.Null {
			v.Add("body", "A note needs text; send the text, or leave body out to keep it.")
		}
		patch.Body = &in.Body.Value
	}
	if in.Visibility.Set {
		if in.Visibility.Null {
			v.Add("visibility", "Choose everyone or department.")
		}
		vis := models.NoteVisibility(in.Visibility.Value)
		patch.Visibility = &vis
	}
	if in.NeedsReply.Set {
		if in.NeedsReply.Null {
			v.Add("needs_reply", "Send true or false.")
		}
		patch.NeedsReply = &in.NeedsReply.Value
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	n, err := s.db.UpdateNote(c.Request().Context(), apiActor(c), id, patch)
	var stale *models.ConflictError[models.Note]
	if errors.As(err, &stale) {
		return &conflictError{msg: "Someone changed this note since you read it. 'current' holds it as it is now: " +
			"merge your change into it and send it again with that version.", current: noteJSON(stale.Current)}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, noteJSON(n))
}

func (s *Server) apiNoteDelete(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteNote(c.Request().Context(), apiActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiNoteRevisions(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if _, err := readListQuery(c); err != nil {
		return err
	}
	revs, err := s.db.NoteRevisions(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	out := apiNoteRevisionList{Items: make([]apiNoteRevision, len(revs))}
	for i := range revs {
		out.Items[i] = noteRevisionJSON(&revs[i])
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiNoteReplies(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if _, err := readListQuery(c); err != nil {
		return err
	}
	replies, err := s.db.NoteReplies(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	out := apiNoteList{Items: make([]apiNote, len(replies))}
	for i := range replies {
		out.Items[i] = noteJSON(&replies[i])
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiNoteReply(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in replyInput
	if err := readJSON(c, &in, append(noteReadOnly, "version", "visibility", "needs_reply")...); err != nil {
		return err
	}
	r, err := s.db.ReplyToNote(c.Request().Context(), apiActor(c), id, in.Body)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/notes/%d", r.ID))
	return c.JSON(http.StatusCreated, noteJSON(r))
}

func (s *Server) apiNoteSearch(c echo.Context) error {
	q, err := readListQuery(c, "q", "cursor", "limit")
	if err != nil {
		return err
	}
	limit, err := q.Limit(200)
	if err != nil {
		return err
	}
	page, err := s.db.SearchNotes(c.Request().Context(), apiActor(c), q.String("q"), q.String("cursor"), limit)
	if err != nil {
		return err
	}
	out := apiNoteSearchPage{Items: make([]apiNoteSearchResult, len(page.Results)), NextCursor: nextCursor(page.NextCursor)}
	for i := range page.Results {
		out.Items[i] = apiNoteSearchResult{apiNote: noteJSON(&page.Results[i].Note), SubjectName: page.Results[i].SubjectName}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiKeyFactsShow(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	kf, err := s.db.KeyFacts(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyFactsJSON(kf))
}

func (s *Server) apiKeyFactsSave(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in keyFactsInput
	if err := readJSON(c, &in, "contact_id", "body_html", "updated_by", "updated_by_name", "department_id",
		"department_name", "updated_at"); err != nil {
		return err
	}
	if !in.Version.Given() || in.Version.Value < 0 {
		return &models.ValidationError{Fields: map[string]string{"version": "The version is required: send the version " +
			"of the key facts you read (0 when there were none), so that a change made since is not overwritten."}}
	}
	kf, err := s.db.SaveKeyFacts(c.Request().Context(), apiActor(c), id, in.Body, in.Version.Value)
	var stale *models.ConflictError[models.KeyFacts]
	if errors.As(err, &stale) {
		return &conflictError{msg: "Someone changed these key facts since you read them. 'current' holds them as they are now: " +
			"merge your change into them and send it again with that version.", current: keyFactsJSON(stale.Current)}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyFactsJSON(kf))
}

func (s *Server) apiNotificationList(c echo.Context) error {
	q, err := readListQuery(c, "unread", "cursor", "limit")
	if err != nil {
		return err
	}
	var unread bool
	switch q.String("unread") {
	case "", "false":
	case "true":
		unread = true
	default:
		return &models.ValidationError{Fields: map[string]string{"unread": "Send unread=true or unread=false."}}
	}
	limit, err := q.Limit(200)
	if err != nil {
		return err
	}
	page, err := s.db.Notifications(c.Request().Context(), apiActor(c), unread, q.String("cursor"), limit)
	if err != nil {
		return err
	}
	out := apiNotificationPage{Items: make([]apiNotification, len(page.Notifications)), NextCursor: nextCursor(page.NextCursor)}
	for i := range page.Notifications {
		out.Items[i] = notificationJSON(&page.Notifications[i])
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiNotificationsRead(c echo.Context) error {
	var in notificationsReadInput
	if err := readJSON(c, &in); err != nil {
		return err
	}
	if err := s.db.MarkRead(c.Request().Context(), apiActor(c), in.IDs); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
