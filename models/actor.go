package models

import "slices"

// Role is what a user may do: admins everything, members read and write,
// viewers only read.
type Role string

// Roles.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember || r == RoleViewer }

// Actor is who is asking: every query that reads or writes shared records
// takes one, so visibility and permissions are decided here, once, for the
// UI, the API, exports and the command line alike.
type Actor struct {
	UserID        int64
	Name          string
	Role          Role
	DepartmentIDs []int64
	// Via says how the actor authenticated: "session", "token" or "cli".
	Via string
}

// CanWrite reports whether the actor may create and change records.
func (a Actor) CanWrite() bool { return a.Role == RoleAdmin || a.Role == RoleMember }

// IsAdmin reports whether the actor may change settings and users.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// InDepartment reports whether the actor belongs to department id.
func (a Actor) InDepartment(id int64) bool { return slices.Contains(a.DepartmentIDs, id) }

// System is the actor for work no person started (migrations, scheduled
// jobs). It is never handed to request handlers.
var System = Actor{Name: "Rapport", Role: RoleAdmin, Via: "system"}
