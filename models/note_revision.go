package models

import (
	"context"
	"fmt"
	"time"
)

// NoteRevision is one save of a note: the whole body as it was saved, by
// whom, for which department, and when. Version 1 is the note as written.
type NoteRevision struct {
	ID                     int64     `json:"id"`
	NoteID                 int64     `json:"note_id"`
	Version                int64     `json:"version"`
	Body                   string    `json:"body"`
	RestrictedDepartmentID *int64    `json:"restricted_department_id,omitempty"`
	AuthorID               *int64    `json:"author_id,omitempty"`
	DepartmentID           *int64    `json:"department_id,omitempty"`
	CreatedAt              time.Time `json:"created_at"`

	AuthorName     string `json:"author_name,omitempty" gorm:"-"`
	DepartmentName string `json:"department_name,omitempty" gorm:"-"`
}

// addNoteRevision records n as just saved by actor.
func (db *DB) addNoteRevision(ctx context.Context, actor Actor, n *Note) error {
	r := NoteRevision{NoteID: n.ID, Version: n.Version, Body: n.Body, RestrictedDepartmentID: n.RestrictedDepartmentID,
		CreatedAt: n.UpdatedAt}
	if actor.UserID != 0 {
		r.AuthorID = &actor.UserID
	}
	r.DepartmentID = actingDepartment(actor, 0, &ValidationError{})
	if n.Version == 1 {
		r.DepartmentID = n.AuthorDepartmentID
	}
	if err := db.with(ctx).Create(&r).Error; err != nil {
		return fmt.Errorf("models: record revision %d of note %d: %w", n.Version, n.ID, err)
	}
	return nil
}

// NoteRevisions lists every revision of a note the actor may see, newest
// first.
func (db *DB) NoteRevisions(ctx context.Context, actor Actor, noteID int64) ([]NoteRevision, error) {
	if _, err := db.Note(ctx, actor, noteID); err != nil {
		return nil, err
	}
	var rs []NoteRevision
	if err := db.with(ctx).Where("note_id = ?", noteID).Order("version DESC").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("models: revisions of note %d: %w", noteID, err)
	}
	var userIDs, deptIDs []int64
	for _, r := range rs {
		if r.AuthorID != nil {
			userIDs = append(userIDs, *r.AuthorID)
		}
		if r.DepartmentID != nil {
			deptIDs = append(deptIDs, *r.DepartmentID)
		}
	}
	users, depts, err := db.namesOf(ctx, userIDs, deptIDs)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		rs[i].CreatedAt = rs[i].CreatedAt.UTC()
		if rs[i].AuthorID != nil {
			rs[i].AuthorName = users[*rs[i].AuthorID]
		}
		if rs[i].DepartmentID != nil {
			rs[i].DepartmentName = depts[*rs[i].DepartmentID]
		}
	}
	return rs, nil
}

// noteRevision returns one revision of a note the actor may see.
func (db *DB) noteRevision(ctx context.Context, actor Actor, noteID, version int64) (*NoteRevision, error) {
	if _, err := db.Note(ctx, actor, noteID); err != nil {
		return nil, err
	}
	var r NoteRevision
	if err := db.with(ctx).Where("note_id = ? AND version = ?", noteID, version).First(&r).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("version %d of note %d", version, noteID))
	}
	return &r, nil
}

// NoteRevisionDiff compares two versions of a note line by line, from
// the older (from) to the newer (to).
func (db *DB) NoteRevisionDiff(ctx context.Context, actor Actor, noteID, from, to int64) ([]DiffLine, error) {
	a, err := db.noteRevision(ctx, actor, noteID, from)
	if err != nil {
		return nil, err
	}
	b, err := db.noteRevision(ctx, actor, noteID, to)
	if err != nil {
		return nil, err
	}
	return DiffLines(a.Body, b.Body), nil
}

// RestoreNoteRevision makes an earlier version's body the note's body
// again, as a new revision: history only grows. currentVersion is the
// version the person saw, as for UpdateNote, with the same conflict rule.
func (db *DB) RestoreNoteRevision(ctx context.Context, actor Actor, noteID, version, currentVersion int64) (*Note, error) {
	r, err := db.noteRevision(ctx, actor, noteID, version)
	if err != nil {
		return nil, err
	}
	return db.UpdateNote(ctx, actor, noteID, NotePatch{Version: currentVersion, Body: &r.Body})
}
