// Package contacts renders the contact list, the contact page with its
// profile card, the contact form, and companies. Fragments (Results, Rows,
// ProfileCard, ProfileForm) are also htmx swap targets.
package contacts

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/a-h/templ"

	"rapport/models"
)

// ListData is one page of the contact list with its filters.
type ListData struct {
	Contacts  []models.Contact
	Query     string
	Tag       string
	Sort      string
	Mine      bool
	CompanyID int64
	// ActiveDepartmentID, ContactedFrom and ContactedTo (dates in the
	// viewer's zone, To included) are the activity filters as typed.
	ActiveDepartmentID         string
	ContactedFrom, ContactedTo string
	Departments                []models.Department
	NextCursor                 string
	CanWrite                   bool
	CSRFToken                  string // the bulk form posts outside the page's own form
}

// nextURL is the link that loads the next page, with the same filters.
func (d ListData) nextURL(fragment bool) string {
	q := d.filters()
	q.Set("cursor", d.NextCursor)
	if fragment {
		q.Set("fragment", "rows")
	}
	return "/contacts?" + q.Encode()
}

func (d ListData) filters() url.Values {
	q := url.Values{}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	if d.Tag != "" {
		q.Set("tag", d.Tag)
	}
	if d.Sort != "" {
		q.Set("sort", d.Sort)
	}
	if d.Mine {
		q.Set("mine", "1")
	}
	if d.CompanyID != 0 {
		q.Set("company_id", itoa(d.CompanyID))
	}
	for k, v := range map[string]string{"department_id": d.ActiveDepartmentID, "contacted_from": d.ContactedFrom, "contacted_to": d.ContactedTo} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// EmailRow, PhoneRow are one editable line of the contact form.
type EmailRow struct {
	Label, Address string
	Primary        bool
}

// PhoneRow is one phone line of the contact form.
type PhoneRow struct {
	Label, Number string
	Primary       bool
}

// Form holds the contact form's values as typed, its errors, and, after a
// conflicting save, the record as someone else stored it.
type Form struct {
	ID                     int64
	Version                int64
	GivenName              string
	FamilyName             string
	DisplayName            string
	JobTitle               string
	Company                string
	BirthdayDay            string // the birthday in parts, as typed
	BirthdayMonth          string // 1 to 12
	BirthdayYear           string // may be empty: see models.Birthday
	About                  string
	Tags                   string
	RestrictedDepartmentID string
	Emails                 []EmailRow
	Phones                 []PhoneRow
	Profiles               []string
	// Custom holds the custom fields' values by key, for CustomDefs,
	// the fields an admin defined.
	Custom      map[string]string
	CustomDefs  []models.CustomFieldDef
	Errors      map[string]string
	Conflict    *models.Contact
	Departments []models.Department // the actor's own, for the restriction choice
}

// Blank rows appended so a form always offers room for one more value.
const extraRows = 1

// ShowData is the contact page.
type ShowData struct {
	Contact    *models.Contact
	Owner      string
	Restricted string // the department's name when the contact is restricted
	CanWrite   bool
	Location   *time.Location
	Duplicates []models.Duplicate
	Merges     []models.ContactMerge
	Timeline   templ.Component
	// KeyFacts and Notes are the key facts card and the notes section,
	// rendered above the timeline.
	KeyFacts templ.Component
	Notes    templ.Component
	// Custom are the contact's custom field values, labelled, in the
	// order an admin set.
	Custom []CustomValue
}

// CustomValue is one custom field as the contact card shows it.
type CustomValue struct{ Label, Value string }

// CustomValues labels a contact's custom field values by their
// definitions, in the definitions' order; values of fields no longer
// defined are not shown.
func CustomValues(defs []models.CustomFieldDef, values map[string]string) []CustomValue {
	var out []CustomValue
	for _, d := range defs {
		if v := values[d.Key]; v != "" {
			out = append(out, CustomValue{Label: d.Label, Value: v})
		}
	}
	return out
}

// customFieldName is the form name of a custom field's input, the same as
// the field its errors come back under.
func customFieldName(d models.CustomFieldDef) string { return "custom_fields." + d.Key }

func customInputType(k models.CustomFieldKind) string {
	switch k {
	case models.CustomFieldNumber:
		return "number"
	case models.CustomFieldDate:
		return "date"
	}
	return "text"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func contactURL(id int64) string { return "/contacts/" + itoa(id) }

func fieldErr(errs map[string]string, keys ...string) string {
	for _, k := range keys {
		if m := errs[k]; m != "" {
			return m
		}
	}
	return ""
}

func rowErr(errs map[string]string, list string, i int) string {
	return fieldErr(errs, list+"["+strconv.Itoa(i)+"]")
}

func primaryEmail(c *models.Contact) string {
	if e := c.PrimaryEmail(); e != nil {
		return e.Address
	}
	return ""
}

func primaryPhone(c *models.Contact) string {
	if p := c.PrimaryPhone(); p != nil {
		return p.Number
	}
	return ""
}

func companyName(c *models.Contact) string {
	if c.Company != nil {
		return c.Company.Name
	}
	return ""
}

func shortDate(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006")
}

func longTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006 15:04 MST")
}

func telURL(p models.ContactPhone) string {
	if p.E164 != "" {
		return "tel:" + p.E164
	}
	return "tel:" + strings.ReplaceAll(p.Number, " ", "")
}

// initials are the first letters of the first two words of a name; a
// contact that goes by a phone number has none, and gets "#".
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) {
				out = append(out, r)
			}
			break
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "#"
	}
	return strings.ToUpper(string(out))
}

func sortLabel(s string) string {
	switch s {
	case "updated":
		return "Recently updated"
	case "created":
		return "Recently added"
	case "last_contacted":
		return "Last contacted"
	}
	return "Name"
}

var sorts = []string{"name", "updated", "created", "last_contacted"}

// months are the birthday field's choices, named in the UI's language.
var months = []time.Month{time.January, time.February, time.March, time.April, time.May, time.June,
	time.July, time.August, time.September, time.October, time.November, time.December}

// birthdayDescribedBy ties each part of the birthday to the field's hint
// and, when there is one, its error.
func birthdayDescribedBy(msg string) string {
	if msg != "" {
		return "f-birthday-hint f-birthday-error"
	}
	return "f-birthday-hint"
}

func invalid(msg string) string {
	if msg != "" {
		return "true"
	}
	return "false"
}

func joinTags(tags []string) string { return strings.Join(tags, ", ") }
