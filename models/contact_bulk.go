package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Bulk actions on a selection of contacts.
const (
	BulkTag    = "tag"
	BulkUntag  = "untag"
	BulkOwner  = "owner"
	BulkDelete = "delete"
)

// BulkAction is one change applied to every selected contact.
type BulkAction struct {
	Kind    string
	Tag     string // for tag and untag
	OwnerID int64  // for owner; 0 leaves the contacts without one
}

// BulkUpdateContacts applies act to the selected contacts the actor may see,
// all or nothing, each change audited and on the contact's timeline like a
// single edit. Contacts that are gone or hidden are skipped, not errors: the
// list may be older than the data. It returns how many contacts changed.
func (db *DB) BulkUpdateContacts(ctx context.Context, actor Actor, ids []int64, act BulkAction) (int, error) {
	if !actor.CanWrite() {
		return 0, fmt.Errorf("models: bulk update: %w", ErrForbidden)
	}
	var v ValidationError
	switch {
	case len(ids) == 0:
		v.Add("ids", "Select at least one contact.")
	case len(ids) > maxSelection:
		v.Add("ids", fmt.Sprintf("Select at most %d contacts at once.", maxSelection))
	}
	act.Tag = strings.TrimSpace(act.Tag)
	switch act.Kind {
	case BulkTag, BulkUntag:
		if act.Tag == "" {
			v.Add("tag", "Enter the tag.")
		}
	case BulkOwner, BulkDelete:
	default:
		v.Add("action", "Choose what to do with the selected contacts.")
	}
	if err := v.OrNil(); err != nil {
		return 0, err
	}
	changed := 0
	err := db.Tx(ctx, func(tx *DB) error {
		for _, id := range uniqueIDs(ids) {
			c, err := tx.Contact(ctx, actor, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if act.Kind == BulkDelete {
				if err := tx.DeleteContact(ctx, actor, id); err != nil {
					return err
				}
				changed++
				continue
			}
			p := ContactPatch{Version: c.Version}
			switch act.Kind {
			case BulkTag:
				if slices.ContainsFunc(c.Tags, func(t string) bool { return strings.EqualFold(t, act.Tag) }) {
					continue
				}
				tags := append(slices.Clone(c.Tags), act.Tag)
				p.Tags = &tags
			case BulkUntag:
				tags := slices.DeleteFunc(slices.Clone(c.Tags), func(t string) bool { return strings.EqualFold(t, act.Tag) })
				if len(tags) == len(c.Tags) {
					continue
				}
				p.Tags = &tags
			case BulkOwner:
				if (c.OwnerID == nil && act.OwnerID == 0) || (c.OwnerID != nil && *c.OwnerID == act.OwnerID) {
					continue
				}
				owner := act.OwnerID
				p.OwnerID = &owner
			}
			if _, err := tx.UpdateContact(ctx, actor, id, p); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}
