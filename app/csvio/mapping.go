package csvio

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"rapport/models"
)

// A Field is what a column of an imported file holds.
type Field string

// Fields a column can map to. Besides these, CustomField(key) puts the
// value in a custom field.
const (
	FieldIgnore      Field = "ignore"
	FieldGivenName   Field = "given_name"
	FieldFamilyName  Field = "family_name"
	FieldDisplayName Field = "display_name" // see Map for when it is split into given and family names
	FieldCompany     Field = "company"
	FieldJobTitle    Field = "job_title"
	FieldAbout       Field = "about" // notes; kept exactly, line breaks and all
	FieldBirthday    Field = "birthday"
	FieldTags        Field = "tags"
	FieldOwner       Field = "owner" // a user ID, or a name or email Mapping.Owners knows
	// FieldLastContacted is a date, or a date and time (RFC 3339 or
	// "2024-01-15 10:30", read as UTC).
	FieldLastContacted Field = "last_contacted"

	// Emails, phones and addresses are grouped: the columns of one
	// ColumnMapping.Group make one email (with its label), one phone, or
	// one address.
	FieldEmail        Field = "email"
	FieldEmailLabel   Field = "email_label"
	FieldPhone        Field = "phone"
	FieldPhoneLabel   Field = "phone_label"
	FieldStreet       Field = "address_street"
	FieldCity         Field = "address_city"
	FieldRegion       Field = "address_region"
	FieldPostalCode   Field = "address_postal_code"
	FieldCountry      Field = "address_country"
	FieldAddressLabel Field = "address_label"
	// FieldSocialProfile is the address of a profile or website, such as
	// LinkedIn's URL column. A value may be followed by a space and the
	// address of its feed.
	FieldSocialProfile Field = "social_profile"
	// FieldCustomLabel and FieldCustomValue are a custom field named in
	// the row itself, as Google writes "Custom Field 1 - Label" and
	// "Custom Field 1 - Value": the label cell names the field (by its
	// label or key, among Mapping.CustomFields), the value cell fills it.
	FieldCustomLabel Field = "custom_field_label"
	FieldCustomValue Field = "custom_field_value"
)

// fields lists the fixed fields in the order a form offers them.
var fields = []Field{
	FieldIgnore, FieldGivenName, FieldFamilyName, FieldDisplayName, FieldEmail, FieldEmailLabel,
	FieldPhone, FieldPhoneLabel, FieldCompany, FieldJobTitle, FieldTags, FieldAbout, FieldBirthday,
	FieldStreet, FieldCity, FieldRegion, FieldPostalCode, FieldCountry, FieldAddressLabel,
	FieldSocialProfile, FieldOwner, FieldLastContacted, FieldCustomLabel, FieldCustomValue,
}

// Fields lists the fields a column can map to, for a form to offer, in
// the order it should; custom fields come on top.
func Fields() []Field { return slices.Clone(fields) }

const customPrefix = "custom:"

var customKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// CustomField is the field for the custom field with the given key.
func CustomField(key string) Field { return Field(customPrefix + key) }

// CustomKey returns the key of a custom field, and false for other fields.
func (f Field) CustomKey() (string, bool) {
	key, ok := strings.CutPrefix(string(f), customPrefix)
	return key, ok && customKey.MatchString(key)
}

// Valid reports whether f is a field Map knows.
func (f Field) Valid() bool {
	_, custom := f.CustomKey()
	return custom || slices.Contains(fields, f)
}

// kind is the list a grouped field belongs to, "" for the others.
func (f Field) kind() string {
	switch f {
	case FieldEmail, FieldEmailLabel:
		return "email"
	case FieldPhone, FieldPhoneLabel:
		return "phone"
	case FieldStreet, FieldCity, FieldRegion, FieldPostalCode, FieldCountry, FieldAddressLabel:
		return "address"
	case FieldSocialProfile:
		return "social"
	case FieldCustomLabel, FieldCustomValue:
		return "custom"
	}
	return ""
}

// A Mapping says which field each column of a file goes to. It is plain
// data, so it can be stored as JSON under a name and used again on the
// next file from the same place.
type Mapping struct {
	Name    string          `json:"name,omitempty"`
	Layout  Layout          `json:"layout"`
	Columns []ColumnMapping `json:"columns"`
	// PhoneRegion is the country numbers without a leading + are in (see
	// models.ContactRequest.PhoneRegion).
	PhoneRegion string `json:"phone_region,omitempty"`
	// DateOrder says how to read a date like 03/04/1990, which is 3 April
	// or 4 March depending on the country. Dates that are not ambiguous
	// (31/12/1990, 1990-04-03) are read whatever it says.
	DateOrder DateOrder `json:"date_order,omitempty"`
	// Owners resolves the owner column: the importer fills it from the
	// users, keyed by lower-cased email, name and ID (as text). An owner it
	// lacks is left out with a FieldError, so that an export from another
	// Rapport does not name users this one does not have. When nil, only
	// user IDs are read. It is not saved.
	Owners map[string]int64 `json:"-"`
	// CustomFields are the custom fields defined where the file goes: the
	// importer fills it. A value of a custom field column that none of
	// them takes (no such field, a word for a number, a choice the field
	// lacks) is left out with a FieldError rather than losing the row.
	// When nil, values are not checked. It is not saved.
	CustomFields []models.CustomFieldDef `json:"-"`
}

// MatchCustomFields maps columns named after a custom field to it, so
// that a "Tier" column fills the "Tier" field without a person choosing
// it. A column whose header is a field's label, in any case, gets it even
// over a spreadsheet's guess ("Account tier" is not the company); one
// whose header is a field's key gets it when nothing else took the column.
// One field fills one column.
func (m *Mapping) MatchCustomFields(defs []models.CustomFieldDef) {
	taken := map[Field]bool{}
	for _, c := range m.Columns {
		taken[c.Field] = true
	}
	guessed := m.Layout == LayoutSpreadsheet || m.Layout == LayoutHubSpot
	for i, c := range m.Columns {
		h := foldName(c.Column)
		for _, d := range defs {
			f := CustomField(d.Key)
			byLabel := foldName(d.Label) == h && (guessed || c.Field == FieldIgnore)
			if !taken[f] && (byLabel || d.Key == h && c.Field == FieldIgnore) {
				m.Columns[i], taken[f] = ColumnMapping{Column: c.Column, Field: f}, true
				break
			}
		}
	}
}

// A ColumnMapping maps one column.
type ColumnMapping struct {
	Column string `json:"column"` // the header, as Reader.Header names it
	Field  Field  `json:"field"`
	// Group ties the columns of one email, phone or address together:
	// "E-mail 1 - Label" and "E-mail 1 - Value" share a group, as do the
	// parts of one address.
	Group string `json:"group,omitempty"`
	// Label is the label of the emails, phones or address of this column
	// when no label column says otherwise: "work" for "Business Phone".
	Label string `json:"label,omitempty"`
	// Split lists the separators between several values in one cell, such
	// as " ::: " in Google's exports; a cell holds one value when empty.
	Split []string `json:"split,omitempty"`
	// Primary marks the email or phone of this column as the primary one.
	Primary bool `json:"primary,omitempty"`
}

// DateOrder is the order of day and month in ambiguous dates.
type DateOrder string

// Date orders.
const (
	DayMonthYear DateOrder = "dmy" // 03/04/1990 is 3 April (most of the world)
	MonthDayYear DateOrder = "mdy" // 03/04/1990 is 4 March (the United States)
)

// Validate checks a mapping, such as one loaded from JSON, for fields and
// settings Map does not know.
func (m Mapping) Validate() error {
	for _, c := range m.Columns {
		if !c.Field.Valid() {
			return fmt.Errorf("csvio: mapping of column %q: unknown field %q", c.Column, c.Field)
		}
	}
	if m.DateOrder != "" && m.DateOrder != DayMonthYear && m.DateOrder != MonthDayYear {
		return fmt.Errorf("csvio: unknown date order %q", m.DateOrder)
	}
	return nil
}

// MissingColumns lists the columns the mapping uses that header lacks: a
// saved mapping may not fit the next file.
func (m Mapping) MissingColumns(header []string) []string {
	x := newColumnIndex(header)
	var missing []string
	for _, c := range m.Columns {
		if _, ok := x.find(c.Column); !ok && c.Field != FieldIgnore {
			missing = append(missing, c.Column)
		}
	}
	return missing
}

// For returns the mapping of a column, and false when it has none.
func (m Mapping) For(column string) (ColumnMapping, bool) {
	for _, c := range m.Columns {
		if c.Column == column {
			return c, true
		}
	}
	for _, c := range m.Columns {
		if foldName(c.Column) == foldName(column) {
			return c, true
		}
	}
	return ColumnMapping{}, false
}

// splitCell splits a cell at any of the separators and trims the values;
// empty values are dropped unless keepEmpty, which label columns need so
// that their lines stay aligned with the values'.
func splitCell(cell string, seps []string, keepEmpty bool) []string {
	parts := []string{cell}
	for _, sep := range seps {
		if sep == "" {
			continue
		}
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	out := parts[:0]
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" || keepEmpty {
			out = append(out, p)
		}
	}
	return out
}
