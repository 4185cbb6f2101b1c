package models

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits on what one contact holds. They keep a page render and a search
// text bounded whatever an import or API client sends.
const (
	maxNameLength    = 200
	maxLabelLength   = 50
	maxTagLength     = 50
	maxAboutLength   = 10000
	maxURLLength     = 2048
	maxCustomLength  = 1000
	maxEmails        = 20
	maxPhones        = 20
	maxAddresses     = 10
	maxTags          = 50
	maxSocial        = 20
	maxAddressLength = 500
)

// ContactRequest carries the fields for creating a contact. Text is stored
// as given (trimmed): HTML in any field is kept as plain text, and views
// escape it.
type ContactRequest struct {
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
	DisplayName string `json:"display_name"`
	JobTitle    string `json:"job_title"`
	// CompanyID links an existing company. Otherwise CompanyName, when
	// set, is looked up by name or domain and created when missing.
	CompanyID   *int64 `json:"company_id,omitempty"`
	CompanyName string `json:"company_name,omitempty"`
	Birthday    string `json:"birthday,omitempty"` // YYYY-MM-DD, or --MM-DD without the year (see Birthday)
	About       string `json:"about,omitempty"`
	// OwnerID defaults to the acting user.
	OwnerID *int64        `json:"owner_id,omitempty"`
	Source  ContactSource `json:"source,omitempty"` // manual when empty
	// RestrictedDepartmentID limits who sees the contact to the members of
	// that department; the actor must belong to it.
	RestrictedDepartmentID *int64            `json:"restricted_department_id,omitempty"`
	CustomFields           map[string]string `json:"custom_fields,omitempty"`
	LastContactedAt        *time.Time        `json:"last_contacted_at,omitempty"`
	Emails                 []EmailInput      `json:"emails,omitempty"`
	Phones                 []PhoneInput      `json:"phones,omitempty"`
	// PhoneRegion is the country numbers without a leading + are read in;
	// DefaultPhoneRegion when empty.
	PhoneRegion    string               `json:"phone_region,omitempty"`
	Addresses      []AddressInput       `json:"addresses,omitempty"`
	Tags           []string             `json:"tags,omitempty"`
	SocialProfiles []SocialProfileInput `json:"social_profiles,omitempty"`
}

// ContactPatch changes the fields it sets and leaves nil ones alone. A list
// that is set replaces the contact's list. Version is the version the
// change was made against; UpdateContact refuses a stale one.
type ContactPatch struct {
	Version     int64   `json:"version"`
	GivenName   *string `json:"given_name,omitempty"`
	FamilyName  *string `json:"family_name,omitempty"`
	DisplayName *string `json:"display_name,omitempty"`
	JobTitle    *string `json:"job_title,omitempty"`
	// CompanyID 0 unlinks the company; CompanyName "" does too, and a name
	// is looked up (or created) as on create.
	CompanyID   *int64  `json:"company_id,omitempty"`
	CompanyName *string `json:"company_name,omitempty"`
	Birthday    *string `json:"birthday,omitempty"`
	About       *string `json:"about,omitempty"`
	// OwnerID 0 leaves the contact without an owner.
	OwnerID *int64 `json:"owner_id,omitempty"`
	// RestrictedDepartmentID 0 makes the contact visible to everyone.
	RestrictedDepartmentID *int64 `json:"restricted_department_id,omitempty"`
	// CustomFields merges into the contact's: a key set to "" is removed.
	CustomFields map[string]string `json:"custom_fields,omitempty"`
	// LastContactedAt set to the zero time clears it.
	LastContactedAt *time.Time            `json:"last_contacted_at,omitempty"`
	Emails          *[]EmailInput         `json:"emails,omitempty"`
	Phones          *[]PhoneInput         `json:"phones,omitempty"`
	PhoneRegion     string                `json:"phone_region,omitempty"`
	Addresses       *[]AddressInput       `json:"addresses,omitempty"`
	Tags            *[]string             `json:"tags,omitempty"`
	SocialProfiles  *[]SocialProfileInput `json:"social_profiles,omitempty"`
}

// EmailInput is one email address of a contact.
type EmailInput struct {
	Address string `json:"address"`
	Label   string `json:"label,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// PhoneInput is one phone number of a contact, as typed.
type PhoneInput struct {
	Number  string `json:"number"`
	Label   string `json:"label,omitempty"`
	Primary bool   `json:"primary,omitempty"`
	// parsed is ParsePhone's answer for Number, kept by ParsePhoneInput
	// so that saving the number does not parse it a second time.
	parsed parsedPhone
}

// parsedPhone is what ParsePhone returned for number read in region.
type parsedPhone struct{ number, region, e164 string }

// ParsePhoneInput checks in.Number as ParsePhone does and returns in with
// the answer kept, or the problem. Creating a contact from the result in
// the same region then skips parsing it again: a parse is the costliest
// step of mapping an imported row, which checks each number on its own
// before the row is saved.
func ParsePhoneInput(in PhoneInput, region string) (PhoneInput, string) {
	e164, msg := ParsePhone(in.Number, region)
	if msg == "" {
		r, _ := PhoneRegion(region)
		in.parsed = parsedPhone{number: in.Number, region: r, e164: e164}
	}
	return in, msg
}

// AddressInput is one postal address of a contact.
type AddressInput struct {
	Label      string `json:"label,omitempty"`
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// SocialProfileInput is a link to a contact's profile elsewhere. Network,
// handle and feed are worked out from URL when Rapport recognises it (see
// RecognizeProfile); for other sites Network and FeedURL may be given.
type SocialProfileInput struct {
	URL     string `json:"url"`
	Network string `json:"network,omitempty"`
	FeedURL string `json:"feed_url,omitempty"`
}

// patch is the request as a patch that sets every field, so creating and
// updating share one path through validation.
func (r ContactRequest) patch() ContactPatch {
	p := ContactPatch{
		GivenName: &r.GivenName, FamilyName: &r.FamilyName, DisplayName: &r.DisplayName, JobTitle: &r.JobTitle,
		CompanyID: r.CompanyID, Birthday: &r.Birthday, About: &r.About, OwnerID: r.OwnerID,
		RestrictedDepartmentID: r.RestrictedDepartmentID, CustomFields: r.CustomFields,
		LastContactedAt: r.LastContactedAt, Emails: &r.Emails, Phones: &r.Phones, PhoneRegion: r.PhoneRegion,
		Addresses: &r.Addresses, Tags: &r.Tags, SocialProfiles: &r.SocialProfiles,
	}
	if r.CompanyID == nil && strings.TrimSpace(r.CompanyName) != "" {
		p.CompanyName = &r.CompanyName
	}
	return p
}

// changedLists says which of a contact's lists a patch replaced, so only
// those are rewritten.
type changedLists struct {
	emails, phones, addresses, tags, social bool
}

// apply sets the fields p carries on c, cleaned, recording problems in v.
// Company, owner, department and custom fields need the database and are
// checked by the caller.
func (p *ContactPatch) apply(c *Contact, v *ValidationError) changedLists {
	setLine := func(dst *string, src *string, field, what string) {
		if src != nil {
			*dst = cleanLine(*src)
			checkLength(v, field, what, *dst, maxNameLength)
		}
	}
	setLine(&c.GivenName, p.GivenName, "given_name", "given name")
	setLine(&c.FamilyName, p.FamilyName, "family_name", "family name")
	setLine(&c.DisplayName, p.DisplayName, "display_name", "display name")
	setLine(&c.JobTitle, p.JobTitle, "job_title", "job title")
	if p.Birthday != nil {
		c.Birthday = cleanLine(*p.Birthday)
		if c.Birthday != "" {
			if _, err := ParseBirthday(c.Birthday); err != nil {
				v.Add("birthday", ErrBirthday.Error())
			}
		}
	}
	if p.About != nil {
		c.About = cleanText(*p.About)
		checkLength(v, "about", "notes about the contact", c.About, maxAboutLength)
	}
	if p.LastContactedAt != nil {
		if p.LastContactedAt.IsZero() {
			c.LastContactedAt = nil
		} else {
			t := p.LastContactedAt.UTC().Truncate(time.Microsecond)
			checkTime(v, "last_contacted_at", t)
			c.LastContactedAt = &t
		}
	}
	if len(p.CustomFields) > 0 {
		fields := make(map[string]string, len(c.CustomFields)+len(p.CustomFields))
		for k, val := range c.CustomFields {
			fields[k] = val
		}
		for k, val := range p.CustomFields {
			if val = cleanText(val); val == "" {
				delete(fields, k)
			} else {
				fields[k] = val
			}
		}
		c.CustomFields = fields
	}
	var changed changedLists
	if p.Emails != nil {
		c.Emails, changed.emails = contactEmails(*p.Emails, v), true
	}
	if p.Phones != nil {
		c.Phones, changed.phones = contactPhones(*p.Phones, p.PhoneRegion, v), true
	}
	if p.Addresses != nil {
		c.Addresses, changed.addresses = contactAddresses(*p.Addresses, v), true
	}
	if p.Tags != nil {
		c.Tags, changed.tags = cleanTags(*p.Tags, "tags", "tag", maxTagLength, maxTags, v), true
	}
	if p.SocialProfiles != nil {
		c.SocialProfiles, changed.social = socialProfiles(keepProfileFeeds(*p.SocialProfiles, c.SocialProfiles), v), true
	}
	// A phone number alone names a contact: phone exports (Google's from
	// Android) are full of people known only by their number.
	if c.GivenName == "" && c.FamilyName == "" && c.DisplayName == "" && len(c.Emails) == 0 && len(c.Phones) == 0 {
		v.Add("name", "Enter a name, an email address or a phone number.")
	}
	return changed
}

func contactEmails(in []EmailInput, v *ValidationError) []ContactEmail {
	if len(in) > maxEmails {
		v.Add("emails", fmt.Sprintf("A contact can have up to %d email addresses.", maxEmails))
		return nil
	}
	out := []ContactEmail{}
	seen := map[string]int{}
	primaries := 0
	for i, e := range in {
		field := fmt.Sprintf("emails[%d]", i)
		addr := cleanLine(e.Address)
		if addr == "" && e.Label == "" {
			continue // an empty row of a form
		}
		if msg := ValidateEmail(addr); msg != "" {
			v.Add(field, msg)
			continue
		}
		label := cleanLine(e.Label)
		checkLength(v, field, "label", label, maxLabelLength)
		key := EmailKey(addr)
		if j, ok := seen[key]; ok {
			// The same address twice is one address; keep it primary if
			// either copy was.
			if e.Primary && !out[j].IsPrimary {
				out[j].IsPrimary = true
				primaries++
			}
			continue
		}
		if e.Primary {
			primaries++
		}
		seen[key] = len(out)
		out = append(out, ContactEmail{Address: addr, AddressKey: key, Label: label, IsPrimary: e.Primary, Position: len(out)})
	}
	switch {
	case primaries > 1:
		v.Add("emails", "Mark only one email address as primary.")
	case primaries == 0 && len(out) > 0:
		out[0].IsPrimary = true
	}
	return out
}

func contactPhones(in []PhoneInput, region string, v *ValidationError) []ContactPhone {
	if len(in) > maxPhones {
		v.Add("phones", fmt.Sprintf("A contact can have up to %d phone numbers.", maxPhones))
		return nil
	}
	region, ok := PhoneRegion(region)
	if !ok {
		v.Add("phone_region", "Choose the country phone numbers are in, such as US or GB.")
		return nil
	}
	out := []ContactPhone{}
	seen := map[string]int{}
	primaries := 0
	for i, p := range in {
		field := fmt.Sprintf("phones[%d]", i)
		number := cleanLine(p.Number)
		if number == "" && p.Label == "" {
			continue
		}
		if utf8.RuneCountInString(number) > 50 {
			v.Add(field, "That phone number is too long.")
			continue
		}
		e164, msg := p.parsed.e164, ""
		if p.parsed.number != number || p.parsed.region != region || e164 == "" {
			e164, msg = ParsePhone(number, region)
		}
		if msg != "" {
			v.Add(field, msg)
			continue
		}
		label := cleanLine(p.Label)
		checkLength(v, field, "label", label, maxLabelLength)
		if j, ok := seen[e164]; ok {
			if p.Primary && !out[j].IsPrimary {
				out[j].IsPrimary = true
				primaries++
			}
			continue
		}
		if p.Primary {
			primaries++
		}
		seen[e164] = len(out)
		out = append(out, ContactPhone{Number: number, E164: e164, Label: label, IsPrimary: p.Primary, Position: len(out)})
	}
	switch {
	case primaries > 1:
		v.Add("phones", "Mark only one phone number as primary.")
	case primaries == 0 && len(out) > 0:
		out[0].IsPrimary = true
	}
	return out
}

func contactAddresses(in []AddressInput, v *ValidationError) []ContactAddress {
	if len(in) > maxAddresses {
		v.Add("addresses", fmt.Sprintf("A contact can have up to %d addresses.", maxAddresses))
		return nil
	}
	out := []ContactAddress{}
	for i, a := range in {
		field := fmt.Sprintf("addresses[%d]", i)
		ca := ContactAddress{Label: cleanLine(a.Label), Street: cleanText(a.Street), City: cleanLine(a.City),
			Region: cleanLine(a.Region), PostalCode: cleanLine(a.PostalCode), Country: cleanLine(a.Country)}
		if ca.Street == "" && ca.City == "" && ca.Region == "" && ca.PostalCode == "" && ca.Country == "" {
			continue
		}
		checkLength(v, field, "label", ca.Label, maxLabelLength)
		for _, part := range []string{ca.Street, ca.City, ca.Region, ca.PostalCode, ca.Country} {
			checkLength(v, field, "address", part, maxAddressLength)
		}
		ca.Position = len(out)
		out = append(out, ca)
	}
	return out
}

// cleanTags trims tags (or choices), drops empty ones and keeps the first
// spelling of those that differ only in case.
func cleanTags(in []string, field, what string, longest, most int, v *ValidationError) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.Join(strings.Fields(cleanLine(t)), " ")
		k := tagKey(t)
		if t == "" || seen[k] {
			continue
		}
		if utf8.RuneCountInString(t) > longest {
			v.Add(field, fmt.Sprintf("Keep each %s under %d characters.", what, longest))
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	if len(out) > most {
		v.Add(field, fmt.Sprintf("Use at most %d %ss.", most, what))
	}
	return out
}

// tagKey is what tags are matched by: case-folded, so "VIP" and "vip" are
// one tag, but accents kept, since "résumé" and "resume" may not be.
func tagKey(t string) string { return norm.NFC.String(cases.Fold().String(storable(t))) }

// storable is s, or cleanLine(s) when s holds what no database stores (a
// NUL, bytes that are not UTF-8): for keys made from what a caller asks
// for, which the HTTP layer checks but the CLI and direct callers may not.
// Text that is already storable, as every saved value is, is left alone.
func storable(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return cleanLine(s)
}

// cleanLine makes a one-line field safe to store: valid UTF-8, composed,
// without control characters (line breaks become spaces), trimmed.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s))
}

// cleanText is cleanLine for multi-line fields: line breaks and tabs stay.
func cleanText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s))
}

// checkLength adds a problem when value is longer than most characters.
func checkLength(v *ValidationError, field, what, value string, most int) {
	if utf8.RuneCountInString(value) > most {
		v.Add(field, fmt.Sprintf("Keep the %s under %d characters.", what, most))
	}
}
