package feeds_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/feeds"
	"rapport/models"
	"rapport/models/dbtest"
)

// BenchmarkPollCycle polls 10,000 feeds (1,000 with -short), each naming
// two posts new since the last cycle, from one local server: one cycle per
// iteration, as the job runs it, with the per-host limit of two. It
// reports the posts stored per second and the CPU this process spent per
// post (fetching, parsing, storing; on SQLite the database's work too, on
// Postgres not the server's). It runs only with -bench.
func BenchmarkPollCycle(b *testing.B) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	for _, dialect := range dbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			db, _ := dbtest.Fresh(b, dialect)
			ctx := context.Background()
			var generation atomic.Int64
			srv := serve(b, func(w http.ResponseWriter, r *http.Request) {
				g := generation.Load()
				name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/f/"), ".rss")
				w.Header().Set("Content-Type", "application/rss+xml")
				fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[1]s</title><link>https://social.example/@%[1]s</link>`, name)
				for k := range 2 {
					fmt.Fprintf(w, `<item><guid>https://social.example/@%[1]s/%[2]d%[3]d</guid><link>https://social.example/@%[1]s/%[2]d%[3]d</link>`+
						`<pubDate>%[4]s</pubDate><description>&lt;p&gt;Post %[3]d of cycle %[2]d: thanks for the quick answer&lt;/p&gt;</description></item>`,
						name, g, k, time.Now().UTC().Format(time.RFC1123Z))
				}
				fmt.Fprint(w, `</channel></rss>`)
			})
			actor := apptest.User(b, db, models.RoleMember, "Support").Actor("session")
			for i := range n {
				if _, err := db.CreateContact(ctx, actor, models.ContactRequest{
					GivenName: "Feed", FamilyName: fmt.Sprint(i),
					SocialProfiles: []models.SocialProfileInput{{
						URL: fmt.Sprintf("%s/u/%d", srv.URL, i), Network: "mastodon", FeedURL: fmt.Sprintf("%s/f/%d.rss", srv.URL, i),
					}},
				}); err != nil {
					b.Fatal(err)
				}
			}
			now := time.Now().UTC().Add(time.Minute) // feeds the first cycle adds are due at the real now
			p := feeds.New(db, feeds.Options{
				Fetch:    feeds.FetchOptions{AllowHosts: []string{srv.Listener.Addr().String()}},
				Interval: 15 * time.Minute,
				Now:      func() time.Time { return now },
			})
			b.Cleanup(p.Close)
			var items int
			var took, cpu time.Duration
			for b.Loop() {
				cpu0, t0 := cpuTime(b), time.Now()
				st, err := p.Cycle(ctx)
				if err != nil {
					b.Fatal(err)
				}
				took += time.Since(t0)
				cpu += cpuTime(b) - cpu0
				if st.Polled != n || st.NewItems != 2*n {
					b.Fatalf("cycle polled %d feeds and stored %d posts, want %d and %d", st.Polled, st.NewItems, n, 2*n)
				}
				items += st.NewItems
				// The next cycle: every feed due again, with two new posts.
				b.StopTimer()
				now = now.Add(time.Hour)
				generation.Add(1)
				b.StartTimer()
			}
			b.ReportMetric(float64(items)/took.Seconds(), "items/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(items), "cpu-µs/item")
			b.ReportMetric(0, "ns/op") // a cycle's length depends on n; items/s says it
		})
	}
}

// cpuTime is the user and system CPU this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
