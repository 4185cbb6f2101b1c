package home

import (
	"strconv"
	"time"

	"github.com/a-h/templ"

	"rapport/models"
)

// Day is what the home page shows a person about their day.
type Day struct {
	Overdue, Today []models.Task
	FollowUps      []models.FollowUp
	Location       *time.Location
	Inbox          templ.Component // open Inbox items for the person or their departments
}

// Empty reports whether nothing needs the person today.
func (d Day) Empty() bool { return len(d.Overdue)+len(d.Today)+len(d.FollowUps) == 0 }

func (d Day) due(t models.Task) string {
	if t.DueAt == nil {
		return ""
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	when := t.DueAt.In(loc)
	if when.Format(time.DateOnly) == time.Now().In(loc).Format(time.DateOnly) {
		return when.Format("15:04")
	}
	return when.Format("2 Jan 15:04")
}

func contactHref(id int64) string { return "/contacts/" + strconv.FormatInt(id, 10) }
