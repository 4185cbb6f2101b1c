// Package admin renders the administration pages: users, invitations,
// departments and the audit log.
package admin

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"rapport/models"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func when(t time.Time, loc *time.Location) string { return t.In(loc).Format("2 Jan 2006 15:04:05") }

func ptrID(p *int64) string {
	if p == nil {
		return ""
	}
	return itoa(*p)
}

func inDepartment(u models.User, id int64) bool {
	return slices.ContainsFunc(u.Departments, func(d models.Department) bool { return d.ID == id })
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

// invitationDepartments names the departments inv will join, in the order
// of deps; "None" when it joins none.
func invitationDepartments(inv models.Invitation, deps []models.Department) string {
	ids := inv.Departments()
	var names []string
	for _, d := range deps {
		if slices.Contains(ids, d.ID) {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return "None"
	}
	return joinNames(names)
}

var roles = []models.Role{models.RoleAdmin, models.RoleMember, models.RoleViewer}
