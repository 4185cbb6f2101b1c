package feeds_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/feeds"
	"rapport/models"
	"rapport/models/dbtest"
)

// Environment of the child poller process.
const (
	crashChildEnv = "RAPPORT_FEEDS_CRASH_CHILD"
	crashDBEnv    = "RAPPORT_FEEDS_CRASH_DB"
	crashAllowEnv = "RAPPORT_FEEDS_CRASH_ALLOW"
)

// crashChild is the poller the crash test kills: one cycle over the
// database it is given, as the job would run it.
func crashChild() int {
	ctx := context.Background()
	db, err := models.Open(ctx, os.Getenv(crashDBEnv), models.Options{MaxOpenConns: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer db.Close()
	p := feeds.New(db, feeds.Options{
		Fetch: feeds.FetchOptions{AllowHosts: []string{os.Getenv(crashAllowEnv)}, Timeout: 5 * time.Second},
		Owner: "doomed-poller",
	})
	if _, err := p.Cycle(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// A poller process killed with SIGKILL in the middle of a cycle (posts of
// some feeds stored and recorded, some stored but not recorded, some
// mid-transaction) loses nothing and doubles nothing: once its leases
// expire the next poller polls what it left, and dedup keeps the posts it
// had stored from coming twice (issue #10).
func TestPollerKilledMidCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a poller process and kills it")
	}
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, dbURL string) {
		ctx := context.Background()
		const nFeeds, postsPerFeed, killAfter = 60, 3, 20
		var served atomic.Int32
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/f/"), ".rss")
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>`, name)
			for k := range postsPerFeed {
				text := "Lovely day"
				if k == 0 {
					text = "Where is my refund?"
				}
				fmt.Fprintf(w, `<item><guid>https://social.example/%s/%d</guid><pubDate>Thu, 03 Dec 2026 09:3%d:00 +0000</pubDate>`+
					`<description>%s</description></item>`, name, k, k, text)
			}
			fmt.Fprint(w, `</channel></rss>`)
			served.Add(1)
		})
		actor := apptest.User(t, db, models.RoleAdmin, "Support").Actor("session")
		if _, err := db.CreateWatchTerm(ctx, actor, models.WatchTermInput{Term: "refund"}); err != nil {
			t.Fatal(err)
		}
		contacts := make([]int64, nFeeds)
		for i := range nFeeds {
			c, err := db.CreateContact(ctx, actor, models.ContactRequest{GivenName: "Crash", FamilyName: fmt.Sprint(i),
				SocialProfiles: []models.SocialProfileInput{{
					URL: fmt.Sprintf("%s/u/%d", srv.URL, i), Network: "mastodon", FeedURL: fmt.Sprintf("%s/f/%d.rss", srv.URL, i),
				}}})
			if err != nil {
				t.Fatal(err)
			}
			contacts[i] = c.ID
		}

		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), crashChildEnv+"=1", crashDBEnv+"="+dbURL, crashAllowEnv+"="+srv.Listener.Addr().String())
		var stderr strings.Builder
		child.Stderr = &stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { return served.Load() >= killAfter })
		if err := child.Process.Kill(); err != nil { // SIGKILL: no deferred cleanup, no lease released
			t.Fatal(err)
		}
		if err := child.Wait(); err == nil {
			t.Fatalf("the poller finished its cycle before it was killed (%d feeds served); %s", served.Load(), stderr.String())
		}

		// Past the dead poller's leases, another poller finishes the work.
		p := feeds.New(db, feeds.Options{
			Fetch: feeds.FetchOptions{AllowHosts: []string{srv.Listener.Addr().String()}, Timeout: 5 * time.Second},
			Now:   func() time.Time { return time.Now().Add(10 * time.Minute) },
		})
		t.Cleanup(p.Close)
		st, err := p.Cycle(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Polled == 0 || st.Polled == nFeeds {
			t.Errorf("after the crash %d of %d feeds were left to poll; the kill should land mid-cycle", st.Polled, nFeeds)
		}
		for i, id := range contacts {
			page, err := db.Timeline(ctx, actor, models.TimelineOptions{ContactID: id, Kinds: []models.TimelineKind{"social"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != postsPerFeed {
				t.Errorf("feed %d: %d posts on the timeline, want %d", i, len(page.Items), postsPerFeed)
			}
		}
		inbox, err := db.Inbox(ctx, actor, models.InboxOptions{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox.Items) != nFeeds {
			t.Errorf("%d inbox items, want one per feed (%d)", len(inbox.Items), nFeeds)
		}
		t.Logf("killed after %d fetches; the next poller polled %d feeds and stored %d posts", killAfter, st.Polled, st.NewItems)
	})
}
