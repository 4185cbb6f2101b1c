package models

import (
	"context"
	"fmt"
)

// exportBatch is how many contacts EachContact loads at a time: large
// enough that the per-batch queries are cheap per row, small enough that
// an export of any size holds only one batch in memory.
const exportBatch = 500

// EachContact calls fn with successive batches of the contacts opts selects
// among those the actor may see, fully loaded (emails, phones, addresses,
// tags, social profiles, company), walking the list by keyset so an export
// of a million contacts reads each once and never holds more than one
// batch. It stops at the end of the list or at fn's first error.
func (db *DB) EachContact(ctx context.Context, actor Actor, opts ContactListOptions, fn func([]Contact) error) error {
	opts.Limit, opts.Cursor = exportBatch, ""
	for {
		page, err := db.Contacts(ctx, actor, opts)
		if err != nil {
			return err
		}
		if err := db.loadDetails(ctx, page.Contacts); err != nil {
			return err
		}
		if len(page.Contacts) > 0 {
			if err := fn(page.Contacts); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		opts.Cursor = page.NextCursor
	}
}

// loadDetails adds the addresses and social profiles a list query leaves out.
func (db *DB) loadDetails(ctx context.Context, cs []Contact) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]int64, len(cs))
	at := make(map[int64]int, len(cs))
	for i, c := range cs {
		ids[i], at[c.ID] = c.ID, i
	}
	var addrs []ContactAddress
	if err := db.with(ctx).Where("contact_id IN ?", ids).Order("contact_id, position, id").Find(&addrs).Error; err != nil {
		return fmt.Errorf("models: load addresses: %w", err)
	}
	for _, a := range addrs {
		c := &cs[at[a.ContactID]]
		c.Addresses = append(c.Addresses, a)
	}
	var profiles []SocialProfile
	if err := db.with(ctx).Where("contact_id IN ?", ids).Order("contact_id, position, id").Find(&profiles).Error; err != nil {
		return fmt.Errorf("models: load social profiles: %w", err)
	}
	for _, p := range profiles {
		c := &cs[at[p.ContactID]]
		c.SocialProfiles = append(c.SocialProfiles, p)
	}
	return nil
}
