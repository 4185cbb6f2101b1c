package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestMetricsAndProfilingAreAdminOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		member, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		if r := member.Get("/metrics"); r.Status != http.StatusForbidden {
			t.Fatalf("member reading metrics: %d", r.Status)
		}
		if r := srv.NewClient(t).Get("/debug/pprof"); r.Status != http.StatusSeeOther {
			t.Fatalf("anonymous pprof: %d", r.Status)
		}
		kind := apptest.Unique("metrics_test_kind_")
		if _, err := db.EnqueueJob(ctx, models.JobRequest{Kind: kind}); err != nil {
			t.Fatal(err)
		}
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		_, secret, err := db.CreateAPIToken(ctx, admin.ID, "prometheus", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		scraper := srv.NewClient(t)
		scraper.Bearer = secret
		member.Get("/settings") // one request to a known route, for the histogram
		// A contact that does not exist is the caller's mistake: models
		// returns its not-found error, the error handler answers 404, and
		// the histogram must count a 4xx, not a server error.
		if r := member.Get("/contacts/999999999"); r.Status != http.StatusNotFound {
			t.Fatalf("missing contact: %d", r.Status)
		}
		if r := scraper.Get("/api/v1/contacts/999999999"); r.Status != http.StatusNotFound {
			t.Fatalf("missing contact through the API: %d", r.Status)
		}
		r := scraper.Get("/metrics")
		if r.Status != http.StatusOK {
			t.Fatalf("metrics with admin token: %d %s", r.Status, r.Body)
		}
		for _, want := range []string{
			`rapport_http_request_duration_seconds_count{method="GET",route="/settings",status="2xx"}`,
			`rapport_http_request_duration_seconds_count{method="GET",route="/contacts/:id",status="4xx"}`,
			`rapport_http_request_duration_seconds_count{method="GET",route="/api/v1/contacts/:id",status="4xx"}`,
			`rapport_jobs{kind="` + kind + `",status="queued"} 1`,
			"go_goroutines",
		} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if strings.Contains(r.Body, `status="5xx"`) {
			t.Error("a missing contact was counted as a server error")
		}
		if strings.Contains(r.Body, `route="/contacts/9`) {
			t.Error("routes must be labelled by pattern")
		}
		if r := scraper.Get("/debug/pprof"); r.Status != http.StatusOK || !strings.Contains(r.Body, "goroutine") {
			t.Fatalf("pprof index for admin: %d", r.Status)
		}
	})
}
