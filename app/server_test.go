package app_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestHealthAndReadiness(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c := srv.NewClient(t)
		if r := c.Get("/healthz"); r.Status != http.StatusOK || !strings.Contains(r.Body, `"ok"`) {
			t.Fatalf("healthz: %d %s", r.Status, r.Body)
		}
		r := c.Get("/readyz")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, db.Dialect()) {
			t.Fatalf("readyz: %d %s", r.Status, r.Body)
		}
	})
}

func TestReadinessReportsDatabaseDown(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		c := srv.NewClient(t)
		db.Close()
		r := c.Get("/readyz")
		if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
			t.Fatalf("readyz with database closed: %d %s", r.Status, r.Body)
		}
		if r := c.Get("/healthz"); r.Status != http.StatusOK {
			t.Fatalf("healthz must stay up while the database is down: %d", r.Status)
		}
	})
}

var assetRef = regexp.MustCompile(`href="(/static/[0-9a-f]{12}/css/app\.css)"`)

func TestStaticAssetsAreEmbeddedAndCacheBusted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		page := c.Get("/")
		m := assetRef.FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("page links no checksummed stylesheet: %.500s", page.Body)
		}
		css := c.Get(m[1])
		if css.Status != http.StatusOK || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("stylesheet: %d %s", css.Status, css.Header.Get("Content-Type"))
		}
		if !strings.Contains(css.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("current asset should be cached for good, got %q", css.Header.Get("Cache-Control"))
		}
		stale := c.Get("/static/000000000000/css/app.css")
		if stale.Status != http.StatusOK || stale.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("stale checksum: %d %q", stale.Status, stale.Header.Get("Cache-Control"))
		}
		if !strings.Contains(page.Body, "/vendor/htmx-2.0.11.min.js") {
			t.Errorf("htmx is not served from static/")
		}
		if c.Get("/static/abc/nope.css").Status != http.StatusNotFound {
			t.Errorf("unknown asset should be 404")
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		r := srv.NewClient(t).Get("/signin")
		for h, want := range map[string]string{
			"Content-Security-Policy": "script-src 'self'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
		} {
			if !strings.Contains(r.Header.Get(h), want) {
				t.Errorf("%s = %q, want it to contain %q", h, r.Header.Get(h), want)
			}
		}
		if r.Header.Get("X-Request-Id") == "" {
			t.Error("no request id")
		}
	})
}

func TestErrorsLookLikeTheAppAndAPIGetsProblemJSON(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		r := c.Get("/no/such/page")
		if r.Status != http.StatusNotFound || !strings.Contains(r.Body, "Page not found") || !strings.Contains(r.Body, `class="topbar"`) {
			t.Fatalf("404 page: %d %.300s", r.Status, r.Body)
		}
		api := c.Get("/api/v1/nothing-here")
		if api.Status != http.StatusNotFound || api.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("API 404: %d %s %s", api.Status, api.Header.Get("Content-Type"), api.Body)
		}
		var p struct {
			Type, Title, Detail, Instance string
			Status                        int
		}
		api.Decode(t, &p)
		if p.Status != 404 || p.Title != "Not Found" || p.Instance != "/api/v1/nothing-here" || p.Type == "" {
			t.Errorf("problem: %+v", p)
		}
		anon := srv.NewClient(t).Get("/api/v1/me")
		if anon.Status != http.StatusUnauthorized || anon.Header.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(anon.Body, "Bearer") {
			t.Errorf("anonymous API: %d %s", anon.Status, anon.Body)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db, "RAPPORT_MAX_BODY_BYTES", "2048")
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		r := c.JSON(http.MethodPost, "/api/v1/me", map[string]string{"x": strings.Repeat("a", 5000)})
		if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "larger than this server accepts") {
			t.Fatalf("oversized body: %d %s", r.Status, r.Body)
		}
	})
}
