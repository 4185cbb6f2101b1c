package models

import (
	"context"
	"fmt"
)

// HistoryBatch writes many timeline entries at once, for generated data
// (rapport demo, rapport bench at a million contacts): interactions with
// their participants and timeline items, and items that are their own
// record such as profile changes. Each is validated as LogInteraction or
// AddTimelineItem validates it, then written in multi-row INSERTs.
//
// It trusts its caller on what those look up: the contacts named exist and
// the actor may see them (the generator has just made them). It writes no
// audit events and leaves last_contacted_at alone, which a generator sets
// when it creates the contact.
type HistoryBatch struct {
	interactions []pendingInteraction
	items        []timelineRecord
}

type pendingInteraction struct {
	i          *Interaction
	actor      Actor
	contactIDs []int64
	userIDs    []int64
}

// Len is how many interactions and items are queued.
func (b *HistoryBatch) Len() int { return len(b.interactions) + len(b.items) }

// AddInteraction validates req and queues the interaction.
func (b *HistoryBatch) AddInteraction(actor Actor, req InteractionRequest) error {
	if !actor.CanWrite() {
		return fmt.Errorf("models: log interactions: %w", ErrForbidden)
	}
	i, contactIDs, userIDs, err := newInteraction(actor, req)
	if err != nil {
		return err
	}
	t := now()
	i.Version, i.CreatedAt, i.UpdatedAt = 1, t, t
	if actor.UserID != 0 {
		i.CreatedBy = &actor.UserID
	}
	b.interactions = append(b.interactions, pendingInteraction{i: i, actor: actor, contactIDs: contactIDs, userIDs: userIDs})
	return nil
}

// AddItem validates e, an entry that is its own record (no Ref, such as a
// profile change), and queues an item for each of its contacts.
func (b *HistoryBatch) AddItem(ctx context.Context, tx *DB, actor Actor, e TimelineEntry) error {
	if actor.UserID != 0 && !actor.CanWrite() {
		return fmt.Errorf("models: add timeline items: %w", ErrForbidden)
	}
	rec, ids, err := tx.timelineRecordFor(ctx, actor, e)
	if err != nil {
		return err
	}
	t := now()
	for _, id := range ids {
		r := rec
		r.ContactID, r.CreatedAt, r.UpdatedAt = id, t, t
		b.items = append(b.items, r)
	}
	return nil
}

// Flush writes what is queued through tx; the batch is then empty.
func (b *HistoryBatch) Flush(ctx context.Context, tx *DB) error {
	pend, items := b.interactions, b.items
	b.interactions, b.items = nil, nil
	if len(pend) > 0 {
		ids, err := insertRows(ctx, tx, "interactions", []string{"kind", "direction", "channel", "occurred_at",
			"duration_seconds", "subject", "body", "outcome", "source", "actor_department_id", "restricted_department_id",
			"created_by", "version", "created_at", "updated_at"}, len(pend), true, func(n int, a []any) []any {
			i := pend[n].i
			return append(a, string(i.Kind), string(i.Direction), i.Channel, i.OccurredAt, i.DurationSeconds, i.Subject,
				i.Body, i.Outcome, string(i.Source), i.ActorDepartmentID, i.RestrictedDepartmentID, i.CreatedBy, i.Version,
				i.CreatedAt, i.UpdatedAt)
		})
		if err != nil {
			return fmt.Errorf("models: log interactions: %w", err)
		}
		var parts []interactionParticipant
		for n, p := range pend {
			p.i.ID = ids[n]
			for _, c := range p.contactIDs {
				parts = append(parts, interactionParticipant{InteractionID: p.i.ID, ContactID: &c})
			}
			for _, u := range p.userIDs {
				parts = append(parts, interactionParticipant{InteractionID: p.i.ID, UserID: &u})
			}
			rec, cids, err := tx.timelineRecordFor(ctx, p.actor, p.i.timelineEntry(p.contactIDs))
			if err != nil {
				return err
			}
			for _, c := range cids {
				r := rec
				r.ContactID, r.CreatedAt, r.UpdatedAt = c, p.i.CreatedAt, p.i.CreatedAt
				items = append(items, r)
			}
		}
		if len(parts) > 0 {
			_, err := insertRows(ctx, tx, "interaction_participants", []string{"interaction_id", "contact_id", "user_id"}, len(parts), false,
				func(n int, a []any) []any {
					return append(a, parts[n].InteractionID, parts[n].ContactID, parts[n].UserID)
				})
			if err != nil {
				return fmt.Errorf("models: save participants of interactions: %w", err)
			}
		}
	}
	if len(items) == 0 {
		return nil
	}
	return insertTimelineRecords(ctx, tx, items)
}
