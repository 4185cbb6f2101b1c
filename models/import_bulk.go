package models

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ImportKeys are what identifies the person a row to import describes:
// its emails as matched (EmailKey), its phone numbers in E.164, and, when
// an import matches by them, its name and company in search form.
type ImportKeys struct {
	Emails  []string
	Phones  []string
	Name    string // name_key form; "" when not matching by name and company
	Company string
}

// ImportKeysOf returns the keys of req, in the order a match is looked for:
// emails, then phones, then name at company when byNameCompany.
func ImportKeysOf(req ContactRequest, byNameCompany bool) ImportKeys {
	var k ImportKeys
	for _, e := range req.Emails {
		if key := EmailKey(e.Address); key != "" {
			k.Emails = append(k.Emails, key)
		}
	}
	for _, p := range req.Phones {
		if e164, msg := ParsePhone(strings.TrimSpace(p.Number), req.PhoneRegion); msg == "" && e164 != "" {
			k.Phones = append(k.Phones, e164)
		}
	}
	if byNameCompany && strings.TrimSpace(req.CompanyName) != "" {
		name := searchKey(req.FamilyName + " " + req.GivenName)
		if strings.TrimSpace(req.FamilyName+req.GivenName) == "" {
			name = searchKey(req.DisplayName)
		}
		if name != "" {
			k.Name, k.Company = name, searchKey(req.CompanyName)
		}
	}
	return k
}

// Strings lists the keys as one set of strings, each prefixed by its kind,
// for matching rows of one file against each other.
func (k ImportKeys) Strings() []string {
	out := make([]string, 0, len(k.Emails)+len(k.Phones)+1)
	for _, e := range k.Emails {
		out = append(out, "e:"+e)
	}
	for _, p := range k.Phones {
		out = append(out, "p:"+p)
	}
	if k.Name != "" {
		out = append(out, "n:"+k.Name+"|"+k.Company)
	}
	return out
}

// ImportMatches finds, for each row's keys, the visible contact it
// duplicates, or 0: the newest contact with the first of its emails that
// matches, else of its phones, else the oldest with the same name at the
// same company. A whole batch takes three queries, not several per row.
func (db *DB) ImportMatches(ctx context.Context, actor Actor, keys []ImportKeys) ([]int64, error) {
	var emails, phones, names []string
	for _, k := range keys {
		emails = append(emails, k.Emails...)
		phones = append(phones, k.Phones...)
		if k.Name != "" {
			names = append(names, k.Name)
		}
	}
	var byEmail, byPhone, byName map[string]int64
	err := db.withCustomPlans(ctx, func() (err error) {
		if byEmail, err = db.newestContactsBy(ctx, actor, "contact_emails", "address_key", emails); err != nil {
			return err
		}
		if byPhone, err = db.newestContactsBy(ctx, actor, "contact_phones", "e164", phones); err != nil {
			return err
		}
		byName, err = db.contactsByNameAtCompany(ctx, actor, names)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(keys))
rows:
	for i, k := range keys {
		for _, e := range k.Emails {
			if id, ok := byEmail[e]; ok {
				out[i] = id
				continue rows
			}
		}
		for _, p := range k.Phones {
			if id, ok := byPhone[p]; ok {
				out[i] = id
				continue rows
			}
		}
		if k.Name != "" {
			out[i] = byName[k.Name+"|"+k.Company]
		}
	}
	return out, nil
}

// matchChunk bounds the values of one IN list, well under SQLite's limit
// on parameters.
const matchChunk = 5000

// newestContactsBy maps each value of column in table (contact_emails or
// contact_phones) to the newest visible contact having it.
func (db *DB) newestContactsBy(ctx context.Context, actor Actor, table, column string, values []string) (map[string]int64, error) {
	type hit struct {
		Key       string
		ID        int64
		CreatedAt time.Time
	}
	best := map[string]hit{}
	values = slices.Compact(slices.Sorted(slices.Values(values)))
	for start := 0; start < len(values); start += matchChunk {
		var hits []hit
		// The list's index on the value must drive the lookup. Once
		// ANALYZE has run, SQLite's planner prefers walking contacts and
		// testing each against the IN list (6 s a batch at 10,000
		// contacts, against 10 ms); CROSS JOIN makes SQLite keep the order
		// written, and Postgres plans it as any inner join.
		err := db.with(ctx).Table(table+" k").Joins("CROSS JOIN contacts").Where("contacts.id = k.contact_id").
			Scopes(visibleContacts(actor)).Where("k."+column+" IN ?", values[start:min(len(values), start+matchChunk)]).
			Select("k." + column + " AS key, contacts.id AS id, contacts.created_at AS created_at").Scan(&hits).Error
		if err != nil {
			return nil, fmt.Errorf("models: match import rows by %s: %w", column, err)
		}
		for _, h := range hits {
			// Newest first, as the contact list sorted by creation is.
			if b, ok := best[h.Key]; !ok || h.CreatedAt.After(b.CreatedAt) || (h.CreatedAt.Equal(b.CreatedAt) && h.ID > b.ID) {
				best[h.Key] = h
			}
		}
	}
	out := make(map[string]int64, len(best))
	for k, h := range best {
		out[k] = h.ID
	}
	return out, nil
}

// contactsByNameAtCompany maps "name|company" (both in search form) to the
// oldest visible contact of that name at a live company of that name.
func (db *DB) contactsByNameAtCompany(ctx context.Context, actor Actor, names []string) (map[string]int64, error) {
	out := map[string]int64{}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	for start := 0; start < len(names); start += matchChunk {
		var hits []struct {
			ID      int64
			Name    string
			Company string
		}
		err := db.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor)).
			Joins("JOIN companies ON companies.id = contacts.company_id AND companies.deleted_at IS NULL").
			Where("contacts.name_key IN ?", names[start:min(len(names), start+matchChunk)]).
			Select("contacts.id AS id, contacts.name_key AS name, companies.name_key AS company").Scan(&hits).Error
		if err != nil {
			return nil, fmt.Errorf("models: match import rows by name and company: %w", err)
		}
		for _, h := range hits {
			k := h.Name + "|" + h.Company
			if id, ok := out[k]; !ok || h.ID < id {
				out[k] = h.ID
			}
		}
	}
	return out, nil
}

// A dry run writes nothing, so a row repeating an earlier row that would
// have made a new contact cannot be matched against the database. It is
// matched against import_dry_keys instead (migration 00015): the keys of
// the rows that would have created, as 64-bit hashes, written with each
// batch. The table keeps the worker's memory flat whatever the file's
// size, and survives a restart with the checkpoint it commits with. Two
// keys sharing a hash make a row count as merged that would not be: at
// 10,000,000 keys that is a chance of about one in 300,000 per file.

// importKeyHash is the stored form of a key (ImportKeys.Strings): the
// first 8 bytes of its SHA-256, stable across processes, unlike maphash.
func importKeyHash(key string) int64 {
	sum := sha256.Sum256([]byte(key))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// DryRunKeysSeen returns which of keys (ImportKeys.Strings) dry run id has
// remembered (RememberDryRunKeys) from the rows of its earlier batches.
func (db *DB) DryRunKeysSeen(ctx context.Context, id int64, keys []string) (map[string]bool, error) {
	byHash := make(map[int64][]string, len(keys))
	for _, k := range keys {
		h := importKeyHash(k)
		byHash[h] = append(byHash[h], k)
	}
	seen := map[string]bool{}
	if len(byHash) == 0 {
		return seen, nil
	}
	var found []int64
	err := db.with(ctx).Table("import_dry_keys").Where("import_id = ? AND key_hash IN ("+intList(slices.Sorted(maps.Keys(byHash)))+")", id).
		Pluck("key_hash", &found).Error
	if err != nil {
		return nil, fmt.Errorf("models: keys seen by dry run %d: %w", id, err)
	}
	for _, h := range found {
		for _, k := range byHash[h] {
			seen[k] = true
		}
	}
	return seen, nil
}

// RememberDryRunKeys records keys of rows dry run id would have created
// contacts for. Call it on the transaction that records the batch, so
// they commit with its checkpoint. A dry run that has ended (cancelled
// while this batch ran) remembers nothing: CancelImport has cleared its
// keys, or will once this transaction ends, since both lock its row.
func (db *DB) RememberDryRunKeys(ctx context.Context, id int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	res := db.with(ctx).Exec("UPDATE imports SET id = id WHERE id = ? AND status = ?", id, ImportRunning)
	if res.Error != nil {
		return fmt.Errorf("models: remember keys of dry run %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	hashes := make([]int64, len(keys))
	for i, k := range keys {
		hashes[i] = importKeyHash(k)
	}
	hashes = slices.Compact(slices.Sorted(slices.Values(hashes)))
	var q strings.Builder
	q.Grow(len(hashes)*24 + 100)
	q.WriteString("INSERT INTO import_dry_keys (import_id, key_hash) VALUES ")
	for i, h := range hashes {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		q.WriteString(strconv.FormatInt(id, 10))
		q.WriteByte(',')
		q.WriteString(strconv.FormatInt(h, 10))
		q.WriteByte(')')
	}
	// A row whose match vanished while the batch ran is created after all
	// and may repeat a key already held.
	q.WriteString(" ON CONFLICT DO NOTHING")
	if err := db.with(ctx).Exec(q.String()).Error; err != nil {
		return fmt.Errorf("models: remember keys of dry run %d: %w", id, err)
	}
	return nil
}

// intList writes integers as SQL literals, "1,-2,3". The dry run's keys
// are written and looked up that way, a batch in one statement: as
// parameters, SQLite (300 a statement, see insertVars) took 27 statements
// a batch, and binding 4,000 of them cost more than the lookup itself
// (1.8 s of a 14 s dry run of 100,000 rows). Integers formatted here
// cannot inject anything.
func intList(vs []int64) string {
	b := make([]byte, 0, len(vs)*21)
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return string(b)
}

// ForgetDryRunKeys removes what dry run id remembered: when it ends, or
// starts again from its first row.
func (db *DB) ForgetDryRunKeys(ctx context.Context, id int64) error {
	if err := db.with(ctx).Exec("DELETE FROM import_dry_keys WHERE import_id = ?", id).Error; err != nil {
		return fmt.Errorf("models: forget keys of dry run %d: %w", id, err)
	}
	return nil
}
