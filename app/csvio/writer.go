package csvio

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"rapport/models"
)

// Keys of the columns an export can have. Besides these, "custom:<key>"
// is a custom field.
const (
	ColGivenName   = "given_name"
	ColFamilyName  = "family_name"
	ColDisplayName = "display_name"
	ColEmail       = "email"        // the primary email
	ColEmails      = "emails"       // every email, one per line, primary included
	ColEmailLabels = "email_labels" // their labels, line for line; empty when none has one
	ColPhone       = "phone"        // the primary phone, as typed
	ColPhones      = "phones"       // every phone, one per line
	ColPhoneLabels = "phone_labels"
	ColCompany     = "company"
	ColJobTitle    = "job_title"
	ColTags        = "tags" // one per line
	ColAbout       = "about"
	ColBirthday    = "birthday" // YYYY-MM-DD, or --MM-DD without the year
	// ColSocialProfiles holds a profile per line: its address, and for a
	// site Rapport does not recognise, a space and the feed typed for it.
	ColSocialProfiles = "social_profiles"
	ColOwner          = "owner"          // the owner's user ID
	ColLastContacted  = "last_contacted" // RFC 3339, UTC
	ColCreatedAt      = "created_at"     // RFC 3339, UTC; not read back
	// ColAddress with Column.Index n is six columns for the contact's nth
	// address: label, street, city, region, postal code, country.
	ColAddress = "address"
)

// ValueSeparator separates the values of a multi-value cell in an export:
// a line break, since no email, phone number, tag, label or profile address
// can hold one, so splitting on it gives back exactly what was joined.
// Spreadsheets show each value on its own line.
const ValueSeparator = "\n"

var lineSplit = []string{ValueSeparator}

// rapportColumns are the columns of an export with their headers, and how
// an import reads each back: one table, so the two cannot drift apart.
var rapportColumns = []struct {
	key, header string
	mapping     ColumnMapping
}{
	{ColGivenName, "Given name", ColumnMapping{Field: FieldGivenName}},
	{ColFamilyName, "Family name", ColumnMapping{Field: FieldFamilyName}},
	{ColDisplayName, "Display name", ColumnMapping{Field: FieldDisplayName}},
	{ColEmail, "Email", ColumnMapping{Field: FieldEmail, Group: "primary", Primary: true}},
	{ColEmails, "Emails", ColumnMapping{Field: FieldEmail, Group: "all", Split: lineSplit}},
	{ColEmailLabels, "Email labels", ColumnMapping{Field: FieldEmailLabel, Group: "all", Split: lineSplit}},
	{ColPhone, "Phone", ColumnMapping{Field: FieldPhone, Group: "primary", Primary: true}},
	{ColPhones, "Phones", ColumnMapping{Field: FieldPhone, Group: "all", Split: lineSplit}},
	{ColPhoneLabels, "Phone labels", ColumnMapping{Field: FieldPhoneLabel, Group: "all", Split: lineSplit}},
	{ColCompany, "Company", ColumnMapping{Field: FieldCompany}},
	{ColJobTitle, "Job title", ColumnMapping{Field: FieldJobTitle}},
	{ColTags, "Tags", ColumnMapping{Field: FieldTags, Split: lineSplit}},
	{ColAbout, "About", ColumnMapping{Field: FieldAbout}},
	{ColBirthday, "Birthday", ColumnMapping{Field: FieldBirthday}},
	{ColSocialProfiles, "Social profiles", ColumnMapping{Field: FieldSocialProfile, Split: lineSplit}},
	{ColOwner, "Owner ID", ColumnMapping{Field: FieldOwner}},
	{ColLastContacted, "Last contacted", ColumnMapping{Field: FieldLastContacted}},
	{ColCreatedAt, "Created", ColumnMapping{Field: FieldIgnore}},
}

var addressParts = []struct{ key, header string }{
	{"label", "label"}, {"street", "street"}, {"city", "city"}, {"region", "region"},
	{"postal_code", "postal code"}, {"country", "country"},
}

// A Column is one column of an export (six for ColAddress).
type Column struct {
	Key   string `json:"key"`             // a Col constant, or "custom:<key>"
	Index int    `json:"index,omitempty"` // for ColAddress: which address, from 1
	// Header is the header text; Rapport's own when empty, which an import
	// recognises. For ColAddress it goes before the part names.
	Header string `json:"header,omitempty"`
}

// DefaultColumns are the columns of a full export: every field, two
// addresses, and the custom fields with the given keys. An import of it
// with the suggested mapping gives back what RequestFor says.
func DefaultColumns(customKeys ...string) []Column { return AllColumns(2, customKeys...) }

// AllColumns are DefaultColumns with the given number of addresses, for an
// export in which some contact has more than two.
func AllColumns(addresses int, customKeys ...string) []Column {
	var cols []Column
	for _, c := range rapportColumns {
		cols = append(cols, Column{Key: c.key})
	}
	for i := 1; i <= addresses; i++ {
		cols = append(cols, Column{Key: ColAddress, Index: i})
	}
	for _, k := range customKeys {
		cols = append(cols, Column{Key: customPrefix + k})
	}
	return cols
}

// WriterOptions shape an export.
type WriterOptions struct {
	// Columns are the columns to write, in order; DefaultColumns() when
	// empty.
	Columns []Column
	// ExcelFriendly writes a UTF-8 byte-order mark, without which Excel
	// reads UTF-8 as the local code page and garbles accents, and
	// separates values with semicolons, which Excel expects wherever the
	// decimal separator is a comma (most of Europe). An Excel set up for
	// the US splits on commas instead and shows such a file in one column;
	// there, leave it off.
	ExcelFriendly bool
	// CRLF ends lines with CR LF, as Windows programs expect, instead of LF.
	CRLF bool
}

// A Writer writes contacts as CSV, one row each, after a header. It
// buffers: call Flush at the end.
type Writer struct {
	csv  *csv.Writer
	cols []writeColumn
	row  []string
}

// writeColumn is one output column: a Column, or one part of an address.
type writeColumn struct {
	key, part string
	index     int
}

// NewWriter writes the header (and a byte-order mark for ExcelFriendly) to
// w and returns a Writer for the rows. It fails on an unknown column.
func NewWriter(w io.Writer, o WriterOptions) (*Writer, error) {
	if len(o.Columns) == 0 {
		o.Columns = DefaultColumns()
	}
	var cols []writeColumn
	var header []string
	for _, c := range o.Columns {
		switch key, isCustom := Field(c.Key).CustomKey(); {
		case c.Key == ColAddress:
			if c.Index < 1 {
				return nil, fmt.Errorf("csvio: address column needs an index from 1, not %d", c.Index)
			}
			prefix := c.Header
			if prefix == "" {
				prefix = fmt.Sprintf("Address %d", c.Index)
			}
			for _, p := range addressParts {
				cols = append(cols, writeColumn{key: ColAddress, part: p.key, index: c.Index})
				header = append(header, prefix+" "+p.header)
			}
			continue
		case isCustom:
			cols = append(cols, writeColumn{key: c.Key})
			header = append(header, orDefault(c.Header, customPrefix+key))
			continue
		}
		h, ok := "", false
		for _, rc := range rapportColumns {
			if rc.key == c.Key {
				h, ok = rc.header, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("csvio: unknown export column %q", c.Key)
		}
		cols = append(cols, writeColumn{key: c.Key})
		header = append(header, orDefault(c.Header, h))
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = o.CRLF
	if o.ExcelFriendly {
		cw.Comma = ';'
		if _, err := bw.Write(bomUTF8); err != nil {
			return nil, fmt.Errorf("csvio: write: %w", err)
		}
	}
	wr := &Writer{csv: cw, cols: cols, row: make([]string, len(cols))}
	for i, h := range header {
		wr.row[i] = GuardFormula(h)
	}
	if err := cw.Write(wr.row); err != nil {
		return nil, fmt.Errorf("csvio: write header: %w", err)
	}
	return wr, nil
}

func orDefault(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// Write writes one contact as a row. Every cell is guarded against
// formula injection (see GuardFormula), a birthday without a year too:
// a spreadsheet would work --12-25 out as arithmetic (-13), so it is
// written '--12-25, which Rapport's import reads back as --12-25.
func (w *Writer) Write(c models.Contact) error {
	for i, col := range w.cols {
		w.row[i] = GuardFormula(cell(&c, col))
	}
	if err := w.csv.Write(w.row); err != nil {
		return fmt.Errorf("csvio: write contact %d: %w", c.ID, err)
	}
	return nil
}

// Flush writes out what is buffered and reports any error writing.
func (w *Writer) Flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("csvio: write: %w", err)
	}
	return nil
}

// cell is what column col holds for contact c, before guarding.
func cell(c *models.Contact, col writeColumn) string {
	switch col.key {
	case ColGivenName:
		return c.GivenName
	case ColFamilyName:
		return c.FamilyName
	case ColDisplayName:
		return c.DisplayName
	case ColEmail:
		if e := c.PrimaryEmail(); e != nil {
			return e.Address
		}
	case ColEmails:
		return joinEach(c.Emails, func(e models.ContactEmail) string { return e.Address })
	case ColEmailLabels:
		return joinLabels(c.Emails, func(e models.ContactEmail) string { return e.Label })
	case ColPhone:
		if p := c.PrimaryPhone(); p != nil {
			return p.ExportNumber()
		}
	case ColPhones:
		return joinEach(c.Phones, models.ContactPhone.ExportNumber)
	case ColPhoneLabels:
		return joinLabels(c.Phones, func(p models.ContactPhone) string { return p.Label })
	case ColCompany:
		if c.Company != nil {
			return c.Company.Name
		}
	case ColJobTitle:
		return c.JobTitle
	case ColTags:
		return strings.Join(c.Tags, ValueSeparator)
	case ColAbout:
		return c.About
	case ColBirthday:
		return c.Birthday
	case ColSocialProfiles:
		return joinEach(c.SocialProfiles, func(p models.SocialProfile) string {
			if feed := handTypedFeed(p); feed != "" {
				return p.URL + " " + feed
			}
			return p.URL
		})
	case ColOwner:
		if c.OwnerID != nil {
			return strconv.FormatInt(*c.OwnerID, 10)
		}
	case ColLastContacted:
		if c.LastContactedAt != nil {
			return c.LastContactedAt.UTC().Format(time.RFC3339Nano)
		}
	case ColCreatedAt:
		if !c.CreatedAt.IsZero() {
			return c.CreatedAt.UTC().Format(time.RFC3339)
		}
	case ColAddress:
		if col.index > len(c.Addresses) {
			return ""
		}
		a := &c.Addresses[col.index-1]
		switch col.part {
		case "label":
			return a.Label
		case "street":
			return a.Street
		case "city":
			return a.City
		case "region":
			return a.Region
		case "postal_code":
			return a.PostalCode
		case "country":
			return a.Country
		}
	default:
		if key, ok := Field(col.key).CustomKey(); ok {
			return c.CustomFields[key]
		}
	}
	return ""
}

func joinEach[T any](list []T, value func(T) string) string {
	var b strings.Builder
	for i, x := range list {
		if i > 0 {
			b.WriteString(ValueSeparator)
		}
		b.WriteString(value(x))
	}
	return b.String()
}

// joinLabels joins labels line for line, or is empty when none is set.
func joinLabels[T any](list []T, label func(T) string) string {
	for _, x := range list {
		if label(x) != "" {
			return joinEach(list, label)
		}
	}
	return ""
}

// handTypedFeed is the feed of a profile Rapport does not recognise, which
// someone typed in, or "": a recognised profile's feed is worked out again
// from its address.
func handTypedFeed(p models.SocialProfile) string {
	if _, _, _, ok := models.RecognizeProfile(p.URL); ok {
		return ""
	}
	return p.FeedURL
}

// RequestFor is the request that recreates c, as an import of an export of
// c with DefaultColumns and the suggested mapping gives it back: Source is
// import, the company goes by name, and of c's profiles only the address
// (and a feed typed for an unrecognised site) is kept, since Rapport works
// out the network and feed again. Columns left out of an export, and
// addresses beyond its address columns, are of course not recreated.
func RequestFor(c models.Contact) models.ContactRequest {
	r := models.ContactRequest{
		GivenName: c.GivenName, FamilyName: c.FamilyName, DisplayName: c.DisplayName, JobTitle: c.JobTitle,
		Birthday: c.Birthday, About: c.About, Source: models.SourceImport,
	}
	if c.Company != nil {
		r.CompanyName = c.Company.Name
	}
	if c.OwnerID != nil {
		id := *c.OwnerID
		r.OwnerID = &id
	}
	if c.LastContactedAt != nil {
		t := c.LastContactedAt.UTC()
		r.LastContactedAt = &t
	}
	for k, v := range c.CustomFields {
		if v != "" { // an empty value is no value: models drops it too
			if r.CustomFields == nil {
				r.CustomFields = map[string]string{}
			}
			r.CustomFields[k] = v
		}
	}
	for _, e := range c.Emails {
		r.Emails = append(r.Emails, models.EmailInput{Address: e.Address, Label: e.Label, Primary: e.IsPrimary})
	}
	for _, p := range c.Phones {
		r.Phones = append(r.Phones, models.PhoneInput{Number: p.ExportNumber(), Label: p.Label, Primary: p.IsPrimary})
	}
	for _, a := range c.Addresses {
		r.Addresses = append(r.Addresses, models.AddressInput{Label: a.Label, Street: a.Street, City: a.City,
			Region: a.Region, PostalCode: a.PostalCode, Country: a.Country})
	}
	if len(c.Tags) > 0 {
		r.Tags = append([]string(nil), c.Tags...)
	}
	for _, p := range c.SocialProfiles {
		r.SocialProfiles = append(r.SocialProfiles, models.SocialProfileInput{URL: p.URL, FeedURL: handTypedFeed(p)})
	}
	return r
}
