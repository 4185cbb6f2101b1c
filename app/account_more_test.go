package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// Behind https (the base URL says so), session and CSRF cookies must carry
// Secure, and responses HSTS.
func TestCookiesAreSecureBehindHTTPS(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db, "RAPPORT_BASE_URL", "https://crm.example.com")
		u := apptest.User(t, db, models.RoleMember, "Sales")
		c := srv.NewClient(t)
		// As a TLS-terminating proxy forwards it; HSTS only means something
		// over https.
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/signin", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		page := c.Do(req)
		if !strings.Contains(page.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Error("no HSTS header behind https")
		}
		r := c.PostForm("/signin", url.Values{"email": {u.Email}, "password": {apptest.Password}})
		for _, name := range []string{"rapport_session", "rapport_csrf"} {
			ck := findCookie(r, name)
			if ck == nil {
				ck = findCookie(page, name)
			}
			if ck == nil || !ck.Secure || !ck.HttpOnly {
				t.Errorf("cookie %s: %+v, want Secure and HttpOnly", name, ck)
			}
		}
	})
}

// A burst of wrong passwords from one address across many accounts is
// refused for that address, even though no single account reached its limit.
func TestSignInThrottledPerAddress(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales") // completes setup, so /signin is served
		c := srv.NewClient(t)
		c.Get("/signin")
		var last *apptest.Response
		for i := range models.AddressThrottle.Free + 1 {
			last = c.PostForm("/signin", url.Values{"email": {apptest.Unique("spray") + "@example.com"}, "password": {"Winter2026!"}})
			if i < models.AddressThrottle.Free-1 && last.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, last.Status)
			}
		}
		if last.Status != http.StatusTooManyRequests {
			t.Fatalf("password spraying from one address not refused: %d", last.Status)
		}
		// A real user signing in from elsewhere is unaffected (tests run on
		// one address, so check the model: the account key is not blocked).
		until, err := db.SignInBlockedUntil(t.Context(), "account:"+models.EmailKey(u.Email))
		if err != nil || !until.IsZero() {
			t.Fatalf("an untouched account is blocked: %v %v", until, err)
		}
	})
}
