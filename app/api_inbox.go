package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// apiInboxReplyInfo is the first reply logged on an Inbox item.
type apiInboxReplyInfo struct {
	Text          string `json:"text"`
	URL           string `json:"url"`
	RepliedBy     string `json:"replied_by"`
	InteractionID *int64 `json:"interaction_id"`
}

// apiInboxItem is a conversation in the Inbox as the API shows it.
type apiInboxItem struct {
	ID                 int64              `json:"id"`
	Status             string             `json:"status"`
	Reason             []string           `json:"reason"`
	MatchedTerms       []string           `json:"matched_terms"`
	WaitingSeconds     int64              `json:"waiting_seconds"`
	PublishedAt        time.Time          `json:"published_at"`
	Contact            *apiNamedRecord    `json:"contact"`
	KeyFacts           string             `json:"key_facts"`
	Post               apiSocialItem      `json:"post"`
	AssigneeUser       *apiNamedRecord    `json:"assignee_user"`
	AssigneeDepartment *apiNamedRecord    `json:"assignee_department"`
	FirstReplyAt       *time.Time         `json:"first_reply_at"`
	ResponseSeconds    *int64             `json:"response_seconds"`
	Reply              *apiInboxReplyInfo `json:"reply"`
	ClosedAt           *time.Time         `json:"closed_at"`
	CloseReason        string             `json:"close_reason"`
	Version            int64              `json:"version"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
}

// inboxReadOnly are the members of an Inbox item response a request may
// not set.
var inboxReadOnly = []string{"id", "reason", "matched_terms", "waiting_seconds", "published_at", "contact",
	"key_facts", "post", "assignee_user", "assignee_department", "first_reply_at", "response_seconds", "reply",
	"closed_at", "created_at", "updated_at"}

func inboxJSON(it *models.InboxItem, now time.Time) apiInboxItem {
	out := apiInboxItem{ID: it.ID, Status: it.Status, Reason: nonNil(it.Reason), MatchedTerms: nonNil(it.MatchedTerms),
		WaitingSeconds: int64(it.Waiting(now) / time.Second), PublishedAt: it.PublishedAt, KeyFacts: it.KeyFacts,
		Post: socialItemJSON(&it.Item), FirstReplyAt: it.FirstReplyAt, ResponseSeconds: it.ResponseSeconds,
		ClosedAt: it.ClosedAt, CloseReason: it.CloseReason, Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
	if it.ContactID != nil {
		out.Contact = &apiNamedRecord{ID: *it.ContactID, Name: it.ContactName}
	}
	if it.AssigneeUserID != nil {
		out.AssigneeUser = &apiNamedRecord{ID: *it.AssigneeUserID, Name: it.AssigneeName}
	}
	if it.AssigneeDepartmentID != nil {
		out.AssigneeDepartment = &apiNamedRecord{ID: *it.AssigneeDepartmentID, Name: it.AssigneeDepartmentName}
	}
	if it.FirstReplyAt != nil {
		out.Reply = &apiInboxReplyInfo{Text: it.ReplyText, URL: it.ReplyURL, RepliedBy: it.RepliedByName, InteractionID: it.ReplyInteractionID}
	}
	return out
}

// nonNil keeps empty lists as [] rather than null in responses.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// inboxConflict answers a change made against a stale version with the
// item as it is now.
func inboxConflict(err error, now time.Time) error {
	var stale *models.ConflictError[models.InboxItem]
	if errors.As(err, &stale) {
		return &conflictError{msg: "Someone changed this Inbox item since you read it. 'current' holds it as it is now: " +
			"check it still needs your change and send it again with that version.", current: inboxJSON(stale.Current, now)}
	}
	return err
}

// apiInboxPage is a page of the Inbox.
type apiInboxPage struct {
	Items      []apiInboxItem `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

var inboxListParams = []string{"status", "assignee", "cursor", "limit"}

func (s *Server) apiInboxList(c echo.Context) error {
	q, err := readListQuery(c, inboxListParams...)
	if err != nil {
		return err
	}
	opts := models.InboxOptions{Status: q.String("status"), Assignee: q.String("assignee"), Cursor: q.String("cursor")}
	if opts.Limit, err = q.Limit(200); err != nil {
		return err
	}
	var v models.ValidationError
	switch opts.Status {
	case "", models.InboxOpen, models.InboxReplied, models.InboxClosed, "all":
	default:
		v.Add("status", "Choose open, replied, closed or all.")
	}
	if as := opts.Assignee; as != "" && as != "me" && as != "unassigned" &&
		!strings.HasPrefix(as, "department:") && !strings.HasPrefix(as, "user:") {
		v.Add("assignee", "Choose me, unassigned, department:<id> or user:<id>.")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	page, err := s.db.Inbox(c.Request().Context(), apiActor(c), opts)
	if err != nil {
		return err
	}
	now := time.Now()
	out := apiInboxPage{Items: make([]apiInboxItem, len(page.Items))}
	for i := range page.Items {
		out.Items[i] = inboxJSON(&page.Items[i], now)
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiInboxShow(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	it, err := s.db.InboxItemByID(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, inboxJSON(it, time.Now()))
}

// apiInboxPatch is the body of PATCH /inbox/{id}: assign (both assignees
// null unassigns), or change the status to closed (or back to open).
type apiInboxPatch struct {
	Version              optional[int64]  `json:"version"`
	AssigneeUserID       optional[int64]  `json:"assignee_user_id"`
	AssigneeDepartmentID optional[int64]  `json:"assignee_department_id"`
	Status               optional[string] `json:"status"`
	CloseReason          optional[string] `json:"close_reason"`
}

func (s *Server) apiInboxUpdate(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in apiInboxPatch
	if err := readJSON(c, &in, inboxReadOnly...); err != nil {
		return err
	}
	if err := requireVersion(in.Version, "Inbox item"); err != nil {
		return err
	}
	assign := in.AssigneeUserID.Set || in.AssigneeDepartmentID.Set
	var v models.ValidationError
	switch {
	case assign && in.Status.Set:
		v.Add("status", "Change the assignee or the status, one per request.")
	case in.AssigneeUserID.Given() && in.AssigneeDepartmentID.Given():
		v.Add("assignee_user_id", "Give assignee_user_id or assignee_department_id, not both.")
	case in.CloseReason.Set && in.Status.Value != models.InboxClosed:
		v.Add("close_reason", "A close reason goes with \"status\": \"closed\".")
	case in.Status.Set && in.Status.Value != models.InboxClosed && in.Status.Value != models.InboxOpen:
		v.Add("status", "Choose closed, or open to reopen. Log a reply with POST /inbox/{id}/replies.")
	case !assign && !in.Status.Set:
		v.Add("status", "Nothing to change: give assignee_user_id, assignee_department_id or status.")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	ctx, a, version := c.Request().Context(), apiActor(c), in.Version.Value
	var it *models.InboxItem
	switch {
	case assign:
		req := models.InboxAssign{Version: version}
		if in.AssigneeUserID.Given() {
			req.UserID = &in.AssigneeUserID.Value
		}
		if in.AssigneeDepartmentID.Given() {
			req.DepartmentID = &in.AssigneeDepartmentID.Value
		}
		it, err = s.db.AssignInboxItem(ctx, a, id, req)
		err = renameFields(err, inboxAssignField)
	case in.Status.Value == models.InboxClosed:
		it, err = s.db.CloseInboxItem(ctx, a, id, version, in.CloseReason.Value)
	default:
		it, err = s.db.ReopenInboxItem(ctx, a, id, version)
	}
	if err != nil {
		return inboxConflict(err, time.Now())
	}
	return c.JSON(http.StatusOK, inboxJSON(it, time.Now()))
}

// inboxAssignField names the models' assignment fields as the API does.
func inboxAssignField(f string) string {
	switch f {
	case "user_id", "user":
		return "assignee_user_id"
	case "department_id", "department":
		return "assignee_department_id"
	}
	return f
}

// apiInboxReplyInput is the body of POST /inbox/{id}/replies.
type apiInboxReplyInput struct {
	Version optional[int64] `json:"version"`
	Text    string          `json:"text"`
	URL     string          `json:"url"`
}

func (s *Server) apiInboxReply(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in apiInboxReplyInput
	if err := readJSON(c, &in, inboxReadOnly...); err != nil {
		return err
	}
	if err := requireVersion(in.Version, "Inbox item"); err != nil {
		return err
	}
	it, err := s.db.ReplyInboxItem(c.Request().Context(), apiActor(c), id,
		models.InboxReply{Version: in.Version.Value, Text: in.Text, URL: in.URL})
	if err != nil {
		return inboxConflict(err, time.Now())
	}
	if it.ReplyInteractionID != nil {
		c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/interactions/%d", *it.ReplyInteractionID))
	}
	return c.JSON(http.StatusCreated, inboxJSON(it, time.Now()))
}
