package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEvent records who did what to which record, and when.
type AuditEvent struct {
	ID          int64     `json:"id"`
	OccurredAt  time.Time `json:"occurred_at"`
	ActorID     *int64    `json:"actor_id,omitempty"`
	ActorLabel  string    `json:"actor"`
	Action      string    `json:"action"`
	SubjectType string    `json:"subject_type,omitempty"`
	SubjectID   *int64    `json:"subject_id,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	ClientIP    string    `json:"client_ip,omitempty"`
	RequestID   string    `json:"request_id,omitempty"`
}

// AuditEntry is what a caller knows about an action worth recording.
type AuditEntry struct {
	Actor       *Actor // nil for anonymous (a failed sign-in)
	ActorLabel  string // used when Actor is nil, such as the email tried
	Action      string // dotted verb: "user.sign_in", "token.create", …
	SubjectType string
	SubjectID   int64
	Detail      any // encoded as JSON; keep it small
	ClientIP    string
	RequestID   string
}

// Audit appends an event to the audit trail. Pass the transaction's *DB when
// the action is part of one, so the record and its audit commit together.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	ev := AuditEvent{OccurredAt: now(), ActorLabel: e.ActorLabel, Action: e.Action, SubjectType: e.SubjectType,
		ClientIP: e.ClientIP, RequestID: e.RequestID}
	if e.Actor != nil {
		if e.Actor.UserID != 0 {
			id := e.Actor.UserID
			ev.ActorID = &id
		}
		if ev.ActorLabel == "" {
			ev.ActorLabel = e.Actor.Name
		}
	}
	if e.SubjectID != 0 {
		id := e.SubjectID
		ev.SubjectID = &id
	}
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("models: audit %s: encode detail: %w", e.Action, err)
		}
		ev.Detail = string(b)
	}
	if err := db.with(ctx).Create(&ev).Error; err != nil {
		return fmt.Errorf("models: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditListOptions filters the audit log; Before pages backwards in time.
type AuditListOptions struct {
	Action  string
	ActorID int64
	Before  *AuditCursor
	Limit   int
}

// AuditCursor is the keyset position of the last event on a page.
type AuditCursor struct {
	OccurredAt time.Time
	ID         int64
}

// AuditEvents lists events newest first, keyset-paginated. Admin-only: the
// caller's actor must be an admin.
func (db *DB) AuditEvents(ctx context.Context, actor Actor, opts AuditListOptions) ([]AuditEvent, error) {
	if !actor.IsAdmin() {
		return nil, fmt.Errorf("models: audit log: %w", ErrForbidden)
	}
	q := db.with(ctx).Order("occurred_at DESC, id DESC").Limit(clampLimit(opts.Limit, 50, 200))
	if opts.Action != "" {
		q = q.Where("action = ?", opts.Action)
	}
	if opts.ActorID != 0 {
		q = q.Where("actor_id = ?", opts.ActorID)
	}
	if c := opts.Before; c != nil {
		q = q.Where("occurred_at < ? OR (occurred_at = ? AND id < ?)", c.OccurredAt, c.OccurredAt, c.ID)
	}
	var evs []AuditEvent
	if err := q.Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("models: audit log: %w", err)
	}
	return evs, nil
}

// AuditActions lists the actions Rapport records, for the audit log filter.
// TestAuditActionsListed keeps it in step with the Action strings in the code.
var AuditActions = []string{
	"setup.complete",
	"user.sign_in", "user.sign_in_failed", "user.sign_in_throttled", "user.sign_out",
	"user.create", "user.invite", "user.invite_revoke", "user.join", "user.access", "user.profile", "user.password_change",
	"department.create",
	"token.create", "token.revoke", "token.use",
	"contact.create", "contact.update", "contact.delete", "contact.merge", "contact.merge_undo", "contact.export",
	"company.create", "company.update",
	"custom_field.create", "custom_field.update", "custom_field.delete",
	"interaction.create", "interaction.update", "interaction.delete",
	"note.create", "note.update", "note.delete", "note.reply", "contact.key_facts",
	"import.start", "import.finish", "import.cancel", "import.undo",
	"task.create", "task.update", "task.complete", "task.cancel", "task.reassign", "task.delete", "contact.cadence",
	"calendar_token.create", "calendar_token.revoke",
	"watch_term.create", "watch_term.delete", "inbox.assign", "inbox.reply", "inbox.close", "inbox.reopen",
}
