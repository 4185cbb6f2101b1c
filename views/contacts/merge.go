package contacts

import (
	"strings"

	"rapport/models"
)

func mergeURL(a, b int64) string { return "/contacts/merge?a=" + itoa(a) + "&b=" + itoa(b) }

func reasonLabel(r string) string {
	switch r {
	case models.DuplicateEmail:
		return "email"
	case models.DuplicatePhone:
		return "phone"
	case models.DuplicateName:
		return "name and company"
	}
	return r
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func emailList(c *models.Contact) string {
	out := make([]string, len(c.Emails))
	for i, e := range c.Emails {
		out[i] = e.Address
	}
	return strings.Join(out, ", ")
}

func phoneList(c *models.Contact) string {
	out := make([]string, len(c.Phones))
	for i, p := range c.Phones {
		out[i] = p.Number
	}
	return strings.Join(out, ", ")
}

// mergeRows are the single-valued fields a person chooses between.
func mergeRows(d MergeData) []MergeRow {
	owner := func(c *models.Contact) string {
		if c.OwnerID == nil {
			return ""
		}
		return d.Owners[*c.OwnerID]
	}
	return []MergeRow{
		{"given_name", "Given name", d.A.GivenName, d.B.GivenName},
		{"family_name", "Family name", d.A.FamilyName, d.B.FamilyName},
		{"display_name", "Display name", d.A.DisplayName, d.B.DisplayName},
		{"job_title", "Job title", d.A.JobTitle, d.B.JobTitle},
		{"company", "Company", companyName(d.A), companyName(d.B)},
		{"birthday", "Birthday", models.BirthdayText(d.A.Birthday), models.BirthdayText(d.B.Birthday)},
		{"about", "About", d.A.About, d.B.About},
		{"owner", "Owner", owner(d.A), owner(d.B)},
	}
}
