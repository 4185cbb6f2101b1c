package models

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"gorm.io/gorm"
)

// The listening dashboard: how many posts came in per day, which terms
// they matched, and how fast each department answered, over a window of
// at most 366 days. Counts are grouped in SQL; percentiles need the single
// response times, which are read (bounded) and ranked in Go.

const (
	maxListeningWindow = 366 * 24 * time.Hour
	// listeningBucket is the width of the time buckets SQL groups by.
	// Every time zone in use today is offset from UTC by a multiple of 15
	// minutes, so no bucket straddles a local midnight.
	listeningBucket = 15 * 60
	// maxListeningRows caps the rows read to compute response-time
	// percentiles and term counts: 100,000 answered items fit a year of
	// ~270 a day, and memory stays a few MB whatever the data.
	maxListeningRows  = 100000
	maxListeningTerms = 20
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

// ListeningDay counts one day: posts published, Inbox items opened for
// posts published, and items first answered that day.
type ListeningDay struct {
	Day        string `json:"day"` // 2006-01-02
	Items      int64  `json:"items"`
	InboxItems int64  `json:"inbox_items"`
	Replied    int64  `json:"replied"`
}

// TermCount is how many Inbox items of the window a term matched.
type TermCount struct {
	Term  string `json:"term"`
	Count int64  `json:"count"`
}

// DepartmentResponse is one department's response times per day (the day
// of the first reply); nil on days it answered nothing.
type DepartmentResponse struct {
	DepartmentID  int64    `json:"department_id"`
	Name          string   `json:"name"`
	MedianSeconds []*int64 `json:"median_seconds"` // per Days
	P90Seconds    []*int64 `json:"p90_seconds"`
}

// ListeningStats computes the dashboard over [from, to), days counted in
// loc (UTC when nil), from what the actor may see: like every Inbox read
// it leaves out the posts and items of contacts hidden from them.
// Percentiles are nearest-rank: the p-th percentile of n sorted times is
// the ceil(p/100·n)-th, so the median of 4 is the 2nd and the p90 of 10 the
// 9th, always a time that was measured.
func (db *DB) ListeningStats(ctx context.Context, actor Actor, from, to time.Time, loc *time.Location) (*ListeningStats, error) {
	if loc == nil {
		loc = time.UTC
	}
	var v ValidationError
	switch {
	case from.IsZero():
		v.Add("from", "Choose the first day.")
	case to.IsZero():
		v.Add("to", "Choose the last day.")
	case !to.After(from):
		v.Add("to", "Choose an end after the start.")
	case to.Sub(from) > maxListeningWindow:
		v.Add("to", "Choose a window of at most 366 days.")
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	from, to = from.UTC().Truncate(time.Microsecond), to.UTC().Truncate(time.Microsecond)
	st := &ListeningStats{Days: []ListeningDay{}, Terms: []TermCount{}, Departments: []DepartmentResponse{}}
	dayOf := map[string]int{}
	for d := time.Date(from.In(loc).Year(), from.In(loc).Month(), from.In(loc).Day(), 0, 0, 0, 0, loc); d.Before(to); d = d.AddDate(0, 0, 1) {
		dayOf[d.Format(time.DateOnly)] = len(st.Days)
		st.Days = append(st.Days, ListeningDay{Day: d.Format(time.DateOnly)})
	}
	index := func(t time.Time) (int, bool) {
		i, ok := dayOf[t.In(loc).Format(time.DateOnly)]
		return i, ok
	}
	counts := []struct {
		q     *gorm.DB
		col   string
		count func(*ListeningDay, int64)
	}{
		{db.with(ctx).Table("social_items").Scopes(visibleSocialItems(actor)), "social_items.published_at",
			func(d *ListeningDay, n int64) { d.Items += n }},
		{db.with(ctx).Table("inbox_items").Scopes(visibleInbox(actor)), "inbox_items.published_at",
			func(d *ListeningDay, n int64) { d.InboxItems += n }},
		{db.with(ctx).Table("inbox_items").Scopes(visibleInbox(actor)), "inbox_items.first_reply_at",
			func(d *ListeningDay, n int64) { d.Replied += n }},
	}
	for _, c := range counts {
		var rows []struct {
			Bucket int64
			N      int64
		}
		bucket := fmt.Sprintf("%s / %d", db.dialect.epochSeconds(c.col), listeningBucket)
		if err := c.q.Select(bucket+" AS bucket, COUNT(*) AS n").Where(c.col+" >= ? AND "+c.col+" < ?", from, to).
			Group("bucket").Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("models: listening counts by %s: %w", c.col, err)
		}
		for _, r := range rows {
			if i, ok := index(time.Unix(r.Bucket*listeningBucket, 0)); ok {
				c.count(&st.Days[i], r.N)
			}
		}
	}
	if err := db.listeningTerms(ctx, actor, from, to, st); err != nil {
		return nil, err
	}
	if err := db.listeningResponses(ctx, actor, from, to, index, st); err != nil {
		return nil, err
	}
	var err error
	if st.OpenCount, err = db.OpenInboxCount(ctx, actor); err != nil {
		return nil, err
	}
	return st, nil
}

// listeningTerms counts the terms matched by the window's Inbox items.
// matched_terms is a JSON array, which the two databases take apart
// differently, so the (bounded) rows are counted here.
func (db *DB) listeningTerms(ctx context.Context, actor Actor, from, to time.Time, st *ListeningStats) error {
	var recs []inboxRecord
	if err := db.with(ctx).Scopes(visibleInbox(actor)).Select("inbox_items.id, inbox_items.matched_terms").
		Where("inbox_items.published_at >= ? AND inbox_items.published_at < ? AND inbox_items.matched_terms <> '[]'", from, to).
		Order("inbox_items.published_at, inbox_items.id").Limit(maxListeningRows).Find(&recs).Error; err != nil {
		return fmt.Errorf("models: listening terms: %w", err)
	}
	byTerm := map[string]int64{}
	for _, r := range recs {
		for _, t := range r.MatchedTerms {
			byTerm[t]++
		}
	}
	for t, n := range byTerm {
		st.Terms = append(st.Terms, TermCount{Term: t, Count: n})
	}
	slices.SortFunc(st.Terms, func(a, b TermCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Term, b.Term)) })
	if len(st.Terms) > maxListeningTerms {
		st.Terms = st.Terms[:maxListeningTerms]
	}
	return nil
}

// listeningResponses ranks the response times of the items first answered
// in the window: over the window, and per replier department per day.
func (db *DB) listeningResponses(ctx context.Context, actor Actor, from, to time.Time, index func(time.Time) (int, bool), st *ListeningStats) error {
	var rows []struct {
		FirstReplyAt          time.Time
		ResponseSeconds       int64
		RepliedByDepartmentID *int64
	}
	if err := db.with(ctx).Table("inbox_items").Scopes(visibleInbox(actor)).
		Select("inbox_items.first_reply_at, inbox_items.response_seconds, inbox_items.replied_by_department_id").
		Where("inbox_items.first_reply_at >= ? AND inbox_items.first_reply_at < ? AND inbox_items.response_seconds IS NOT NULL", from, to).
		Order("inbox_items.first_reply_at").Limit(maxListeningRows).Scan(&rows).Error; err != nil {
		return fmt.Errorf("models: listening response times: %w", err)
	}
	var all []int64
	perDept := map[int64][][]int64{} // department -> day -> seconds
	for _, r := range rows {
		all = append(all, r.ResponseSeconds)
		i, ok := index(r.FirstReplyAt)
		if !ok || r.RepliedByDepartmentID == nil {
			continue
		}
		days := perDept[*r.RepliedByDepartmentID]
		if days == nil {
			days = make([][]int64, len(st.Days))
			perDept[*r.RepliedByDepartmentID] = days
		}
		days[i] = append(days[i], r.ResponseSeconds)
	}
	st.MedianSeconds, st.P90Seconds = nearestRank(all, 50), nearestRank(all, 90)
	var ids []int64
	for id := range perDept {
		ids = append(ids, id)
	}
	_, names, err := db.namesOf(ctx, nil, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		d := DepartmentResponse{DepartmentID: id, Name: names[id], MedianSeconds: make([]*int64, len(st.Days)),
			P90Seconds: make([]*int64, len(st.Days))}
		for i, secs := range perDept[id] {
			d.MedianSeconds[i], d.P90Seconds[i] = nearestRank(secs, 50), nearestRank(secs, 90)
		}
		st.Departments = append(st.Departments, d)
	}
	slices.SortFunc(st.Departments, func(a, b DepartmentResponse) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.DepartmentID, b.DepartmentID))
	})
	return nil
}

// nearestRank is the p-th percentile of values by the nearest-rank method
// (see ListeningStats); nil for no values. values is sorted in place.
func nearestRank(values []int64, p float64) *int64 {
	if len(values) == 0 {
		return nil
	}
	slices.Sort(values)
	rank := max(int(math.Ceil(p/100*float64(len(values)))), 1)
	v := values[min(rank, len(values))-1]
	return &v
}
