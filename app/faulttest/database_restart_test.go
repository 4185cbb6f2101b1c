package faulttest_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/faulttest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Postgres restarts while Rapport serves: /readyz says so at once, requests
// get a clear 503 quickly instead of hanging, and Rapport recovers by itself
// when the database is back — no restart of Rapport needed.
func TestPostgresRestartWhileServing(t *testing.T) {
	direct := dbtest.FreshURL(t, "postgres")
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faulttest.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	ctx := context.Background()
	db, err := models.Open(ctx, u.String(), models.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv := apptest.Start(t, db)
	c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
	if r := c.Get("/contacts"); r.Status != http.StatusOK {
		t.Fatalf("before the outage: %d", r.Status)
	}

	proxy.Down()
	start := time.Now()
	r := c.Get("/readyz")
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("readyz during the outage: %d %s", r.Status, r.Body)
	}
	r = c.Get("/contacts")
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "database is not answering") {
		t.Fatalf("a page during the outage: %d %.300s", r.Status, r.Body)
	}
	api := c.Get("/api/v1/me")
	if api.Status != http.StatusServiceUnavailable || api.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("the API during the outage: %d %s", api.Status, api.Body)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("requests during the outage took %v; they must fail fast, not hang", took)
	}
	if r := c.Get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("the process is alive while the database is down: %d", r.Status)
	}

	proxy.Up(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := c.Get("/contacts")
		if r.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Rapport did not recover after the database came back: %d", r.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := c.Get("/readyz"); r.Status != http.StatusOK {
		t.Fatalf("readyz after recovery: %d", r.Status)
	}
	// The session made before the outage still works: nothing was lost.
	if r := c.PostForm("/contacts", url.Values{"given_name": {"After"}, "family_name": {"Outage"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("writing after recovery: %d", r.Status)
	}
}
