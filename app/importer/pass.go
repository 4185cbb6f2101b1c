package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"rapport/app/csvio"
	"rapport/models"
)

// pass carries one run over a file: the import, who it runs as, what
// earlier rows became, and the totals. What it keeps stays small whatever
// the file's size: rows are matched against the database a batch at a
// time, so only the runs of ids of the contacts this import created are
// held, one per batch at most (ids grow as contacts are inserted).
type pass struct {
	im    *Importer
	imp   *models.Import
	actor models.Actor
	// created holds the contacts this import created: a later row
	// matching one of them is the same person again, merged whatever the
	// duplicate policy.
	created models.IDRanges
	counts  models.ImportCounts
}

// errDryRun rolls back a dry run's savepoint after its checks passed.
var errDryRun = errors.New("dry run")

// batchRun is the state of one batch: where its rows went and the new
// contacts waiting to be written together.
type batchRun struct {
	// seen maps the keys of the batch's rows so far to where they went, so
	// a row repeating an earlier one in the batch is merged into it.
	seen     map[string]*target
	contacts *models.ContactBatch
	waiting  []*target // in the order added to contacts
	changes  []models.ImportChange
	created  []int64 // ids of the contacts written, but not in a dry run
	// In a dry run: which keys of this batch's rows belong to a contact an
	// earlier batch's row would have created (nothing is saved, so the
	// contacts cannot say), and the keys of this batch's rows that would
	// create one. Those of all batches are kept in the database
	// (models.DryRunKeysSeen), so a file of any size takes the same
	// memory, and a resumed run still knows them.
	drySeen    map[string]bool
	dryCreated []string
}

// target is the contact a row went to.
type target struct {
	id      int64 // 0 while it waits in the batch to be written
	created bool  // this import created it
}

// batch saves rows through tx and returns the failures, changes and
// created contacts to record with them. New contacts are validated one by one and written
// together; rows matching existing contacts are matched for the whole
// batch at once. An error it returns is not about a row: the batch must
// roll back. A dry run does it all in a savepoint it then rolls back, so
// every check the writes make still reports its problem.
func (p *pass) batch(ctx context.Context, tx *models.DB, rows []row) ([]models.ImportFailure, []models.ImportChange, models.IDRanges, error) {
	var failures []models.ImportFailure
	b := &batchRun{seen: map[string]*target{}, contacts: models.NewContactBatch(p.actor, "Imported from "+p.imp.Filename)}
	keys := make([]models.ImportKeys, len(rows))
	strs := make([][]string, len(rows))
	prepared := make([]*models.PreparedContact, len(rows))
	for i, r := range rows {
		keys[i], strs[i], prepared[i] = r.keys, r.keys.Strings(), r.contact
	}
	if p.imp.DryRun {
		var err error
		if b.drySeen, err = tx.DryRunKeysSeen(ctx, p.imp.ID, slices.Concat(strs...)); err != nil {
			return nil, nil, nil, err
		}
	}
	err := p.write(ctx, tx, func(tx *models.DB) error {
		matches, err := tx.ImportMatches(ctx, p.actor, keys)
		if err != nil {
			return err
		}
		if err := b.contacts.FindCompanies(ctx, tx, prepared); err != nil {
			return err
		}
		for i, r := range rows {
			p.counts.Read++
			if r.reject != "" {
				p.counts.Failed++
				failures = append(failures, failure(r, r.reject, true))
				continue
			}
			err := p.row(ctx, tx, b, r, strs[i], matches[i])
			if reason, ok := rowProblem(err); ok {
				// The values left out are named too, so that one fix of
				// the row is enough.
				p.counts.Failed++
				failures = append(failures, failure(r, strings.Join(append([]string{reason}, r.warnings...), "; "), true))
				continue
			}
			if err != nil {
				return fmt.Errorf("import row on line %d: %w", r.line, err)
			}
			for _, w := range r.warnings {
				failures = append(failures, failure(r, w+" (the rest of the row was imported)", false))
			}
		}
		return p.flush(ctx, tx, b)
	})
	if err == nil && p.imp.DryRun {
		// Outside the savepoint the dry run rolled back, so they commit
		// with the batch.
		err = tx.RememberDryRunKeys(ctx, p.imp.ID, b.dryCreated)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return failures, b.changes, models.RangesOf(b.created), nil
}

func failure(r row, reason string, rejected bool) models.ImportFailure {
	raw, _ := json.Marshal(r.fields)
	if r.fields == nil {
		raw = []byte("[]")
	}
	return models.ImportFailure{Line: r.line, Reason: reason, Rejected: rejected, RawFields: string(raw)}
}

// rowProblem says whether err is about the row, which is then rejected
// with the reason given, rather than about the database.
func rowProblem(err error) (string, bool) {
	var v *models.ValidationError
	switch {
	case err == nil:
		return "", false
	case errors.As(err, &v):
		keys := make([]string, 0, len(v.Fields))
		for k := range v.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + v.Fields[k]
		}
		return strings.Join(parts, "; "), true
	case errors.Is(err, models.ErrConflict):
		return "The matching contact was changed while importing; import the row again.", true
	}
	return "", false
}

// row saves one row: queues a new contact, or deals with the one it
// duplicates (an earlier row's, or match, an existing contact's) by the
// import's policy.
func (p *pass) row(ctx context.Context, tx *models.DB, b *batchRun, r row, keys []string, match int64) error {
	var t *target
	for _, k := range keys {
		if t = b.seen[k]; t != nil {
			break
		}
	}
	if p.imp.DryRun && (t != nil && t.created || t == nil && b.dryHas(keys)) {
		// An earlier row would have created this contact.
		p.counts.Updated++
		return nil
	}
	if t == nil && match != 0 {
		t = &target{id: match, created: p.created.Contains(match)}
	}
	if t == nil {
		return p.create(ctx, tx, b, r, keys)
	}
	remember(b.seen, keys, t)
	if t.id == 0 {
		// The earlier row's contact is still waiting to be written.
		if err := p.flush(ctx, tx, b); err != nil {
			return err
		}
	}
	policy := p.imp.OnDuplicate
	if t.created {
		policy = models.DuplicateFill
	}
	if policy == models.DuplicateSkip {
		p.counts.Skipped++
		return nil
	}
	c, err := tx.Contact(ctx, p.actor, t.id)
	if errors.Is(err, models.ErrNotFound) {
		return p.create(ctx, tx, b, r, keys) // gone since it was matched
	}
	if err != nil {
		return err
	}
	patch, before, changed := contactPatch(c, r.req, policy == models.DuplicateOverwrite)
	if !changed {
		if t.created {
			p.counts.Updated++ // merged: it adds nothing new, but it is not a skip
		} else {
			p.counts.Skipped++
		}
		return nil
	}
	patch.Version = c.Version
	updated, err := tx.UpdateContact(ctx, p.actor, c.ID, patch)
	if err != nil {
		return err
	}
	if updated != nil && updated.Version == c.Version {
		p.counts.Skipped++
		return nil
	}
	p.counts.Updated++
	if t.created || p.imp.DryRun {
		return nil // undoing the import deletes the contact anyway
	}
	bj, err := json.Marshal(before)
	if err != nil {
		return err
	}
	b.changes = append(b.changes, models.ImportChange{ContactID: c.ID, Action: models.ImportChangeUpdated, Before: string(bj)})
	return nil
}

// create validates the row as a new contact and queues it to be written
// with the batch.
func (p *pass) create(ctx context.Context, tx *models.DB, b *batchRun, r row, keys []string) error {
	if err := b.contacts.AddPrepared(ctx, tx, r.contact); err != nil {
		return err
	}
	p.counts.Created++
	t := &target{created: true}
	if p.imp.DryRun {
		b.dryCreated = append(b.dryCreated, keys...)
	}
	remember(b.seen, keys, t)
	b.waiting = append(b.waiting, t)
	return nil
}

// flush writes the contacts waiting in the batch and gives their rows the
// new ids.
func (p *pass) flush(ctx context.Context, tx *models.DB, b *batchRun) error {
	ids, err := b.contacts.Flush(ctx, tx)
	if err != nil {
		return err
	}
	for i, id := range ids {
		b.waiting[i].id = id
	}
	if !p.imp.DryRun {
		b.created = append(b.created, ids...)
	}
	b.waiting = b.waiting[:0]
	return nil
}

// write runs a save; in a dry run inside a savepoint rolled back after it
// succeeds, so every check the save makes still reports its problem.
func (p *pass) write(ctx context.Context, tx *models.DB, save func(tx *models.DB) error) error {
	if !p.imp.DryRun {
		return save(tx)
	}
	err := tx.Tx(ctx, func(sp *models.DB) error {
		if err := save(sp); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// dryHas reports whether a row of an earlier batch would have created a
// contact with one of keys.
func (b *batchRun) dryHas(keys []string) bool {
	for _, k := range keys {
		if b.drySeen[k] {
			return true
		}
	}
	return false
}

func remember(seen map[string]*target, keys []string, t *target) {
	for _, k := range keys {
		if _, ok := seen[k]; !ok {
			seen[k] = t
		}
	}
}

// dropsYear reports whether the birthday next is cur without its year, as
// when a contact comes back from an address book that only knew the day:
// it says less than cur, not something else, so even an overwrite keeps cur.
func dropsYear(cur, next string) bool { return sameDayMoreYear(next, cur) }

// addsYear reports whether the birthday next is cur with its year: it says
// more, not something else, so even an import that only fills empty
// fields takes it.
func addsYear(cur, next string) bool { return sameDayMoreYear(cur, next) }

// sameDayMoreYear reports whether less is a birthday without a year and
// more the same day with one.
func sameDayMoreYear(less, more string) bool {
	l, err := models.ParseBirthday(less)
	if err != nil || l.Year != 0 {
		return false
	}
	m, err := models.ParseBirthday(more)
	return err == nil && m.Year != 0 && m.Month == l.Month && m.Day == l.Day
}

// contactPatch is the change a row makes to the contact c it duplicates,
// and the patch that undoes it. With overwrite the row's values replace
// c's, lists included; otherwise only fields c lacks are set, and emails,
// phones, tags and profiles the row adds are appended.
func contactPatch(c *models.Contact, r models.ContactRequest, overwrite bool) (patch, before models.ContactPatch, changed bool) {
	old := csvio.RequestFor(*c)
	str := func(cur, next string, dst, bdst **string) {
		if strings.TrimSpace(next) == "" || next == cur || (!overwrite && strings.TrimSpace(cur) != "") {
			return
		}
		n, o := next, cur
		*dst, *bdst, changed = &n, &o, true
	}
	str(old.GivenName, r.GivenName, &patch.GivenName, &before.GivenName)
	str(old.FamilyName, r.FamilyName, &patch.FamilyName, &before.FamilyName)
	str(old.DisplayName, r.DisplayName, &patch.DisplayName, &before.DisplayName)
	str(old.JobTitle, r.JobTitle, &patch.JobTitle, &before.JobTitle)
	switch {
	case dropsYear(old.Birthday, r.Birthday):
	case addsYear(old.Birthday, r.Birthday):
		n, o := r.Birthday, old.Birthday
		patch.Birthday, before.Birthday, changed = &n, &o, true
	default:
		str(old.Birthday, r.Birthday, &patch.Birthday, &before.Birthday)
	}
	str(old.About, r.About, &patch.About, &before.About)
	if n := strings.TrimSpace(r.CompanyName); n != "" && !strings.EqualFold(n, old.CompanyName) && (overwrite || c.CompanyID == nil) {
		patch.CompanyName = &n
		var was int64
		if c.CompanyID != nil {
			was = *c.CompanyID
		}
		before.CompanyID, changed = &was, true
	}
	if r.OwnerID != nil && (c.OwnerID == nil || (overwrite && *c.OwnerID != *r.OwnerID)) {
		id := *r.OwnerID
		patch.OwnerID = &id
		var was int64
		if c.OwnerID != nil {
			was = *c.OwnerID
		}
		before.OwnerID, changed = &was, true
	}
	if r.LastContactedAt != nil && (c.LastContactedAt == nil || (overwrite && !c.LastContactedAt.Equal(*r.LastContactedAt))) {
		t := *r.LastContactedAt
		patch.LastContactedAt = &t
		var was time.Time // the zero time clears it again
		if c.LastContactedAt != nil {
			was = *c.LastContactedAt
		}
		before.LastContactedAt, changed = &was, true
	}
	for k, v := range r.CustomFields {
		cur := c.CustomFields[k]
		if v == "" || v == cur || (!overwrite && cur != "") {
			continue
		}
		if patch.CustomFields == nil {
			patch.CustomFields, before.CustomFields = map[string]string{}, map[string]string{}
		}
		patch.CustomFields[k], before.CustomFields[k] = v, cur
		changed = true
	}
	region := r.PhoneRegion
	patch.PhoneRegion = region

	emailKey := func(e models.EmailInput) string { return models.EmailKey(e.Address) }
	if l, ok := mergeList(old.Emails, r.Emails, overwrite, emailKey); ok {
		patch.Emails, before.Emails, changed = &l, ptr(old.Emails), true
	}
	phoneKey := func(ph models.PhoneInput) string {
		if e164, msg := models.ParsePhone(strings.TrimSpace(ph.Number), region); msg == "" {
			return e164
		}
		return strings.TrimSpace(ph.Number)
	}
	if l, ok := mergeList(old.Phones, r.Phones, overwrite, phoneKey); ok {
		patch.Phones, before.Phones, changed = &l, ptr(old.Phones), true
	}
	tagKey := func(t string) string { return strings.ToLower(strings.TrimSpace(t)) }
	if l, ok := mergeList(old.Tags, r.Tags, overwrite, tagKey); ok {
		patch.Tags, before.Tags, changed = &l, ptr(old.Tags), true
	}
	urlKey := func(s models.SocialProfileInput) string { return strings.ToLower(strings.TrimSpace(s.URL)) }
	if l, ok := mergeList(old.SocialProfiles, r.SocialProfiles, overwrite, urlKey); ok {
		patch.SocialProfiles, before.SocialProfiles, changed = &l, ptr(old.SocialProfiles), true
	}
	// Addresses have no identity to merge by: the row's replace the
	// contact's with overwrite, and fill a contact that has none.
	if len(r.Addresses) > 0 && (len(old.Addresses) == 0 || overwrite) && !slices.Equal(old.Addresses, r.Addresses) {
		l := slices.Clone(r.Addresses)
		patch.Addresses, before.Addresses, changed = &l, ptr(old.Addresses), true
	}
	return patch, before, changed
}

// mergeList is the list a row's items make of a contact's: with overwrite
// the row's (when it has any), otherwise the contact's with the row's new
// ones appended (not primary: the contact keeps its primary). It reports
// whether that differs from cur.
func mergeList[T any](cur, next []T, overwrite bool, key func(T) string) ([]T, bool) {
	if len(next) == 0 {
		return nil, false
	}
	if overwrite {
		if sameKeys(cur, next, key) {
			return nil, false
		}
		return slices.Clone(next), true
	}
	out := slices.Clone(cur)
	have := map[string]bool{}
	for _, it := range cur {
		have[key(it)] = true
	}
	for _, it := range next {
		k := key(it)
		if k == "" || have[k] {
			continue
		}
		have[k] = true
		if len(cur) > 0 {
			it = notPrimary(it)
		}
		out = append(out, it)
	}
	return out, len(out) != len(cur)
}

func sameKeys[T any](a, b []T, key func(T) string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if key(a[i]) != key(b[i]) {
			return false
		}
	}
	return true
}

func notPrimary[T any](it T) T {
	switch v := any(it).(type) {
	case models.EmailInput:
		v.Primary = false
		return any(v).(T)
	case models.PhoneInput:
		v.Primary = false
		return any(v).(T)
	}
	return it
}

// ptr points at a copy of l, never nil, so that restoring an empty list
// clears what the import added.
func ptr[T any](l []T) *[]T {
	c := slices.Clone(l)
	if c == nil {
		c = []T{}
	}
	return &c
}
