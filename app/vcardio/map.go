package vcardio

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-vcard"

	"rapport/models"
)

// A FieldError is a value of a card Map could not use; it is left out and
// the rest of the card is still good.
type FieldError struct {
	Property string // such as "EMAIL" or "BDAY"
	Msg      string // for a person: what is wrong
}

func (e FieldError) Error() string { return e.Property + ": " + e.Msg }

// Properties and parameters beyond the RFCs: Rapport's custom fields
// (X-RAPPORT-CUSTOM;X-KEY=tier:Gold) and the labels Apple and Google give
// grouped properties (item1.EMAIL with item1.X-ABLabel:Club).
const (
	propCustom = "X-RAPPORT-CUSTOM"
	paramKey   = "X-KEY"
	propLabel  = "X-ABLABEL"
)

// Map turns a card into a request to create a contact (Source import).
// Numbers without a leading + are read in phoneRegion (see
// models.ContactRequest.PhoneRegion).
//
// N gives the given (with any middle names) and family names; FN becomes
// the display name when it says more than they do, or when there is no N.
// The first ORG part is the company. Labels come from an item's
// X-ABLabel (Apple's _$!<Mobile>!$_ read as "mobile") or else its TYPE;
// PREF (or TYPE=pref) marks the primary email and phone. URLs and
// X-SOCIALPROFILE become profiles, CATEGORIES tags (but Google's
// "myContacts"), NOTEs the notes. A birthday without a year, as Apple and
// Google allow, is kept as --MM-DD.
func Map(c Card, phoneRegion string) (models.ContactRequest, []FieldError) {
	m := cardMapper{card: c, req: models.ContactRequest{Source: models.SourceImport, PhoneRegion: phoneRegion}}
	r := &m.req
	var middle string
	if n := c.Props.Get(vcard.FieldName); n != nil {
		p := append(Parts(n.Value), "", "", "")
		r.FamilyName, r.GivenName, middle = strings.TrimSpace(p[0]), strings.TrimSpace(p[1]), strings.TrimSpace(p[2])
		if middle != "" {
			r.GivenName = strings.TrimSpace(r.GivenName + " " + middle)
		}
	}
	if org := c.Props.Get(vcard.FieldOrganization); org != nil {
		r.CompanyName = strings.TrimSpace(Parts(org.Value)[0])
	}
	r.JobTitle = strings.TrimSpace(Text(c.Props.Value(vcard.FieldTitle)))
	var notes []string
	for _, f := range c.Props[vcard.FieldNote] {
		if t := Text(f.Value); strings.TrimSpace(t) != "" {
			notes = append(notes, t)
		}
	}
	r.About = strings.Join(notes, "\n\n")
	m.birthday()
	m.emails()
	m.phones()
	m.addresses()
	m.profiles()
	for _, f := range c.Props[vcard.FieldCategories] {
		for _, t := range List(f.Value) {
			if t = strings.TrimSpace(t); t != "" && !strings.EqualFold(t, "myContacts") {
				r.Tags = append(r.Tags, t)
			}
		}
	}
	for _, f := range c.Props[propCustom] {
		if key, v := f.Params.Get(paramKey), strings.TrimSpace(Text(f.Value)); key != "" && v != "" {
			if r.CustomFields == nil {
				r.CustomFields = map[string]string{}
			}
			r.CustomFields[key] = v
		}
	}
	if fn := strings.TrimSpace(Text(c.Props.PreferredValue(vcard.FieldFormattedName))); fn != "" {
		names := models.PersonName(r.GivenName, r.FamilyName)
		// Writers put the email or phone number in FN when there is no
		// name; that is no display name.
		isEmail := slices.ContainsFunc(r.Emails, func(e models.EmailInput) bool { return strings.EqualFold(e.Address, fn) })
		isPhone := isCardPhone(fn, r.Phones, phoneRegion)
		if fn != names && !isEmail && !isPhone {
			r.DisplayName = fn
		}
	}
	return m.req, m.errs
}

// isCardPhone reports whether fn is one of the card's phone numbers,
// however either is written.
func isCardPhone(fn string, phones []models.PhoneInput, region string) bool {
	if len(phones) == 0 || strings.ContainsFunc(fn, unicode.IsLetter) {
		return false
	}
	e164, problem := models.ParsePhone(fn, region)
	return problem == "" && slices.ContainsFunc(phones, func(p models.PhoneInput) bool {
		n, problem := models.ParsePhone(p.Number, region)
		return problem == "" && n == e164
	})
}

type cardMapper struct {
	card Card
	req  models.ContactRequest
	errs []FieldError
}

func (m *cardMapper) fail(prop, msg string) {
	m.errs = append(m.errs, FieldError{Property: prop, Msg: msg})
}

var (
	bdayISO  = regexp.MustCompile(`^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$`)
	bdayNoYr = regexp.MustCompile(`^--(\d{2})-?(\d{2})$`)
)

// appleNoYear is the year Apple writes for a birthday without one, marked
// with X-APPLE-OMIT-YEAR.
const appleNoYear = 1604

// birthday reads BDAY: a full date, or a day and month without the year,
// kept as --MM-DD. vCard 4 writes those as --1225 (--12-25 is seen too);
// Apple, in vCard 3, which has no form for them, writes the year 1604 and
// marks it with X-APPLE-OMIT-YEAR=1604. A year of 1604 alone counts as no
// year too: no one Rapport keeps was born then.
func (m *cardMapper) birthday() {
	f := m.card.Props.Get(vcard.FieldBirthday)
	if f == nil {
		return
	}
	v := strings.TrimSpace(Text(f.Value))
	var b models.Birthday
	if p := bdayNoYr.FindStringSubmatch(v); p != nil {
		b = models.Birthday{Month: time.Month(atoi(p[1])), Day: atoi(p[2])}
	} else if p := bdayISO.FindStringSubmatch(v); p != nil {
		b = models.Birthday{Year: atoi(p[1]), Month: time.Month(atoi(p[2])), Day: atoi(p[3])}
		if f.Params.Get("X-APPLE-OMIT-YEAR") == p[1] || atoi(p[1]) == appleNoYear {
			b.Year = 0
		}
	} else {
		if v != "" {
			m.fail(vcard.FieldBirthday, fmt.Sprintf("%q is not a date Rapport can read, so the birthday was left out.", v))
		}
		return
	}
	if _, err := models.ParseBirthday(b.String()); err != nil {
		m.fail(vcard.FieldBirthday, fmt.Sprintf("%q is not a birthday Rapport can store, so it was left out.", v))
		return
	}
	m.req.Birthday = b.String()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// isPreferred reports whether a property is marked as the preferred one:
// PREF=1 in vCard 4.0, TYPE=pref before.
func isPreferred(f *vcard.Field) bool {
	_, pref := f.Params[vcard.ParamPreferred]
	return pref || f.Params.HasType("pref")
}

func (m *cardMapper) emails() {
	primary := false
	for _, f := range m.card.Props[vcard.FieldEmail] {
		addr := strings.TrimSpace(Text(f.Value))
		addr = strings.TrimPrefix(strings.TrimPrefix(addr, "mailto:"), "MAILTO:")
		if addr == "" {
			continue
		}
		if msg := models.ValidateEmail(addr); msg != "" {
			m.fail(vcard.FieldEmail, fmt.Sprintf("%q is not an email address Rapport can use, so it was left out.", addr))
			continue
		}
		pref := isPreferred(f) && !primary
		primary = primary || pref
		m.req.Emails = append(m.req.Emails, models.EmailInput{Address: addr, Label: m.label(f, "email"), Primary: pref})
	}
}

func (m *cardMapper) phones() {
	primary := false
	for _, f := range m.card.Props[vcard.FieldTelephone] {
		number := strings.TrimSpace(Text(f.Value))
		if rest, ok := strings.CutPrefix(number, "tel:"); ok {
			number = strings.Replace(rest, ";ext=", " ext. ", 1)
		}
		if number == "" {
			continue
		}
		if _, msg := models.ParsePhone(number, m.req.PhoneRegion); msg != "" {
			m.fail(vcard.FieldTelephone, msg+" It was left out.")
			continue
		}
		pref := isPreferred(f) && !primary
		primary = primary || pref
		m.req.Phones = append(m.req.Phones, models.PhoneInput{Number: number, Label: m.label(f, "tel"), Primary: pref})
	}
}

func (m *cardMapper) addresses() {
	for _, f := range m.card.Props[vcard.FieldAddress] {
		p := append(Parts(f.Value), make([]string, 7)...)
		var street []string
		for _, s := range []string{p[2], p[1], p[0]} { // street, then extended address, then PO box
			if s = strings.TrimSpace(s); s != "" {
				street = append(street, s)
			}
		}
		a := models.AddressInput{Label: m.label(f, "adr"), Street: strings.Join(street, "\n"), City: strings.TrimSpace(p[3]),
			Region: strings.TrimSpace(p[4]), PostalCode: strings.TrimSpace(p[5]), Country: strings.TrimSpace(p[6])}
		if a.Street != "" || a.City != "" || a.Region != "" || a.PostalCode != "" || a.Country != "" {
			m.req.Addresses = append(m.req.Addresses, a)
		}
	}
}

func (m *cardMapper) profiles() {
	for _, prop := range []string{vcard.FieldURL, "X-SOCIALPROFILE"} {
		for _, f := range m.card.Props[prop] {
			u := strings.TrimSpace(Text(f.Value))
			if u == "" {
				continue
			}
			if !webURL(u) {
				if prop == vcard.FieldURL {
					m.fail(prop, fmt.Sprintf("%q is not a web address, so it was left out.", u))
				}
				continue // Apple's x-apple:handle profiles have no address
			}
			if !slices.ContainsFunc(m.req.SocialProfiles, func(p models.SocialProfileInput) bool { return p.URL == u }) {
				m.req.SocialProfiles = append(m.req.SocialProfiles, models.SocialProfileInput{URL: u})
			}
		}
	}
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" && u.User == nil
}

var appleLabel = regexp.MustCompile(`^_\$!<(.+)>!\$_$`)

// appleLabels are Apple's built-in labels as Rapport writes them.
var appleLabels = map[string]string{
	"home": "home", "work": "work", "other": "other", "mobile": "mobile", "iphone": "mobile", "main": "main",
	"homefax": "home fax", "workfax": "work fax", "otherfax": "fax", "pager": "pager", "homepage": "website",
	"school": "school",
}

// label is the label of a grouped property's X-ABLabel, or one made from
// its TYPE parameters.
func (m *cardMapper) label(f *vcard.Field, kind string) string {
	if f.Group != "" {
		for _, l := range m.card.Props[propLabel] {
			if strings.EqualFold(l.Group, f.Group) {
				text := strings.TrimSpace(Text(l.Value))
				if a := appleLabel.FindStringSubmatch(text); a != nil {
					if known, ok := appleLabels[strings.ToLower(a[1])]; ok {
						return known
					}
					return a[1]
				}
				return text
			}
		}
	}
	types := map[string]bool{}
	for _, t := range f.Params.Types() {
		for _, t := range strings.Split(t, ",") {
			types[strings.TrimSpace(t)] = true
		}
	}
	switch {
	case kind == "tel" && (types["cell"] || types["mobile"] || types["iphone"]):
		return "mobile"
	case kind == "tel" && types["fax"]:
		switch {
		case types["work"]:
			return "work fax"
		case types["home"]:
			return "home fax"
		}
		return "fax"
	case kind == "tel" && types["pager"]:
		return "pager"
	case kind == "tel" && types["main"]:
		return "main"
	case types["work"]:
		return "work"
	case types["home"]:
		return "home"
	case types["other"]:
		return "other"
	}
	return ""
}
