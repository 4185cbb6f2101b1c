package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ContactSource says how a contact came into Rapport.
type ContactSource string

// Contact sources.
const (
	SourceManual ContactSource = "manual"
	SourceImport ContactSource = "import"
	SourceAPI    ContactSource = "api"
	SourceFeed   ContactSource = "feed"
)

// Valid reports whether s is one of the known sources.
func (s ContactSource) Valid() bool {
	return s == SourceManual || s == SourceImport || s == SourceAPI || s == SourceFeed
}

// Contact is a person Rapport keeps track of.
type Contact struct {
	ID          int64         `json:"id"`
	GivenName   string        `json:"given_name"`
	FamilyName  string        `json:"family_name"`
	DisplayName string        `json:"display_name"`
	JobTitle    string        `json:"job_title"`
	CompanyID   *int64        `json:"company_id,omitempty"`
	Company     *Company      `json:"company,omitempty" gorm:"foreignKey:CompanyID"`
	Birthday    string        `json:"birthday,omitempty"` // YYYY-MM-DD or --MM-DD, see Birthday
	About       string        `json:"about"`
	OwnerID     *int64        `json:"owner_id,omitempty"`
	Source      ContactSource `json:"source"`
	// RestrictedDepartmentID, when set, hides the contact from everyone
	// outside that department, admins included.
	RestrictedDepartmentID *int64            `json:"restricted_department_id,omitempty"`
	CustomFields           map[string]string `json:"custom_fields" gorm:"serializer:json"`
	LastContactedAt        *time.Time        `json:"last_contacted_at,omitempty"`
	// Version counts saves; an update names the version it was made
	// against (see ContactPatch).
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	DeletedAt    *time.Time `json:"deleted_at,omitempty"`
	MergedIntoID *int64     `json:"merged_into_id,omitempty"`
	// NameKey and SearchText are derived on every save (see refreshKeys).
	NameKey        string           `json:"-"`
	SearchText     string           `json:"-"`
	Emails         []ContactEmail   `json:"emails"`
	Phones         []ContactPhone   `json:"phones"`
	Addresses      []ContactAddress `json:"addresses"`
	Tags           []string         `json:"tags" gorm:"-"`
	SocialProfiles []SocialProfile  `json:"social_profiles"`
}

// ContactEmail is one of a contact's email addresses.
type ContactEmail struct {
	ID         int64  `json:"id"`
	ContactID  int64  `json:"-"`
	Address    string `json:"address"`
	AddressKey string `json:"-"`
	Label      string `json:"label,omitempty"`
	IsPrimary  bool   `json:"primary"`
	Position   int    `json:"-"`
}

// ContactPhone is one of a contact's phone numbers: as typed, and in
// E.164 for matching and dialling.
type ContactPhone struct {
	ID        int64  `json:"id"`
	ContactID int64  `json:"-"`
	Number    string `json:"number"`
	E164      string `json:"e164" gorm:"column:e164"`
	Label     string `json:"label,omitempty"`
	IsPrimary bool   `json:"primary"`
	Position  int    `json:"-"`
}

// ContactAddress is one of a contact's postal addresses.
type ContactAddress struct {
	ID         int64  `json:"id"`
	ContactID  int64  `json:"-"`
	Label      string `json:"label,omitempty"`
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
	Position   int    `json:"-"`
}

// SocialProfile is a contact's account elsewhere, with its public feed
// when the network has one.
type SocialProfile struct {
	ID        int64     `json:"id"`
	ContactID int64     `json:"-"`
	Network   string    `json:"network"`
	Handle    string    `json:"handle,omitempty"`
	URL       string    `json:"url"`
	FeedURL   string    `json:"feed_url,omitempty"`
	Position  int       `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// contactTag is a row of contact_tags; Contact.Tags carries the names.
type contactTag struct {
	ContactID int64
	Tag       string
	TagKey    string
}

func (contactTag) TableName() string { return "contact_tags" }

// Name is how the contact is shown: the display name, else the given and
// family names, else the primary email, else the primary phone number.
func (c *Contact) Name() string {
	if c.DisplayName != "" {
		return c.DisplayName
	}
	if n := PersonName(c.GivenName, c.FamilyName); n != "" {
		return n
	}
	if e := c.PrimaryEmail(); e != nil {
		return e.Address
	}
	if p := c.PrimaryPhone(); p != nil {
		return p.Number
	}
	return ""
}

// hasName reports whether the contact has a name of its own, rather than
// going by an email address or phone number.
func (c *Contact) hasName() bool {
	return c.DisplayName != "" || c.GivenName != "" || c.FamilyName != ""
}

// withNameLists loads the primary email and phone of contacts read only to
// be named: Name falls back to them.
func withNameLists(q *gorm.DB) *gorm.DB {
	return q.Preload("Emails", "is_primary = ?", true).Preload("Phones", "is_primary = ?", true)
}

// PrimaryEmail returns the primary email, or nil when there is none.
func (c *Contact) PrimaryEmail() *ContactEmail {
	for i := range c.Emails {
		if c.Emails[i].IsPrimary {
			return &c.Emails[i]
		}
	}
	return nil
}

// PrimaryPhone returns the primary phone, or nil when there is none.
func (c *Contact) PrimaryPhone() *ContactPhone {
	for i := range c.Phones {
		if c.Phones[i].IsPrimary {
			return &c.Phones[i]
		}
	}
	return nil
}

// ConflictError answers an update made against a stale version: someone
// saved the record after it was read. Current is the record as it now
// stands, so the HTTP layer can answer 409 with it and the person can redo
// their change on top. errors.Is(err, ErrConflict) holds.
type ConflictError[T any] struct {
	Current *T
}

func (e *ConflictError[T]) Error() string {
	return "models: the record was changed by someone else since it was read: " + ErrConflict.Error()
}

func (e *ConflictError[T]) Unwrap() error { return ErrConflict }

// CurrentRecord returns Current, for handlers that answer every conflict
// the same way whatever the record.
func (e *ConflictError[T]) CurrentRecord() any { return e.Current }

// errStale ends an update's transaction when the version check fails; the
// caller turns it into a ConflictError carrying the current record.
var errStale = errors.New("stale version")

// versionProblem is the answer to an update that names no version.
func versionProblem() error {
	return &ValidationError{Fields: map[string]string{"version": "Reload and try again: the change did not say which version it was made to."}}
}

// visibleContacts limits a contact query to live contacts the actor may
// see: unrestricted ones and those of the actor's departments. Being an
// admin does not widen it. Every contact query goes through it.
func visibleContacts(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		q = q.Where("contacts.deleted_at IS NULL")
		if len(actor.DepartmentIDs) == 0 {
			return q.Where("contacts.restricted_department_id IS NULL")
		}
		return q.Where("(contacts.restricted_department_id IS NULL OR contacts.restricted_department_id IN ?)", actor.DepartmentIDs)
	}
}

// CreateContact validates req and saves the contact with its emails,
// phones, addresses, tags and profiles, all or nothing. A company named by
// CompanyName is found or created in the same transaction.
func (db *DB) CreateContact(ctx context.Context, actor Actor, req ContactRequest) (*Contact, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: create contact: %w", ErrForbidden)
	}
	c, patch, v := newContact(actor, req)
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.checkContactLinks(ctx, actor, nil, c, &patch, &v); err != nil {
			return err
		}
		refreshKeys(c)
		t := now()
		c.Version, c.CreatedAt, c.UpdatedAt = 1, t, t
		if err := tx.with(ctx).Omit(clause.Associations).Create(c).Error; err != nil {
			return fmt.Errorf("models: create contact: %w", err)
		}
		if err := tx.writeContactLists(ctx, c, changedLists{true, true, true, true, true}, nil); err != nil {
			return err
		}
		if err := tx.recordContactCreated(ctx, actor, c); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "contact.create", SubjectType: "contact", SubjectID: c.ID,
			Detail: map[string]any{"name": c.Name()}})
	})
	if err != nil {
		return nil, err
	}
	return db.Contact(ctx, actor, c.ID)
}

// newContact is the contact req describes, cleaned, before the checks that
// need the database (checkContactLinks); problems so far are in v.
// CreateContact and ContactBatch both start here.
func newContact(actor Actor, req ContactRequest) (*Contact, ContactPatch, ValidationError) {
	c := &Contact{Source: req.Source, CustomFields: map[string]string{}}
	var v ValidationError
	if c.Source == "" {
		c.Source = SourceManual
	} else if !c.Source.Valid() {
		v.Add("source", "Choose manual, import, api or feed.")
	}
	if actor.UserID != 0 {
		c.OwnerID = &actor.UserID
	}
	patch := req.patch()
	patch.apply(c, &v)
	return c, patch, v
}

// Contact loads a contact the actor may see with everything it holds. A
// contact the actor may not see is ErrNotFound, as if it did not exist.
func (db *DB) Contact(ctx context.Context, actor Actor, id int64) (*Contact, error) {
	var c Contact
	err := db.with(ctx).Scopes(visibleContacts(actor)).
		Preload("Emails", byPosition).Preload("Phones", byPosition).Preload("Addresses", byPosition).
		Preload("SocialProfiles", byPosition).Preload("Company").
		First(&c, "contacts.id = ?", id).Error
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("contact %d", id))
	}
	cs := []Contact{c}
	if err := db.loadTags(ctx, cs); err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// ContactPeople names a contact's owner and the department it is
// restricted to, "" for either when unset, in at most two small lookups
// (the page shows names, not the users' whole records).
func (db *DB) ContactPeople(ctx context.Context, c *Contact) (owner, department string, err error) {
	var users, depts []int64
	if c.OwnerID != nil {
		users = append(users, *c.OwnerID)
	}
	if c.RestrictedDepartmentID != nil {
		depts = append(depts, *c.RestrictedDepartmentID)
	}
	un, dn, err := db.namesOf(ctx, users, depts)
	if err != nil {
		return "", "", fmt.Errorf("models: people of contact %d: %w", c.ID, err)
	}
	if c.OwnerID != nil {
		owner = un[*c.OwnerID]
	}
	if c.RestrictedDepartmentID != nil {
		department = dn[*c.RestrictedDepartmentID]
	}
	return owner, department, nil
}

// UpdateContact applies patch to a contact the actor may see. When
// patch.Version is not the stored version it changes nothing and returns
// a *ConflictError[Contact] holding the contact as it now stands. The
// changed fields, old and new, go to the audit trail in one event.
func (db *DB) UpdateContact(ctx context.Context, actor Actor, id int64, patch ContactPatch) (*Contact, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: update contact %d: %w", id, ErrForbidden)
	}
	if patch.Version <= 0 {
		return nil, versionProblem()
	}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "contacts", id); err != nil {
			return err
		}
		old, err := tx.Contact(ctx, actor, id)
		if err != nil {
			return err
		}
		if old.Version != patch.Version {
			return errStale
		}
		c := *old
		c.CustomFields = maps.Clone(old.CustomFields)
		var v ValidationError
		lists := patch.apply(&c, &v)
		if err := tx.checkContactLinks(ctx, actor, old, &c, &patch, &v); err != nil {
			return err
		}
		refreshKeys(&c)
		changes := diffFields(auditView(old), auditView(&c))
		if len(changes) == 0 {
			return nil
		}
		c.UpdatedAt = now()
		res := tx.with(ctx).Model(&Contact{}).Where("id = ? AND version = ?", id, patch.Version).
			Updates(contactColumns(&c))
		if res.Error != nil {
			return fmt.Errorf("models: update contact %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			// Saved by someone else between our read and this write.
			return errStale
		}
		if err := tx.writeContactLists(ctx, &c, lists, old); err != nil {
			return err
		}
		if err := tx.recordContactChanges(ctx, actor, &c, changes); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "contact.update", SubjectType: "contact", SubjectID: id, Detail: changes})
	})
	if errors.Is(err, errStale) {
		current, err := db.Contact(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError[Contact]{Current: current}
	}
	if err != nil {
		return nil, err
	}
	return db.Contact(ctx, actor, id)
}

// DeleteContact moves a contact the actor may see to the bin: it
// disappears from every list and lookup but stays in the database.
func (db *DB) DeleteContact(ctx context.Context, actor Actor, id int64) error {
	if !actor.CanWrite() {
		return fmt.Errorf("models: delete contact %d: %w", id, ErrForbidden)
	}
	return db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "contacts", id); err != nil {
			return err
		}
		c, err := tx.Contact(ctx, actor, id)
		if err != nil {
			return err
		}
		t := now()
		res := tx.with(ctx).Model(&Contact{}).Where("id = ? AND deleted_at IS NULL", id).
			Updates(map[string]any{"deleted_at": t, "updated_at": t, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return fmt.Errorf("models: delete contact %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: contact %d: %w", id, ErrNotFound)
		}
		if err := tx.recordContactDeleted(ctx, actor, c, t); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "contact.delete", SubjectType: "contact", SubjectID: id,
			Detail: map[string]any{"name": c.Name()}})
	})
}

// lockRow takes the write lock on a versioned row before the transaction
// reads it, so that concurrent saves of one record queue up instead of
// racing: on Postgres it is the row's lock, on SQLite the database's write
// lock. It changes nothing, and a row the actor may not see is then
// reported missing as usual.
//
// SQLite transactions are meant to take the write lock at BEGIN
// (_txlock=immediate), but the driver ignores _txlock when _time_format is
// also set, so without this a read-then-write transaction can fail with
// SQLITE_BUSY_SNAPSHOT instead of waiting.
func (tx *DB) lockRow(ctx context.Context, table string, id int64) error {
	if err := tx.with(ctx).Exec("UPDATE "+table+" SET version = version WHERE id = ?", id).Error; err != nil {
		return fmt.Errorf("models: lock %s %d: %w", table, id, err)
	}
	return nil
}

// checkContactLinks checks what a patch links the contact to — owner,
// department, company — and its custom fields against their definitions,
// resolving a company name to a company. old is nil on create.
func (tx *DB) checkContactLinks(ctx context.Context, actor Actor, old, c *Contact, p *ContactPatch, v *ValidationError) error {
	if p.OwnerID != nil {
		c.OwnerID = nil
		if *p.OwnerID != 0 {
			var n int64
			if err := tx.with(ctx).Model(&User{}).Where("id = ?", *p.OwnerID).Count(&n).Error; err != nil {
				return fmt.Errorf("models: check contact owner: %w", err)
			}
			if n == 0 {
				v.Add("owner_id", "Choose the owner from the list of users.")
			}
			c.OwnerID = p.OwnerID
		}
	}
	if p.RestrictedDepartmentID != nil {
		c.RestrictedDepartmentID = nil
		if d := *p.RestrictedDepartmentID; d != 0 {
			unchanged := old != nil && old.RestrictedDepartmentID != nil && *old.RestrictedDepartmentID == d
			// Restricting a contact to a department one is not in would
			// hide it from oneself the moment it is saved.
			if !unchanged && !actor.InDepartment(d) {
				v.Add("restricted_department_id", "You can restrict a contact only to a department you belong to.")
			}
			c.RestrictedDepartmentID = &d
		}
	}
	if len(p.CustomFields) > 0 {
		defs, err := tx.CustomFieldDefs(ctx)
		if err != nil {
			return err
		}
		given := make(map[string]string, len(p.CustomFields))
		for k := range p.CustomFields {
			if val, ok := c.CustomFields[k]; ok {
				given[k] = val
			}
		}
		// Only values being set are checked: clearing a field whose
		// definition was deleted must stay possible.
		maps.Copy(c.CustomFields, checkCustomFields(defs, given, v))
	}
	switch {
	case p.CompanyID != nil && *p.CompanyID == 0, p.CompanyName != nil && strings.TrimSpace(*p.CompanyName) == "":
		c.CompanyID, c.Company = nil, nil
	case p.CompanyID != nil:
		co, err := tx.Company(ctx, actor, *p.CompanyID)
		if errors.Is(err, ErrNotFound) {
			v.Add("company_id", "Choose the company from the list, or type its name.")
		} else if err != nil {
			return err
		}
		c.CompanyID, c.Company = p.CompanyID, co
	case p.CompanyName != nil:
		if err := v.OrNil(); err != nil {
			return err // create no company for a contact that will not be saved
		}
		co, err := tx.companyForContact(ctx, actor, *p.CompanyName)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				for f, msg := range ve.Fields {
					v.Add("company_"+f, msg)
				}
				return v
			}
			return err
		}
		c.CompanyID, c.Company = &co.ID, co
	}
	if err := tx.checkDepartment(ctx, c.RestrictedDepartmentID, p.RestrictedDepartmentID != nil, v); err != nil {
		return err
	}
	return v.OrNil()
}

// checkDepartment confirms a department a patch names exists.
func (tx *DB) checkDepartment(ctx context.Context, id *int64, given bool, v *ValidationError) error {
	if !given || id == nil || v.Fields["restricted_department_id"] != "" {
		return nil
	}
	var n int64
	if err := tx.with(ctx).Model(&Department{}).Where("id = ?", *id).Count(&n).Error; err != nil {
		return fmt.Errorf("models: check contact department: %w", err)
	}
	if n == 0 {
		v.Add("restricted_department_id", "Choose the department from the list.")
	}
	return nil
}

// refreshKeys derives the name key and search text from the contact's
// fields, lists and company.
func refreshKeys(c *Contact) {
	c.NameKey, c.SearchText = contactKeys(c, c.Company)
}

// contactKeys is the name key and search text of c as linked to company
// (nil for none).
func contactKeys(c *Contact, company *Company) (nameKey, searchText string) {
	switch {
	case c.FamilyName != "" || c.GivenName != "":
		nameKey = searchKey(c.FamilyName + " " + c.GivenName)
	case c.DisplayName != "":
		nameKey = searchKey(c.DisplayName)
	default:
		// What Name shows; the lists of a contact being saved may not
		// have their primary marked yet, and then the first is.
		if e := c.PrimaryEmail(); e != nil {
			nameKey = searchKey(e.Address)
		} else if len(c.Emails) > 0 {
			nameKey = searchKey(c.Emails[0].Address)
		} else if p := c.PrimaryPhone(); p != nil {
			nameKey = searchKey(p.Number)
		} else if len(c.Phones) > 0 {
			nameKey = searchKey(c.Phones[0].Number)
		}
	}
	parts := []string{c.DisplayName, c.GivenName, c.FamilyName, c.JobTitle}
	if familyFirst(c.FamilyName, c.GivenName) {
		// Written together, so the whole name (王小明) is found as typed.
		parts = append(parts, c.FamilyName+c.GivenName)
	}
	if company != nil {
		parts = append(parts, company.Name)
	}
	for _, e := range c.Emails {
		parts = append(parts, e.Address)
	}
	for _, p := range c.Phones {
		parts = append(parts, phoneSearchText(p.Number, p.E164)...)
	}
	parts = append(parts, c.Tags...)
	return nameKey, searchKey(strings.Join(parts, " "))
}

// contactColumns are the stored columns of c an update writes.
func contactColumns(c *Contact) map[string]any {
	custom, _ := json.Marshal(c.CustomFields)
	return map[string]any{
		"given_name": c.GivenName, "family_name": c.FamilyName, "display_name": c.DisplayName, "job_title": c.JobTitle,
		"company_id": c.CompanyID, "birthday": c.Birthday, "about": c.About, "owner_id": c.OwnerID,
		"restricted_department_id": c.RestrictedDepartmentID, "custom_fields": string(custom),
		"last_contacted_at": c.LastContactedAt, "name_key": c.NameKey, "search_text": c.SearchText,
		"updated_at": c.UpdatedAt, "version": gorm.Expr("version + 1"),
	}
}

// writeContactLists replaces the lists a patch changed. Social profiles
// whose address stays keep their row, so the feed reader's history of them
// survives an edit.
func (tx *DB) writeContactLists(ctx context.Context, c *Contact, lists changedLists, old *Contact) error {
	q := tx.with(ctx)
	replace := func(table string, rows any, n int) error {
		if old != nil {
			if err := q.Exec("DELETE FROM "+table+" WHERE contact_id = ?", c.ID).Error; err != nil {
				return fmt.Errorf("models: clear %s of contact %d: %w", table, c.ID, err)
			}
		}
		if n == 0 {
			return nil
		}
		if err := q.Create(rows).Error; err != nil {
			return fmt.Errorf("models: save %s of contact %d: %w", table, c.ID, err)
		}
		return nil
	}
	if lists.emails {
		for i := range c.Emails {
			c.Emails[i].ID, c.Emails[i].ContactID = 0, c.ID
		}
		if err := replace("contact_emails", &c.Emails, len(c.Emails)); err != nil {
			return err
		}
	}
	if lists.phones {
		for i := range c.Phones {
			c.Phones[i].ID, c.Phones[i].ContactID = 0, c.ID
		}
		if err := replace("contact_phones", &c.Phones, len(c.Phones)); err != nil {
			return err
		}
	}
	if lists.addresses {
		for i := range c.Addresses {
			c.Addresses[i].ID, c.Addresses[i].ContactID = 0, c.ID
		}
		if err := replace("contact_addresses", &c.Addresses, len(c.Addresses)); err != nil {
			return err
		}
	}
	if lists.tags {
		rows := make([]contactTag, len(c.Tags))
		for i, t := range c.Tags {
			rows[i] = contactTag{ContactID: c.ID, Tag: t, TagKey: tagKey(t)}
		}
		if err := replace("contact_tags", &rows, len(rows)); err != nil {
			return err
		}
	}
	if lists.social {
		return tx.writeSocialProfiles(ctx, c, old)
	}
	return nil
}

func (tx *DB) writeSocialProfiles(ctx context.Context, c *Contact, old *Contact) error {
	q := tx.with(ctx)
	kept := map[string]SocialProfile{}
	if old != nil {
		for _, p := range old.SocialProfiles {
			kept[p.URL] = p
		}
	}
	var keep []int64
	var add []SocialProfile
	t := now()
	for _, p := range c.SocialProfiles {
		if was, ok := kept[p.URL]; ok {
			keep = append(keep, was.ID)
			if err := q.Model(&SocialProfile{}).Where("id = ?", was.ID).Updates(map[string]any{
				"network": p.Network, "handle": p.Handle, "feed_url": p.FeedURL, "position": p.Position,
			}).Error; err != nil {
				return fmt.Errorf("models: save profile of contact %d: %w", c.ID, err)
			}
			continue
		}
		p.ContactID, p.CreatedAt = c.ID, t
		add = append(add, p)
	}
	if old != nil {
		del := q.Where("contact_id = ?", c.ID)
		if len(keep) > 0 {
			del = del.Where("id NOT IN ?", keep)
		}
		if err := del.Delete(&SocialProfile{}).Error; err != nil {
			return fmt.Errorf("models: remove profiles of contact %d: %w", c.ID, err)
		}
	}
	if len(add) > 0 {
		if err := q.Create(&add).Error; err != nil {
			return fmt.Errorf("models: save profiles of contact %d: %w", c.ID, err)
		}
	}
	return nil
}

// loadTags fills in the tags of cs, sorted by name.
func (db *DB) loadTags(ctx context.Context, cs []Contact) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]int64, len(cs))
	at := make(map[int64]int, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
		at[c.ID] = i
		cs[i].Tags = []string{}
	}
	var rows []contactTag
	if err := db.with(ctx).Where("contact_id IN ?", ids).Order("tag_key").Find(&rows).Error; err != nil {
		return fmt.Errorf("models: load contact tags: %w", err)
	}
	for _, r := range rows {
		i := at[r.ContactID]
		cs[i].Tags = append(cs[i].Tags, r.Tag)
	}
	return nil
}

// byPosition orders a preloaded list as the person arranged it.
func byPosition(q *gorm.DB) *gorm.DB { return q.Order("position, id") }

// fieldChange is one changed field in an audit event.
type fieldChange struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// diffFields lists the fields whose values differ between two audit views
// of a record, old and new, for the audit trail.
func diffFields(old, cur map[string]any) map[string]fieldChange {
	changes := map[string]fieldChange{}
	for k, was := range old {
		if jsonText(was) != jsonText(cur[k]) {
			changes[k] = fieldChange{Old: was, New: cur[k]}
		}
	}
	return changes
}

// auditView is a contact as the audit trail describes it: plain values,
// lists as the strings a person would recognise.
func auditView(c *Contact) map[string]any {
	emails := make([]string, len(c.Emails))
	for i, e := range c.Emails {
		emails[i] = e.Address
		if e.IsPrimary {
			emails[i] += " (primary)"
		}
	}
	phones := make([]string, len(c.Phones))
	for i, p := range c.Phones {
		phones[i] = p.Number
		if p.IsPrimary {
			phones[i] += " (primary)"
		}
	}
	addresses := make([]string, len(c.Addresses))
	for i, a := range c.Addresses {
		addresses[i] = strings.Join(slices.DeleteFunc([]string{a.Label, a.Street, a.City, a.Region, a.PostalCode, a.Country},
			func(s string) bool { return s == "" }), ", ")
	}
	profiles := make([]string, len(c.SocialProfiles))
	for i, p := range c.SocialProfiles {
		profiles[i] = p.URL
	}
	return map[string]any{
		"given_name": c.GivenName, "family_name": c.FamilyName, "display_name": c.DisplayName, "job_title": c.JobTitle,
		"company_id": c.CompanyID, "birthday": c.Birthday, "about": c.About, "owner_id": c.OwnerID,
		"restricted_department_id": c.RestrictedDepartmentID, "custom_fields": c.CustomFields,
		"last_contacted_at": auditTime(c.LastContactedAt), "emails": emails, "phones": phones, "addresses": addresses,
		"tags": c.Tags, "social_profiles": profiles,
	}
}

// auditTime writes a time the same way whatever zone the driver read it in.
func auditTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// PersonName is how a given and a family name are written together:
// "José Álvarez", but family name first for Chinese and Japanese without a
// space (王小明) and for Korean with one (김 민준). Everything that shows a
// name, or decides whether a display name is just the natural one (vCard
// FN on import), uses it, so they agree.
func PersonName(given, family string) string {
	if familyFirst(family, given) {
		if isKorean(family + given) {
			return family + " " + given
		}
		return family + given
	}
	return strings.TrimSpace(given + " " + family)
}

// familyFirst reports whether a name is in a script written family name
// first (Han, Hiragana, Katakana, Hangul): both parts present and at least
// one of them in such a script.
func familyFirst(family, given string) bool {
	if family == "" || given == "" {
		return false
	}
	for _, r := range family + given {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

// isKorean reports whether s holds Hangul, which separates the family name
// with a space (김 민준) where Chinese and Japanese do not.
func isKorean(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}
