package models

import (
	"context"
	"time"
)

// InboxItem is one conversation: a post that needs an answer.
type InboxItem struct {
	ID                     int64      `json:"id"`
	Status                 string     `json:"status"`
	Reason                 []string   `json:"reason"`
	MatchedTerms           []string   `json:"matched_terms"`
	Item                   SocialItem `json:"item"`
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
	ReplyURL               string     `json:"reply_url,omitempty"`
	ReplyText              string     `json:"reply_text,omitempty"`
	ReplyInteractionID     *int64     `json:"reply_interaction_id,omitempty"`
	RepliedByName          string     `json:"replied_by_name,omitempty"`
	ClosedAt               *time.Time `json:"closed_at,omitempty"`
	CloseReason            string     `json:"close_reason,omitempty"`
	Version                int64      `json:"version"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
}

// Inbox statuses.
const (
	InboxOpen    = "open"
	InboxReplied = "replied"
	InboxClosed  = "closed"
)

// Waiting is how long the customer has waited: now − published while the
// item is open, else the response time.
func (it *InboxItem) Waiting(now time.Time) time.Duration {
	if it.ResponseSeconds != nil {
		return time.Duration(*it.ResponseSeconds) * time.Second
	}
	if it.Status != InboxOpen && it.ClosedAt != nil {
		return it.ClosedAt.Sub(it.PublishedAt)
	}
	return now.Sub(it.PublishedAt)
}

// InboxOptions filter and page the Inbox.
type InboxOptions struct {
	Status   string // open (default), replied, closed, all
	Assignee string // "", "me", "unassigned", "department:<id>", "user:<id>"
	Cursor   string
	Limit    int // keyset on (published_at, id), oldest first for open
}

// InboxPage is one page of the Inbox.
type InboxPage struct {
	Items      []InboxItem `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
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

// Inbox lists the items the actor may see.
func (db *DB) Inbox(ctx context.Context, actor Actor, opts InboxOptions) (*InboxPage, error) {
	return nil, errNotYet
}

// InboxItemByID loads one item the actor may see.
func (db *DB) InboxItemByID(ctx context.Context, actor Actor, id int64) (*InboxItem, error) {
	return nil, errNotYet
}

// OpenInboxCount counts the open items the actor may see.
func (db *DB) OpenInboxCount(ctx context.Context, actor Actor) (int64, error) { return 0, errNotYet }

// AssignInboxItem assigns or unassigns an item.
func (db *DB) AssignInboxItem(ctx context.Context, actor Actor, id int64, a InboxAssign) (*InboxItem, error) {
	return nil, errNotYet
}

// ReplyInboxItem records a reply.
func (db *DB) ReplyInboxItem(ctx context.Context, actor Actor, id int64, r InboxReply) (*InboxItem, error) {
	return nil, errNotYet
}

// CloseInboxItem closes an item as needing no action.
func (db *DB) CloseInboxItem(ctx context.Context, actor Actor, id int64, version int64, reason string) (*InboxItem, error) {
	return nil, errNotYet
}

// ReopenInboxItem opens a closed or replied item again.
func (db *DB) ReopenInboxItem(ctx context.Context, actor Actor, id int64, version int64) (*InboxItem, error) {
	return nil, errNotYet
}
