package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
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
	// Withheld says the event is about a record the reader may not see
	// (auditVisibility): Detail is empty, and the event shows only who did
	// what to which record when.
	Withheld bool `json:"details_withheld,omitempty" gorm:"-"`
}

// AuditWithheld is what the audit log shows in place of the details of an
// event about a record the reader may not see.
const AuditWithheld = "Details withheld: restricted to a department you are not in."

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
// caller's actor must be an admin. Every event is listed, but the details
// of one about a record the actor may not see are withheld (Withheld).
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
	if err := db.withholdAuditDetails(ctx, actor, evs); err != nil {
		return nil, err
	}
	return evs, nil
}

// auditSubject is a kind of record whose audit events carry its content
// (a note's excerpt, a contact's name or changed fields, a task's title):
// table is its table, columns those its visibility scope reads of it, and
// scope that scope, the one every other read of the record goes through.
type auditSubject struct {
	table   string
	columns string
	join    string
	scope   func(Actor) func(*gorm.DB) *gorm.DB
}

// auditSubjects are the records that can be restricted to a department, by
// the subject_type their events carry. Users, departments, tokens,
// companies, custom fields, watch terms and imports are not restricted
// (imports are admin-visible, visibleImports), so their events show in full.
var auditSubjects = map[string]auditSubject{
	"contact":     {"contacts", "id, restricted_department_id", "", visibleContacts},
	"note":        {"notes", "id, contact_id, company_id, restricted_department_id", "", visibleNotes},
	"interaction": {"interactions", "id, restricted_department_id", "", visibleInteractions},
	"task":        {"tasks", "id, contact_id", joinTaskContacts, visibleTasks},
	"inbox_item":  {"inbox_items", "id, contact_id", "", visibleInbox},
}

// withholdAuditDetails empties the Detail of each event whose record the
// actor may not see, judged by the record's own visibility scope, so the
// audit log can never show more than the record's pages would: a
// department-only note's excerpt, a restricted contact's name or diff.
//
// A record deleted since is judged as it stood when deleted: the scope
// runs over the record's row with its deleted_at read as NULL, so
// "contact.delete" keeps the name of an unrestricted contact (what an audit
// log is for) while a restricted one stays withheld from outsiders. Only
// the record's own deletion is overlooked: a note or task whose contact was
// deleted is withheld from everyone, since the scopes judge the contact
// live, and a record whose row is gone altogether can no longer be judged
// and is withheld too. Failing closed is the safe side for both.
//
// A merge names the contact merged away ("merged_name"): its event shows
// only to those who may see both contacts.
func (db *DB) withholdAuditDetails(ctx context.Context, actor Actor, evs []AuditEvent) error {
	ids := map[string][]int64{}
	for _, e := range evs {
		if _, ok := auditSubjects[e.SubjectType]; ok && e.SubjectID != nil {
			ids[e.SubjectType] = append(ids[e.SubjectType], *e.SubjectID)
		}
		if m := mergedContact(e); m != 0 {
			ids["contact"] = append(ids["contact"], m)
		}
	}
	seen := map[string]map[int64]bool{}
	for kind, list := range ids {
		s := auditSubjects[kind]
		rows := db.with(ctx).Table(s.table).Select(s.columns+", NULL AS deleted_at").Where("id IN ?", uniqueIDs(list))
		q := db.with(ctx).Table("(?) AS "+s.table, rows)
		if s.join != "" {
			q = q.Joins(s.join)
		}
		var visible []int64
		if err := q.Scopes(s.scope(actor)).Pluck(s.table+".id", &visible).Error; err != nil {
			return fmt.Errorf("models: audit log: which %s records are visible: %w", kind, err)
		}
		seen[kind] = map[int64]bool{}
		for _, id := range visible {
			seen[kind][id] = true
		}
	}
	for i, e := range evs {
		_, restricted := auditSubjects[e.SubjectType]
		hidden := restricted && (e.SubjectID == nil || !seen[e.SubjectType][*e.SubjectID])
		if m := mergedContact(e); m != 0 && !seen["contact"][m] {
			hidden = true
		}
		if hidden {
			evs[i].Detail, evs[i].Withheld = "", true
		}
	}
	return nil
}

// mergedContact is the contact a "contact.merge" event merged away, 0 for
// any other event.
func mergedContact(e AuditEvent) int64 {
	if e.Action != "contact.merge" || e.Detail == "" {
		return 0
	}
	var d struct {
		Merged int64 `json:"merged"`
	}
	if json.Unmarshal([]byte(e.Detail), &d) != nil {
		return 0
	}
	return d.Merged
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
