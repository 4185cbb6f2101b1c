package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ContactMerge records that Loser was merged into Survivor, with what is
// needed to undo it.
type ContactMerge struct {
	ID              int64      `json:"id"`
	SurvivorID      int64      `json:"survivor_id"`
	LoserID         int64      `json:"loser_id"`
	ActorID         *int64     `json:"actor_id,omitempty"`
	SurvivorBefore  string     `json:"-"`
	SurvivorVersion int64      `json:"survivor_version"`
	Moved           string     `json:"-"`
	CreatedAt       time.Time  `json:"created_at"`
	UndoneAt        *time.Time `json:"undone_at,omitempty"`
	UndoneBy        *int64     `json:"undone_by,omitempty"`
}

// MergeFields are the single-valued fields a person chooses between when
// merging; lists (emails, phones, addresses, tags, social profiles) are
// combined instead.
var MergeFields = []string{"given_name", "family_name", "display_name", "job_title", "company", "birthday", "about", "owner"}

// MergeRequest merges Loser into Survivor. Take names, per field of
// MergeFields, "loser" where the loser's value should win; every other
// field keeps the survivor's. Take["key_facts"] is "survivor", "loser" or
// KeyFactsBoth (the default). The versions are those the person saw, so a
// merge never acts on a contact someone changed in the meantime.
type MergeRequest struct {
	SurvivorID      int64             `json:"survivor_id"`
	LoserID         int64             `json:"loser_id"`
	SurvivorVersion int64             `json:"survivor_version"`
	LoserVersion    int64             `json:"loser_version"`
	Take            map[string]string `json:"take,omitempty"`
}

// mergeKeyFactsField is the Take key for the key facts, chosen apart from
// MergeFields because both texts can be kept.
const mergeKeyFactsField = "key_facts"

// movedKeyFactsVersions names, in ContactMerge.Moved, the survivor's key
// facts versions before and after the merge, for UndoMerge.
const movedKeyFactsVersions = "key_facts_versions"

// mergeMover moves one kind of row that hangs off a contact. key is the
// column recorded to move the same rows back on undo; skipIfSurvivorHas
// leaves a row with the loser when the survivor already has its
// counterpart (both were in the same meeting), so nothing is doubled.
type mergeMover struct {
	table, key, skipIfSurvivorHas string
}

// mergeMovers lists every table whose rows follow a contact into a merge.
// A feature that hangs rows off contacts (notes, tasks, …) adds its table.
var mergeMovers = []mergeMover{
	{table: "timeline_items", key: "id",
		skipIfSurvivorHas: "ref_type <> '' AND EXISTS (SELECT 1 FROM timeline_items s WHERE s.contact_id = ? AND s.deleted_at IS NULL AND s.ref_type = timeline_items.ref_type AND s.ref_id = timeline_items.ref_id)"},
	{table: "interaction_participants", key: "interaction_id",
		skipIfSurvivorHas: "EXISTS (SELECT 1 FROM interaction_participants s WHERE s.contact_id = ? AND s.interaction_id = interaction_participants.interaction_id)"},
	{table: "notes", key: "id"},
	{table: "tasks", key: "id"},
	{table: "inbox_items", key: "id"},
}

// MergeContacts merges req.LoserID into req.SurvivorID: the chosen fields,
// the union of both contacts' lists, and every timeline item, interaction
// and other record of the loser move to the survivor; the loser is marked
// merged (hidden, pointing at the survivor). All in one transaction,
// recorded so UndoMerge can reverse it.
func (db *DB) MergeContacts(ctx context.Context, actor Actor, req MergeRequest) (*ContactMerge, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: merge contacts: %w", ErrForbidden)
	}
	var v ValidationError
	if req.SurvivorID == req.LoserID {
		v.Add("loser_id", "Choose two different contacts to merge.")
	}
	for f, side := range req.Take {
		if f == mergeKeyFactsField {
			if side != "loser" && side != "survivor" && side != KeyFactsBoth {
				v.Add("take", "For key_facts choose survivor, loser or both.")
			}
		} else if !slices.Contains(MergeFields, f) {
			v.Add("take", fmt.Sprintf("%q is not a field you can choose when merging.", f))
		} else if side != "loser" && side != "survivor" {
			v.Add("take", fmt.Sprintf("For %s choose survivor or loser.", f))
		}
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	var merge *ContactMerge
	err := db.Tx(ctx, func(tx *DB) error {
		// Lock in id order so two merges of the same pair cannot deadlock.
		for _, id := range sortedPair(req.SurvivorID, req.LoserID) {
			if err := tx.lockRow(ctx, "contacts", id); err != nil {
				return err
			}
		}
		survivor, err := tx.Contact(ctx, actor, req.SurvivorID)
		if err != nil {
			return err
		}
		loser, err := tx.Contact(ctx, actor, req.LoserID)
		if err != nil {
			return err
		}
		if survivor.Version != req.SurvivorVersion {
			return &ConflictError[Contact]{Current: survivor}
		}
		if loser.Version != req.LoserVersion {
			return &ConflictError[Contact]{Current: loser}
		}
		before, err := json.Marshal(fullPatch(survivor))
		if err != nil {
			return fmt.Errorf("models: merge: snapshot: %w", err)
		}
		merged, err := tx.UpdateContact(ctx, actor, survivor.ID, mergedPatch(survivor, loser, req.Take))
		if err != nil {
			return err
		}
		moved := map[string][]int64{}
		for _, m := range mergeMovers {
			ids, err := tx.moveRows(ctx, m, loser.ID, survivor.ID)
			if err != nil {
				return err
			}
			moved[m.table] = ids
		}
		if versions, err := tx.mergeKeyFacts(ctx, actor, survivor, loser, req.Take[mergeKeyFactsField]); err != nil {
			return err
		} else if versions != nil {
			moved[movedKeyFactsVersions] = versions
		}
		t := now()
		if err := tx.with(ctx).Model(&Contact{}).Where("id = ?", loser.ID).
			Updates(map[string]any{"deleted_at": t, "merged_into_id": survivor.ID, "updated_at": t, "version": gorm.Expr("version + 1")}).Error; err != nil {
			return fmt.Errorf("models: merge: retire contact %d: %w", loser.ID, err)
		}
		movedJSON, _ := json.Marshal(moved)
		merge = &ContactMerge{SurvivorID: survivor.ID, LoserID: loser.ID, SurvivorBefore: string(before),
			SurvivorVersion: merged.Version, Moved: string(movedJSON), CreatedAt: t}
		if actor.UserID != 0 {
			merge.ActorID = &actor.UserID
		}
		if err := tx.with(ctx).Create(merge).Error; err != nil {
			return fmt.Errorf("models: record merge: %w", err)
		}
		if err := tx.AddTimelineItem(ctx, actor, TimelineEntry{Kind: TimelineMerge, ContactIDs: []int64{survivor.ID},
			OccurredAt: t, Ref: TimelineRef{Type: "merge", ID: merge.ID},
			Summary: "Merged with " + loser.Name(), Data: map[string]any{"merged_id": loser.ID}}); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "contact.merge", SubjectType: "contact", SubjectID: survivor.ID,
			Detail: map[string]any{"merge": merge.ID, "merged": loser.ID, "merged_name": loser.Name(), "take": req.Take}})
	})
	if errors.Is(err, errStale) { // the key facts were saved during the merge
		return nil, fmt.Errorf("models: merge: the key facts changed meanwhile: %w", ErrConflict)
	}
	if err != nil {
		return nil, err
	}
	return merge, nil
}

// moveRows moves m's rows from one contact to another and returns the keys
// of the rows it moved.
func (db *DB) moveRows(ctx context.Context, m mergeMover, from, to int64) ([]int64, error) {
	where := "contact_id = ?"
	args := []any{from}
	if m.skipIfSurvivorHas != "" {
		where += " AND NOT (" + m.skipIfSurvivorHas + ")"
		args = append(args, to)
	}
	var keys []int64
	if err := db.with(ctx).Table(m.table).Where(where, args...).Pluck(m.key, &keys).Error; err != nil {
		return nil, fmt.Errorf("models: merge: find %s: %w", m.table, err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	for _, chunk := range chunks(keys, 500) {
		if err := db.with(ctx).Table(m.table).Where("contact_id = ? AND "+m.key+" IN ?", from, chunk).
			Update("contact_id", to).Error; err != nil {
			return nil, fmt.Errorf("models: merge: move %s: %w", m.table, err)
		}
	}
	return keys, nil
}

// ErrMergeChangedSince refuses an undo that would silently throw away edits
// made to the survivor after the merge.
var ErrMergeChangedSince = fmt.Errorf("the contact was changed after the merge; undoing it would lose those changes: %w", ErrConflict)

// UndoMerge reverses a merge: the merged-away contact comes back with the
// rows that moved, and the survivor gets its fields and lists back. It is
// refused when the survivor was edited after the merge.
func (db *DB) UndoMerge(ctx context.Context, actor Actor, mergeID int64) (*ContactMerge, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: undo merge: %w", ErrForbidden)
	}
	var m ContactMerge
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.with(ctx).First(&m, mergeID).Error; err != nil {
			return notFound(err, fmt.Sprintf("merge %d", mergeID))
		}
		if m.UndoneAt != nil {
			return fmt.Errorf("models: merge %d was already undone: %w", mergeID, ErrConflict)
		}
		for _, id := range sortedPair(m.SurvivorID, m.LoserID) {
			if err := tx.lockRow(ctx, "contacts", id); err != nil {
				return err
			}
		}
		survivor, err := tx.Contact(ctx, actor, m.SurvivorID)
		if err != nil {
			return err
		}
		if survivor.Version != m.SurvivorVersion {
			return ErrMergeChangedSince
		}
		// Bring the loser back first, so moved rows have a live contact.
		t := now()
		if err := tx.with(ctx).Model(&Contact{}).Where("id = ? AND merged_into_id = ?", m.LoserID, m.SurvivorID).
			Updates(map[string]any{"deleted_at": nil, "merged_into_id": nil, "updated_at": t, "version": gorm.Expr("version + 1")}).Error; err != nil {
			return fmt.Errorf("models: undo merge: restore contact %d: %w", m.LoserID, err)
		}
		var moved map[string][]int64
		if err := json.Unmarshal([]byte(m.Moved), &moved); err != nil {
			return fmt.Errorf("models: undo merge %d: %w", m.ID, err)
		}
		for _, mv := range mergeMovers {
			for _, chunk := range chunks(moved[mv.table], 500) {
				if err := tx.with(ctx).Table(mv.table).Where("contact_id = ? AND "+mv.key+" IN ?", m.SurvivorID, chunk).
					Update("contact_id", m.LoserID).Error; err != nil {
					return fmt.Errorf("models: undo merge: move %s back: %w", mv.table, err)
				}
			}
		}
		if versions := moved[movedKeyFactsVersions]; len(versions) == 2 {
			if err := tx.unmergeKeyFacts(ctx, actor, &m, versions); err != nil {
				return err
			}
		}
		var before ContactPatch
		if err := json.Unmarshal([]byte(m.SurvivorBefore), &before); err != nil {
			return fmt.Errorf("models: undo merge %d: %w", m.ID, err)
		}
		before.Version = survivor.Version
		if _, err := tx.UpdateContact(ctx, actor, m.SurvivorID, before); err != nil {
			return err
		}
		upd := map[string]any{"undone_at": t}
		if actor.UserID != 0 {
			upd["undone_by"] = actor.UserID
		}
		if err := tx.with(ctx).Model(&ContactMerge{}).Where("id = ?", m.ID).Updates(upd).Error; err != nil {
			return fmt.Errorf("models: undo merge %d: %w", m.ID, err)
		}
		for _, id := range []int64{m.SurvivorID, m.LoserID} {
			if err := tx.AddTimelineItem(ctx, actor, TimelineEntry{Kind: TimelineMerge, ContactIDs: []int64{id}, OccurredAt: t,
				Ref: TimelineRef{Type: "merge_undo", ID: m.ID}, Summary: "Merge undone: the two contacts are separate again",
				Data: map[string]any{"merge": m.ID}}); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "contact.merge_undo", SubjectType: "contact", SubjectID: m.SurvivorID,
			Detail: map[string]any{"merge": m.ID, "restored": m.LoserID}})
	})
	if errors.Is(err, errStale) { // the key facts were saved during the undo
		return nil, ErrMergeChangedSince
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ContactMerges lists the merges into a contact the actor may see, newest
// first; a handful per contact at most, so bounded rather than paginated.
func (db *DB) ContactMerges(ctx context.Context, actor Actor, contactID int64) ([]ContactMerge, error) {
	if err := db.checkVisibleContacts(ctx, actor, []int64{contactID}); err != nil {
		return nil, err
	}
	var ms []ContactMerge
	if err := db.with(ctx).Where("survivor_id = ?", contactID).Order("id DESC").Limit(100).Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("models: merges of contact %d: %w", contactID, err)
	}
	return ms, nil
}

// fullPatch is a patch that sets every field to c's value: applying it
// restores c.
func fullPatch(c *Contact) ContactPatch {
	company := ""
	if c.Company != nil {
		company = c.Company.Name
	}
	var owner, dept int64
	if c.OwnerID != nil {
		owner = *c.OwnerID
	}
	if c.RestrictedDepartmentID != nil {
		dept = *c.RestrictedDepartmentID
	}
	emails, phones, addrs, profiles := contactInputs(c)
	tags := slices.Clone(c.Tags)
	if tags == nil {
		tags = []string{}
	}
	p := ContactPatch{GivenName: ptr(c.GivenName), FamilyName: ptr(c.FamilyName), DisplayName: ptr(c.DisplayName),
		JobTitle: ptr(c.JobTitle), CompanyName: &company, Birthday: ptr(c.Birthday), About: ptr(c.About), OwnerID: &owner,
		RestrictedDepartmentID: &dept, Emails: &emails, Phones: &phones, Addresses: &addrs, Tags: &tags, SocialProfiles: &profiles}
	if c.LastContactedAt != nil {
		p.LastContactedAt = c.LastContactedAt
	} else {
		zero := time.Time{}
		p.LastContactedAt = &zero
	}
	return p
}

// mergedPatch is the survivor with the loser's chosen fields and both
// contacts' lists combined (survivor's first, duplicates dropped).
func mergedPatch(s, l *Contact, take map[string]string) ContactPatch {
	p := fullPatch(s)
	p.Version = s.Version
	lp := fullPatch(l)
	pick := func(field string, dst **string, src *string) {
		if take[field] == "loser" {
			*dst = src
		}
	}
	pick("given_name", &p.GivenName, lp.GivenName)
	pick("family_name", &p.FamilyName, lp.FamilyName)
	pick("display_name", &p.DisplayName, lp.DisplayName)
	pick("job_title", &p.JobTitle, lp.JobTitle)
	pick("company", &p.CompanyName, lp.CompanyName)
	pick("birthday", &p.Birthday, lp.Birthday)
	pick("about", &p.About, lp.About)
	if take["owner"] == "loser" {
		p.OwnerID = lp.OwnerID
	}
	// The merged contact is visible to whoever could see either one only
	// when neither was restricted; a restriction on either is kept.
	if *p.RestrictedDepartmentID == 0 {
		p.RestrictedDepartmentID = lp.RestrictedDepartmentID
	}
	if p.LastContactedAt.IsZero() || (!lp.LastContactedAt.IsZero() && lp.LastContactedAt.After(*p.LastContactedAt)) {
		p.LastContactedAt = lp.LastContactedAt
	}
	emails := *p.Emails
	for _, e := range *lp.Emails {
		if !slices.ContainsFunc(emails, func(x EmailInput) bool { return EmailKey(x.Address) == EmailKey(e.Address) }) {
			e.Primary = false
			emails = append(emails, e)
		}
	}
	phones := *p.Phones
	for _, ph := range *lp.Phones {
		if !slices.ContainsFunc(phones, func(x PhoneInput) bool { return digitsOnly(x.Number) == digitsOnly(ph.Number) }) {
			ph.Primary = false
			phones = append(phones, ph)
		}
	}
	addrs := append(*p.Addresses, *lp.Addresses...)
	tags := *p.Tags
	for _, t := range *lp.Tags {
		if !slices.ContainsFunc(tags, func(x string) bool { return strings.EqualFold(x, t) }) {
			tags = append(tags, t)
		}
	}
	profiles := *p.SocialProfiles
	for _, sp := range *lp.SocialProfiles {
		if !slices.ContainsFunc(profiles, func(x SocialProfileInput) bool { return x.URL == sp.URL }) {
			profiles = append(profiles, sp)
		}
	}
	p.Emails, p.Phones, p.Addresses, p.Tags, p.SocialProfiles = &emails, &phones, &addrs, &tags, &profiles
	return p
}

// contactInputs turns a stored contact's lists back into inputs.
func contactInputs(c *Contact) ([]EmailInput, []PhoneInput, []AddressInput, []SocialProfileInput) {
	emails := make([]EmailInput, 0, len(c.Emails))
	for _, e := range c.Emails {
		emails = append(emails, EmailInput{Address: e.Address, Label: e.Label, Primary: e.IsPrimary})
	}
	phones := make([]PhoneInput, 0, len(c.Phones))
	for _, ph := range c.Phones {
		// Keep the number as the person typed it when it carries its country
		// code; a national-format number is stored as E.164, so it is not
		// read in another region's numbering plan when the lists are rewritten.
		number := ph.Number
		if ph.E164 != "" && !strings.HasPrefix(strings.TrimSpace(ph.Number), "+") {
			number = ph.E164
		}
		phones = append(phones, PhoneInput{Number: number, Label: ph.Label, Primary: ph.IsPrimary})
	}
	addrs := make([]AddressInput, 0, len(c.Addresses))
	for _, a := range c.Addresses {
		addrs = append(addrs, AddressInput{Label: a.Label, Street: a.Street, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country})
	}
	profiles := make([]SocialProfileInput, 0, len(c.SocialProfiles))
	for _, sp := range c.SocialProfiles {
		profiles = append(profiles, SocialProfileInput{URL: sp.URL, Network: sp.Network, FeedURL: sp.FeedURL})
	}
	return emails, phones, addrs, profiles
}

func sortedPair(a, b int64) []int64 {
	if a < b {
		return []int64{a, b}
	}
	return []int64{b, a}
}

func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
