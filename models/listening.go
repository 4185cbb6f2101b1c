package models

import (
	"context"
	"time"
)

// ListeningStats is the listening dashboard's data over a window.
type ListeningStats struct {
	Days          []ListeningDay       `json:"days"`        // one per day in [From, To), in loc
	Terms         []TermCount          `json:"terms"`       // most matched first, at most 20
	Departments   []DepartmentResponse `json:"departments"` // per replier department: per-day median and p90 seconds
	MedianSeconds *int64               `json:"median_seconds"`
	P90Seconds    *int64               `json:"p90_seconds"`
	OpenCount     int64                `json:"open_count"`
}

// ListeningDay counts one day's posts.
type ListeningDay struct {
	Day        string `json:"day"` // 2006-01-02
	Items      int64  `json:"items"`
	InboxItems int64  `json:"inbox_items"`
	Replied    int64  `json:"replied"`
}

// TermCount is how many Inbox items a term matched.
type TermCount struct {
	Term  string `json:"term"`
	Count int64  `json:"count"`
}

// DepartmentResponse is one department's response times per day.
type DepartmentResponse struct {
	DepartmentID  int64    `json:"department_id"`
	Name          string   `json:"name"`
	MedianSeconds []*int64 `json:"median_seconds"` // per Days
	P90Seconds    []*int64 `json:"p90_seconds"`
}

// ListeningStats computes the dashboard over [from, to).
func (db *DB) ListeningStats(ctx context.Context, actor Actor, from, to time.Time, loc *time.Location) (*ListeningStats, error) {
	return nil, errNotYet
}
