package models

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Reasons two contacts are likely the same person.
const (
	DuplicateEmail = "email"
	DuplicatePhone = "phone"
	DuplicateName  = "name"
)

// Duplicate is a contact that looks like another one, and why.
type Duplicate struct {
	Contact Contact  `json:"contact"`
	Reasons []string `json:"reasons"`
}

// similarNames is how alike two folded names must be (trigram Jaccard
// similarity) to count as the same person at the same company: high
// enough that "Jon Smith"/"John Smith" match and "Ann Lee"/"Dan Lee" do not.
const similarNames = 0.5

// maxSameCompany bounds how many colleagues are compared by name: a company
// with thousands of contacts is checked on email and phone only.
const maxSameCompany = 500

// DuplicatesOf finds visible contacts that are likely the same person as
// contact id: the same email (ignoring case) or phone (by E.164), or a very
// similar name at the same company.
func (db *DB) DuplicatesOf(ctx context.Context, actor Actor, id int64) ([]Duplicate, error) {
	c, err := db.Contact(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return db.DuplicatesOfContact(ctx, actor, c)
}

// DuplicatesOfContact is DuplicatesOf for a contact the caller has just
// loaded for the same actor (the contact page), so it is not read twice.
func (db *DB) DuplicatesOfContact(ctx context.Context, actor Actor, c *Contact) ([]Duplicate, error) {
	id := c.ID
	reasons := map[int64][]string{}
	add := func(ids []int64, why string) {
		for _, other := range ids {
			if other != id && !slices.Contains(reasons[other], why) {
				reasons[other] = append(reasons[other], why)
			}
		}
	}
	var keys, phones []string
	for _, e := range c.Emails {
		keys = append(keys, e.AddressKey)
	}
	for _, p := range c.Phones {
		if p.E164 != "" {
			phones = append(phones, p.E164)
		}
	}
	if len(keys) > 0 {
		var ids []int64
		if err := db.with(ctx).Table("contact_emails").Where("address_key IN ?", keys).Limit(200).Pluck("contact_id", &ids).Error; err != nil {
			return nil, fmt.Errorf("models: duplicates by email: %w", err)
		}
		add(ids, DuplicateEmail)
	}
	if len(phones) > 0 {
		var ids []int64
		if err := db.with(ctx).Table("contact_phones").Where("e164 IN ?", phones).Limit(200).Pluck("contact_id", &ids).Error; err != nil {
			return nil, fmt.Errorf("models: duplicates by phone: %w", err)
		}
		add(ids, DuplicatePhone)
	}
	// Only real names are compared: a contact known by an email or a phone
	// number has that as its name key, and numbers of one company look
	// alike without being the same person.
	if c.CompanyID != nil && c.hasName() {
		var colleagues []Contact
		if err := db.with(ctx).Scopes(visibleContacts(actor)).Select("id, name_key").
			Where("company_id = ? AND id <> ?", *c.CompanyID, id).
			Where("(given_name <> '' OR family_name <> '' OR display_name <> '')").
			Limit(maxSameCompany).Find(&colleagues).Error; err != nil {
			return nil, fmt.Errorf("models: duplicates by name: %w", err)
		}
		for _, o := range colleagues {
			if trigramSimilarity(c.NameKey, o.NameKey) >= similarNames {
				add([]int64{o.ID}, DuplicateName)
			}
		}
	}
	if len(reasons) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(reasons))
	for other := range reasons {
		ids = append(ids, other)
	}
	slices.Sort(ids)
	var others []Contact
	if err := db.with(ctx).Scopes(visibleContacts(actor)).Preload("Emails", byPosition).Preload("Phones", byPosition).
		Preload("Company").Where("contacts.id IN ?", ids).Order("contacts.id").Find(&others).Error; err != nil {
		return nil, fmt.Errorf("models: duplicates: %w", err)
	}
	out := make([]Duplicate, 0, len(others))
	for _, o := range others {
		out = append(out, Duplicate{Contact: o, Reasons: reasons[o.ID]})
	}
	return out, nil
}

// DuplicatePair is two contacts that look like one person.
type DuplicatePair struct {
	A, B    Contact
	Reasons []string
}

// DuplicatePage is one page of likely duplicates.
type DuplicatePage struct {
	Pairs      []DuplicatePair
	NextCursor string
}

// maxSharedKey is how many contacts may share an email address, a phone
// number or a name at one company for the pairs list to take them for one
// person. More is a shared address (info@, a switchboard) or a placeholder
// name ("Accounts Payable"), and listing its pairs was quadratic: a probe
// with 4,528 contacts on one address timed the page out on Postgres, and
// 4,600 of one name at one company on SQLite. A contact's own page still
// lists those it shares one with (DuplicatesOf).
const maxSharedKey = 20

// DuplicatePairs lists pairs of visible contacts sharing an email or phone,
// or an identical folded name at the same company (each shared by at most
// maxSharedKey contacts), ordered by the pair's ids and keyset-paginated
// on them. The cursor is "a-b" of the last pair.
func (db *DB) DuplicatePairs(ctx context.Context, actor Actor, cursor string, limit int) (*DuplicatePage, error) {
	limit = clampLimit(limit, 25, 100)
	var afterA, afterB int64
	if cursor != "" {
		a, b, ok := strings.Cut(cursor, "-")
		var err1, err2 error
		afterA, err1 = strconv.ParseInt(a, 10, 64)
		afterB, err2 = strconv.ParseInt(b, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, &ValidationError{Fields: map[string]string{"cursor": "That page link is damaged; start from the first page."}}
		}
	}
	type pair struct {
		A, B   int64
		Reason string
	}
	var rows []pair
	// Both sides must be visible; the subquery keeps the visibility rule in
	// one place (the visibleContacts scope).
	visible := db.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor)).Select("contacts.id")
	q := `SELECT a, b, reason FROM (
			SELECT e1.contact_id AS a, e2.contact_id AS b, 'email' AS reason FROM contact_emails e1
				JOIN contact_emails e2 ON e2.address_key = e1.address_key AND e2.contact_id > e1.contact_id
				WHERE e1.address_key IN (SELECT address_key FROM contact_emails GROUP BY address_key HAVING COUNT(*) <= @most)
			UNION
			SELECT p1.contact_id, p2.contact_id, 'phone' FROM contact_phones p1
				JOIN contact_phones p2 ON p2.e164 = p1.e164 AND p2.contact_id > p1.contact_id
				WHERE p1.e164 <> '' AND p1.e164 IN (SELECT e164 FROM contact_phones GROUP BY e164 HAVING COUNT(*) <= @most)
			UNION
			SELECT c1.id, c2.id, 'name' FROM contacts c1
				JOIN contacts c2 ON c2.company_id = c1.company_id AND c2.name_key = c1.name_key AND c2.id > c1.id
				WHERE c1.company_id IS NOT NULL AND c1.name_key <> ''
					AND (c1.company_id, c1.name_key) IN (SELECT company_id, name_key FROM contacts
						WHERE company_id IS NOT NULL GROUP BY company_id, name_key HAVING COUNT(*) <= @most)
					AND (c1.given_name <> '' OR c1.family_name <> '' OR c1.display_name <> '')
					AND (c2.given_name <> '' OR c2.family_name <> '' OR c2.display_name <> '')
		) pairs
		WHERE a IN (@visible) AND b IN (@visible) AND (a > @a OR (a = @a AND b > @b))
		ORDER BY a, b, reason LIMIT @limit`
	// Several reasons may join one pair, so fetch enough rows to fill the page.
	args := map[string]any{"visible": visible, "most": maxSharedKey, "a": afterA, "b": afterB, "limit": limit*3 + 1}
	if err := db.with(ctx).Raw(q, args).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: duplicate pairs: %w", err)
	}
	var pairs []DuplicatePair
	idx := map[[2]int64]int{}
	var ids []int64
	for _, r := range rows {
		k := [2]int64{r.A, r.B}
		i, seen := idx[k]
		if !seen {
			if len(pairs) == limit {
				break
			}
			idx[k] = len(pairs)
			pairs = append(pairs, DuplicatePair{A: Contact{ID: r.A}, B: Contact{ID: r.B}})
			i = len(pairs) - 1
			ids = append(ids, r.A, r.B)
		}
		pairs[i].Reasons = append(pairs[i].Reasons, r.Reason)
	}
	page := &DuplicatePage{Pairs: pairs}
	if len(pairs) == limit && len(rows) > 0 {
		last := pairs[len(pairs)-1]
		page.NextCursor = fmt.Sprintf("%d-%d", last.A.ID, last.B.ID)
	}
	if len(ids) == 0 {
		return page, nil
	}
	var cs []Contact
	if err := db.with(ctx).Preload("Emails", byPosition).Preload("Phones", byPosition).Preload("Company").
		Where("contacts.id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("models: duplicate pairs: %w", err)
	}
	byID := map[int64]Contact{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	for i := range page.Pairs {
		page.Pairs[i].A, page.Pairs[i].B = byID[page.Pairs[i].A.ID], byID[page.Pairs[i].B.ID]
	}
	return page, nil
}

// trigramSimilarity is the Jaccard similarity of two strings' character
// trigrams (padded like pg_trgm), 0 for nothing in common, 1 for the same.
func trigramSimilarity(a, b string) float64 {
	ta, tb := trigrams(a), trigrams(b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	common := 0
	for t := range ta {
		if tb[t] {
			common++
		}
	}
	return float64(common) / float64(len(ta)+len(tb)-common)
}

func trigrams(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		r := []rune("  " + w + " ")
		for i := 0; i+3 <= len(r); i++ {
			out[string(r[i:i+3])] = true
		}
	}
	return out
}
