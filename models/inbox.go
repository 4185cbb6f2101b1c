package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The Inbox is the queue of posts that need an answer (docs/SOCIAL.md,
// "Inbox and response time"): one conversation per post, opened by
// IngestSocialPosts, assigned, replied to or closed here. Response time runs
// from when the customer posted to the first reply.

// Inbox statuses.
const (
	InboxOpen    = "open"
	InboxReplied = "replied"
	InboxClosed  = "closed"
)

// Limits on what a person writes on an item.
const (
	maxInboxReply       = 5000
	maxInboxCloseReason = 500
)

// InboxItem is one conversation: a post that needs an answer, with who it
// is from and what was done about it.
type InboxItem struct {
	ID           int64      `json:"id"`
	Status       string     `json:"status"`
	Reason       []string   `json:"reason"`
	MatchedTerms []string   `json:"matched_terms"`
	Item         SocialItem `json:"item"`
	// ContactID is nil when the author is not a contact.
	ContactID              *int64     `json:"contact_id,omitempty"`
	ContactName            string     `json:"contact_name,omitempty"`
	KeyFacts               string     `json:"key_facts,omitempty"`
	AssigneeUserID         *int64     `json:"assignee_user_id,omitempty"`
	AssigneeName           string     `json:"assignee_name,omitempty"`
	AssigneeDepartmentID   *int64     `json:"assignee_department_id,omitempty"`
	AssigneeDepartmentName string     `json:"assignee_department_name,omitempty"`
	PublishedAt            time.Time  `json:"published_at"`
	FirstReplyAt           *time.Time `json:"first_reply_at,omitempty"`
	ResponseSeconds        *int64     `json:"response_seconds,omitempty"`
	// ReplyURL, ReplyText and ReplyInteractionID are the latest reply's;
	// RepliedByName is who gave the first, whose time is measured.
	ReplyURL           string     `json:"reply_url,omitempty"`
	ReplyText          string     `json:"reply_text,omitempty"`
	ReplyInteractionID *int64     `json:"reply_interaction_id,omitempty"`
	RepliedByName      string     `json:"replied_by_name,omitempty"`
	ClosedAt           *time.Time `json:"closed_at,omitempty"`
	CloseReason        string     `json:"close_reason,omitempty"`
	Version            int64      `json:"version"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// Waiting is how long the customer has waited: now − published while the
// item is open, the response time once answered, and until it was closed
// for one closed unanswered.
func (it *InboxItem) Waiting(now time.Time) time.Duration {
	switch {
	case it.ResponseSeconds != nil:
		return time.Duration(*it.ResponseSeconds) * time.Second
	case it.Status == InboxClosed && it.ClosedAt != nil:
		return it.ClosedAt.Sub(it.PublishedAt)
	}
	return now.Sub(it.PublishedAt)
}

// inboxRecord is a row of inbox_items as stored.
type inboxRecord struct {
	ID                    int64
	SocialItemID          int64
	ContactID             *int64
	Reason                []string `gorm:"serializer:json"`
	MatchedTerms          []string `gorm:"serializer:json"`
	Status                string
	AssigneeUserID        *int64
	AssigneeDepartmentID  *int64
	PublishedAt           time.Time
	FirstReplyAt          *time.Time
	ResponseSeconds       *int64
	ReplyInteractionID    *int64
	ReplyURL              string
	ReplyText             string
	RepliedByUserID       *int64
	RepliedByDepartmentID *int64
	ClosedAt              *time.Time
	ClosedByUserID        *int64
	CloseReason           string
	Version               int64
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

func (inboxRecord) TableName() string { return "inbox_items" }

// visibleInbox limits a query on inbox_items to the items the actor may
// see: those of a contact they may see, and those of no contact. Every
// Inbox read goes through it: lists, counts, single items and statistics.
func visibleInbox(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		seen := q.Session(&gorm.Session{NewDB: true}).Table("contacts").Select("1").
			Where("contacts.id = inbox_items.contact_id").Scopes(visibleContacts(actor))
		return q.Where("(inbox_items.contact_id IS NULL OR EXISTS (?))", seen)
	}
}

// InboxOptions filter and page the Inbox.
type InboxOptions struct {
	Status string // open (default), replied, closed, all
	// Assignee is "" (anyone), "me" (assigned to the actor in person),
	// "unassigned", "department:<id>" or "user:<id>".
	Assignee string
	Cursor   string
	Limit    int // keyset on (published_at, id): oldest first for open, newest first otherwise
}

// InboxPage is one page of the Inbox.
type InboxPage struct {
	Items      []InboxItem `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

func inboxKeyset(desc bool) keyset[inboxRecord] {
	return keyset[inboxRecord]{column: "inbox_items.published_at", idColumn: "inbox_items.id", desc: desc, isTime: true,
		value: func(r *inboxRecord) any { return r.PublishedAt }, rowID: func(r *inboxRecord) int64 { return r.ID }}
}

// Inbox lists the items the actor may see, a bounded page at a time: open
// ones oldest first (longest waiting on top), others newest first.
func (db *DB) Inbox(ctx context.Context, actor Actor, opts InboxOptions) (*InboxPage, error) {
	status := strings.ToLower(strings.TrimSpace(opts.Status))
	if status == "" {
		status = InboxOpen
	}
	var v ValidationError
	q := db.with(ctx).Scopes(visibleInbox(actor))
	switch status {
	case InboxOpen, InboxReplied, InboxClosed:
		q = q.Where("inbox_items.status = ?", status)
	case "all":
	default:
		v.Add("status", "Choose open, replied, closed or all.")
	}
	q = inboxAssigneeFilter(q, actor, opts.Assignee, &v)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	ks := inboxKeyset(status != InboxOpen)
	q, err := ks.after(q, status, opts.Cursor)
	if err != nil {
		return nil, cursorProblem()
	}
	limit := clampLimit(opts.Limit, 50, 200)
	var recs []inboxRecord
	if err := q.Order(ks.orderBy()).Limit(limit + 1).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("models: inbox: %w", err)
	}
	page := &InboxPage{}
	if len(recs) > limit {
		recs = recs[:limit]
		page.NextCursor = ks.cursor(status, &recs[len(recs)-1])
	}
	if page.Items, err = db.describeInbox(ctx, recs); err != nil {
		return nil, err
	}
	return page, nil
}

func inboxAssigneeFilter(q *gorm.DB, actor Actor, assignee string, v *ValidationError) *gorm.DB {
	kind, id, _ := strings.Cut(strings.TrimSpace(assignee), ":")
	n, err := strconv.ParseInt(id, 10, 64)
	switch {
	case kind == "" && id == "":
		return q
	case kind == "me" && id == "":
		return q.Where("inbox_items.assignee_user_id = ?", actor.UserID)
	case kind == "unassigned" && id == "":
		return q.Where("inbox_items.assignee_user_id IS NULL AND inbox_items.assignee_department_id IS NULL")
	case kind == "user" && err == nil:
		return q.Where("inbox_items.assignee_user_id = ?", n)
	case kind == "department" && err == nil:
		return q.Where("inbox_items.assignee_department_id = ?", n)
	}
	v.Add("assignee", "Choose me, unassigned, user:<id> or department:<id>.")
	return q
}

// InboxItemByID loads one item the actor may see; others are ErrNotFound.
func (db *DB) InboxItemByID(ctx context.Context, actor Actor, id int64) (*InboxItem, error) {
	items, err := db.inboxItems(ctx, actor, func(q *gorm.DB) *gorm.DB { return q.Where("inbox_items.id = ?", id) })
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("models: inbox item %d: %w", id, ErrNotFound)
	}
	return &items[0], nil
}

// OpenInboxCount counts the open items the actor may see, exactly (the
// listening dashboard's figure).
func (db *DB) OpenInboxCount(ctx context.Context, actor Actor) (int64, error) {
	var n int64
	if err := db.openInbox(ctx, actor).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count open inbox items: %w", err)
	}
	return n, nil
}

// OpenInboxBadge counts the open items the actor may see for the
// navigation badge, which is read on every page: at most NavCountCap, so a
// backlog of thousands costs no more than a hundred index entries.
func (db *DB) OpenInboxBadge(ctx context.Context, actor Actor) (int64, error) {
	var n int64
	if err := db.with(ctx).Table("(?) AS open_items", db.openInbox(ctx, actor).Select("1").Limit(NavCountCap)).
		Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count open inbox items: %w", err)
	}
	return n, nil
}

func (db *DB) openInbox(ctx context.Context, actor Actor) *gorm.DB {
	return db.with(ctx).Model(&inboxRecord{}).Scopes(visibleInbox(actor)).Where("inbox_items.status = ?", InboxOpen)
}

// inboxItems loads the visible items scope selects (at most one page).
// Rapport's own work (actor System, such as the poller) reads every item.
func (db *DB) inboxItems(ctx context.Context, actor Actor, scope func(*gorm.DB) *gorm.DB) ([]InboxItem, error) {
	var recs []inboxRecord
	q := db.with(ctx)
	if actor.UserID != 0 || actor.Via != System.Via {
		q = q.Scopes(visibleInbox(actor))
	}
	if err := q.Scopes(scope).Order("inbox_items.id").Limit(200).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("models: inbox items: %w", err)
	}
	return db.describeInbox(ctx, recs)
}

// describeInbox turns rows into items with their posts and the names and
// key facts a person reads beside them, in a few queries per page.
func (db *DB) describeInbox(ctx context.Context, recs []inboxRecord) ([]InboxItem, error) {
	out := make([]InboxItem, len(recs))
	if len(recs) == 0 {
		return out, nil
	}
	var itemIDs, contactIDs, userIDs, deptIDs []int64
	for _, r := range recs {
		itemIDs = append(itemIDs, r.SocialItemID)
		contactIDs = append(contactIDs, idsOf(r.ContactID)...)
		userIDs = append(userIDs, idsOf(r.AssigneeUserID, r.RepliedByUserID)...)
		deptIDs = append(deptIDs, idsOf(r.AssigneeDepartmentID)...)
	}
	var posts []SocialItem
	if err := db.with(ctx).Where("id IN ?", uniqueIDs(itemIDs)).Find(&posts).Error; err != nil {
		return nil, fmt.Errorf("models: posts of inbox items: %w", err)
	}
	byID := make(map[int64]SocialItem, len(posts))
	for _, p := range posts {
		p.utc()
		byID[p.ID] = p
	}
	users, depts, err := db.namesOf(ctx, userIDs, deptIDs)
	if err != nil {
		return nil, err
	}
	contacts, _, err := db.subjectNames(ctx, contactIDs, nil)
	if err != nil {
		return nil, err
	}
	facts := map[int64]string{}
	if ids := uniqueIDs(contactIDs); len(ids) > 0 {
		var kf []KeyFacts
		if err := db.with(ctx).Where("contact_id IN ?", ids).Find(&kf).Error; err != nil {
			return nil, fmt.Errorf("models: key facts of inbox contacts: %w", err)
		}
		for _, k := range kf {
			facts[k.ContactID] = k.Body
		}
	}
	for i, r := range recs {
		it := InboxItem{ID: r.ID, Status: r.Status, Reason: r.Reason, MatchedTerms: r.MatchedTerms, Item: byID[r.SocialItemID],
			ContactID: r.ContactID, AssigneeUserID: r.AssigneeUserID, AssigneeDepartmentID: r.AssigneeDepartmentID,
			PublishedAt: r.PublishedAt.UTC(), FirstReplyAt: utcPtr(r.FirstReplyAt), ResponseSeconds: r.ResponseSeconds,
			ReplyURL: r.ReplyURL, ReplyText: r.ReplyText, ReplyInteractionID: r.ReplyInteractionID,
			ClosedAt: utcPtr(r.ClosedAt), CloseReason: r.CloseReason, Version: r.Version,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if it.Reason == nil {
			it.Reason = []string{}
		}
		if it.MatchedTerms == nil {
			it.MatchedTerms = []string{}
		}
		if r.ContactID != nil {
			it.ContactName, it.KeyFacts = contacts[*r.ContactID], facts[*r.ContactID]
		}
		if r.AssigneeUserID != nil {
			it.AssigneeName = users[*r.AssigneeUserID]
		}
		if r.AssigneeDepartmentID != nil {
			it.AssigneeDepartmentName = depts[*r.AssigneeDepartmentID]
		}
		if r.RepliedByUserID != nil {
			it.RepliedByName = users[*r.RepliedByUserID]
		}
		out[i] = it
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// InboxAssign hands an item to a user or a department; both nil unassigns.
type InboxAssign struct {
	Version      int64  `json:"version"`
	UserID       *int64 `json:"user_id"`
	DepartmentID *int64 `json:"department_id"`
}

// InboxReply is an answer given where the customer posted.
type InboxReply struct {
	Version   int64     `json:"version"`
	Text      string    `json:"text"`
	URL       string    `json:"url"`
	RepliedAt time.Time `json:"replied_at"` // zero: now
}

// The audit actions of the inbox's changes, named here so each appears as
// a literal that TestAuditActionsListed can hold against AuditActions.
const (
	auditInboxAssign = "inbox.assign"
	auditInboxReply  = "inbox.reply"
	auditInboxClose  = "inbox.close"
	auditInboxReopen = "inbox.reopen"
)

// updateInbox runs change on item id, made against version, in a
// transaction with the row locked: the shared shape of assigning, replying,
// closing and reopening, recorded in the audit log as action. A stale
// version answers a *ConflictError[InboxItem] with the item as it now stands.
func (db *DB) updateInbox(ctx context.Context, actor Actor, action string, id, version int64,
	change func(tx *DB, old *InboxItem, set map[string]any) (audit map[string]any, err error)) (*InboxItem, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: %s item %d: %w", action, id, ErrForbidden)
	}
	if version <= 0 {
		return nil, versionProblem()
	}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "inbox_items", id); err != nil {
			return err
		}
		old, err := tx.InboxItemByID(ctx, actor, id)
		if err != nil {
			return err
		}
		if old.Version != version {
			return errStale
		}
		t := now()
		set := map[string]any{}
		detail, err := change(tx, old, set)
		if err != nil {
			return err
		}
		set["version"], set["updated_at"] = gorm.Expr("version + 1"), t
		if err := tx.with(ctx).Model(&inboxRecord{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return fmt.Errorf("models: %s item %d: %w", action, id, err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: action, SubjectType: "inbox_item", SubjectID: id, Detail: detail})
	})
	if errors.Is(err, errStale) {
		current, err := db.InboxItemByID(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError[InboxItem]{Current: current}
	}
	if err != nil {
		return nil, err
	}
	return db.InboxItemByID(ctx, actor, id)
}

// AssignInboxItem hands an item to a person, who must be active, allowed
// to write and able to see its contact, or to a department, which must
// exist (and be the contact's, for a restricted contact); both nil
// unassigns it.
func (db *DB) AssignInboxItem(ctx context.Context, actor Actor, id int64, a InboxAssign) (*InboxItem, error) {
	return db.updateInbox(ctx, actor, auditInboxAssign, id, a.Version, func(tx *DB, old *InboxItem, set map[string]any) (map[string]any, error) {
		user, dept := positiveID(a.UserID), positiveID(a.DepartmentID)
		if user != nil && dept != nil {
			return nil, &ValidationError{Fields: map[string]string{"assignee": "Assign the item to a person or to a department, not both."}}
		}
		if err := tx.checkInboxAssignee(ctx, old, user, dept); err != nil {
			return nil, err
		}
		set["assignee_user_id"], set["assignee_department_id"] = user, dept
		return map[string]any{"user_id": user, "department_id": dept}, nil
	})
}

func positiveID(id *int64) *int64 {
	if id == nil || *id <= 0 {
		return nil
	}
	v := *id
	return &v
}

// checkInboxAssignee answers a validation problem when the item cannot go
// to user or dept.
func (tx *DB) checkInboxAssignee(ctx context.Context, it *InboxItem, user, dept *int64) error {
	var restricted *int64
	if it.ContactID != nil {
		c, err := tx.taskContact(ctx, System, *it.ContactID)
		if err != nil {
			return err
		}
		restricted = c.RestrictedDepartmentID
	}
	problem := func(msg string) error { return &ValidationError{Fields: map[string]string{"assignee": msg}} }
	if dept != nil {
		var n int64
		if err := tx.with(ctx).Model(&Department{}).Where("id = ?", *dept).Count(&n).Error; err != nil {
			return fmt.Errorf("models: check department %d: %w", *dept, err)
		}
		switch {
		case n == 0:
			return problem("Choose the department from the list.")
		case restricted != nil && *restricted != *dept:
			return problem("Only the department this contact is restricted to can see it; assign the item to that department or one of its members.")
		}
	}
	if user == nil {
		return nil
	}
	u, err := tx.UserByID(ctx, *user)
	if errors.Is(err, ErrNotFound) {
		return problem("Choose the person from the list.")
	}
	if err != nil {
		return err
	}
	switch {
	case u.DisabledAt != nil:
		return problem(u.Name + " no longer has access to Rapport. Assign the item to someone else or to a department.")
	case u.Role == RoleViewer:
		return problem(u.Name + " can only view, not answer. Assign the item to someone else.")
	case restricted != nil && !u.HasDepartment(*restricted):
		return problem(u.Name + " cannot see this contact. Assign the item to someone in its department.")
	}
	return nil
}

// ReplyInboxItem records a reply given where the customer posted. On an
// item with a contact it is logged, in the same transaction, as an
// outbound message on the social channel, so it is on the contact's
// timeline like any message. The first reply sets first_reply_at and the
// response time (from when the customer posted) once; later replies do
// not move them. The item becomes replied.
func (db *DB) ReplyInboxItem(ctx context.Context, actor Actor, id int64, r InboxReply) (*InboxItem, error) {
	return db.updateInbox(ctx, actor, auditInboxReply, id, r.Version, func(tx *DB, old *InboxItem, set map[string]any) (map[string]any, error) {
		var v ValidationError
		text := cleanText(r.Text)
		link := cleanLine(r.URL)
		at := r.RepliedAt.UTC().Truncate(time.Microsecond)
		if r.RepliedAt.IsZero() {
			at = now()
		}
		switch {
		case text == "":
			v.Add("text", "Write what you replied.")
		default:
			checkLength(&v, "text", "reply", text, maxInboxReply)
		}
		if link != "" && (len(link) > maxURLLength || !isWebURL(link)) {
			v.Add("url", "Give the reply's web address, starting with https://.")
		}
		switch {
		case at.Before(old.PublishedAt) && !r.RepliedAt.IsZero():
			v.Add("replied_at", "A reply cannot come before the post it answers.")
		case at.After(now().Add(interactionFutureLeeway)):
			v.Add("replied_at", "Enter when you replied; that is more than a day from now.")
		}
		if err := v.OrNil(); err != nil {
			return nil, err
		}
		set["status"], set["reply_text"], set["reply_url"] = InboxReplied, text, link
		set["closed_at"], set["closed_by_user_id"], set["close_reason"] = nil, nil, ""
		if old.ContactID != nil {
			req := InteractionRequest{Kind: InteractionMessage, Direction: DirectionOutbound, Channel: socialChannel,
				OccurredAt: at, ContactIDs: []int64{*old.ContactID}, Subject: "Reply on " + old.Item.Network, Body: text}
			if link != "" {
				if len(link) <= maxOutcomeLength {
					req.Outcome = link
				} else {
					req.Body += "\n\n" + link
				}
			}
			i, err := tx.LogInteraction(ctx, actor, req)
			if err != nil {
				return nil, err
			}
			set["reply_interaction_id"] = i.ID
		}
		if old.FirstReplyAt == nil {
			secs := int64(at.Sub(old.PublishedAt) / time.Second)
			secs = max(secs, 0) // a post dated in the future by a skewed clock
			set["first_reply_at"], set["response_seconds"] = at, secs
			if actor.UserID != 0 {
				set["replied_by_user_id"] = actor.UserID
			}
			var v ValidationError
			set["replied_by_department_id"] = actingDepartment(actor, 0, &v)
		}
		return map[string]any{"url": link, "contact_id": old.ContactID, "first": old.FirstReplyAt == nil}, nil
	})
}

// CloseInboxItem closes an item as needing no action, with an optional
// reason.
func (db *DB) CloseInboxItem(ctx context.Context, actor Actor, id int64, version int64, reason string) (*InboxItem, error) {
	return db.updateInbox(ctx, actor, auditInboxClose, id, version, func(tx *DB, old *InboxItem, set map[string]any) (map[string]any, error) {
		reason = cleanLine(reason)
		var v ValidationError
		checkLength(&v, "reason", "reason", reason, maxInboxCloseReason)
		if err := v.OrNil(); err != nil {
			return nil, err
		}
		set["status"], set["closed_at"], set["close_reason"] = InboxClosed, now(), reason
		set["closed_by_user_id"] = nil
		if actor.UserID != 0 {
			set["closed_by_user_id"] = actor.UserID
		}
		return map[string]any{"reason": reason}, nil
	})
}

// ReopenInboxItem puts a closed or replied item back in the open queue.
// A reply already given keeps its response time.
func (db *DB) ReopenInboxItem(ctx context.Context, actor Actor, id int64, version int64) (*InboxItem, error) {
	return db.updateInbox(ctx, actor, auditInboxReopen, id, version, func(tx *DB, old *InboxItem, set map[string]any) (map[string]any, error) {
		set["status"], set["closed_at"], set["closed_by_user_id"], set["close_reason"] = InboxOpen, nil, nil, ""
		return map[string]any{"from": old.Status}, nil
	})
}
