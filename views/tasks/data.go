// Package tasks renders the task pages: "My tasks" with the department
// queues and follow-ups, and a contact's tasks page.
package tasks

import (
	"net/url"
	"strconv"
	"time"

	"rapport/models"
)

// Section is one list of tasks on the page. NextCursor, when set, is
// where "Load more" continues.
type Section struct {
	Key, Title string
	Tasks      []models.Task
	NextCursor string
}

// Queue is a department's queue.
type Queue struct {
	DepartmentID int64
	Name         string
	Tasks        []models.Task
	NextCursor   string
}

// QueueKey names a department's queue among the page's lists.
func QueueKey(departmentID int64) string { return "queue-" + itoa(departmentID) }

// More is the next page of one list, for "Load more".
type More struct {
	Key        string
	Tasks      []models.Task
	NextCursor string
	CanWrite   bool
	Location   *time.Location
}

// Data is the "My tasks" page.
type Data struct {
	Sections  []Section
	Queues    []Queue
	FollowUps []models.FollowUp
	CanWrite  bool
	Location  *time.Location
	// CalendarURL is shown once, right after it was made.
	CalendarURL string
	Form        Form
}

// Form is the new-task form.
type Form struct {
	ContactID string
	// ContactName is the chosen contact's name; Query is what was typed in
	// the picker, which finds the contact when no script ran.
	ContactName string
	Query       string
	// Assignee is who the task is for; nobody: its author.
	Assignee   models.Participant
	Title      string
	Due        string // YYYY-MM-DDTHH:MM in the reader's zone
	Priority   string
	Repeat     string // "", day, week, month, weekday
	Every      string
	Weekday    string
	Errors     map[string]string
	ContactRef string // the contact's name, on its own page
}

// ContactData is a contact's tasks page.
type ContactData struct {
	Contact  *models.Contact
	Tasks    []models.Task
	CanWrite bool
	Location *time.Location
	Form     Form
	Cadence  models.Interval
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func taskPath(t models.Task) string { return "/tasks/" + itoa(t.ID) }

func dueText(t models.Task, loc *time.Location) string {
	if t.DueAt == nil {
		return "Someday"
	}
	return t.DueAt.In(loc).Format("Mon 2 Jan 2006, 15:04")
}

func dueValue(t models.Task, loc *time.Location) string {
	if t.DueAt == nil {
		return ""
	}
	return t.DueAt.In(loc).Format("2006-01-02T15:04")
}

// assigneeOf is the person the task is assigned to, nobody (a zero ID)
// when it waits in a department's queue.
func assigneeOf(t models.Task) models.Participant {
	if t.AssigneeID == nil {
		return models.Participant{}
	}
	return models.Participant{ID: *t.AssigneeID, Name: t.AssigneeName}
}

func assigneeText(t models.Task) string {
	switch {
	case t.AssigneeName != "":
		return t.AssigneeName
	case t.DepartmentName != "":
		return t.DepartmentName + " queue"
	}
	return "Unassigned"
}

// countText is a list's count: "50+" when more pages follow.
func countText(n int, more string) string {
	if more != "" {
		return strconv.Itoa(n) + "+"
	}
	return strconv.Itoa(n)
}

func moreURL(key, cursor string) string {
	return "/tasks?" + url.Values{"list": {key}, "cursor": {cursor}}.Encode()
}

// repeatValue is the edit form's Repeat choice for the task's rule.
func repeatValue(t models.Task) (repeat, every, weekday string) {
	r := t.Rule()
	switch {
	case r.IsZero():
		return "", "1", ""
	case r.Weekday != nil:
		return "weekday", "1", strconv.Itoa(int(*r.Weekday))
	}
	return string(r.Unit), strconv.Itoa(r.Every), ""
}

func repeatText(t models.Task) string {
	r := t.Rule()
	if r.IsZero() {
		return ""
	}
	s := "Repeats every " + strconv.Itoa(r.Every) + " " + string(r.Unit)
	if r.Every != 1 {
		s += "s"
	}
	if r.Weekday != nil {
		s += " on " + r.Weekday.String()
	}
	return s
}

func cadenceEvery(iv models.Interval) string {
	if iv.IsZero() {
		return ""
	}
	return strconv.Itoa(iv.Every)
}

var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
