// Package views holds Rapport's templ components. Views receive ready data
// and never query: handlers build a Page and the feature's data, then render.
package views

import (
	"slices"
	"strconv"
	"strings"
)

// Page is what every full page needs besides its own content.
type Page struct {
	Title     string
	Nav       string // key of the active navigation item, "" for none
	User      *Viewer
	CSRFToken string
	Flash     *Flash
	Version   string
	Unread    int64 // unread notifications, shown in the navigation
	Overdue   int64 // the viewer's own overdue tasks, beside Tasks
	Inbox     int64 // open Inbox items the viewer may see, beside Inbox
}

// navBadge is the count shown beside a navigation item, 0 for none.
func (p Page) navBadge(key string) int64 {
	switch key {
	case "tasks":
		return p.Overdue
	case "inbox":
		return p.Inbox
	}
	return 0
}

// navBadgeWord tells a screen reader what a navigation badge counts.
func navBadgeWord(key string) string {
	if key == "tasks" {
		return "overdue"
	}
	return "open"
}

// Viewer is the signed-in user as the layout shows them.
type Viewer struct {
	ID          int64
	Name        string
	Email       string
	Role        string
	Departments []string
}

// IsAdmin reports whether the viewer may see admin-only navigation.
func (v *Viewer) IsAdmin() bool { return v != nil && v.Role == "admin" }

// Flash is a one-off message shown at the top of the next page.
type Flash struct {
	Kind    string // ok, info, warn, error
	Message string
}

type navItem struct {
	Key, Label, Href string
	AdminOnly        bool
}

var navItems = []navItem{
	{Key: "home", Label: "Today", Href: "/"},
	{Key: "contacts", Label: "Contacts", Href: "/contacts"},
	{Key: "inbox", Label: "Inbox", Href: "/inbox"},
	{Key: "listening", Label: "Listening", Href: "/listening"},
	{Key: "tasks", Label: "Tasks", Href: "/tasks"},
	{Key: "import-export", Label: "Import/Export", Href: "/import-export"},
	{Key: "settings", Label: "Settings", Href: "/settings"},
}

func ariaCurrent(active, key string) string {
	if active == key {
		return "page"
	}
	return ""
}

func flashClass(f *Flash) string {
	if f == nil {
		return "flash"
	}
	return "flash flash-" + f.Kind
}

func ariaInvalid(err string) string {
	if err != "" {
		return "true"
	}
	return "false"
}

func describedBy(in Input) string {
	var ids []string
	if in.Hint != "" {
		ids = append(ids, in.id()+"-hint")
	}
	if in.Error != "" {
		ids = append(ids, in.id()+"-error")
	}
	return strings.Join(ids, " ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Autofocus reports whether field should take focus: the first field in
// order that has an error, or the first field when there is none.
func Autofocus(errs map[string]string, field string, order ...string) bool {
	for _, f := range order {
		if errs[f] != "" {
			return f == field
		}
	}
	return len(order) > 0 && order[0] == field
}

func countLabel(n int64) string {
	if n > 99 {
		return "99+"
	}
	return strconv.FormatInt(n, 10)
}

func notificationsLabel(n int64) string {
	switch n {
	case 0:
		return "Notifications, none unread"
	case 1:
		return "Notifications, 1 unread"
	}
	return "Notifications, " + countLabel(n) + " unread"
}
