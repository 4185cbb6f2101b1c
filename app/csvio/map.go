package csvio

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"rapport/models"
)

// A FieldError is a value Map could not use. It is left out of the
// request; the rest of the row is still good.
type FieldError struct {
	Column string // the header of the column it came from
	Field  Field
	Msg    string // for a person: what is wrong and what to do
}

func (e FieldError) Error() string { return fmt.Sprintf("column %q: %s", e.Column, e.Msg) }

// Map turns a row into a request to create a contact (Source import), by
// the mapping m. Cells are read as follows:
//
//   - A leading single quote that guards a formula (see UnguardFormula) is
//     dropped from every cell.
//   - One-line fields are trimmed; several columns mapped to the same one
//     are joined with a space ("First Name" and "Middle Name" both to
//     given_name). Notes (about) are kept exactly, line breaks and all;
//     several notes columns are joined with a blank line.
//   - display_name, when the mapping has no given or family name column,
//     is read as a full name and split (see SplitFullName). When it has,
//     and the layout is not Rapport's own, a display name that only
//     repeats given and family name is dropped.
//   - Emails, phones, addresses and profiles are gathered by group (see
//     ColumnMapping). Cells are split at the column's separators; a label
//     cell that splits into as many labels as there are values labels
//     each in turn, otherwise its whole text labels them all. Emails and
//     phones that appear twice are kept once, with the label and primary
//     mark of either; values from Primary columns are gathered last, so
//     that they mark an existing entry rather than move it.
//   - Invalid emails, phone numbers, profile addresses, dates, owners and
//     custom field values (see Mapping.CustomFields) are left out, each
//     with a FieldError.
func Map(rec Record, m Mapping) (models.ContactRequest, []FieldError) {
	x := rec.columns()
	mp := mapper{m: m, req: models.ContactRequest{Source: models.SourceImport, PhoneRegion: m.PhoneRegion},
		foreign: m.Layout != LayoutRapport, google: m.Layout == LayoutGoogle || m.Layout == LayoutGoogleLegacy}
	var given, family, display, company, title, about []string
	nameColumns := false
	for _, c := range m.Columns {
		i, ok := x.find(c.Column)
		if !ok || i >= len(rec.Fields) {
			continue
		}
		if c.Field == FieldGivenName || c.Field == FieldFamilyName {
			nameColumns = true
		}
		cell := UnguardFormula(rec.Fields[i])
		line := strings.TrimSpace(cell)
		switch c.Field {
		case FieldGivenName:
			given = appendNonEmpty(given, line)
		case FieldFamilyName:
			family = appendNonEmpty(family, line)
		case FieldDisplayName:
			display = appendNonEmpty(display, line)
		case FieldCompany:
			company = appendNonEmpty(company, line)
		case FieldJobTitle:
			title = appendNonEmpty(title, line)
		case FieldAbout:
			if line != "" {
				about = append(about, cell)
			}
		case FieldTags:
			mp.tags(c, cell)
		case FieldBirthday:
			mp.birthday(c, line)
		case FieldLastContacted:
			mp.lastContacted(c, line)
		case FieldOwner:
			mp.owner(c, line)
		case FieldIgnore:
		default:
			if key, ok := c.Field.CustomKey(); ok {
				mp.custom(c, key, line)
			} else if kind := c.Field.kind(); kind != "" {
				mp.gather(kind, c, cell)
			}
		}
	}
	r := &mp.req
	r.GivenName, r.FamilyName, r.DisplayName = strings.Join(given, " "), strings.Join(family, " "), strings.Join(display, " ")
	switch {
	case r.DisplayName != "" && !nameColumns:
		r.GivenName, r.FamilyName, r.DisplayName = SplitFullName(r.DisplayName)
	case mp.foreign && r.DisplayName == strings.TrimSpace(r.GivenName+" "+r.FamilyName):
		r.DisplayName = ""
	}
	r.CompanyName, r.JobTitle = strings.Join(company, " "), strings.Join(title, " ")
	r.About = strings.Join(about, "\n\n")
	mp.lists()
	// Problems in the order of the columns, as a person reads the row.
	slices.SortStableFunc(mp.errs, func(a, b FieldError) int {
		i, _ := x.find(a.Column)
		j, _ := x.find(b.Column)
		return cmp.Compare(i, j)
	})
	return mp.req, mp.errs
}

// mapper carries one row through Map.
type mapper struct {
	m       Mapping
	req     models.ContactRequest
	errs    []FieldError
	foreign bool // not Rapport's own layout: labels are tidied
	google  bool // Google's "* " marks and system groups apply
	groups  []*group
}

// group gathers the columns of one email, phone, address or profile
// group.
type group struct {
	kind, name string
	values     []valueCell
	labels     []valueCell
	parts      map[Field][]string // address parts
	label      string             // an address's label
	column     string             // the first column, for messages
}

type valueCell struct {
	col  ColumnMapping
	cell string
}

func (mp *mapper) fail(c ColumnMapping, msg string) {
	mp.errs = append(mp.errs, FieldError{Column: c.Column, Field: c.Field, Msg: msg})
}

func (mp *mapper) custom(c ColumnMapping, key, value string) {
	if value == "" {
		return
	}
	if _, set := mp.req.CustomFields[key]; set {
		return
	}
	if mp.m.CustomFields != nil {
		// Dates and numbers are written as the file's country writes
		// them: 03/31/2025, 1,200, 3,5.
		i := slices.IndexFunc(mp.m.CustomFields, func(d models.CustomFieldDef) bool { return d.Key == key })
		switch {
		case i < 0:
		case mp.m.CustomFields[i].Kind == models.CustomFieldDate:
			d, problem := ParseDate(value, mp.m.DateOrder)
			if problem != "" {
				mp.fail(c, problem+" The value was left out.")
				return
			}
			value = d
		case mp.m.CustomFields[i].Kind == models.CustomFieldNumber:
			value = plainNumber(value)
		}
		stored, problem := models.CheckCustomValue(mp.m.CustomFields, key, value)
		if problem != "" {
			mp.fail(c, problem+" The value was left out.")
			return
		}
		value = stored
	}
	if mp.req.CustomFields == nil {
		mp.req.CustomFields = map[string]string{}
	}
	mp.req.CustomFields[key] = value
}

var (
	groupedByComma = regexp.MustCompile(`^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$`)                     // 1,200 or 1,200.50
	groupedByDot   = regexp.MustCompile(`^[-+]?\d{1,3}((\.\d{3}){2,}(,\d+)?|(\.\d{3})+,\d+)$`) // 1.200.000 or 1.200,50
	groupedBySpace = regexp.MustCompile(`^[-+]?\d{1,3}([ \x{a0}\x{202f}]\d{3})+([.,]\d+)?$`)   // 1 200,50
	decimalComma   = regexp.MustCompile(`^[-+]?\d+,\d+$`)                                      // 3,5
)

// plainNumber rewrites a number as spreadsheets of one country or another
// write it (1,200.50, 1.200,50, 1 200,50, 3,5) as 1200.50 or 3.5, for
// the custom field check. Where the text alone cannot tell, one separator
// followed by three digits, it reads as English does: 1,200 is 1200 and
// 1.200 is 1.2. Other text is returned as it is, for the check to refuse.
func plainNumber(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case groupedByComma.MatchString(s):
		return strings.ReplaceAll(s, ",", "")
	case groupedByDot.MatchString(s):
		return strings.Replace(strings.ReplaceAll(s, ".", ""), ",", ".", 1)
	case groupedBySpace.MatchString(s):
		s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
		return strings.Replace(s, ",", ".", 1)
	case decimalComma.MatchString(s):
		return strings.Replace(s, ",", ".", 1)
	}
	return s
}

// labelledCustom fills the custom field a group's label cell names with its
// value, as Google's "Custom Field N" columns carry them: the label is the
// field's label or key here.
func (mp *mapper) labelledCustom(g *group) {
	label := ""
	if len(g.labels) > 0 {
		label = strings.TrimSpace(g.labels[0].cell)
	}
	for _, v := range g.values {
		value := strings.TrimSpace(v.cell)
		if value == "" {
			continue
		}
		i := slices.IndexFunc(mp.m.CustomFields, func(d models.CustomFieldDef) bool {
			return foldName(d.Label) == foldName(label) || d.Key == label
		})
		switch {
		case label == "":
			mp.fail(v.col, "The custom field has no name in its label column, so Rapport cannot tell which field it is. The value was left out.")
		case i < 0:
			mp.fail(v.col, fmt.Sprintf("There is no custom field %q here. An admin can add it under Settings, then import the file "+
				"again choosing to fill empty fields. The value was left out.", label))
		default:
			key := mp.m.CustomFields[i].Key
			mp.custom(ColumnMapping{Column: v.col.Column, Field: CustomField(key)}, key, value)
		}
	}
}

func (mp *mapper) gather(kind string, c ColumnMapping, cell string) {
	var g *group
	for _, have := range mp.groups {
		if have.kind == kind && have.name == c.Group {
			g = have
			break
		}
	}
	if g == nil {
		g = &group{kind: kind, name: c.Group, column: c.Column}
		mp.groups = append(mp.groups, g)
	}
	switch c.Field {
	case FieldEmailLabel, FieldPhoneLabel, FieldCustomLabel:
		g.labels = append(g.labels, valueCell{c, cell})
	case FieldAddressLabel:
		if l := strings.TrimSpace(cell); l != "" && g.label == "" {
			g.label = l
		}
	case FieldStreet, FieldCity, FieldRegion, FieldPostalCode, FieldCountry:
		if g.parts == nil {
			g.parts = map[Field][]string{}
		}
		if g.label == "" && c.Label != "" && strings.TrimSpace(cell) != "" {
			g.label = c.Label
		}
		g.parts[c.Field] = appendNonEmpty(g.parts[c.Field], strings.TrimSpace(cell))
	default:
		g.values = append(g.values, valueCell{c, cell})
	}
}

// item is one email or phone with its label.
type item struct {
	value, label string
	primary      bool
	col          ColumnMapping
	phone        models.PhoneInput // a phone's number, checked
}

// items splits a group's value cells and labels each value.
func (mp *mapper) items(g *group) []item {
	var out []item
	for _, v := range g.values {
		values := splitCell(v.cell, v.col.Split, false)
		labels := make([]string, len(values))
		if len(g.labels) > 0 {
			lc := g.labels[0]
			if parts := splitCell(lc.cell, lc.col.Split, true); len(parts) == len(values) {
				copy(labels, parts)
			} else {
				for i := range labels {
					labels[i] = strings.TrimSpace(lc.cell)
				}
			}
		}
		for i, value := range values {
			it := item{value: value, label: labels[i], primary: v.col.Primary && i == 0, col: v.col}
			if mp.google {
				if l, ok := strings.CutPrefix(it.label, "* "); ok {
					it.label, it.primary = l, true
				}
			}
			if it.label == "" {
				it.label = v.col.Label
			}
			if mp.foreign {
				it.label = tidyLabel(it.label)
			}
			out = append(out, it)
		}
	}
	return out
}

// lists builds the request's emails, phones, addresses and profiles from
// the groups gathered.
func (mp *mapper) lists() {
	// Numbered groups ("Address 2 - City" before "Address 1 - City" in a
	// reordered file) go by their number; others stay in column order.
	var slots []int
	var numbered []*group
	for i, g := range mp.groups {
		if groupNumber(g.name) >= 0 {
			slots, numbered = append(slots, i), append(numbered, g)
		}
	}
	slices.SortStableFunc(numbered, func(a, b *group) int { return cmp.Compare(groupNumber(a.name), groupNumber(b.name)) })
	for k, i := range slots {
		mp.groups[i] = numbered[k]
	}
	var emails, phones []item
	// Groups of Primary columns go last, to mark what is already there.
	for _, primaryPass := range []bool{false, true} {
		for _, g := range mp.groups {
			if isPrimaryGroup(g) != primaryPass {
				continue
			}
			switch g.kind {
			case "email":
				for _, it := range mp.items(g) {
					it.value = strings.TrimPrefix(strings.TrimPrefix(it.value, "mailto:"), "MAILTO:")
					if msg := models.ValidateEmail(it.value); msg != "" {
						mp.fail(it.col, fmt.Sprintf("%q is not an email address Rapport can use, so it was left out. %s", it.value, msg))
						continue
					}
					emails = addItem(emails, it, strings.ToLower(it.value))
				}
			case "phone":
				for _, it := range mp.items(g) {
					var msg string
					if it.phone, msg = models.ParsePhoneInput(models.PhoneInput{Number: it.value}, mp.m.PhoneRegion); msg != "" {
						mp.fail(it.col, msg+" It was left out.")
						continue
					}
					phones = addItem(phones, it, it.value)
				}
			case "address":
				mp.address(g)
			case "social":
				mp.profiles(g)
			case "custom":
				mp.labelledCustom(g)
			}
		}
	}
	primary := false
	for _, e := range emails {
		mp.req.Emails = append(mp.req.Emails, models.EmailInput{Address: e.value, Label: e.label, Primary: e.primary && !primary})
		primary = primary || e.primary
	}
	primary = false
	for _, p := range phones {
		in := p.phone
		in.Label, in.Primary = p.label, p.primary && !primary
		mp.req.Phones = append(mp.req.Phones, in)
		primary = primary || p.primary
	}
}

// groupNumber is the number a group's name ends with, or -1.
func groupNumber(name string) int {
	i := strings.LastIndexByte(name, ' ')
	if n, err := strconv.Atoi(name[i+1:]); err == nil && n >= 0 {
		return n
	}
	return -1
}

func isPrimaryGroup(g *group) bool {
	for _, v := range g.values {
		if v.col.Primary {
			return true
		}
	}
	return false
}

// addItem adds it to list unless an item with the same key is there, in
// which case that one takes its label (when it has none) and primary mark.
// A new primary item goes first.
func addItem(list []item, it item, key string) []item {
	for i := range list {
		k := list[i].value
		if it.col.Field == FieldEmail {
			k = strings.ToLower(k)
		}
		if k == key {
			list[i].primary = list[i].primary || it.primary
			if list[i].label == "" {
				list[i].label = it.label
			}
			return list
		}
	}
	if it.primary && it.col.Primary {
		return append([]item{it}, list...)
	}
	return append(list, it)
}

func (mp *mapper) address(g *group) {
	a := models.AddressInput{
		Label:      g.label,
		Street:     strings.Join(g.parts[FieldStreet], "\n"),
		City:       strings.Join(g.parts[FieldCity], " "),
		Region:     strings.Join(g.parts[FieldRegion], " "),
		PostalCode: strings.Join(g.parts[FieldPostalCode], " "),
		Country:    strings.Join(g.parts[FieldCountry], " "),
	}
	if a.Street == "" && a.City == "" && a.Region == "" && a.PostalCode == "" && a.Country == "" {
		return
	}
	if mp.foreign {
		a.Label = tidyLabel(a.Label)
	}
	mp.req.Addresses = append(mp.req.Addresses, a)
}

func (mp *mapper) profiles(g *group) {
	for _, v := range g.values {
		for _, value := range splitCell(v.cell, v.col.Split, false) {
			p := models.SocialProfileInput{URL: value}
			if f := strings.Fields(value); len(f) == 2 {
				p.URL, p.FeedURL = f[0], f[1]
			}
			if !strings.Contains(p.URL, "://") && strings.Contains(p.URL, ".") && !strings.ContainsAny(p.URL, " @") {
				p.URL = "https://" + p.URL // "www.example.com", as people type it
			}
			if !webURL(p.URL) || (p.FeedURL != "" && !webURL(p.FeedURL)) {
				mp.fail(v.col, fmt.Sprintf("%q is not a web address, so it was left out. Profiles are addresses such as https://www.linkedin.com/in/name.", value))
				continue
			}
			dup := false
			for _, have := range mp.req.SocialProfiles {
				dup = dup || have.URL == p.URL
			}
			if !dup {
				mp.req.SocialProfiles = append(mp.req.SocialProfiles, p)
			}
		}
	}
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" && u.User == nil
}

// googleSystemGroups are the groups every Google contact is in; they say
// nothing about the person.
var googleSystemGroups = map[string]bool{"mycontacts": true, "my contacts": true}

func (mp *mapper) tags(c ColumnMapping, cell string) {
	for _, t := range splitCell(cell, c.Split, false) {
		if mp.google {
			t = strings.TrimPrefix(t, "* ")
			if googleSystemGroups[strings.ToLower(t)] {
				continue
			}
		}
		mp.req.Tags = append(mp.req.Tags, t)
	}
}

func (mp *mapper) birthday(c ColumnMapping, value string) {
	if value == "" || mp.req.Birthday != "" {
		return
	}
	b, problem := ParseBirthday(value, mp.m.DateOrder)
	if problem != "" {
		mp.fail(c, problem+" The birthday was left out.")
		return
	}
	mp.req.Birthday = b
}

func (mp *mapper) lastContacted(c ColumnMapping, value string) {
	if value == "" || mp.req.LastContactedAt != nil {
		return
	}
	t, problem := ParseTime(value, mp.m.DateOrder)
	if problem != "" {
		mp.fail(c, problem+" It was left out.")
		return
	}
	if !t.IsZero() {
		mp.req.LastContactedAt = &t
	}
}

func (mp *mapper) owner(c ColumnMapping, value string) {
	if value == "" || mp.req.OwnerID != nil {
		return
	}
	if mp.m.Owners != nil {
		if id, ok := mp.m.Owners[strings.ToLower(value)]; ok {
			mp.req.OwnerID = &id
			return
		}
	} else if id, err := strconv.ParseInt(value, 10, 64); err == nil && id > 0 {
		mp.req.OwnerID = &id
		return
	}
	mp.fail(c, fmt.Sprintf("No Rapport user is %q, so the contact gets the default owner. Use a user's name, email or ID as it is in Rapport.", value))
}

// knownLabels are the labels exporters capitalise or spell their own way,
// as Rapport writes them (lower case, like the form's "work, home…").
var knownLabels = map[string]string{
	"work": "work", "business": "work", "office": "work", "home": "home", "personal": "home", "private": "home",
	"mobile": "mobile", "cell": "mobile", "cellular": "mobile", "iphone": "mobile", "other": "other", "main": "main",
	"pager": "pager", "fax": "fax", "work fax": "work fax", "business fax": "work fax", "home fax": "home fax",
	"homepage": "website", "home page": "website", "blog": "blog", "profile": "profile",
}

// tidyLabel writes a label from another program as Rapport would: "Mobile"
// becomes "mobile"; a label it does not know is kept as it is.
func tidyLabel(label string) string {
	if l, ok := knownLabels[strings.ToLower(strings.TrimSpace(label))]; ok {
		return l
	}
	return strings.TrimSpace(label)
}

func appendNonEmpty(list []string, s string) []string {
	if s == "" {
		return list
	}
	return append(list, s)
}
