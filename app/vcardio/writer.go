package vcardio

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"

	"rapport/models"
)

// vCard versions a Writer writes.
const (
	Version4 = "4.0" // RFC 6350
	Version3 = "3.0" // RFC 2426: what Apple and Google write, and what older programs read
)

// WriterOptions shape an export.
type WriterOptions struct {
	Version string // Version4 (when empty) or Version3
}

// A Writer writes contacts as vCards. It buffers: call Flush at the end.
type Writer struct {
	w       *bufio.Writer
	version string
	line    []byte
}

// NewWriter returns a Writer of vCards to w.
func NewWriter(w io.Writer, o WriterOptions) (*Writer, error) {
	switch o.Version {
	case "":
		o.Version = Version4
	case Version4, Version3:
	default:
		return nil, fmt.Errorf("vcardio: unknown vCard version %q", o.Version)
	}
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), version: o.Version}, nil
}

// property is one line of a card, in the order written.
type property struct {
	name  string
	field *vcard.Field // Value is the wire form: escaped already
}

// Write writes one contact as a card: its names, company and title, emails,
// phones and addresses with their labels (a TYPE when vCard has one for
// it, an Apple-style X-ABLabel otherwise) and primary marks, profiles as
// URLs, birthday, notes, tags as CATEGORIES and custom fields as
// X-RAPPORT-CUSTOM.
func (w *Writer) Write(c models.Contact) error {
	v4 := w.version == Version4
	props := []property{{vcard.FieldVersion, &vcard.Field{Value: w.version}}}
	add := func(name, value string, params vcard.Params) *vcard.Field {
		f := &vcard.Field{Value: value, Params: params}
		props = append(props, property{name, f})
		return f
	}
	add(vcard.FieldProductID, "-//Rapport//Rapport//EN", nil)
	add(vcard.FieldFormattedName, escapeText(c.Name()), nil)
	add(vcard.FieldName, parts(c.FamilyName, c.GivenName, "", "", ""), nil)
	if c.Company != nil && c.Company.Name != "" {
		add(vcard.FieldOrganization, parts(c.Company.Name), nil)
	}
	if c.JobTitle != "" {
		add(vcard.FieldTitle, escapeText(c.JobTitle), nil)
	}
	item := 0
	labelled := func(name, value, label string, primary bool, kind string) {
		params := vcard.Params{}
		if !v4 && kind == "email" {
			params.Add(vcard.ParamType, "INTERNET")
		}
		types, ok := labelTypes[kind][label]
		for _, t := range types {
			if !v4 {
				t = strings.ToUpper(t)
			}
			params.Add(vcard.ParamType, t)
		}
		if primary {
			if v4 {
				params.Set(vcard.ParamPreferred, "1")
			} else {
				params.Add(vcard.ParamType, "pref")
			}
		}
		f := add(name, value, params)
		if label != "" && !ok {
			item++
			f.Group = "item" + strconv.Itoa(item)
			props = append(props, property{propLabel, &vcard.Field{Group: f.Group, Value: escapeText(label)}})
		}
	}
	for _, e := range c.Emails {
		labelled(vcard.FieldEmail, escapeText(e.Address), e.Label, e.IsPrimary, "email")
	}
	for _, p := range c.Phones {
		labelled(vcard.FieldTelephone, escapeText(p.ExportNumber()), p.Label, p.IsPrimary, "tel")
	}
	for _, a := range c.Addresses {
		labelled(vcard.FieldAddress, parts("", "", a.Street, a.City, a.Region, a.PostalCode, a.Country), a.Label, false, "adr")
	}
	for _, p := range c.SocialProfiles {
		add(vcard.FieldURL, p.URL, nil) // a URI, not text: written as it is
	}
	if b, err := models.ParseBirthday(c.Birthday); err == nil {
		switch {
		case v4 && b.Year == 0: // RFC 6350 dates are basic ISO 8601: 19841225, or --1225 without the year
			add(vcard.FieldBirthday, fmt.Sprintf("--%02d%02d", int(b.Month), b.Day), nil)
		case v4:
			add(vcard.FieldBirthday, strings.ReplaceAll(b.String(), "-", ""), nil)
		case b.Year == 0:
			// vCard 3 has no date without a year. Apple's convention, a
			// year of 1604 marked as none, is what Apple, Google and
			// Outlook read.
			b.Year = appleNoYear
			add(vcard.FieldBirthday, b.String(), vcard.Params{"X-APPLE-OMIT-YEAR": {strconv.Itoa(appleNoYear)}})
		default:
			add(vcard.FieldBirthday, b.String(), nil)
		}
	}
	if c.About != "" {
		add(vcard.FieldNote, escapeText(c.About), nil)
	}
	if len(c.Tags) > 0 {
		tags := make([]string, len(c.Tags))
		for i, t := range c.Tags {
			tags[i] = escapeText(t)
		}
		add(vcard.FieldCategories, strings.Join(tags, ","), nil)
	}
	keys := make([]string, 0, len(c.CustomFields))
	for k := range c.CustomFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		add(propCustom, escapeText(c.CustomFields[k]), vcard.Params{paramKey: {k}})
	}
	if !c.UpdatedAt.IsZero() {
		layout := "2006-01-02T15:04:05Z"
		if v4 {
			layout = "20060102T150405Z"
		}
		add(vcard.FieldRevision, c.UpdatedAt.UTC().Format(layout), nil)
	}

	w.writeLine("BEGIN:VCARD")
	for _, p := range props {
		w.writeProperty(p)
	}
	w.writeLine("END:VCARD")
	if err := w.flushError(); err != nil {
		return fmt.Errorf("vcardio: write contact %d: %w", c.ID, err)
	}
	return nil
}

// labelTypes are the labels vCard has TYPE values for, per property. Other
// labels, and these in other spellings ("Work"), go in an X-ABLabel, so
// that they come back exactly.
var labelTypes = map[string]map[string][]string{
	"email": {"work": {"work"}, "home": {"home"}},
	"tel": {"work": {"work"}, "home": {"home"}, "mobile": {"cell"}, "fax": {"fax"}, "work fax": {"work", "fax"},
		"home fax": {"home", "fax"}, "pager": {"pager"}},
	"adr": {"work": {"work"}, "home": {"home"}},
}

// writeProperty writes "[group.]NAME;PARAM=v,…:value", folded.
func (w *Writer) writeProperty(p property) {
	var b strings.Builder
	if p.field.Group != "" {
		b.WriteString(p.field.Group + ".")
	}
	b.WriteString(p.name)
	keys := make([]string, 0, len(p.field.Params))
	for k := range p.field.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(";" + k + "=")
		for i, v := range p.field.Params[k] {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(v, ",;:") {
				v = `"` + strings.ReplaceAll(v, `"`, "'") + `"`
			}
			b.WriteString(v)
		}
	}
	b.WriteByte(':')
	b.WriteString(p.field.Value)
	w.writeLine(b.String())
}

// writeLine writes a line folded at 75 octets, as RFC 6350 asks, without
// cutting a character in two; continuation lines start with a space.
func (w *Writer) writeLine(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.w.WriteString(s[:cut])
		w.w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the space counts
	}
	w.w.WriteString(s)
	w.w.WriteString("\r\n")
}

// flushError is the first error writing so far: bufio.Writer keeps it,
// and an empty write returns it.
func (w *Writer) flushError() error {
	_, err := w.w.Write(nil)
	return err
}

// Flush writes out what is buffered and reports any error writing.
func (w *Writer) Flush() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("vcardio: write: %w", err)
	}
	return nil
}
