package feeds_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/config"
	"rapport/app/feeds"
	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

// feedServer serves the Mastodon fixture at /alice.rss with an ETag. It
// answers a matching If-None-Match with 304 unless ignoreETag is set, so
// a test can force full re-fetches; it records what each request sent.
type feedServer struct {
	*httptest.Server
	mu         sync.Mutex
	requests   []http.Header
	status     int // answer with this status instead, when set
	ignoreETag bool
}

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{}
	body := readFixture(t, "mastodon.rss")
	fs.Server = serve(t, func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.requests = append(fs.requests, r.Header.Clone())
		status, ignore := fs.status, fs.ignoreETag
		fs.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		if !ignore && r.Header.Get("If-None-Match") == `"alice-1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"alice-1"`)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write(body)
	})
	return fs
}

func (fs *feedServer) set(status int, ignoreETag bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.status, fs.ignoreETag = status, ignoreETag
}

func (fs *feedServer) sent() []http.Header {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return slices.Clone(fs.requests)
}

// clock is a settable time for the poller, so a test can step past the
// next poll time instead of waiting for it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is one test's contact, watch term, feed server and poller.
type world struct {
	db      *models.DB
	actor   models.Actor
	contact *models.Contact
	feed    *feedServer
	clock   *clock
	poller  *feeds.Poller
}

func newWorld(t *testing.T, db *models.DB) *world {
	t.Helper()
	ctx := context.Background()
	// A minute ahead: feeds the cycle adds are due at the real now.
	w := &world{db: db, feed: newFeedServer(t), clock: &clock{t: time.Now().UTC().Add(time.Minute).Truncate(time.Microsecond)}}
	w.actor = apptest.User(t, db, models.RoleAdmin, "Support").Actor("session")
	if _, err := db.CreateWatchTerm(ctx, w.actor, models.WatchTermInput{Term: "refund"}); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateContact(ctx, w.actor, models.ContactRequest{
		GivenName: "Alice", FamilyName: apptest.Unique("Feed"),
		SocialProfiles: []models.SocialProfileInput{{
			URL: w.feed.URL + "/alice", Network: "mastodon", FeedURL: w.feed.URL + "/alice.rss",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.contact = c
	w.poller = feeds.New(db, feeds.Options{
		Fetch:    feeds.FetchOptions{AllowHosts: []string{w.feed.Listener.Addr().String()}, Timeout: 5 * time.Second},
		Interval: 15 * time.Minute,
		Owner:    "poller-under-test",
		Now:      w.clock.Now,
		Rand:     func() float64 { return 0.5 }, // no jitter: exact times
	})
	t.Cleanup(w.poller.Close)
	return w
}

func (w *world) cycle(t *testing.T) feeds.CycleStats {
	t.Helper()
	st, err := w.poller.Cycle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (w *world) socialItems(t *testing.T) []models.TimelineItem {
	t.Helper()
	page, err := w.db.Timeline(context.Background(), w.actor, models.TimelineOptions{ContactID: w.contact.ID, Kinds: []models.TimelineKind{"social"}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func (w *world) feedHealth(t *testing.T) *models.SocialFeed {
	t.Helper()
	pf, err := w.db.FeedsOfContact(context.Background(), w.actor, w.contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pf) != 1 || pf[0].Feed == nil {
		t.Fatalf("profile feeds: %+v", pf)
	}
	return pf[0].Feed
}

// A contact's feed is polled into their timeline; the post naming a watch
// term opens one Inbox item; later cycles, full re-fetch or 304, add
// nothing twice.
func TestPollCycleBringsPostsOnce(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		w := newWorld(t, db)
		ctx := context.Background()

		st := w.cycle(t)
		if st.Polled != 1 || st.NewItems != 2 || st.Failed != 0 {
			t.Fatalf("first cycle: %+v", st)
		}
		items := w.socialItems(t)
		if len(items) != 2 {
			t.Fatalf("%d social items on the timeline, want 2", len(items))
		}
		inbox, err := db.Inbox(ctx, w.actor, models.InboxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox.Items) != 1 || !slices.Equal(inbox.Items[0].MatchedTerms, []string{"refund"}) ||
			inbox.Items[0].ContactID == nil || *inbox.Items[0].ContactID != w.contact.ID {
			t.Fatalf("inbox: %+v", inbox.Items)
		}
		health := w.feedHealth(t)
		if health.LastSuccessAt == nil || health.LastError != "" || health.ErrorCount != 0 || health.ItemsTotal != 2 {
			t.Errorf("feed health after a good poll: %+v", health)
		}
		if want := w.clock.Now().Add(15 * time.Minute); !health.NextPollAt.Equal(want) {
			t.Errorf("next poll %v, want %v", health.NextPollAt, want)
		}

		// Not due yet: nothing fetched.
		if st := w.cycle(t); st.Polled != 0 || len(w.feed.sent()) != 1 {
			t.Fatalf("a cycle before the feed is due polled %d (%d requests)", st.Polled, len(w.feed.sent()))
		}

		// Due, and the server ignores our ETag: the whole feed again.
		w.clock.Add(16 * time.Minute)
		w.feed.set(0, true)
		if st := w.cycle(t); st.Polled != 1 || st.NewItems != 0 {
			t.Fatalf("full re-fetch: %+v", st)
		}
		// Due, and the server honours it: a 304.
		w.clock.Add(16 * time.Minute)
		w.feed.set(0, false)
		if st := w.cycle(t); st.Polled != 1 || st.Unchanged != 1 || st.NewItems != 0 {
			t.Fatalf("conditional re-fetch: %+v", st)
		}
		sent := w.feed.sent()
		if got := sent[len(sent)-1].Get("If-None-Match"); got != `"alice-1"` {
			t.Errorf("the last poll sent If-None-Match %q", got)
		}
		if n := len(w.socialItems(t)); n != 2 {
			t.Errorf("%d social items after three polls, want 2", n)
		}
		if inbox, _ := db.Inbox(ctx, w.actor, models.InboxOptions{}); len(inbox.Items) != 1 {
			t.Errorf("%d inbox items after three polls, want 1", len(inbox.Items))
		}
	})
}

// Failures are recorded on the feed in words, and each one in a row
// doubles the wait; a 429's Retry-After pushes it further; a success
// clears the count.
func TestPollFailuresBackOff(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		w := newWorld(t, db)
		w.feed.set(http.StatusInternalServerError, false)
		for i, wait := range []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour} {
			if st := w.cycle(t); st.Failed != 1 {
				t.Fatalf("poll %d: %+v", i+1, st)
			}
			h := w.feedHealth(t)
			if h.LastError != "the server answered 500 Internal Server Error" || h.ErrorCount != i+1 {
				t.Fatalf("poll %d: error %q, count %d", i+1, h.LastError, h.ErrorCount)
			}
			if want := w.clock.Now().Add(wait); !h.NextPollAt.Equal(want) {
				t.Errorf("poll %d: next poll %v, want %v (after %v)", i+1, h.NextPollAt, want, wait)
			}
			w.clock.Add(wait + time.Second)
		}
		w.feed.set(0, false)
		if st := w.cycle(t); st.NewItems != 2 {
			t.Fatalf("recovery: %+v", st)
		}
		if h := w.feedHealth(t); h.ErrorCount != 0 || h.LastError != "" {
			t.Errorf("after recovering: %+v", h)
		}
	})
}

// Without the allow-list, a feed on loopback is refused and the refusal
// is what the profile shows.
func TestPollRefusesInternalFeed(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		w := newWorld(t, db)
		w.poller = feeds.New(db, feeds.Options{Now: w.clock.Now})
		t.Cleanup(w.poller.Close)
		if st := w.cycle(t); st.Failed != 1 {
			t.Fatalf("cycle: %+v", st)
		}
		if h := w.feedHealth(t); h.LastError != "refused: 127.0.0.1 is a loopback address" {
			t.Errorf("last error %q", h.LastError)
		}
		if len(w.feed.sent()) != 0 {
			t.Error("the refused server was contacted")
		}
	})
}

// A poller that claimed a feed and died, or died after storing its posts
// but before recording the poll, holds the feed only until its lease
// expires; the next poll stores nothing twice.
func TestPollAfterCrashDuplicatesNothing(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		w := newWorld(t, db)
		ctx := context.Background()
		if _, _, err := db.SyncSocialFeeds(ctx); err != nil {
			t.Fatal(err)
		}
		// The dead poller claims the feed and stores its posts.
		claimed, err := db.ClaimDueFeeds(ctx, "dead-poller", w.clock.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %d feeds", err, len(claimed))
		}
		posts, err := feeds.Parse(readFixture(t, "mastodon.rss"), "application/rss+xml", w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		posts[0].Network = "mastodon"
		if _, err := db.IngestSocialPosts(ctx, models.System, posts[:1], models.IngestOptions{FeedID: claimed[0].ID, Source: models.TimelineSourceFeed}); err != nil {
			t.Fatal(err)
		}
		// Its lease holds: the live poller leaves the feed alone.
		if st := w.cycle(t); st.Polled != 0 {
			t.Fatalf("a leased feed was polled: %+v", st)
		}
		// Its lease expired: polled, and only the post it had not stored is new.
		w.clock.Add(2 * time.Minute)
		if st := w.cycle(t); st.Polled != 1 || st.NewItems != 1 {
			t.Fatalf("after the lease: %+v", st)
		}
		if n := len(w.socialItems(t)); n != 2 {
			t.Errorf("%d social items, want 2", n)
		}
		if inbox, _ := db.Inbox(ctx, w.actor, models.InboxOptions{}); len(inbox.Items) != 1 {
			t.Errorf("%d inbox items, want 1", len(inbox.Items))
		}
		// The dead poller coming back cannot overwrite the record.
		err = db.RecordFeedPoll(ctx, claimed[0].ID, "dead-poller", models.FeedPoll{Status: 500, Err: "stale", NextPollAt: w.clock.Now()})
		if !errors.Is(err, models.ErrLeaseLost) || w.feedHealth(t).LastError == "stale" {
			t.Errorf("a poller whose lease expired recorded a poll: %v", err)
		}
	})
}

// The cycle job requeues itself once, 30 s on, however many instances
// register it; "poll now" fetches a feed that is not due within moments.
func TestPollJobChainAndPollNow(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		w := newWorld(t, db)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cfg := &config.Config{
			FeedAllowHosts: []string{w.feed.Listener.Addr().String()}, FeedInterval: 15 * time.Minute,
			FeedTimeout: 5 * time.Second, FeedMaxBytes: 1 << 20, BaseURL: "http://crm.test",
		}
		r := jobs.New(db, jobs.Options{Workers: 2, PollInterval: 50 * time.Millisecond})
		feeds.Register(ctx, db, r, cfg, "test", nil)
		feeds.Register(ctx, db, r, cfg, "test", nil) // a second instance starting
		rctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- r.Run(rctx) }()
		defer func() { stop(); <-done }()

		jobsOf := func(kind, status string) []models.Job {
			js, err := db.Jobs(ctx, models.JobListOptions{Kind: kind, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			return js
		}
		waitFor(t, func() bool { return len(jobsOf(feeds.Kind, models.JobSucceeded)) > 0 })
		if n := len(w.socialItems(t)); n != 2 {
			t.Fatalf("%d social items after the first cycle, want 2", n)
		}
		next := jobsOf(feeds.Kind, models.JobQueued)
		if len(next) != 1 {
			t.Fatalf("%d queued cycles after a run, want 1", len(next))
		}
		if wait := time.Until(next[0].RunAt); wait < 15*time.Second || wait > 45*time.Second {
			t.Errorf("next cycle in %v, want about %v", wait, feeds.CycleInterval)
		}

		// Poll now: the feed is not due for 15 minutes.
		before := len(w.feed.sent())
		h := w.feedHealth(t)
		if err := db.PollFeedNow(ctx, w.actor, h.ID); err != nil {
			t.Fatal(err)
		}
		if err := feeds.QueuePollNow(ctx, db, r); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { return len(w.feed.sent()) > before })
		waitFor(t, func() bool { return len(jobsOf(feeds.KindNow, models.JobSucceeded)) == 1 })
		if n := len(jobsOf(feeds.Kind, models.JobQueued)); n != 1 {
			t.Errorf("%d queued cycles after a poll now, want still 1", n)
		}
	})
}
