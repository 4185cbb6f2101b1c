package models_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func feedIDs(fs []models.SocialFeed) []int64 {
	ids := make([]int64, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return ids
}

// Feeds are synced from live profiles, leased so that two pollers never
// hold the same feed, reclaimable when a lease runs out, and a poll is
// recorded only by the lease holder.
func TestSocialFeedLeasing(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		var contacts []*models.Contact
		for i := range 6 {
			contacts = append(contacts, mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Feed", FamilyName: itoaT(i),
				SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/feeder" + itoaT(i)}}}))
		}
		added, pruned, err := db.SyncSocialFeeds(ctx)
		if err != nil || added != 6 || pruned != 0 {
			t.Fatalf("SyncSocialFeeds = %d, %d, %v", added, pruned, err)
		}
		if added, _, _ := db.SyncSocialFeeds(ctx); added != 0 {
			t.Fatalf("second sync added %d", added)
		}
		now := time.Now()
		const lease = time.Minute
		// Concurrent claims share the due feeds out without overlap.
		claims := make([][]models.SocialFeed, 4)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range claims {
			wg.Go(func() { claims[i], errs[i] = db.ClaimDueFeeds(ctx, "owner-"+itoaT(i), now, 2, lease) })
		}
		wg.Wait()
		var all []int64
		for i, c := range claims {
			if errs[i] != nil {
				t.Fatalf("claim %d: %v", i, errs[i])
			}
			all = append(all, feedIDs(c)...)
		}
		slices.Sort(all)
		if len(all) != 6 || len(slices.Compact(slices.Clone(all))) != 6 {
			t.Fatalf("claimed %v, want 6 distinct feeds", all)
		}
		if more, err := db.ClaimDueFeeds(ctx, "late", now, 10, lease); err != nil || len(more) != 0 {
			t.Fatalf("leased feeds claimed again: %v, %v", feedIDs(more), err)
		}
		// Find who holds contact 0's feed.
		pf, err := db.FeedsOfContact(ctx, a, contacts[0].ID)
		if err != nil || len(pf) != 1 || pf[0].Feed == nil {
			t.Fatalf("FeedsOfContact = %+v, %v", pf, err)
		}
		feed := pf[0].Feed
		holder := ""
		for i, c := range claims {
			if slices.Contains(feedIDs(c), feed.ID) {
				holder = "owner-" + itoaT(i)
			}
		}
		next := now.Add(15 * time.Minute).UTC().Truncate(time.Microsecond)
		if err := db.RecordFeedPoll(ctx, feed.ID, "stranger", models.FeedPoll{Status: 200, NextPollAt: next}); !errors.Is(err, models.ErrLeaseLost) {
			t.Fatalf("record by a stranger: %v", err)
		}
		if err := db.RecordFeedPoll(ctx, feed.ID, holder, models.FeedPoll{Status: 200, ETag: `"v1"`, NextPollAt: next, NewItems: 3}); err != nil {
			t.Fatal(err)
		}
		pf, _ = db.FeedsOfContact(ctx, a, contacts[0].ID)
		if f := pf[0].Feed; !f.NextPollAt.Equal(next) || f.LastSuccessAt == nil || f.ItemsTotal != 3 || f.ErrorCount != 0 || f.ETag != `"v1"` {
			t.Fatalf("after success: %+v", f)
		}
		// Expired leases are claimable by someone else; the old holder is fenced out.
		later := now.Add(lease + time.Second)
		taken, err := db.ClaimDueFeeds(ctx, "successor", later, 10, lease)
		if err != nil || len(taken) != 5 || slices.Contains(feedIDs(taken), feed.ID) {
			t.Fatalf("reclaim after expiry = %v, %v", feedIDs(taken), err)
		}
		for i, c := range claims {
			for _, f := range c {
				if err := db.RecordFeedPoll(ctx, f.ID, "owner-"+itoaT(i), models.FeedPoll{Err: "late"}); f.ID != feed.ID && !errors.Is(err, models.ErrLeaseLost) {
					t.Fatalf("old holder of feed %d recorded: %v", f.ID, err)
				}
			}
		}
		f := taken[0]
		if err := db.RecordFeedPoll(ctx, f.ID, "successor", models.FeedPoll{Status: 503, Err: "503 Service Unavailable", NextPollAt: later}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordFeedPoll(ctx, f.ID, "successor", models.FeedPoll{Err: "again"}); !errors.Is(err, models.ErrLeaseLost) {
			t.Fatalf("record after release: %v", err)
		}
		// A feed no live profile names is not claimed and is pruned.
		var gone *models.Contact
		for _, c := range contacts {
			if pf, _ := db.FeedsOfContact(ctx, a, c.ID); pf[0].Feed.ID == f.ID {
				gone = c
			}
		}
		if err := db.DeleteContact(ctx, a, gone.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ClaimDueFeeds(ctx, "x", later.Add(time.Hour), 10, lease); slices.Contains(feedIDs(got), f.ID) {
			t.Fatal("feed of a deleted contact claimed")
		}
		if _, pruned, err := db.SyncSocialFeeds(ctx); err != nil || pruned != 1 {
			t.Fatalf("prune = %d, %v", pruned, err)
		}
	})
}

func itoaT(i int) string { return string(rune('a' + i)) }

func TestSocialFeedPollNow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		legal := newTestDepartment(t, db, "Legal")
		insider := newTestActor(t, db, models.RoleMember, legal)
		outsider := newTestActor(t, db, models.RoleMember)
		viewer := newTestActor(t, db, models.RoleViewer, legal)
		c := mustCreateContact(t, db, insider, models.ContactRequest{GivenName: "Poll", RestrictedDepartmentID: &legal,
			SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/" + uniqueLabel("poll")}}})
		if _, _, err := db.SyncSocialFeeds(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FeedsOfContact(ctx, outsider, c.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outsider FeedsOfContact: %v", err)
		}
		pf, err := db.FeedsOfContact(ctx, insider, c.ID)
		if err != nil || len(pf) != 1 || pf[0].Feed == nil {
			t.Fatalf("FeedsOfContact = %+v, %v", pf, err)
		}
		id := pf[0].Feed.ID
		if err := db.PollFeedNow(ctx, outsider, id); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outsider poll now: %v", err)
		}
		if err := db.PollFeedNow(ctx, viewer, id); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer poll now: %v", err)
		}
		before := time.Now()
		if err := db.PollFeedNow(ctx, insider, id); err != nil {
			t.Fatal(err)
		}
		pf, _ = db.FeedsOfContact(ctx, insider, c.ID)
		if pf[0].Feed.NextPollAt.Before(before.Add(-time.Second)) || pf[0].Feed.NextPollAt.After(time.Now()) {
			t.Fatalf("next poll at %v", pf[0].Feed.NextPollAt)
		}
	})
}
