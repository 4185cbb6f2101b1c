package models

import (
	"fmt"
	"time"
)

// The years, in UTC, of the times Rapport stores from what people and other
// systems send: a contact's last contact, a task's due date, a post's
// publication, an interaction. Every such time is checked with TimeProblem
// before it is written.
//
// The upper end is a hard limit: RFC 3339 has four-digit years, so a later
// time cannot be written as JSON (time.Time.MarshalJSON refuses it) and,
// stored as SQLite's text, cannot be read back into a time.Time. A time that
// is within range where it was typed can still fall outside it in UTC
// (9999-12-31T23:59-05:00 is in the year 10000), which is why the check is on
// the UTC year. Such a row, once stored, broke every page, export and job that
// read it.
//
// The lower end is a choice: nothing a CRM records (a call, a due date, a
// post) is older than 1900, so an earlier year is a slip (0024 for 2024, a
// feed's zero date) better refused than kept. Birthdays, which may be older,
// are dates kept as text (Birthday) and are not bound by this.
const (
	EarliestYear = 1900
	LatestYear   = 9999
)

// StorableRange says in words which times may be stored, for messages.
var StorableRange = fmt.Sprintf("from %d-01-01 to %d-12-31 (UTC)", EarliestYear, LatestYear)

// StorableTime reports whether t may be stored: its UTC year is from
// EarliestYear to LatestYear.
func StorableTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= EarliestYear && y <= LatestYear
}

// TimeProblem is what to tell the person who gave t when it may not be
// stored, saying what is allowed; "" when it may.
func TimeProblem(t time.Time) string {
	if StorableTime(t) {
		return ""
	}
	return "Enter a date " + StorableRange + "."
}

// checkTime adds TimeProblem's message for t to v under field.
func checkTime(v *ValidationError, field string, t time.Time) {
	if msg := TimeProblem(t); msg != "" {
		v.Add(field, msg)
	}
}
