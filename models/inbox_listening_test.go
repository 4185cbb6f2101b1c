package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// ListeningStats on a small data set worked out by hand, in a zone 5:30
// ahead of UTC so that local days differ from UTC ones.
func TestListeningStats(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		loc := time.FixedZone("IST", 5*3600+30*60)
		sales := newTestDepartment(t, db, "Sales")
		support := newTestDepartment(t, db, "Support")
		admin := newTestActor(t, db, models.RoleAdmin, sales)
		seller := newTestActor(t, db, models.RoleMember, sales)
		helper := newTestActor(t, db, models.RoleMember, support)
		mustWatch(t, db, admin, "help")
		mustWatch(t, db, admin, "urgent")
		n := 0
		post := func(at time.Time, text string) models.IngestResult {
			n++
			return mustIngest(t, db, models.System, models.IngestOptions{}, models.SocialPost{Network: "x", Handle: "someone",
				ExternalID: itoaT(n) + at.String(), Text: text, PublishedAt: at})[0]
		}
		reply := func(actor models.Actor, r models.IngestResult, after time.Duration) {
			t.Helper()
			if _, err := db.ReplyInboxItem(ctx, actor, r.Inbox.ID, models.InboxReply{Version: r.Inbox.Version, Text: "ok",
				RepliedAt: r.Item.PublishedAt.Add(after)}); err != nil {
				t.Fatal(err)
			}
		}
		d1 := time.Date(2026, 3, 2, 0, 10, 0, 0, loc) // 2026-03-01 18:40 UTC
		post(d1.Add(-11*time.Minute), "help, before the window")
		for i, secs := range []int{60, 120, 180, 240, 600} {
			reply(seller, post(d1.Add(time.Duration(i)*time.Minute), "help please"), time.Duration(secs)*time.Second)
		}
		post(d1.Add(time.Hour), "nothing to see")
		d2 := time.Date(2026, 3, 3, 23, 40, 0, 0, loc)
		for _, secs := range []int{90, 30} {
			reply(helper, post(d2, "urgent help"), time.Duration(secs)*time.Second)
		}
		post(time.Date(2026, 3, 4, 12, 0, 0, 0, loc), "help?")

		from := time.Date(2026, 3, 2, 0, 0, 0, 0, loc)
		st, err := db.ListeningStats(ctx, admin, from, from.AddDate(0, 0, 3), loc)
		if err != nil {
			t.Fatal(err)
		}
		wantDays := []models.ListeningDay{
			{Day: "2026-03-02", Items: 6, InboxItems: 5, Replied: 5},
			{Day: "2026-03-03", Items: 2, InboxItems: 2, Replied: 2},
			{Day: "2026-03-04", Items: 1, InboxItems: 1},
		}
		if !slices.Equal(st.Days, wantDays) {
			t.Fatalf("days = %+v\nwant %+v", st.Days, wantDays)
		}
		if !slices.Equal(st.Terms, []models.TermCount{{Term: "help", Count: 8}, {Term: "urgent", Count: 2}}) {
			t.Fatalf("terms = %+v", st.Terms)
		}
		// Seven times, 30 60 90 120 180 240 600: median the 4th, p90 the
		// 7th. Open is the queue now, the early post included.
		if v(st.MedianSeconds) != 120 || v(st.P90Seconds) != 600 || st.OpenCount != 2 {
			t.Fatalf("window median %v p90 %v open %d", v(st.MedianSeconds), v(st.P90Seconds), st.OpenCount)
		}
		if len(st.Departments) != 2 || st.Departments[0].DepartmentID != sales || st.Departments[1].DepartmentID != support {
			t.Fatalf("departments = %+v", st.Departments)
		}
		// Sales on day 1: 60 120 180 240 600, median the 3rd, p90 the 5th;
		// Support on day 2: 30 90, median the 1st, p90 the 2nd.
		s, p := st.Departments[0], st.Departments[1]
		if got := vs(s.MedianSeconds); !slices.Equal(got, []int64{180, -1, -1}) {
			t.Errorf("sales median = %v", got)
		}
		if got := vs(s.P90Seconds); !slices.Equal(got, []int64{600, -1, -1}) {
			t.Errorf("sales p90 = %v", got)
		}
		if got := vs(p.MedianSeconds); !slices.Equal(got, []int64{-1, 30, -1}) {
			t.Errorf("support median = %v", got)
		}
		if got := vs(p.P90Seconds); !slices.Equal(got, []int64{-1, 90, -1}) {
			t.Errorf("support p90 = %v", got)
		}
		// In UTC the first day's posts fall on 1 March.
		utc, err := db.ListeningStats(ctx, admin, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), nil)
		if err != nil || len(utc.Days) != 1 || utc.Days[0].Items != 7 {
			t.Fatalf("UTC day = %+v, %v", utc, err)
		}
		_, err = db.ListeningStats(ctx, admin, from, from.AddDate(0, 0, 367), loc)
		if f := validationFields(t, err); f["to"] == "" {
			t.Fatalf("long window: %v", f)
		}
		_, err = db.ListeningStats(ctx, admin, from, from, loc)
		if f := validationFields(t, err); f["to"] == "" {
			t.Fatalf("empty window: %v", f)
		}
	})
}

func v(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func vs(ps []*int64) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = v(p)
	}
	return out
}
