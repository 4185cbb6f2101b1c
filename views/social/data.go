// Package social renders the pages of social streams and listening: the
// Inbox of posts that need an answer, the watch terms that fill it, a
// contact's feed health and the listening dashboard.
package social

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"rapport/models"
	"rapport/views"
)

// Tab is one view of the Inbox.
type Tab struct {
	Key, Label string
}

// Tabs are the Inbox's views, in page order.
var Tabs = []Tab{
	{"open", "Open"},
	{"mine", "Mine"},
	{"department", "Department"},
	{"replied", "Replied"},
	{"closed", "Closed"},
}

// Env is what every Inbox card needs besides its item.
type Env struct {
	Now         time.Time
	Target      time.Duration // response-time target: amber at half, red past it
	Location    *time.Location
	CanWrite    bool
	Departments []models.Department // whom an item can be assigned to besides a person
}

// InboxData is the Inbox page.
type InboxData struct {
	Tab          string
	DepartmentID int64 // the department tab's department, 0 when the reader has none
	Departments  []models.Department
	Items        []models.InboxItem
	NextCursor   string
	Env          Env
}

// MoreURL is where "Load more" fetches the next page of this tab.
func (d InboxData) MoreURL() string {
	u := "/inbox?tab=" + d.Tab + "&cursor=" + d.NextCursor
	if d.Tab == "department" && d.DepartmentID != 0 {
		u += "&department=" + itoa(d.DepartmentID)
	}
	return u
}

// Empty is what an empty tab says.
func (d InboxData) Empty() string {
	switch d.Tab {
	case "mine":
		return "Nothing is assigned to you."
	case "department":
		if d.DepartmentID == 0 {
			return "You are in no department."
		}
		return "Nothing is assigned to this department."
	case "replied":
		return "No replies yet."
	case "closed":
		return "Nothing has been closed."
	}
	return "No conversations need a reply."
}

// TermsData is the watch terms page.
type TermsData struct {
	Terms    []models.WatchTerm
	CanAdmin bool
	Form     TermForm
	Location *time.Location
}

// TermForm is the new-term form.
type TermForm struct {
	Term, Exclude string // Exclude: one phrase per line
	Errors        map[string]string
}

// FeedsData is a contact's feed health panel.
type FeedsData struct {
	ContactID int64
	Feeds     []models.ProfileFeed
	CanWrite  bool
	Now       time.Time
	Location  *time.Location
	Polled    int64 // the feed just asked to poll, to say so
}

// ListeningData is the listening dashboard.
type ListeningData struct {
	Days     int   // the window, in days
	Windows  []int // the windows offered
	Stats    *models.ListeningStats
	Target   time.Duration
	Chart    Chart
	CanAdmin bool
}

// Chart is the dashboard's data as static/js/listening.js reads it from
// the page (the content security policy forbids inline scripts).
type Chart struct {
	Days        []string           `json:"days"`
	Items       []int64            `json:"items"`
	Inbox       []int64            `json:"inbox"`
	Replied     []int64            `json:"replied"`
	Terms       []models.TermCount `json:"terms"`
	Departments []ChartDepartment  `json:"departments"`
	Target      int64              `json:"target_seconds"`
}

// ChartDepartment is one department's response times per day, in seconds
// (null on days without replies).
type ChartDepartment struct {
	Name   string   `json:"name"`
	Median []*int64 `json:"median"`
	P90    []*int64 `json:"p90"`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func contactHref(id int64) string { return "/contacts/" + itoa(id) }

func itemID(it models.InboxItem) string { return "inbox-item-" + itoa(it.ID) }

func itemPath(it models.InboxItem, action string) string {
	return "/inbox/" + itoa(it.ID) + "/" + action
}

// who names the author of a post: their contact, else their handle or
// name as the network gave it.
func who(it models.InboxItem) string {
	switch {
	case it.ContactName != "":
		return it.ContactName
	case it.Item.AuthorName != "" && it.Item.Handle != "":
		return it.Item.AuthorName + " (" + it.Item.Handle + ")"
	case it.Item.Handle != "":
		return it.Item.Handle
	case it.Item.AuthorName != "":
		return it.Item.AuthorName
	}
	return "Someone"
}

// Duration writes a waiting or response time the way people say it:
// "45 s", "12 min", "3 h 5 min", "2 d 4 h".
func Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		if m := int(d.Minutes()) % 60; m != 0 {
			return fmt.Sprintf("%d h %d min", h, m)
		}
		return fmt.Sprintf("%d h", h)
	}
	days := int(d.Hours()) / 24
	if h := int(d.Hours()) % 24; h != 0 {
		return fmt.Sprintf("%d d %d h", days, h)
	}
	return fmt.Sprintf("%d d", days)
}

// seconds writes a number of seconds as a Duration, or a dash for none.
func seconds(s *int64) string {
	if s == nil {
		return "–"
	}
	return Duration(time.Duration(*s) * time.Second)
}

// waitClass colours a time against the target: green below half of it,
// amber up to it, red past it.
func waitClass(d, target time.Duration) string {
	switch {
	case target <= 0 || d < target/2:
		return "wait wait-ok"
	case d <= target:
		return "wait wait-warn"
	}
	return "wait wait-late"
}

func (e Env) waiting(it models.InboxItem) time.Duration { return it.Waiting(e.Now) }

func (e Env) when(t time.Time) string {
	loc := e.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006, 15:04")
}

func (e Env) whenPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return e.when(*t)
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// assignValue is the assign select's value for the item's current
// assignee: "user:ID", "department:ID" or "" for nobody.
func assignValue(it models.InboxItem) string {
	switch {
	case it.AssigneeUserID != nil:
		return "user:" + itoa(*it.AssigneeUserID)
	case it.AssigneeDepartmentID != nil:
		return "department:" + itoa(*it.AssigneeDepartmentID)
	}
	return ""
}

// assigneePicker finds the person to assign it to; the person it is
// assigned to now is chosen.
func assigneePicker(it models.InboxItem) views.UserPicker {
	var now models.Participant
	if it.AssigneeUserID != nil {
		now = models.Participant{ID: *it.AssigneeUserID, Name: it.AssigneeName}
	}
	return views.InboxAssigneePicker.With(itemID(it)+"-find", "", now)
}

func assigneeText(it models.InboxItem) string {
	switch {
	case it.AssigneeName != "":
		return it.AssigneeName
	case it.AssigneeDepartmentName != "":
		return it.AssigneeDepartmentName
	}
	return "Unassigned"
}

func networkLabel(n string) string {
	if n == "" {
		return "web"
	}
	return strings.ReplaceAll(n, "_", " ")
}

func excludeText(t models.WatchTerm) string {
	if len(t.Exclude) == 0 {
		return "–"
	}
	return strings.Join(t.Exclude, ", ")
}

func feedStatus(f *models.SocialFeed) (label, class string) {
	switch {
	case f == nil:
		return "not polled yet", "badge"
	case f.LastError != "":
		return "failing", "badge badge-danger"
	case f.LastSuccessAt != nil:
		return "healthy", "badge badge-ok"
	}
	return "waiting for its first poll", "badge"
}

func windowHref(days int) string { return "/listening?days=" + strconv.Itoa(days) }

func tabCurrent(active, key string) string {
	if active == key {
		return "page"
	}
	return ""
}

// homeHref is where the home page sends a reader for an item: the tab
// that lists it.
func homeHref(it models.InboxItem) string {
	if it.AssigneeUserID != nil {
		return "/inbox?tab=mine#" + itemID(it)
	}
	if it.AssigneeDepartmentID != nil {
		return "/inbox?tab=department&department=" + itoa(*it.AssigneeDepartmentID) + "#" + itemID(it)
	}
	return "/inbox#" + itemID(it)
}

// windowValue is the latest day's value that is not empty.
func windowValue(perDay []*int64) *int64 {
	for i := len(perDay) - 1; i >= 0; i-- {
		if perDay[i] != nil {
			return perDay[i]
		}
	}
	return nil
}

// snippet is the start of a post's text, at most n characters, cut at a
// word.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
