package models

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"
)

// Key facts are the few lines pinned at the top of a contact ("prefers
// email; decision maker for EMEA; never call before 10"), one short text
// per contact that anyone who may write edits, with its full history and
// the same version rule as notes: a save against a stale version is
// refused with the current text.

// MaxKeyFacts bounds the pinned text: it is read at a glance.
const MaxKeyFacts = 1000

// KeyFacts is a contact's pinned text. Version 0 means none was ever
// saved.
type KeyFacts struct {
	ContactID    int64     `json:"contact_id" gorm:"primaryKey;autoIncrement:false"`
	Body         string    `json:"body"`
	Version      int64     `json:"version"`
	UpdatedBy    *int64    `json:"updated_by,omitempty"`
	DepartmentID *int64    `json:"department_id,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`

	UpdatedByName  string `json:"updated_by_name,omitempty" gorm:"-"`
	DepartmentName string `json:"department_name,omitempty" gorm:"-"`
}

func (KeyFacts) TableName() string { return "contact_key_facts" }

// KeyFactsRevision is one save of a contact's key facts.
type KeyFactsRevision struct {
	ID           int64     `json:"id"`
	ContactID    int64     `json:"contact_id"`
	Version      int64     `json:"version"`
	Body         string    `json:"body"`
	AuthorID     *int64    `json:"author_id,omitempty"`
	DepartmentID *int64    `json:"department_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`

	AuthorName     string `json:"author_name,omitempty" gorm:"-"`
	DepartmentName string `json:"department_name,omitempty" gorm:"-"`
}

func (KeyFactsRevision) TableName() string { return "key_facts_revisions" }

// KeyFacts returns the key facts of a contact the actor may see; version
// 0 and an empty body when none were saved.
func (db *DB) KeyFacts(ctx context.Context, actor Actor, contactID int64) (*KeyFacts, error) {
	if err := db.checkVisibleContacts(ctx, actor, []int64{contactID}); err != nil {
		return nil, err
	}
	return db.keyFacts(ctx, contactID)
}

func (db *DB) keyFacts(ctx context.Context, contactID int64) (*KeyFacts, error) {
	var kf []KeyFacts
	if err := db.with(ctx).Where("contact_id = ?", contactID).Limit(1).Find(&kf).Error; err != nil {
		return nil, fmt.Errorf("models: key facts of contact %d: %w", contactID, err)
	}
	if len(kf) == 0 {
		return &KeyFacts{ContactID: contactID}, nil
	}
	k := &kf[0]
	k.UpdatedAt = k.UpdatedAt.UTC()
	var userIDs, deptIDs []int64
	if k.UpdatedBy != nil {
		userIDs = append(userIDs, *k.UpdatedBy)
	}
	if k.DepartmentID != nil {
		deptIDs = append(deptIDs, *k.DepartmentID)
	}
	users, depts, err := db.namesOf(ctx, userIDs, deptIDs)
	if err != nil {
		return nil, err
	}
	if k.UpdatedBy != nil {
		k.UpdatedByName = users[*k.UpdatedBy]
	}
	if k.DepartmentID != nil {
		k.DepartmentName = depts[*k.DepartmentID]
	}
	return k, nil
}

// SaveKeyFacts replaces a contact's key facts with text, made against
// version (0 when there were none yet). A stale version writes nothing and
// answers *ConflictError[KeyFacts] with the current text. Saving the same
// text again writes nothing.
func (db *DB) SaveKeyFacts(ctx context.Context, actor Actor, contactID int64, text string, version int64) (*KeyFacts, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: save key facts: %w", ErrForbidden)
	}
	var v ValidationError
	text = cleanText(text)
	if n := utf8.RuneCountInString(text); n > MaxKeyFacts {
		v.Add("body", fmt.Sprintf("Keep key facts under %d characters (these have %d); put the rest in a note.", MaxKeyFacts, n))
	}
	if version < 0 {
		v.Add("version", "Reload and try again: the change did not say which version it was made to.")
	}
	dept := actingDepartment(actor, 0, &v)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.checkVisibleContacts(ctx, actor, []int64{contactID}); err != nil {
			return err
		}
		cur, err := tx.keyFacts(ctx, contactID)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return errStale
		}
		if cur.Body == text {
			return nil
		}
		return tx.writeKeyFacts(ctx, actor, cur, text, dept, nil)
	})
	if errors.Is(err, errStale) {
		current, err := db.KeyFacts(ctx, actor, contactID)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError[KeyFacts]{Current: current}
	}
	if err != nil {
		return nil, err
	}
	return db.KeyFacts(ctx, actor, contactID)
}

// writeKeyFacts saves text as the next version after cur, with its
// revision and audit entry; why adds to the audit detail what made the
// save (a merge, its undo). The caller holds a transaction and has
// checked cur is current; errStale means someone saved meanwhile.
func (db *DB) writeKeyFacts(ctx context.Context, actor Actor, cur *KeyFacts, text string, dept *int64, why map[string]any) error {
	contactID, version := cur.ContactID, cur.Version
	kf := KeyFacts{ContactID: contactID, Body: text, Version: version + 1, DepartmentID: dept, UpdatedAt: now()}
	if actor.UserID != 0 {
		kf.UpdatedBy = &actor.UserID
	}
	if version == 0 {
		if err := db.with(ctx).Create(&kf).Error; err != nil {
			if isUniqueViolation(err) {
				return errStale
			}
			return fmt.Errorf("models: save key facts of contact %d: %w", contactID, err)
		}
	} else {
		res := db.with(ctx).Model(&KeyFacts{}).Where("contact_id = ? AND version = ?", contactID, version).
			Updates(map[string]any{"body": kf.Body, "version": kf.Version, "updated_by": kf.UpdatedBy,
				"department_id": kf.DepartmentID, "updated_at": kf.UpdatedAt})
		if res.Error != nil {
			return fmt.Errorf("models: save key facts of contact %d: %w", contactID, res.Error)
		}
		if res.RowsAffected == 0 {
			return errStale
		}
	}
	rev := KeyFactsRevision{ContactID: contactID, Version: kf.Version, Body: kf.Body, AuthorID: kf.UpdatedBy,
		DepartmentID: kf.DepartmentID, CreatedAt: kf.UpdatedAt}
	if err := db.with(ctx).Create(&rev).Error; err != nil {
		if isUniqueViolation(err) {
			return errStale
		}
		return fmt.Errorf("models: record key facts of contact %d: %w", contactID, err)
	}
	detail := map[string]any{"version": kf.Version, "excerpt": shorten(kf.Body, 200)}
	maps.Copy(detail, why)
	return db.Audit(ctx, AuditEntry{Actor: &actor, Action: "contact.key_facts", SubjectType: "contact", SubjectID: contactID, Detail: detail})
}

// KeyFactsBoth, as MergeRequest.Take["key_facts"], keeps both contacts'
// key facts, the survivor's first: the default, since what one department
// pinned must not vanish in a merge.
const KeyFactsBoth = "both"

// mergeKeyFacts gives the survivor of a merge the key facts chosen: both
// texts (the default), or one side's. The loser's own key facts stay with
// it, so undoing the merge brings them back as they were. It returns the
// survivor's versions before and after, or nil when nothing changed.
func (db *DB) mergeKeyFacts(ctx context.Context, actor Actor, survivor, loser *Contact, take string) ([]int64, error) {
	s, err := db.keyFacts(ctx, survivor.ID)
	if err != nil {
		return nil, err
	}
	l, err := db.keyFacts(ctx, loser.ID)
	if err != nil {
		return nil, err
	}
	text := s.Body
	switch {
	case take == "loser":
		text = l.Body
	case take == "survivor" || l.Body == "" || strings.Contains(s.Body, l.Body):
	case s.Body == "":
		text = l.Body
	default:
		text = s.Body + "\n\n" + l.Body
		if n := utf8.RuneCountInString(text); n > MaxKeyFacts {
			var v ValidationError
			v.Add("take", fmt.Sprintf("Together the key facts of both contacts have %d characters, over the %d allowed. "+
				"Choose whose key facts to keep; the other's stay with the merged-away contact and come back if you undo.", n, MaxKeyFacts))
			return nil, &v
		}
	}
	if text == s.Body {
		return nil, nil
	}
	why := map[string]any{"merged": loser.ID, "merged_name": loser.Name()}
	if err := db.writeKeyFacts(ctx, actor, s, text, actingDepartment(actor, 0, &ValidationError{}), why); err != nil {
		return nil, err
	}
	return []int64{s.Version, s.Version + 1}, nil
}

// unmergeKeyFacts puts back the survivor's key facts as they were before
// a merge (versions[0]), as a new revision, unless they were saved again
// after the merge: undoing would then throw that edit away.
func (db *DB) unmergeKeyFacts(ctx context.Context, actor Actor, m *ContactMerge, versions []int64) error {
	cur, err := db.keyFacts(ctx, m.SurvivorID)
	if err != nil {
		return err
	}
	if cur.Version != versions[1] {
		return ErrMergeChangedSince
	}
	var before []string
	if err := db.with(ctx).Model(&KeyFactsRevision{}).Where("contact_id = ? AND version = ?", m.SurvivorID, versions[0]).
		Pluck("body", &before).Error; err != nil {
		return fmt.Errorf("models: undo merge %d: key facts: %w", m.ID, err)
	}
	body := ""
	if len(before) > 0 {
		body = before[0]
	}
	return db.writeKeyFacts(ctx, actor, cur, body, actingDepartment(actor, 0, &ValidationError{}), map[string]any{"merge_undone": m.ID})
}

// KeyFactsHistory lists every save of a contact's key facts, newest first.
func (db *DB) KeyFactsHistory(ctx context.Context, actor Actor, contactID int64) ([]KeyFactsRevision, error) {
	if err := db.checkVisibleContacts(ctx, actor, []int64{contactID}); err != nil {
		return nil, err
	}
	var rs []KeyFactsRevision
	if err := db.with(ctx).Where("contact_id = ?", contactID).Order("version DESC").Limit(1000).Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("models: key facts history of contact %d: %w", contactID, err)
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
