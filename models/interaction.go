package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// InteractionKind is what sort of exchange an interaction was.
type InteractionKind string

// Interaction kinds.
const (
	InteractionCall    InteractionKind = "call"
	InteractionMeeting InteractionKind = "meeting"
	InteractionEmail   InteractionKind = "email"
	InteractionMessage InteractionKind = "message"
)

// InteractionKinds lists the kinds in the order forms offer them.
var InteractionKinds = []InteractionKind{InteractionCall, InteractionMeeting, InteractionEmail, InteractionMessage}

// Valid reports whether k is one of the known kinds.
func (k InteractionKind) Valid() bool { return slices.Contains(InteractionKinds, k) }

// InteractionDirection says who reached out: the contact (inbound) or
// us (outbound).
type InteractionDirection string

// Directions.
const (
	DirectionInbound  InteractionDirection = "inbound"
	DirectionOutbound InteractionDirection = "outbound"
)

// InteractionChannels are the media an interaction can go through, as
// stored and as TimelineOptions.Channel matches them.
var InteractionChannels = []string{"phone", "video", "in_person", "email", "sms", "chat", "social_dm", socialChannel, "letter", "other"}

// socialChannel is a public reply on a social network, as the Inbox logs
// it; social_dm is a private message.
const socialChannel = "social"

// defaultChannels is each kind's usual channel, used when none is given.
var defaultChannels = map[InteractionKind]string{
	InteractionCall: "phone", InteractionMeeting: "in_person", InteractionEmail: "email", InteractionMessage: "chat",
}

// Interaction is a call, meeting, email or message with one or more
// contacts. Each contact it was with shows it on their timeline.
type Interaction struct {
	ID              int64                `json:"id"`
	Kind            InteractionKind      `json:"kind"`
	Direction       InteractionDirection `json:"direction,omitempty"`
	Channel         string               `json:"channel"`
	OccurredAt      time.Time            `json:"occurred_at"`
	DurationSeconds int                  `json:"duration_seconds"`
	Subject         string               `json:"subject"`
	Body            string               `json:"body"`
	Outcome         string               `json:"outcome"`
	Source          TimelineSource       `json:"source"`
	// ActorDepartmentID is the department its author logged it for.
	ActorDepartmentID *int64 `json:"actor_department_id,omitempty"`
	// RestrictedDepartmentID, when set, shows it only to members of that
	// department, admins included.
	RestrictedDepartmentID *int64     `json:"restricted_department_id,omitempty"`
	CreatedBy              *int64     `json:"created_by,omitempty"`
	Version                int64      `json:"version"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
	DeletedAt              *time.Time `json:"deleted_at,omitempty"`
	// Contacts are the participants the reader may see; others are left
	// out. Users are the colleagues who took part.
	Contacts []Participant `json:"contacts" gorm:"-"`
	Users    []Participant `json:"users" gorm:"-"`
}

// Participant is a contact or colleague who took part in an interaction.
type Participant struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// interactionParticipant is a row of interaction_participants: a contact
// or a user, never both.
type interactionParticipant struct {
	ID            int64
	InteractionID int64
	ContactID     *int64
	UserID        *int64
}

func (interactionParticipant) TableName() string { return "interaction_participants" }

// Summary is the one line a timeline shows: "Outbound call: Renewal".
func (i *Interaction) Summary() string {
	var what string
	switch {
	case i.Kind == InteractionMeeting:
		what = "Meeting"
	case i.Kind == InteractionCall && i.Direction == DirectionOutbound:
		what = "Outbound call"
	case i.Kind == InteractionCall:
		what = "Inbound call"
	case i.Kind == InteractionEmail && i.Direction == DirectionOutbound:
		what = "Email sent"
	case i.Kind == InteractionEmail:
		what = "Email received"
	case i.Direction == DirectionOutbound:
		what = "Message sent"
	default:
		what = "Message received"
	}
	if i.Subject != "" {
		return what + ": " + i.Subject
	}
	return what
}

// interactionItemData is the data of an interaction's timeline items:
// enough to show it without loading the interaction.
type interactionItemData struct {
	InteractionKind InteractionKind      `json:"interaction_kind"`
	Direction       InteractionDirection `json:"direction,omitempty"`
	DurationSeconds int                  `json:"duration_seconds,omitempty"`
	Subject         string               `json:"subject,omitempty"`
	Outcome         string               `json:"outcome,omitempty"`
	Excerpt         string               `json:"excerpt,omitempty"`
	Version         int64                `json:"version"`
}

// timelineEntry is the interaction as its contacts' timelines show it.
func (i *Interaction) timelineEntry(contactIDs []int64) TimelineEntry {
	e := TimelineEntry{Kind: TimelineInteraction, ContactIDs: contactIDs, OccurredAt: i.OccurredAt, Source: i.Source,
		RestrictedDepartmentID: i.RestrictedDepartmentID, Ref: TimelineRef{Type: interactionRefType, ID: i.ID},
		Channel: i.Channel, Summary: i.Summary(),
		Data: interactionItemData{InteractionKind: i.Kind, Direction: i.Direction, DurationSeconds: i.DurationSeconds,
			Subject: i.Subject, Outcome: i.Outcome, Excerpt: shorten(strings.Join(strings.Fields(i.Body), " "), maxInteractionExcerpt),
			Version: i.Version}}
	if i.ActorDepartmentID != nil {
		e.ActorDepartmentID = *i.ActorDepartmentID
	}
	return e
}

// visibleInteractions limits an interaction query to live interactions the
// actor may see: not restricted to a department they are not in, and with
// at least one participant they may see.
func visibleInteractions(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		seen := q.Session(&gorm.Session{NewDB: true}).Table("interaction_participants").Select("1").
			Joins("JOIN contacts ON contacts.id = interaction_participants.contact_id").
			Where("interaction_participants.interaction_id = interactions.id").Scopes(visibleContacts(actor))
		q = q.Where("interactions.deleted_at IS NULL").Where("EXISTS (?)", seen)
		if len(actor.DepartmentIDs) == 0 {
			return q.Where("interactions.restricted_department_id IS NULL")
		}
		return q.Where("(interactions.restricted_department_id IS NULL OR interactions.restricted_department_id IN ?)", actor.DepartmentIDs)
	}
}

// LogInteraction records a call, meeting, email or message with the
// contacts req names, all or nothing: the interaction, its participants,
// an item on each contact's timeline, each contact's last_contacted_at and
// the audit event. A contact the actor may not see is ErrNotFound, as if
// it did not exist.
func (db *DB) LogInteraction(ctx context.Context, actor Actor, req InteractionRequest) (*Interaction, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: log interaction: %w", ErrForbidden)
	}
	i, contactIDs, userIDs, err := newInteraction(actor, req)
	if err != nil {
		return nil, err
	}
	err = db.Tx(ctx, func(tx *DB) error {
		if err := tx.checkUsers(ctx, userIDs); err != nil {
			return err
		}
		if err := tx.checkVisibleContacts(ctx, actor, contactIDs); err != nil {
			return err
		}
		t := now()
		i.Version, i.CreatedAt, i.UpdatedAt = 1, t, t
		if actor.UserID != 0 {
			i.CreatedBy = &actor.UserID
		}
		if err := tx.with(ctx).Create(i).Error; err != nil {
			return fmt.Errorf("models: log interaction: %w", err)
		}
		if err := tx.addParticipants(ctx, i.ID, contactIDs, userIDs); err != nil {
			return err
		}
		rec, ids, err := tx.timelineRecordFor(ctx, actor, i.timelineEntry(contactIDs))
		if err != nil {
			return err
		}
		if err := tx.insertTimelineItems(ctx, rec, ids); err != nil {
			return err
		}
		if err := tx.touchLastContacted(ctx, contactIDs, i.OccurredAt); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "interaction.create", SubjectType: "interaction", SubjectID: i.ID,
			Detail: map[string]any{"kind": i.Kind, "contact_ids": contactIDs}})
	})
	if err != nil {
		return nil, err
	}
	return db.Interaction(ctx, actor, i.ID)
}

// newInteraction is the interaction req describes, checked as far as that
// needs no database, with the contacts and users it names. LogInteraction
// and HistoryBatch both start here.
func newInteraction(actor Actor, req InteractionRequest) (*Interaction, []int64, []int64, error) {
	i := &Interaction{Source: req.Source}
	var v ValidationError
	if i.Source == "" {
		i.Source = sourceOf(actor)
	} else if !i.Source.Valid() {
		v.Add("source", "Choose user, api, import, feed or system.")
	}
	p := req.patch()
	contactIDs, userIDs := p.apply(i, &v)
	i.ActorDepartmentID = actingDepartment(actor, req.ActorDepartmentID, &v)
	i.RestrictedDepartmentID = restriction(actor, nil, req.RestrictedDepartmentID, &v)
	return i, contactIDs, userIDs, v.OrNil()
}

// Interaction loads an interaction the actor may see with its
// participants. One the actor may not see is ErrNotFound.
func (db *DB) Interaction(ctx context.Context, actor Actor, id int64) (*Interaction, error) {
	var i Interaction
	if err := db.with(ctx).Scopes(visibleInteractions(actor)).First(&i, "interactions.id = ?", id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("interaction %d", id))
	}
	if err := db.loadParticipants(ctx, actor, &i); err != nil {
		return nil, err
	}
	return &i, nil
}

// UpdateInteraction applies patch to an interaction the actor may see, and
// shows the change at once on the timeline of every contact it was with.
// When patch.Version is not the stored version it changes nothing and
// returns a *ConflictError[Interaction] holding the interaction as it now
// stands.
func (db *DB) UpdateInteraction(ctx context.Context, actor Actor, id int64, patch InteractionPatch) (*Interaction, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: update interaction %d: %w", id, ErrForbidden)
	}
	if patch.Version <= 0 {
		return nil, versionProblem()
	}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "interactions", id); err != nil {
			return err
		}
		old, err := tx.Interaction(ctx, actor, id)
		if err != nil {
			return err
		}
		if old.Version != patch.Version {
			return errStale
		}
		oldContacts, oldUsers, err := tx.participantIDs(ctx, id)
		if err != nil {
			return err
		}
		i := *old
		var v ValidationError
		given, userIDs := patch.apply(&i, &v)
		i.RestrictedDepartmentID = restriction(actor, old.RestrictedDepartmentID, patch.RestrictedDepartmentID, &v)
		if err := v.OrNil(); err != nil {
			return err
		}
		contactIDs := oldContacts
		if given != nil {
			if err := tx.checkVisibleContacts(ctx, actor, given); err != nil {
				return err
			}
			// Contacts the actor cannot see are not theirs to remove.
			contactIDs = given
			for _, c := range oldContacts {
				if !slices.ContainsFunc(old.Contacts, func(p Participant) bool { return p.ID == c }) && !slices.Contains(given, c) {
					contactIDs = append(contactIDs, c)
				}
			}
		}
		if userIDs == nil {
			userIDs = oldUsers
		} else if err := tx.checkUsers(ctx, userIDs); err != nil {
			return err
		}
		changes := diffFields(interactionAuditView(old, oldContacts, oldUsers), interactionAuditView(&i, contactIDs, userIDs))
		if len(changes) == 0 {
			return nil
		}
		if c, ok := changes["body"]; ok {
			// The audit trail notes that the text changed, not all of it.
			changes["body"] = fieldChange{Old: shorten(c.Old.(string), 200), New: shorten(c.New.(string), 200)}
		}
		i.UpdatedAt = now()
		i.Version = old.Version + 1
		res := tx.with(ctx).Model(&Interaction{}).Where("id = ? AND version = ?", id, patch.Version).Updates(map[string]any{
			"kind": i.Kind, "direction": i.Direction, "channel": i.Channel, "occurred_at": i.OccurredAt,
			"duration_seconds": i.DurationSeconds, "subject": i.Subject, "body": i.Body, "outcome": i.Outcome,
			"restricted_department_id": i.RestrictedDepartmentID, "updated_at": i.UpdatedAt, "version": i.Version,
		})
		if res.Error != nil {
			return fmt.Errorf("models: update interaction %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errStale
		}
		_, contactsChanged := changes["contact_ids"]
		_, usersChanged := changes["user_ids"]
		if contactsChanged || usersChanged {
			if err := tx.with(ctx).Where("interaction_id = ?", id).Delete(&interactionParticipant{}).Error; err != nil {
				return fmt.Errorf("models: update participants of interaction %d: %w", id, err)
			}
			if err := tx.addParticipants(ctx, id, contactIDs, userIDs); err != nil {
				return err
			}
		}
		if err := tx.UpdateTimelineItems(ctx, actor, i.timelineEntry(contactIDs)); err != nil {
			return err
		}
		if err := tx.refreshLastContacted(ctx, uniqueIDs(append(slices.Clone(oldContacts), contactIDs...)), old.OccurredAt); err != nil {
			return err
		}
		if err := tx.touchLastContacted(ctx, contactIDs, i.OccurredAt); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "interaction.update", SubjectType: "interaction", SubjectID: id, Detail: changes})
	})
	if errors.Is(err, errStale) {
		current, err := db.Interaction(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError[Interaction]{Current: current}
	}
	if err != nil {
		return nil, err
	}
	return db.Interaction(ctx, actor, id)
}

// DeleteInteraction moves an interaction the actor may see to the bin: it
// leaves every timeline at once, and contacts whose last contact it was
// fall back to their latest remaining interaction.
func (db *DB) DeleteInteraction(ctx context.Context, actor Actor, id int64) error {
	if !actor.CanWrite() {
		return fmt.Errorf("models: delete interaction %d: %w", id, ErrForbidden)
	}
	return db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "interactions", id); err != nil {
			return err
		}
		old, err := tx.Interaction(ctx, actor, id)
		if err != nil {
			return err
		}
		t := now()
		res := tx.with(ctx).Model(&Interaction{}).Where("id = ? AND deleted_at IS NULL", id).
			Updates(map[string]any{"deleted_at": t, "updated_at": t, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return fmt.Errorf("models: delete interaction %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: interaction %d: %w", id, ErrNotFound)
		}
		if err := tx.RemoveTimelineItems(ctx, actor, TimelineRef{Type: interactionRefType, ID: id}); err != nil {
			return err
		}
		contactIDs, _, err := tx.participantIDs(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.refreshLastContacted(ctx, contactIDs, old.OccurredAt); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "interaction.delete", SubjectType: "interaction", SubjectID: id,
			Detail: map[string]any{"kind": old.Kind, "summary": old.Summary()}})
	})
}

// restriction is the department an interaction is restricted to after a
// request that gives (nil: unchanged, 0: none). A person can restrict only
// to a department they belong to, so as not to hide it from themselves.
func restriction(actor Actor, old, given *int64, v *ValidationError) *int64 {
	if given == nil {
		return old
	}
	if *given == 0 {
		return nil
	}
	unchanged := old != nil && *old == *given
	if !unchanged && actor.UserID != 0 && !actor.InDepartment(*given) {
		v.Add("restricted_department_id", "You can restrict an interaction only to a department you belong to.")
	}
	d := *given
	return &d
}

// checkUsers answers a validation problem when ids name a user that does
// not exist.
func (db *DB) checkUsers(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var n int64
	if err := db.with(ctx).Model(&User{}).Where("id IN ?", ids).Count(&n).Error; err != nil {
		return fmt.Errorf("models: check users: %w", err)
	}
	if n != int64(len(ids)) {
		return &ValidationError{Fields: map[string]string{"user_ids": "Choose colleagues from the list of users."}}
	}
	return nil
}

func (db *DB) addParticipants(ctx context.Context, interactionID int64, contactIDs, userIDs []int64) error {
	rows := make([]interactionParticipant, 0, len(contactIDs)+len(userIDs))
	for _, id := range contactIDs {
		rows = append(rows, interactionParticipant{InteractionID: interactionID, ContactID: &id})
	}
	for _, id := range userIDs {
		rows = append(rows, interactionParticipant{InteractionID: interactionID, UserID: &id})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := db.with(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("models: save participants of interaction %d: %w", interactionID, err)
	}
	return nil
}

// participantIDs lists all an interaction's contacts, visible or not, and
// users, in the order they were added.
func (db *DB) participantIDs(ctx context.Context, interactionID int64) (contactIDs, userIDs []int64, err error) {
	var rows []interactionParticipant
	if err := db.with(ctx).Where("interaction_id = ?", interactionID).Order("id").Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("models: participants of interaction %d: %w", interactionID, err)
	}
	for _, r := range rows {
		switch {
		case r.ContactID != nil:
			contactIDs = append(contactIDs, *r.ContactID)
		case r.UserID != nil:
			userIDs = append(userIDs, *r.UserID)
		}
	}
	return contactIDs, userIDs, nil
}

// loadParticipants fills in the contacts the actor may see and the users
// who took part, with their names.
func (db *DB) loadParticipants(ctx context.Context, actor Actor, i *Interaction) error {
	contactIDs, userIDs, err := db.participantIDs(ctx, i.ID)
	if err != nil {
		return err
	}
	i.Contacts, i.Users = []Participant{}, []Participant{}
	if len(contactIDs) > 0 {
		var cs []Contact
		if err := db.with(ctx).Scopes(visibleContacts(actor), withNameLists).
			Where("contacts.id IN ?", contactIDs).Find(&cs).Error; err != nil {
			return fmt.Errorf("models: contacts of interaction %d: %w", i.ID, err)
		}
		for _, id := range contactIDs {
			if j := slices.IndexFunc(cs, func(c Contact) bool { return c.ID == id }); j >= 0 {
				i.Contacts = append(i.Contacts, Participant{ID: id, Name: cs[j].Name()})
			}
		}
	}
	if len(userIDs) > 0 {
		var us []User
		if err := db.with(ctx).Select("id", "name").Where("id IN ?", userIDs).Find(&us).Error; err != nil {
			return fmt.Errorf("models: users of interaction %d: %w", i.ID, err)
		}
		for _, id := range userIDs {
			if j := slices.IndexFunc(us, func(u User) bool { return u.ID == id }); j >= 0 {
				i.Users = append(i.Users, Participant{ID: id, Name: us[j].Name})
			}
		}
	}
	return nil
}

// touchLastContacted moves the contacts' last_contacted_at forward to at,
// never back. One statement, so concurrent logs for one contact cannot
// lose each other's update. It is not a profile edit: the contact's
// version and updated_at stay.
func (db *DB) touchLastContacted(ctx context.Context, contactIDs []int64, at time.Time) error {
	if len(contactIDs) == 0 {
		return nil
	}
	err := db.with(ctx).Exec("UPDATE contacts SET last_contacted_at = ? WHERE id IN ? AND (last_contacted_at IS NULL OR last_contacted_at < ?)",
		at, contactIDs, at).Error
	if err != nil {
		return fmt.Errorf("models: update last contacted: %w", err)
	}
	return nil
}

// refreshLastContacted recomputes last_contacted_at from the live
// interactions of those contacts whose value was was: the time of an
// interaction that moved, lost them, or was deleted. A value that came
// from elsewhere (typed in, imported) is left alone.
func (db *DB) refreshLastContacted(ctx context.Context, contactIDs []int64, was time.Time) error {
	if len(contactIDs) == 0 {
		return nil
	}
	err := db.with(ctx).Exec(`UPDATE contacts SET last_contacted_at = (
		SELECT MAX(interactions.occurred_at) FROM interactions
		JOIN interaction_participants ON interaction_participants.interaction_id = interactions.id
		WHERE interaction_participants.contact_id = contacts.id AND interactions.deleted_at IS NULL)
		WHERE contacts.id IN ? AND contacts.last_contacted_at = ?`, contactIDs, was).Error
	if err != nil {
		return fmt.Errorf("models: recompute last contacted: %w", err)
	}
	return nil
}

// interactionAuditView is an interaction as the audit trail describes it.
func interactionAuditView(i *Interaction, contactIDs, userIDs []int64) map[string]any {
	return map[string]any{
		"kind": i.Kind, "direction": i.Direction, "channel": i.Channel, "occurred_at": auditTime(&i.OccurredAt),
		"duration_seconds": i.DurationSeconds, "subject": i.Subject, "body": i.Body, "outcome": i.Outcome,
		"restricted_department_id": i.RestrictedDepartmentID,
		"contact_ids":              slices.Sorted(slices.Values(contactIDs)), "user_ids": slices.Sorted(slices.Values(userIDs)),
	}
}
