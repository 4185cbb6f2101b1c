package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// BenchmarkTimelinePageParallel serves a contact's first timeline page, the
// htmx fragment that rapport bench's throughput figure asks for, from many
// goroutines at once (4 per CPU) through the whole handler stack with a
// signed-in session. It calls the handler without a socket, so what it
// times is the server's own work per page: middleware, session,
// authorisation, the queries and rendering. statements/op is the round trips
// each page makes; cpu-µs/op is the CPU this process spent per page, which
// other work on a shared machine moves less than ns/op (the Postgres
// server's own CPU is not in it).
func BenchmarkTimelinePageParallel(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Shared(b, dialect)
			ctx := context.Background()
			srv := apptest.Start(b, db)
			c, u := srv.SignedIn(b, models.RoleMember, "Sales")
			a := u.Actor("bench")
			ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Bench", FamilyName: apptest.Unique("Timeline"),
				Emails: []models.EmailInput{{Address: apptest.Unique("bench") + "@example.com"}}})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 100 {
				if _, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound,
					ContactIDs: []int64{ct.ID}, OccurredAt: time.Now().Add(-time.Duration(i) * time.Hour), Subject: fmt.Sprintf("Call %d", i)}); err != nil {
					b.Fatal(err)
				}
			}
			cookies := c.Cookies(srv.URL)
			h := srv.App.Handler()
			path := fmt.Sprintf("/contacts/%d/timeline", ct.ID)
			page := func() (int, int) {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				// What a browser's htmx request carries; Go's client asks
				// for gzip too, as rapport bench's does.
				req.Header.Set("HX-Request", "true")
				req.Header.Set("Accept-Encoding", "gzip")
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				return w.Code, w.Body.Len()
			}
			status, size := page()
			if status != http.StatusOK {
				b.Fatalf("timeline page: %d", status)
			}
			before, cpu := db.Statements(), processCPU()
			b.ResetTimer()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if status, _ := page(); status != http.StatusOK {
						b.Errorf("timeline page: %d", status)
						return
					}
				}
			})
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			b.ReportMetric(float64(db.Statements()-before)/float64(b.N), "statements/op")
			b.ReportMetric(float64(size), "body-bytes")
		})
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
