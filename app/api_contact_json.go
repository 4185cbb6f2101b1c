package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// The contact resource as the API shows it. It is mapped field by field
// from models.Contact rather than marshalled from it, so the API's shape is
// written down here and derived or internal columns never leak. Text
// fields are always strings, empty when unset; ids, dates and times are
// null when unset.

// apiContactSummary is a contact as lists show it: everything but its
// addresses and social profiles, which only the contact itself carries.
type apiContactSummary struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
	// Name is how Rapport shows the contact: display name, else given and
	// family names, else primary email.
	Name                   string            `json:"name"`
	GivenName              string            `json:"given_name"`
	FamilyName             string            `json:"family_name"`
	DisplayName            string            `json:"display_name"`
	Title                  string            `json:"title"`
	Company                *string           `json:"company"`
	CompanyID              *int64            `json:"company_id"`
	Emails                 []apiEmail        `json:"emails"`
	Phones                 []apiPhone        `json:"phones"`
	Tags                   []string          `json:"tags"`
	Birthday               *string           `json:"birthday"`
	About                  string            `json:"about"`
	OwnerID                *int64            `json:"owner_id"`
	RestrictedDepartmentID *int64            `json:"restricted_department_id"`
	CustomFields           map[string]string `json:"custom_fields"`
	Source                 string            `json:"source"`
	LastContactedAt        *time.Time        `json:"last_contacted_at"`
	CreatedAt              time.Time         `json:"created_at"`
	UpdatedAt              time.Time         `json:"updated_at"`
}

// apiContact is one contact with everything it holds.
type apiContact struct {
	apiContactSummary
	Addresses      []apiAddress       `json:"addresses"`
	SocialProfiles []apiSocialProfile `json:"social_profiles"`
}

type apiEmail struct {
	Address string `json:"address"`
	Label   string `json:"label"`
	Primary bool   `json:"primary"`
}

type apiPhone struct {
	Number  string `json:"number"` // as typed
	E164    string `json:"e164"`
	Label   string `json:"label"`
	Primary bool   `json:"primary"`
}

type apiAddress struct {
	Label      string `json:"label"`
	Street     string `json:"street"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

type apiSocialProfile struct {
	Network string `json:"network"`
	Handle  string `json:"handle"`
	URL     string `json:"url"`
	FeedURL string `json:"feed_url"`
}

// apiContactPage is a page of the contact list.
type apiContactPage struct {
	Items      []apiContactSummary `json:"items"`
	NextCursor *string             `json:"next_cursor"`
}

func contactSummaryJSON(c *models.Contact) apiContactSummary {
	out := apiContactSummary{
		ID: c.ID, Version: c.Version, Name: c.Name(), GivenName: c.GivenName, FamilyName: c.FamilyName,
		DisplayName: c.DisplayName, Title: c.JobTitle, CompanyID: c.CompanyID, Emails: []apiEmail{}, Phones: []apiPhone{},
		Tags: c.Tags, About: c.About, OwnerID: c.OwnerID, RestrictedDepartmentID: c.RestrictedDepartmentID,
		CustomFields: c.CustomFields, Source: string(c.Source), LastContactedAt: utcTime(c.LastContactedAt),
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	if c.Company != nil {
		out.Company = &c.Company.Name
	}
	if c.Birthday != "" {
		out.Birthday = &c.Birthday
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.CustomFields == nil {
		out.CustomFields = map[string]string{}
	}
	for _, e := range c.Emails {
		out.Emails = append(out.Emails, apiEmail{Address: e.Address, Label: e.Label, Primary: e.IsPrimary})
	}
	for _, p := range c.Phones {
		out.Phones = append(out.Phones, apiPhone{Number: p.Number, E164: p.E164, Label: p.Label, Primary: p.IsPrimary})
	}
	return out
}

func contactJSON(c *models.Contact) apiContact {
	out := apiContact{apiContactSummary: contactSummaryJSON(c), Addresses: []apiAddress{}, SocialProfiles: []apiSocialProfile{}}
	for _, a := range c.Addresses {
		out.Addresses = append(out.Addresses, apiAddress{Label: a.Label, Street: a.Street, City: a.City, Region: a.Region,
			PostalCode: a.PostalCode, Country: a.Country})
	}
	for _, p := range c.SocialProfiles {
		out.SocialProfiles = append(out.SocialProfiles, apiSocialProfile{Network: p.Network, Handle: p.Handle, URL: p.URL, FeedURL: p.FeedURL})
	}
	return out
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// contactReadOnly are the members of a contact response that requests may
// not set.
var contactReadOnly = []string{"id", "name", "source", "created_at", "updated_at", "phones[].e164"}

// contactCreateReadOnly adds the version, which a new contact starts at.
var contactCreateReadOnly = append(slices.Clip(contactReadOnly), "version")

// contactInput is the body of POST /contacts: every member may be left
// out, and null means empty (or, for links, none).
type contactInput struct {
	GivenName   optional[string] `json:"given_name"`
	FamilyName  optional[string] `json:"family_name"`
	DisplayName optional[string] `json:"display_name"`
	Title       optional[string] `json:"title"`
	// Company names a company, found by name or domain and created when
	// there is none; CompanyID links one by id.
	Company        optional[string]                     `json:"company"`
	CompanyID      optional[int64]                      `json:"company_id"`
	Emails         optional[[]models.EmailInput]        `json:"emails"`
	Phones         optional[[]models.PhoneInput]        `json:"phones"`
	PhoneRegion    optional[string]                     `json:"phone_region"`
	Addresses      optional[[]models.AddressInput]      `json:"addresses"`
	Tags           optional[[]string]                   `json:"tags"`
	SocialProfiles optional[[]apiSocialProfile]         `json:"social_profiles"`
	Birthday       optional[string]                     `json:"birthday"`
	About          optional[string]                     `json:"about"`
	OwnerID        optional[int64]                      `json:"owner_id"`
	RestrictedTo   optional[int64]                      `json:"restricted_department_id"`
	CustomFields   optional[map[string]json.RawMessage] `json:"custom_fields"`
	// LastContactedAt is RFC 3339; it is read here rather than by
	// time.Time's decoder, whose errors quote Go's layout string.
	LastContactedAt optional[string] `json:"last_contacted_at"`
}

// contactPatchInput is the body of PATCH /contacts/{id}: members left out
// stay as they are.
type contactPatchInput struct {
	contactInput
	Version optional[int64] `json:"version"`
}

// patch turns the input into the models' patch: a member that is absent
// stays nil, null and values are set. Problems the models cannot see —
// both company and company_id, a handle Rapport would drop — are a 422;
// custom field values that are not text or numbers a 400.
func (in *contactInput) patch() (models.ContactPatch, error) {
	var (
		p models.ContactPatch
		v models.ValidationError
	)
	text := func(o optional[string]) *string {
		if !o.Set {
			return nil
		}
		return &o.Value // "" when null
	}
	link := func(o optional[int64], field, what string) *int64 {
		if !o.Set {
			return nil
		}
		if o.Given() && o.Value <= 0 {
			v.Add(field, fmt.Sprintf("Give the id of %s, or null for none.", what))
		}
		return &o.Value // 0 when null: no link
	}
	p.GivenName, p.FamilyName, p.DisplayName = text(in.GivenName), text(in.FamilyName), text(in.DisplayName)
	p.JobTitle, p.Birthday, p.About = text(in.Title), text(in.Birthday), text(in.About)
	p.PhoneRegion = in.PhoneRegion.Value
	p.OwnerID = link(in.OwnerID, "owner_id", "a user")
	p.RestrictedDepartmentID = link(in.RestrictedTo, "restricted_department_id", "a department")
	switch {
	case in.Company.Given() && in.CompanyID.Given():
		v.Add("company", "Give either company (a name or domain) or company_id, not both.")
	case in.CompanyID.Given():
		p.CompanyID = link(in.CompanyID, "company_id", "a company")
	case in.Company.Given():
		p.CompanyName = text(in.Company) // "" unlinks
	case in.Company.Set || in.CompanyID.Set:
		none := int64(0) // null: no company
		p.CompanyID = &none
	}
	if in.Emails.Set {
		p.Emails = &in.Emails.Value
	}
	if in.Phones.Set {
		p.Phones = &in.Phones.Value
	}
	if in.Addresses.Set {
		p.Addresses = &in.Addresses.Value
	}
	if in.Tags.Set {
		p.Tags = &in.Tags.Value
	}
	if in.SocialProfiles.Set {
		profiles := socialProfileInputs(in.SocialProfiles.Value, &v)
		p.SocialProfiles = &profiles
	}
	if in.LastContactedAt.Set {
		var t time.Time // the zero time clears it
		if in.LastContactedAt.Given() && in.LastContactedAt.Value != "" {
			var err error
			if t, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(in.LastContactedAt.Value)); err != nil {
				v.Add("last_contacted_at", "Give the time in RFC 3339 form, such as 2024-03-31T14:05:00Z, or null.")
			} else if msg := models.TimeProblem(t); msg != "" {
				// Checked here as well as in the models because the
				// zero time, 0001-01-01T00:00:00Z, would reach them as
				// "clear it".
				v.Add("last_contacted_at", msg)
			}
		}
		p.LastContactedAt = &t
	}
	if in.CustomFields.Set {
		if in.CustomFields.Null {
			v.Add("custom_fields", "Send an object of the fields to set, such as {\"tier\": \"Gold\"}; set one field to null to remove it.")
		}
		fields, err := customFieldValues(in.CustomFields.Value)
		if err != nil {
			return p, err
		}
		p.CustomFields = fields
	}
	return p, v.OrNil()
}

// socialProfileInputs checks what the models would silently drop: a
// profile without an address, and a handle that is not the one Rapport
// works out from the address (it stores no other).
func socialProfileInputs(in []apiSocialProfile, v *models.ValidationError) []models.SocialProfileInput {
	out := make([]models.SocialProfileInput, len(in))
	for i, sp := range in {
		field := fmt.Sprintf("social_profiles[%d]", i)
		url := strings.TrimSpace(sp.URL)
		if url == "" && (sp.Network != "" || sp.Handle != "" || sp.FeedURL != "") {
			v.Add(field, "Give the profile's url, such as https://github.com/octocat.")
		}
		if handle := strings.TrimSpace(sp.Handle); handle != "" && url != "" {
			_, derived, _, ok := models.RecognizeProfile(url)
			switch {
			case !ok:
				v.Add(field, "Rapport keeps a handle only for profiles it recognises from their url. Leave handle out for this one.")
			case !strings.EqualFold(handle, derived):
				v.Add(field, fmt.Sprintf("The handle comes from the url: here it is %s. Leave handle out, or give that.", derived))
			}
		}
		out[i] = models.SocialProfileInput{URL: sp.URL, Network: sp.Network, FeedURL: sp.FeedURL}
	}
	return out
}

// customFieldValues reads custom field values, which the models keep as
// text: a JSON string, a number (kept as written), or null to remove the
// field ("" removes it too).
func customFieldValues(in map[string]json.RawMessage) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for k, raw := range in {
		raw = bytes.TrimSpace(raw)
		switch {
		case string(raw) == "null":
			out[k] = ""
		case len(raw) > 0 && raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, fmt.Errorf("custom field %q: %w", k, err) // cannot happen: the body decoded
			}
			out[k] = s
		case len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')):
			out[k] = string(raw)
		default:
			return nil, echo.NewHTTPError(http.StatusBadRequest,
				fmt.Sprintf("The field custom_fields.%s must be text or a number, or null to remove it.", k))
		}
	}
	return out, nil
}

// request turns a create body into the models' request. Absent members
// take the models' defaults (the owner is the creator); null ones are
// empty.
func (in *contactInput) request() (models.ContactRequest, error) {
	p, err := in.patch()
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	list := func(l *[]string) []string {
		if l == nil {
			return nil
		}
		return *l
	}
	r := models.ContactRequest{
		GivenName: str(p.GivenName), FamilyName: str(p.FamilyName), DisplayName: str(p.DisplayName),
		JobTitle: str(p.JobTitle), CompanyID: p.CompanyID, CompanyName: str(p.CompanyName), Birthday: str(p.Birthday),
		About: str(p.About), OwnerID: p.OwnerID, Source: models.SourceAPI, RestrictedDepartmentID: p.RestrictedDepartmentID,
		CustomFields: p.CustomFields, LastContactedAt: p.LastContactedAt, PhoneRegion: p.PhoneRegion, Tags: list(p.Tags),
	}
	if r.RestrictedDepartmentID != nil && *r.RestrictedDepartmentID == 0 {
		r.RestrictedDepartmentID = nil
	}
	if p.Emails != nil {
		r.Emails = *p.Emails
	}
	if p.Phones != nil {
		r.Phones = *p.Phones
	}
	if p.Addresses != nil {
		r.Addresses = *p.Addresses
	}
	if p.SocialProfiles != nil {
		r.SocialProfiles = *p.SocialProfiles
	}
	return r, err
}

// contactField names a models validation field as the API does.
func contactField(f string) string {
	switch {
	case f == "job_title":
		return "title"
	case f == "company_id":
		return f
	case strings.HasPrefix(f, "company_"):
		// Problems creating the company a contact named (its name,
		// its domain) are problems with the company member.
		return "company"
	}
	return f
}
