package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IntervalUnit is the unit of an Interval.
type IntervalUnit string

// Interval units.
const (
	IntervalDay   IntervalUnit = "day"
	IntervalWeek  IntervalUnit = "week"
	IntervalMonth IntervalUnit = "month"
)

// Interval is "every N days, weeks or months": how often a task recurs and
// how often to keep in touch with a contact. The zero Interval is none.
type Interval struct {
	Every int          `json:"every"`
	Unit  IntervalUnit `json:"unit"`
}

// IsZero reports whether the interval is none.
func (iv Interval) IsZero() bool { return iv.Every == 0 && iv.Unit == "" }

// maxEvery bounds each unit to a couple of years, so schedules stay
// meaningful and the distinct cadences a query must consider stay few.
var maxEvery = map[IntervalUnit]int{IntervalDay: 730, IntervalWeek: 104, IntervalMonth: 24}

// check adds a problem with iv to v under field.
func (iv Interval) check(v *ValidationError, field string) {
	most, ok := maxEvery[iv.Unit]
	switch {
	case !ok:
		v.Add(field, "Choose days, weeks or months.")
	case iv.Every < 1 || iv.Every > most:
		v.Add(field, fmt.Sprintf("Choose every 1 to %d %ss.", most, iv.Unit))
	}
}

// add returns t moved k intervals on in loc's wall clock: a 9:00 task
// stays at 9:00 across a daylight-saving change. A month step that lands
// past the end of a month stays on its last day (31 January + 1 month is
// 28 or 29 February), rather than spilling into the next month as
// time.AddDate does.
func (iv Interval) add(t time.Time, k int, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	switch iv.Unit {
	case IntervalDay:
		d += k * iv.Every
	case IntervalWeek:
		d += 7 * k * iv.Every
	case IntervalMonth:
		first := time.Date(y, m+time.Month(k*iv.Every), 1, 0, 0, 0, 0, time.UTC)
		y, m = first.Year(), first.Month()
		d = min(d, daysIn(y, m))
	}
	return time.Date(y, m, d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc).UTC()
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// Recurrence is how a task repeats: every Interval, and for weekly rules
// optionally on one weekday ("every 2 weeks on Monday").
//
// It is stored as a small subset of an RFC 5545 RRULE
// ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO") in one text column: the rule reads
// as one value wherever it is shown or copied to the next occurrence, a
// calendar feed can hand it to calendars as it stands, and a richer rule
// later (BYMONTHDAY, COUNT) needs no migration.
type Recurrence struct {
	Interval
	// Weekday, for weekly rules only, moves each occurrence to that day.
	Weekday *time.Weekday `json:"weekday,omitempty"`
}

var rruleFreq = map[IntervalUnit]string{IntervalDay: "DAILY", IntervalWeek: "WEEKLY", IntervalMonth: "MONTHLY"}
var rruleDays = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// String is the rule as stored, "" for none.
func (r Recurrence) String() string {
	if r.IsZero() {
		return ""
	}
	s := "FREQ=" + rruleFreq[r.Unit] + ";INTERVAL=" + strconv.Itoa(r.Every)
	if r.Weekday != nil {
		s += ";BYDAY=" + rruleDays[*r.Weekday]
	}
	return s
}

// check adds a problem with r to v.
func (r Recurrence) check(v *ValidationError) {
	if r.IsZero() {
		if r.Weekday != nil {
			v.Add("recurrence", "Choose how often the task repeats.")
		}
		return
	}
	r.Interval.check(v, "recurrence")
	if r.Weekday != nil && (r.Unit != IntervalWeek || *r.Weekday < time.Sunday || *r.Weekday > time.Saturday) {
		v.Add("recurrence", "A weekday can be chosen only for a weekly task.")
	}
}

// ParseRecurrence reads a stored rule; "" is none.
func ParseRecurrence(s string) (Recurrence, error) {
	var r Recurrence
	if s == "" {
		return r, nil
	}
	for part := range strings.SplitSeq(s, ";") {
		k, val, _ := strings.Cut(part, "=")
		switch k {
		case "FREQ":
			for u, f := range rruleFreq {
				if f == val {
					r.Unit = u
				}
			}
		case "INTERVAL":
			n, err := strconv.Atoi(val)
			if err != nil {
				return Recurrence{}, fmt.Errorf("models: recurrence %q: bad interval", s)
			}
			r.Every = n
		case "BYDAY":
			for i, d := range rruleDays {
				if d == val {
					wd := time.Weekday(i)
					r.Weekday = &wd
				}
			}
			if r.Weekday == nil {
				return Recurrence{}, fmt.Errorf("models: recurrence %q: bad weekday", s)
			}
		default:
			return Recurrence{}, fmt.Errorf("models: recurrence %q: unsupported part %q", s, k)
		}
	}
	if r.Unit == "" || r.Every < 1 {
		return Recurrence{}, fmt.Errorf("models: recurrence %q: incomplete", s)
	}
	return r, nil
}

// occurrence is the k-th occurrence of a series whose first falls at
// anchor (k = 0 is the anchor itself, moved to the weekday if the rule has
// one).
func (r Recurrence) occurrence(anchor time.Time, k int, loc *time.Location) time.Time {
	if r.Weekday != nil {
		l := anchor.In(loc)
		shift := (int(*r.Weekday) - int(l.Weekday()) + 7) % 7
		anchor = time.Date(l.Year(), l.Month(), l.Day()+shift, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc).UTC()
	}
	return r.add(anchor, k, loc)
}

// next is the first occurrence of the series anchored at anchor that is
// after both after and notBefore (for a weekday rule, the anchor's own
// week's weekday counts when it is later). Occurrences are counted from the anchor
// rather than stepped from the previous one, so a monthly series begun on
// the 31st comes back to the 31st after February, and a task completed late
// does not leave a backlog of overdue repeats behind it.
func (r Recurrence) next(anchor, after, notBefore time.Time, loc *time.Location) time.Time {
	limit := after
	if notBefore.After(limit) {
		limit = notBefore
	}
	// Jump close to the answer, then walk: at most a few steps.
	k := 0
	if step := r.occurrence(anchor, 1, loc).Sub(r.occurrence(anchor, 0, loc)); step > 0 {
		if gap := limit.Sub(anchor); gap > 2*step {
			k = int(gap/step) - 1
		}
	}
	for k > 0 && r.occurrence(anchor, k-1, loc).After(limit) {
		k--
	}
	for ; k < 1<<20; k++ {
		if t := r.occurrence(anchor, k, loc); t.After(limit) {
			return t
		}
	}
	return r.occurrence(anchor, k, loc)
}
