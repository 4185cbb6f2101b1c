package app_test

import (
	"net/http"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// BenchmarkSignedInPage measures one signed-in page through the whole
// middleware stack: session load, CSRF, user lookup, render.
func BenchmarkSignedInPage(b *testing.B) {
	for _, d := range dbtest.Dialects {
		b.Run(d, func(b *testing.B) {
			db := dbtest.Shared(b, d)
			srv := apptest.Start(b, db)
			c, _ := srv.SignedIn(b, models.RoleMember, "Sales")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if r := c.Get("/settings"); r.Status != http.StatusOK {
					b.Fatalf("status %d", r.Status)
				}
			}
		})
	}
}
