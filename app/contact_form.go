package app

import (
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/contacts"
)

// Rows the contact form offers: what the contact has plus one blank, and
// at least this many.
const (
	minEmailRows   = 2
	minPhoneRows   = 2
	minProfileRows = 2
)

// parseContactForm reads the contact form as typed, keeping every value so
// a form with errors comes back exactly as the user left it.
func parseContactForm(c echo.Context) contacts.Form {
	vals, _ := c.FormParams()
	f := contacts.Form{
		GivenName: c.FormValue("given_name"), FamilyName: c.FormValue("family_name"), DisplayName: c.FormValue("display_name"),
		JobTitle: c.FormValue("job_title"), Company: c.FormValue("company"),
		BirthdayDay: c.FormValue("birthday_day"), BirthdayMonth: c.FormValue("birthday_month"), BirthdayYear: c.FormValue("birthday_year"),
		About: c.FormValue("about"), Tags: c.FormValue("tags"), RestrictedDepartmentID: c.FormValue("restricted_department_id"),
	}
	f.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	primaryEmail, primaryPhone := c.FormValue("email_primary"), c.FormValue("phone_primary")
	labels := vals["email_label"]
	for i, addr := range vals["email_address"] {
		f.Emails = append(f.Emails, contacts.EmailRow{Address: addr, Label: at(labels, i), Primary: primaryEmail == strconv.Itoa(i)})
	}
	labels = vals["phone_label"]
	for i, n := range vals["phone_number"] {
		f.Phones = append(f.Phones, contacts.PhoneRow{Number: n, Label: at(labels, i), Primary: primaryPhone == strconv.Itoa(i)})
	}
	f.Profiles = vals["profile_url"]
	f.Custom = map[string]string{}
	for name, v := range vals {
		if key, ok := strings.CutPrefix(name, "custom_fields."); ok && len(v) > 0 {
			f.Custom[key] = strings.TrimSpace(v[0])
		}
	}
	return f
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

// padRows gives the form a blank line for one more value of each list.
func padRows(f *contacts.Form) {
	for len(f.Emails) < minEmailRows || f.Emails[len(f.Emails)-1].Address != "" {
		f.Emails = append(f.Emails, contacts.EmailRow{})
	}
	for len(f.Phones) < minPhoneRows || f.Phones[len(f.Phones)-1].Number != "" {
		f.Phones = append(f.Phones, contacts.PhoneRow{})
	}
	for len(f.Profiles) < minProfileRows || f.Profiles[len(f.Profiles)-1] != "" {
		f.Profiles = append(f.Profiles, "")
	}
}

// formFromContact fills the edit form from a stored contact.
func formFromContact(ct *models.Contact) contacts.Form {
	f := contacts.Form{ID: ct.ID, Version: ct.Version, GivenName: ct.GivenName, FamilyName: ct.FamilyName,
		DisplayName: ct.DisplayName, JobTitle: ct.JobTitle, About: ct.About,
		Tags: strings.Join(ct.Tags, ", "), Custom: maps.Clone(ct.CustomFields)}
	if b, err := models.ParseBirthday(ct.Birthday); err == nil {
		f.BirthdayDay, f.BirthdayMonth = strconv.Itoa(b.Day), strconv.Itoa(int(b.Month))
		if b.Year != 0 {
			f.BirthdayYear = strconv.Itoa(b.Year)
		}
	}
	if ct.Company != nil {
		f.Company = ct.Company.Name
	}
	if ct.RestrictedDepartmentID != nil {
		f.RestrictedDepartmentID = strconv.FormatInt(*ct.RestrictedDepartmentID, 10)
	}
	for _, e := range ct.Emails {
		f.Emails = append(f.Emails, contacts.EmailRow{Address: e.Address, Label: e.Label, Primary: e.IsPrimary})
	}
	for _, p := range ct.Phones {
		f.Phones = append(f.Phones, contacts.PhoneRow{Number: p.Number, Label: p.Label, Primary: p.IsPrimary})
	}
	for _, sp := range ct.SocialProfiles {
		f.Profiles = append(f.Profiles, sp.URL)
	}
	return f
}

// request turns the form into the fields of a contact, for create and
// update alike.
func contactRequest(f contacts.Form) models.ContactRequest {
	req := models.ContactRequest{GivenName: f.GivenName, FamilyName: f.FamilyName, DisplayName: f.DisplayName,
		JobTitle: f.JobTitle, CompanyName: strings.TrimSpace(f.Company), Birthday: formBirthday(f), About: f.About,
		Source: models.SourceManual}
	for _, e := range f.Emails {
		req.Emails = append(req.Emails, models.EmailInput{Address: e.Address, Label: e.Label, Primary: e.Primary})
	}
	for _, p := range f.Phones {
		req.Phones = append(req.Phones, models.PhoneInput{Number: p.Number, Label: p.Label, Primary: p.Primary})
	}
	for _, u := range f.Profiles {
		if strings.TrimSpace(u) != "" {
			req.SocialProfiles = append(req.SocialProfiles, models.SocialProfileInput{URL: strings.TrimSpace(u)})
		}
	}
	req.Tags = splitTags(f.Tags)
	for k, v := range f.Custom {
		if v != "" { // a new contact has no value to clear
			if req.CustomFields == nil {
				req.CustomFields = map[string]string{}
			}
			req.CustomFields[k] = v
		}
	}
	if id, err := strconv.ParseInt(f.RestrictedDepartmentID, 10, 64); err == nil && id > 0 {
		req.RestrictedDepartmentID = &id
	}
	return req
}

// formBirthday joins the form's day, month and optional year into a
// birthday as Rapport stores it, 1984-07-21 or --07-21, for the model to
// check. A part that is not a number becomes 0, so a half-typed birthday
// is refused with a message rather than quietly dropped.
func formBirthday(f contacts.Form) string {
	day, month, year := strings.TrimSpace(f.BirthdayDay), strings.TrimSpace(f.BirthdayMonth), strings.TrimSpace(f.BirthdayYear)
	if day == "" && month == "" && year == "" {
		return ""
	}
	b := models.Birthday{Day: atoiOrZero(day), Month: time.Month(atoiOrZero(month))}
	if year != "" {
		if b.Year = atoiOrZero(year); b.Year <= 0 {
			return year + "-" + month + "-" + day // a typed year that is no year: refused, not read as none
		}
	}
	return b.String()
}

func atoiOrZero(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// formErrors are the model's problems as the form shows them: the form
// asks for a birthday in parts, so its message speaks of those.
func formErrors(fields map[string]string) map[string]string {
	if _, ok := fields["birthday"]; ok {
		fields["birthday"] = "Enter a day and a month that exist, and the year if you know it (from 1800, not in the future)."
	}
	return fields
}

// contactPatch is the form as a full update made against f.Version: the
// form shows every field, so every field is set.
func contactPatch(f contacts.Form) models.ContactPatch {
	r := contactRequest(f)
	var dept int64
	if r.RestrictedDepartmentID != nil {
		dept = *r.RestrictedDepartmentID
	}
	return models.ContactPatch{Version: f.Version, GivenName: &r.GivenName, FamilyName: &r.FamilyName,
		DisplayName: &r.DisplayName, JobTitle: &r.JobTitle, CompanyName: &r.CompanyName, Birthday: &r.Birthday,
		About: &r.About, RestrictedDepartmentID: &dept, Emails: &r.Emails, Phones: &r.Phones, Tags: &r.Tags,
		SocialProfiles: &r.SocialProfiles, CustomFields: f.Custom} // an emptied field is removed
}
