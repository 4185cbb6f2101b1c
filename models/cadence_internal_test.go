package models

import (
	"testing"
	"time"
)

// dueCutoff must agree, day by day, with the definition it inverts: a
// contact is due when its last contact's day plus the cadence is on or
// before today.
func TestDueCutoffMatchesNextContactDay(t *testing.T) {
	loc, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		loc = time.UTC
	}
	intervals := []Interval{{1, IntervalDay}, {3, IntervalDay}, {2, IntervalWeek}, {1, IntervalMonth}, {3, IntervalMonth}, {12, IntervalMonth}}
	start := time.Date(2023, 12, 1, 12, 0, 0, 0, loc)
	for _, iv := range intervals {
		for d := range 500 {
			today := time.Date(start.Year(), start.Month(), start.Day()+d, 12, 0, 0, 0, loc)
			cutoff := dueCutoff(iv, today, loc)
			todayDay := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
			// Last contacts just before and at the cutoff.
			for _, last := range []time.Time{cutoff.Add(-time.Microsecond), cutoff} {
				due := !nextContactDay(iv, last, loc).After(todayDay)
				if due != last.Before(cutoff) {
					t.Fatalf("%+v today %v last %v: due %v but cutoff %v", iv, today, last.In(loc), due, cutoff.In(loc))
				}
			}
		}
	}
}

func TestRecurrenceRules(t *testing.T) {
	mon := time.Monday
	for _, r := range []Recurrence{
		{Interval: Interval{3, IntervalDay}},
		{Interval: Interval{2, IntervalWeek}, Weekday: &mon},
		{Interval: Interval{1, IntervalMonth}},
	} {
		got, err := ParseRecurrence(r.String())
		if err != nil || got.String() != r.String() {
			t.Fatalf("%q round trip: %q, %v", r.String(), got.String(), err)
		}
	}
	for _, bad := range []string{"FREQ=YEARLY;INTERVAL=1", "FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=1;BYDAY=XX", "COUNT=3"} {
		if _, err := ParseRecurrence(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}

	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	monthly := Recurrence{Interval: Interval{1, IntervalMonth}}
	anchor := time.Date(2025, 1, 31, 9, 0, 0, 0, paris)
	// From the 31st: the end of February, then back to the 31st in March,
	// at 9:00 Paris time across the daylight-saving change.
	feb := monthly.next(anchor, anchor, anchor, paris)
	mar := monthly.next(anchor, feb, feb, paris)
	if !feb.Equal(time.Date(2025, 2, 28, 9, 0, 0, 0, paris)) || !mar.Equal(time.Date(2025, 3, 31, 9, 0, 0, 0, paris)) {
		t.Fatalf("monthly from 31 Jan: %v, %v", feb.In(paris), mar.In(paris))
	}
	// Completed late, the series skips to the first date after now.
	if got := monthly.next(anchor, anchor, time.Date(2025, 6, 15, 0, 0, 0, 0, paris), paris); !got.Equal(time.Date(2025, 6, 30, 9, 0, 0, 0, paris)) {
		t.Fatalf("late completion: %v", got.In(paris))
	}
	// Weekly on Monday from a Wednesday: the next Monday, then every two weeks.
	wed := time.Date(2025, 3, 5, 8, 0, 0, 0, paris)
	onMonday := Recurrence{Interval: Interval{2, IntervalWeek}, Weekday: &mon}
	first := onMonday.next(wed, wed, wed, paris)
	second := onMonday.next(wed, first, first, paris)
	if !first.Equal(time.Date(2025, 3, 10, 8, 0, 0, 0, paris)) || !second.Equal(time.Date(2025, 3, 24, 8, 0, 0, 0, paris)) {
		t.Fatalf("every 2 weeks on Monday after Wed 5 Mar: %v, %v", first.In(paris), second.In(paris))
	}
}
