package models

import (
	"context"
	"fmt"
)

// ReplyToNote posts a reply in a note's thread. A reply to a reply joins
// the same thread. The reply takes the note's subject and restriction, so
// it is seen by exactly those who see the note. The note's author is
// notified, and a note waiting for a reply is answered when someone other
// than its author replies (the author adding to their own question leaves
// it open).
func (db *DB) ReplyToNote(ctx context.Context, actor Actor, noteID int64, body string) (*Note, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: reply to note %d: %w", noteID, ErrForbidden)
	}
	var v ValidationError
	body = cleanNoteBody(body, &v)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	var reply *Note
	err := db.Tx(ctx, func(tx *DB) error {
		parent, err := tx.Note(ctx, actor, noteID)
		if err != nil {
			return err
		}
		if parent.ParentID != nil {
			if parent, err = tx.Note(ctx, actor, *parent.ParentID); err != nil {
				return err
			}
		}
		if err := tx.lockRow(ctx, "notes", parent.ID); err != nil {
			return err
		}
		t := now()
		reply = &Note{ContactID: parent.ContactID, CompanyID: parent.CompanyID, ParentID: &parent.ID, Body: body,
			SearchText: searchKey(body), RestrictedDepartmentID: parent.RestrictedDepartmentID, Version: 1,
			CreatedAt: t, UpdatedAt: t}
		if actor.UserID != 0 {
			reply.AuthorID = &actor.UserID
		}
		reply.AuthorDepartmentID = actingDepartment(actor, 0, &v)
		if err := tx.with(ctx).Create(reply).Error; err != nil {
			return fmt.Errorf("models: reply to note %d: %w", parent.ID, err)
		}
		if err := tx.addNoteRevision(ctx, actor, reply); err != nil {
			return err
		}
		if err := tx.saveMentions(ctx, actor, reply); err != nil {
			return err
		}
		if parent.AuthorID != nil {
			if err := tx.notify(ctx, actor, NotificationReply, reply, []int64{*parent.AuthorID}); err != nil {
				return err
			}
		}
		answers := parent.Open() && actor.UserID != 0 && (parent.AuthorID == nil || *parent.AuthorID != actor.UserID)
		if answers {
			// Not an edit of the note: its version stays, so an open edit
			// form does not conflict with a reply.
			if err := tx.with(ctx).Model(&Note{}).Where("id = ? AND replied_at IS NULL", parent.ID).
				Updates(map[string]any{"replied_at": t, "replied_by": actor.UserID}).Error; err != nil {
				return fmt.Errorf("models: answer note %d: %w", parent.ID, err)
			}
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "note.reply", SubjectType: "note", SubjectID: reply.ID,
			Detail: map[string]any{"parent_id": parent.ID, "answered": answers, "excerpt": shorten(body, 200)}})
	})
	if err != nil {
		return nil, err
	}
	return db.Note(ctx, actor, reply.ID)
}

// OpenNoteOptions filters the notes waiting for a reply.
type OpenNoteOptions struct {
	// ContactID keeps one contact's notes; 0 lists every open note.
	ContactID int64
	Cursor    string
	Limit     int // 50 when zero, at most 200
}

// OpenNotes lists the notes the actor may see that wait for a reply,
// newest first.
func (db *DB) OpenNotes(ctx context.Context, actor Actor, opts OpenNoteOptions) (*NotePage, error) {
	// The literal condition matches notes_open_idx's, so both databases
	// walk that small index.
	q := db.with(ctx).Model(&Note{}).Where("notes.needs_reply AND notes.replied_at IS NULL AND notes.deleted_at IS NULL").
		Scopes(visibleNotes(actor))
	if opts.ContactID != 0 {
		if err := db.checkVisibleContacts(ctx, actor, []int64{opts.ContactID}); err != nil {
			return nil, err
		}
		q = q.Where("notes.contact_id = ?", opts.ContactID)
	}
	return db.notePage(ctx, q, "open_notes", opts.Cursor, opts.Limit)
}

// RepliesOf is NoteReplies for a page of notes at once, keyed by note id:
// one query and one naming pass instead of four per note, which is what
// the contact page's notes section used to cost. ns must be notes the
// actor has just listed; replies share their note's visibility.
func (db *DB) RepliesOf(ctx context.Context, actor Actor, ns []Note) (map[int64][]Note, error) {
	out := map[int64][]Note{}
	if len(ns) == 0 {
		return out, nil
	}
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	var rs []Note
	if err := db.with(ctx).Scopes(visibleNotes(actor)).Where("notes.parent_id IN ?", ids).
		Order("notes.parent_id, notes.created_at, notes.id").Limit(1000 * len(ids)).Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("models: replies to %d notes: %w", len(ids), err)
	}
	if err := db.nameNoteAuthors(ctx, rs); err != nil {
		return nil, err
	}
	for _, r := range rs {
		out[*r.ParentID] = append(out[*r.ParentID], r)
	}
	return out, nil
}
