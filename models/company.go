package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// Company is an organisation contacts work for. Companies are visible to
// everyone; restrictions apply to contacts.
type Company struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	NameKey string `json:"-"`
	// Domain is the company's lower-cased web host ("example.com"), unique
	// among live companies; empty when unknown (NULL in the database).
	Domain    string     `json:"domain,omitempty" gorm:"default:null"`
	Industry  string     `json:"industry,omitempty"`
	Size      string     `json:"size,omitempty"`
	Address   string     `json:"address,omitempty"`
	Tags      []string   `json:"tags" gorm:"serializer:json"`
	Version   int64      `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
}

// CompanyRequest carries the fields for creating a company.
type CompanyRequest struct {
	Name     string   `json:"name"`
	Domain   string   `json:"domain,omitempty"` // a host or a web address; stored as the host
	Industry string   `json:"industry,omitempty"`
	Size     string   `json:"size,omitempty"` // free text, such as "11-50"
	Address  string   `json:"address,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// CompanyPatch changes the fields it sets; Version is the version the
// change was made against, as for contacts.
type CompanyPatch struct {
	Version  int64     `json:"version"`
	Name     *string   `json:"name,omitempty"`
	Domain   *string   `json:"domain,omitempty"`
	Industry *string   `json:"industry,omitempty"`
	Size     *string   `json:"size,omitempty"`
	Address  *string   `json:"address,omitempty"`
	Tags     *[]string `json:"tags,omitempty"`
}

func (r CompanyRequest) patch() CompanyPatch {
	return CompanyPatch{Name: &r.Name, Domain: &r.Domain, Industry: &r.Industry, Size: &r.Size, Address: &r.Address, Tags: &r.Tags}
}

// apply sets the fields p carries on c, cleaned, recording problems in v.
func (p *CompanyPatch) apply(c *Company, v *ValidationError) {
	if p.Name != nil {
		c.Name = cleanLine(*p.Name)
		if c.Name == "" {
			v.Add("name", "Enter the company's name.")
		}
		checkLength(v, "name", "company name", c.Name, maxNameLength)
		c.NameKey = searchKey(c.Name)
	}
	if p.Domain != nil {
		d, ok := normalizeDomain(*p.Domain)
		if !ok {
			v.Add("domain", "Enter the company's web domain, such as example.com.")
		}
		c.Domain = d
	}
	if p.Industry != nil {
		c.Industry = cleanLine(*p.Industry)
		checkLength(v, "industry", "industry", c.Industry, 100)
	}
	if p.Size != nil {
		c.Size = cleanLine(*p.Size)
		checkLength(v, "size", "size", c.Size, maxLabelLength)
	}
	if p.Address != nil {
		c.Address = cleanText(*p.Address)
		checkLength(v, "address", "address", c.Address, maxAddressLength)
	}
	if p.Tags != nil {
		c.Tags = cleanTags(*p.Tags, "tags", "tag", maxTagLength, maxTags, v)
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
}

// normalizeDomain reduces a domain or web address to its lower-cased host
// without "www.": "https://www.Example.com/about" -> "example.com". ok is
// false when s is not empty and not a host name.
func normalizeDomain(s string) (host string, ok bool) {
	s = strings.ToLower(cleanLine(s))
	if s == "" {
		return "", true
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", false
		}
		s = u.Hostname()
	} else {
		s, _, _ = strings.Cut(s, "/")
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "www."), ".")
	if len(s) > 253 || !strings.Contains(s, ".") {
		return "", false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "", false
		}
		for _, r := range label {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return "", false
			}
		}
	}
	return s, true
}

// looksLikeDomain tells a typed domain ("acme.com") from a company name
// ("Acme Inc."), which has spaces or no dot.
func looksLikeDomain(s string) bool {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " \t") {
		return false
	}
	_, ok := normalizeDomain(s)
	return ok && s != ""
}

// nullIfEmpty writes "" as NULL, for columns where NULL means unknown.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonText encodes v for a JSON text column.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("models: encode %T: %v", v, err)) // only called with strings, slices and maps of them
	}
	return string(b)
}

// CreateCompany validates req and saves the company.
func (db *DB) CreateCompany(ctx context.Context, actor Actor, req CompanyRequest) (*Company, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: create company: %w", ErrForbidden)
	}
	var co *Company
	err := db.Tx(ctx, func(tx *DB) error {
		var err error
		co, err = tx.createCompany(ctx, actor, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	return co, nil
}

func (tx *DB) createCompany(ctx context.Context, actor Actor, req CompanyRequest) (*Company, error) {
	co := &Company{}
	var v ValidationError
	p := req.patch()
	p.apply(co, &v)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	if err := tx.checkCompanyDomain(ctx, co, &v); err != nil {
		return nil, err
	}
	t := now()
	co.Version, co.CreatedAt, co.UpdatedAt = 1, t, t
	if err := tx.with(ctx).Create(co).Error; err != nil {
		if isUniqueViolation(err) {
			v.Add("domain", fmt.Sprintf("Another company already has the domain %s.", co.Domain))
			return nil, &v
		}
		return nil, fmt.Errorf("models: create company: %w", err)
	}
	err := tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "company.create", SubjectType: "company", SubjectID: co.ID,
		Detail: map[string]any{"name": co.Name}})
	if err != nil {
		return nil, err
	}
	return co, nil
}

// checkCompanyDomain refuses a domain another live company has, with a
// message naming it; the unique index backs this up under races.
func (tx *DB) checkCompanyDomain(ctx context.Context, co *Company, v *ValidationError) error {
	if co.Domain == "" {
		return nil
	}
	var other Company
	err := tx.with(ctx).Where("domain = ? AND deleted_at IS NULL AND id <> ?", co.Domain, co.ID).First(&other).Error
	if err == nil {
		v.Add("domain", fmt.Sprintf("%s already has the domain %s.", other.Name, co.Domain))
		return v
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("models: check company domain: %w", err)
	}
	return nil
}

// Company loads a live company.
func (db *DB) Company(ctx context.Context, actor Actor, id int64) (*Company, error) {
	var co Company
	if err := db.with(ctx).Where("deleted_at IS NULL").First(&co, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("company %d", id))
	}
	return &co, nil
}

// CompanyByNameOrDomain finds a live company by its domain, when s looks
// like one ("acme.com", "https://acme.com/"), else or failing that by its
// name, ignoring case and accents. The oldest wins when names repeat.
func (db *DB) CompanyByNameOrDomain(ctx context.Context, actor Actor, s string) (*Company, error) {
	var co Company
	if looksLikeDomain(s) {
		d, _ := normalizeDomain(s)
		err := db.with(ctx).Where("domain = ? AND deleted_at IS NULL", d).First(&co).Error
		if err == nil {
			return &co, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("models: company by domain %q: %w", d, err)
		}
	}
	key := searchKey(s)
	if key == "" {
		return nil, fmt.Errorf("models: company %q: %w", s, ErrNotFound)
	}
	err := db.with(ctx).Where("name_key = ? AND deleted_at IS NULL", key).Order("id").First(&co).Error
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("company %q", s))
	}
	return &co, nil
}

// companyForContact finds the company a contact form named, creating it
// when there is none: a typed domain becomes both name and domain.
func (tx *DB) companyForContact(ctx context.Context, actor Actor, name string) (*Company, error) {
	co, err := tx.CompanyByNameOrDomain(ctx, actor, name)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return co, err
	}
	req := CompanyRequest{Name: name}
	if looksLikeDomain(name) {
		req.Domain = name
	}
	return tx.createCompany(ctx, actor, req)
}

// UpdateCompany applies patch to a live company, refusing a stale version
// with a *ConflictError[Company]. A new name is carried into the search
// text of the company's contacts in the same transaction.
func (db *DB) UpdateCompany(ctx context.Context, actor Actor, id int64, patch CompanyPatch) (*Company, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: update company %d: %w", id, ErrForbidden)
	}
	if patch.Version <= 0 {
		return nil, versionProblem()
	}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "companies", id); err != nil {
			return err
		}
		old, err := tx.Company(ctx, actor, id)
		if err != nil {
			return err
		}
		if old.Version != patch.Version {
			return errStale
		}
		co := *old
		var v ValidationError
		patch.apply(&co, &v)
		if err := v.OrNil(); err != nil {
			return err
		}
		if err := tx.checkCompanyDomain(ctx, &co, &v); err != nil {
			return err
		}
		changes := diffFields(companyAuditView(old), companyAuditView(&co))
		if len(changes) == 0 {
			return nil
		}
		co.UpdatedAt = now()
		res := tx.with(ctx).Model(&Company{}).Where("id = ? AND version = ?", id, patch.Version).Updates(map[string]any{
			"name": co.Name, "name_key": co.NameKey, "domain": nullIfEmpty(co.Domain), "industry": co.Industry,
			"size": co.Size, "address": co.Address, "tags": jsonText(co.Tags), "updated_at": co.UpdatedAt,
			"version": gorm.Expr("version + 1"),
		})
		if res.Error != nil {
			if isUniqueViolation(res.Error) {
				v.Add("domain", fmt.Sprintf("Another company already has the domain %s.", co.Domain))
				return &v
			}
			return fmt.Errorf("models: update company %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errStale
		}
		if co.Name != old.Name {
			if err := tx.refreshCompanyContacts(ctx, id); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "company.update", SubjectType: "company", SubjectID: id, Detail: changes})
	})
	if errors.Is(err, errStale) {
		current, err := db.Company(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError[Company]{Current: current}
	}
	if err != nil {
		return nil, err
	}
	return db.Company(ctx, actor, id)
}

func companyAuditView(c *Company) map[string]any {
	return map[string]any{"name": c.Name, "domain": c.Domain, "industry": c.Industry, "size": c.Size,
		"address": c.Address, "tags": c.Tags}
}

// refreshCompanyContacts re-derives the search text of every contact of a
// company, restricted or not, after the company's name changed. It works
// in batches so a large company does not load all its contacts at once.
func (tx *DB) refreshCompanyContacts(ctx context.Context, companyID int64) error {
	var after int64
	for {
		var cs []Contact
		err := tx.with(ctx).Preload("Emails", byPosition).Preload("Phones", byPosition).Preload("Company").
			Where("company_id = ? AND id > ?", companyID, after).Order("id").Limit(500).Find(&cs).Error
		if err != nil {
			return fmt.Errorf("models: contacts of company %d: %w", companyID, err)
		}
		if len(cs) == 0 {
			return nil
		}
		if err := tx.loadTags(ctx, cs); err != nil {
			return err
		}
		for i := range cs {
			c := &cs[i]
			before := c.SearchText
			refreshKeys(c)
			if c.SearchText == before {
				continue
			}
			if err := tx.with(ctx).Model(&Contact{}).Where("id = ?", c.ID).UpdateColumn("search_text", c.SearchText).Error; err != nil {
				return fmt.Errorf("models: refresh search text of contact %d: %w", c.ID, err)
			}
		}
		after = cs[len(cs)-1].ID
	}
}
