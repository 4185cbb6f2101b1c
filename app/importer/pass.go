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
// earlier rows became, and the totals.
type pass struct {
	im    *Importer
	imp   *models.Import
	actor models.Actor
	// seen maps the emails, phone numbers (and names at companies) of the
	// rows so far to the contact they went to, so a row that repeats an
	// earlier one is merged into it. In a dry run nothing is saved, and an
	// earlier row stands for its contact by minus its line.
	seen map[string]int64
	// createdHere holds the contacts this import created: a later row
	// matching one of them is the same person again, merged whatever the
	// duplicate policy.
	createdHere map[int64]bool
	counts      models.ImportCounts
}

// errDryRun rolls back a dry run's savepoint after its checks passed.
var errDryRun = errors.New("dry run")

// batch saves rows through tx and returns the failures and changes to
// record with them. An error it returns is not about a row: the batch must
// roll back.
func (p *pass) batch(ctx context.Context, tx *models.DB, rows []row) ([]models.ImportFailure, []models.ImportChange, error) {
	var (
		failures []models.ImportFailure
		changes  []models.ImportChange
	)
	for _, r := range rows {
		p.counts.Read++
		if r.reject != "" {
			p.counts.Failed++
			failures = append(failures, failure(r, r.reject, true))
			continue
		}
		for _, w := range r.warnings {
			failures = append(failures, failure(r, w+" (the rest of the row was imported)", false))
		}
		ch, err := p.row(ctx, tx, r)
		if reason, ok := rowProblem(err); ok {
			p.counts.Failed++
			failures = append(failures, failure(r, reason, true))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("import row on line %d: %w", r.line, err)
		}
		if ch != nil {
			changes = append(changes, *ch)
		}
	}
	return failures, changes, nil
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

// row saves one row: creates a contact, or deals with the one it
// duplicates by the import's policy. It returns the change to record.
func (p *pass) row(ctx context.Context, tx *models.DB, r row) (*models.ImportChange, error) {
	keys := p.keys(r.req)
	var target *models.Contact
	if id, ok := p.lookup(keys); ok {
		if id < 0 {
			// Dry run: an earlier row would have created this contact.
			p.counts.Updated++
			return nil, nil
		}
		c, err := tx.Contact(ctx, p.actor, id)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		target = c
	}
	if target == nil {
		c, err := tx.FindImportMatch(ctx, p.actor, r.req, p.imp.MatchNameCompany)
		if err != nil {
			return nil, err
		}
		target = c
	}
	if target == nil {
		return p.create(ctx, tx, r, keys)
	}
	p.remember(keys, target.ID)
	policy := p.imp.OnDuplicate
	mergeHere := p.createdHere[target.ID]
	if mergeHere {
		policy = models.DuplicateFill
	}
	if policy == models.DuplicateSkip {
		p.counts.Skipped++
		return nil, nil
	}
	patch, before, changed := contactPatch(target, r.req, policy == models.DuplicateOverwrite)
	if !changed {
		if mergeHere {
			p.counts.Updated++ // merged: it adds nothing new, but it is not a skip
		} else {
			p.counts.Skipped++
		}
		return nil, nil
	}
	patch.Version = target.Version
	var updated *models.Contact
	err := p.write(ctx, tx, func(tx *models.DB) (err error) {
		updated, err = tx.UpdateContact(ctx, p.actor, target.ID, patch)
		return err
	})
	if err != nil {
		return nil, err
	}
	if updated != nil && updated.Version == target.Version {
		p.counts.Skipped++
		return nil, nil
	}
	p.counts.Updated++
	if mergeHere || p.imp.DryRun {
		return nil, nil // undoing the import deletes the contact anyway
	}
	b, err := json.Marshal(before)
	if err != nil {
		return nil, err
	}
	return &models.ImportChange{ContactID: target.ID, Action: models.ImportChangeUpdated, Before: string(b)}, nil
}

func (p *pass) create(ctx context.Context, tx *models.DB, r row, keys []string) (*models.ImportChange, error) {
	var c *models.Contact
	err := p.write(ctx, tx, func(tx *models.DB) (err error) {
		c, err = tx.CreateContact(ctx, p.actor, r.req)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.counts.Created++
	if p.imp.DryRun {
		p.remember(keys, -int64(r.line))
		return nil, nil
	}
	p.remember(keys, c.ID)
	p.createdHere[c.ID] = true
	return &models.ImportChange{ContactID: c.ID, Action: models.ImportChangeCreated, Before: "{}"}, nil
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

// keys are what identifies the person a request describes.
func (p *pass) keys(r models.ContactRequest) []string {
	var keys []string
	for _, e := range r.Emails {
		if k := models.EmailKey(e.Address); k != "" {
			keys = append(keys, "e:"+k)
		}
	}
	for _, ph := range r.Phones {
		if e164, msg := models.ParsePhone(strings.TrimSpace(ph.Number), r.PhoneRegion); msg == "" && e164 != "" {
			keys = append(keys, "p:"+e164)
		}
	}
	if p.imp.MatchNameCompany && strings.TrimSpace(r.CompanyName) != "" {
		name := strings.TrimSpace(r.GivenName + " " + r.FamilyName)
		if name == "" {
			name = strings.TrimSpace(r.DisplayName)
		}
		if name != "" {
			keys = append(keys, "n:"+strings.ToLower(name)+"|"+strings.ToLower(strings.TrimSpace(r.CompanyName)))
		}
	}
	return keys
}

func (p *pass) lookup(keys []string) (int64, bool) {
	for _, k := range keys {
		if id, ok := p.seen[k]; ok {
			return id, true
		}
	}
	return 0, false
}

func (p *pass) remember(keys []string, id int64) {
	for _, k := range keys {
		if _, ok := p.seen[k]; !ok {
			p.seen[k] = id
		}
	}
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
	str(old.Birthday, r.Birthday, &patch.Birthday, &before.Birthday)
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
