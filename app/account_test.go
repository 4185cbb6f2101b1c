package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func setupForm(email, password string) url.Values {
	return url.Values{"name": {"Ada Admin"}, "email": {email}, "password": {password},
		"departments": {"Sales\nSupport\n\nBilling\nsales"}, "my_department": {"Support"}}
}

func TestFirstRunSetup(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c := srv.NewClient(t)

		if r := c.Get("/"); r.Status != http.StatusSeeOther || r.Location() != "/setup" {
			t.Fatalf("fresh install should send visitors to setup: %d %q", r.Status, r.Location())
		}
		if r := c.Get("/signin"); r.Location() != "/setup" {
			t.Fatalf("sign-in before setup should send to setup, got %q", r.Location())
		}
		page := c.Get("/setup")
		for _, d := range models.SuggestedDepartments {
			if !strings.Contains(page.Body, d) {
				t.Errorf("setup does not suggest department %s", d)
			}
		}

		// A forged form (no CSRF token) changes nothing.
		if r := c.PostFormNoCSRF("/setup", setupForm("ada@example.com", apptest.Password)); r.Status != http.StatusForbidden {
			t.Fatalf("setup without CSRF token: %d", r.Status)
		}
		// Bad input: clear messages, nothing half-saved.
		r := c.PostForm("/setup", setupForm("not-an-email", "short"))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "at least 10 characters") ||
			!strings.Contains(r.Body, "name@example.com") || !strings.Contains(r.Body, `value="Ada Admin"`) {
			t.Fatalf("invalid setup: %d %.2000s", r.Status, r.Body)
		}
		if n, _ := db.CountUsers(ctx); n != 0 {
			t.Fatalf("invalid setup left %d users behind", n)
		}
		if ds, _ := db.Departments(ctx); len(ds) != 0 {
			t.Fatalf("invalid setup left departments behind: %v", ds)
		}

		r = c.PostForm("/setup", setupForm("Ada@Example.com", apptest.Password))
		if r.Status != http.StatusSeeOther || r.Location() != "/" {
			t.Fatalf("setup: %d %q %.500s", r.Status, r.Location(), r.Body)
		}
		home := c.Get("/")
		if home.Status != http.StatusOK || !strings.Contains(home.Body, "Ada Admin") || !strings.Contains(home.Body, "Rapport is ready") {
			t.Fatalf("after setup the admin should be signed in: %d %.500s", home.Status, home.Body)
		}
		ds, _ := db.Departments(ctx)
		if len(ds) != 3 {
			t.Fatalf("departments = %v, want Sales, Support, Billing once each", ds)
		}
		u, err := db.UserByEmail(ctx, "ada@example.com")
		if err != nil || u.Role != models.RoleAdmin || len(u.Departments) != 1 || u.Departments[0].Name != "Support" {
			t.Fatalf("admin = %+v, %v", u, err)
		}
		if u.PasswordHash == apptest.Password || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Fatalf("password not hashed with argon2id: %q", u.PasswordHash)
		}

		// Setup runs once: the page is gone and a second submission is refused.
		other := srv.NewClient(t)
		if r := other.Get("/setup"); r.Status != http.StatusSeeOther || r.Location() != "/signin" {
			t.Fatalf("setup page after setup: %d %q", r.Status, r.Location())
		}
		other.PostForm("/setup", setupForm("mallory@example.com", apptest.Password))
		if _, err := db.UserByEmail(ctx, "mallory@example.com"); err == nil {
			t.Fatal("a second setup created an admin")
		}
	})
}

func TestConcurrentSetupCreatesOneAdmin(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = db.CompleteSetup(context.Background(), models.SetupRequest{Name: "A", Email: apptest.Unique("a") + "@example.com",
					Password: apptest.Password, Departments: []string{"Sales"}})
			}()
		}
		wg.Wait()
		if n, _ := db.CountUsers(context.Background()); n != 1 {
			t.Fatalf("%d admins after concurrent setups, want 1", n)
		}
	})
}

func TestSignInDoesNotRevealAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		wrongPassword := srv.NewClient(t).PostForm("/signin", url.Values{"email": {u.Email}, "password": {"wrong password!"}})
		noSuchUser := srv.NewClient(t).PostForm("/signin", url.Values{"email": {apptest.Unique("ghost") + "@example.com"}, "password": {"wrong password!"}})
		if wrongPassword.Status != http.StatusUnauthorized || noSuchUser.Status != http.StatusUnauthorized {
			t.Fatalf("statuses %d and %d, want 401 for both", wrongPassword.Status, noSuchUser.Status)
		}
		msg := "That email and password do not match an account"
		if !strings.Contains(wrongPassword.Body, msg) || !strings.Contains(noSuchUser.Body, msg) {
			t.Fatal("wrong password and unknown email must get the same message")
		}
	})
}

func TestSignInSessionCookieAndRotation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		c := srv.NewClient(t)
		r := c.PostForm("/signin", url.Values{"email": {strings.ToUpper(u.Email)}, "password": {apptest.Password}, "remember": {"1"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("sign in: %d %.300s", r.Status, r.Body)
		}
		ck := findCookie(r, "rapport_session")
		if ck == nil {
			t.Fatal("no session cookie set on sign-in")
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
			t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v Secure=%v (base URL is http)", ck.HttpOnly, ck.SameSite, ck.Secure)
		}
		if ck.MaxAge <= 0 && ck.Expires.IsZero() {
			t.Error("'keep me signed in' should make the cookie persistent")
		}
		if c.Get("/").Status != http.StatusOK {
			t.Fatal("signed-in client cannot see home")
		}
		// Sign out ends the session server-side: replaying the old cookie fails.
		c.PostForm("/signout", nil)
		replay := srv.NewClient(t)
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		req.AddCookie(ck)
		if r := replay.Do(req); r.Status != http.StatusSeeOther {
			t.Fatalf("old session cookie still works after sign-out: %d", r.Status)
		}
	})
}

func TestSessionIsRotatedOnSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db, "RAPPORT_SECRET_KEY", strings.Repeat("k", 40))
		u := apptest.User(t, db, models.RoleMember, "Sales")
		c := srv.NewClient(t)
		// An anonymous session exists once a flash message is stored: a late
		// setup submission stores one.
		c.Get("/signin")
		r := c.PostForm("/setup", setupForm(apptest.Unique("late")+"@example.com", apptest.Password))
		anon := findCookie(r, "rapport_session")
		if anon == nil {
			t.Fatalf("expected an anonymous session after the flash message: %v", r.Header)
		}
		r = c.PostForm("/signin", url.Values{"email": {u.Email}, "password": {apptest.Password}})
		signed := findCookie(r, "rapport_session")
		if signed == nil || signed.Value == anon.Value {
			t.Fatalf("session id not rotated on sign-in")
		}
		// The pre-sign-in id is worthless now.
		replay := srv.NewClient(t)
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		req.AddCookie(&http.Cookie{Name: "rapport_session", Value: anon.Value})
		if r := replay.Do(req); r.Status == http.StatusOK {
			t.Fatal("the session id from before sign-in still works")
		}
	})
}

func TestSessionSurvivesServerRestart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		first := apptest.Start(t, db)
		c, _ := first.SignedIn(t, models.RoleMember, "Sales")
		r := c.Get("/")
		if r.Status != http.StatusOK {
			t.Fatal("not signed in")
		}
		second := apptest.Start(t, db) // a new process over the same database
		ck := c.Cookies(first.URL)
		c2 := second.NewClient(t)
		c2.SetCookies(second.URL, ck)
		if r := c2.Get("/"); r.Status != http.StatusOK {
			t.Fatalf("session did not survive a restart: %d %q", r.Status, r.Location())
		}
	})
}

func TestPasswordChangeSignsOutEverySession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		laptop, phone := srv.NewClient(t), srv.NewClient(t)
		laptop.SignIn(u.Email, apptest.Password)
		phone.SignIn(u.Email, apptest.Password)
		if err := db.SetPassword(context.Background(), u.ID, "a brand new passphrase"); err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]*apptest.Client{"laptop": laptop, "phone": phone} {
			if r := c.Get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/signin") {
				t.Errorf("%s still signed in after password change: %d", name, r.Status)
			}
		}
		fresh := srv.NewClient(t)
		fresh.SignIn(u.Email, "a brand new passphrase")
	})
}

func TestSignInThrottling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		c := srv.NewClient(t)
		for i := range models.AccountThrottle.Free - 1 {
			if r := c.PostForm("/signin", url.Values{"email": {u.Email}, "password": {"guess " + string(rune('a'+i))}}); r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d", i+1, r.Status)
			}
		}
		r := c.PostForm("/signin", url.Values{"email": {u.Email}, "password": {"guess last"}})
		r = c.PostForm("/signin", url.Values{"email": {u.Email}, "password": {"one more"}})
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Too many failed sign-ins") {
			t.Fatalf("burst of wrong passwords not refused: %d %.300s", r.Status, r.Body)
		}
		// While blocked even the right password is refused, and it is logged.
		if r := c.PostForm("/signin", url.Values{"email": {u.Email}, "password": {apptest.Password}}); r.Status != http.StatusTooManyRequests {
			t.Fatalf("right password during block: %d", r.Status)
		}
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		evs, err := db.AuditEvents(context.Background(), admin.Actor("session"), models.AuditListOptions{Action: "user.sign_in_failed", Limit: 200})
		if err != nil || countLabel(evs, u.Email) < models.AccountThrottle.Free {
			t.Fatalf("failed sign-ins not audited: %d, %v", countLabel(evs, u.Email), err)
		}
		// Another account from the same address is not locked out by this one.
		other := apptest.User(t, db, models.RoleMember, "Sales")
		srv.NewClient(t).SignIn(other.Email, apptest.Password)

		// The block expires: the real user is never locked out for good.
		if err := db.ClearSignInFailures(context.Background(), "account:"+models.EmailKey(u.Email)); err != nil {
			t.Fatal(err)
		}
		srv.NewClient(t).SignIn(u.Email, apptest.Password)
	})
}

func TestThrottleBlocksExpire(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		key := apptest.Unique("account:expiry")
		p := models.ThrottlePolicy{Free: 1, Window: time.Minute, MaxBlock: 300 * time.Millisecond}
		for range 3 {
			if _, err := db.RecordSignInFailure(ctx, key, p); err != nil {
				t.Fatal(err)
			}
		}
		if until, _ := db.SignInBlockedUntil(ctx, key); until.IsZero() {
			t.Fatal("not blocked after 3 failures with 1 free")
		}
		time.Sleep(400 * time.Millisecond)
		if until, _ := db.SignInBlockedUntil(ctx, key); !until.IsZero() {
			t.Fatalf("block did not expire: %v", until)
		}
	})
}

func TestCSRFProtection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		if r := c.PostFormNoCSRF("/signout", nil); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "Reload the page") {
			t.Fatalf("sign-out without token: %d", r.Status)
		}
		if r := c.PostFormNoCSRF("/signout", url.Values{"_csrf": {"forged-token-value-000000000000"}}); r.Status != http.StatusForbidden {
			t.Fatalf("sign-out with a forged token: %d", r.Status)
		}
		// A cross-site browser request is refused on its fetch metadata.
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/signout", strings.NewReader("_csrf="+c.CSRF("/")))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := c.Do(req); r.Status != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d", r.Status)
		}
		// So is one from a sibling subdomain, even with a token that
		// matches the token cookie: such a site can set that cookie.
		req, _ = http.NewRequest(http.MethodPost, srv.URL+"/signout", strings.NewReader("_csrf=planted-by-a-sibling-site-00000"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-site")
		req.AddCookie(&http.Cookie{Name: "rapport_csrf", Value: "planted-by-a-sibling-site-00000"})
		if r := c.Do(req); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "Reload the page") {
			t.Fatalf("same-site POST with a planted token: %d %.300s", r.Status, r.Body)
		}
		if c.Get("/").Status != http.StatusOK {
			t.Fatal("refused requests must not have signed the user out")
		}
		// Cookie-authenticated API writes need the header too.
		req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/v1/me", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if r := c.Do(req); r.Status != http.StatusForbidden || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("cookie API call without CSRF header: %d %s", r.Status, r.Body)
		}
		// Bearer-token calls carry no ambient credential and are exempt.
		_, secret, err := db.CreateAPIToken(context.Background(), u.ID, "test", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		api := srv.NewClient(t)
		api.Bearer = secret
		if r := api.JSON(http.MethodPost, "/api/v1/me", map[string]string{}); r.Status == http.StatusForbidden {
			t.Fatalf("bearer call refused by CSRF: %s", r.Body)
		}
		if r := c.PostForm("/signout", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("sign-out with token: %d", r.Status)
		}
	})
}

func TestAPIBearerTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleViewer, "Support")
		tok, secret, err := db.CreateAPIToken(ctx, u.ID, "script", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var stored models.APIToken
		if list, _ := db.APITokens(ctx, u.ID); len(list) == 1 {
			stored = list[0]
		}
		if stored.TokenHash == secret || strings.Contains(stored.TokenHash, secret[4:]) {
			t.Fatal("token stored in clear")
		}
		c := srv.NewClient(t)
		c.Bearer = secret
		r := c.Get("/api/v1/me")
		var me struct{ Email string }
		r.Decode(t, &me)
		if r.Status != http.StatusOK || me.Email != u.Email {
			t.Fatalf("me with token: %d %s", r.Status, r.Body)
		}
		if strings.Contains(r.Body, "argon2") || strings.Contains(r.Body, "password") {
			t.Fatalf("user JSON leaks secrets: %s", r.Body)
		}
		if _, err := db.RevokeAPIToken(ctx, u.Actor("session"), tok.ID); err != nil {
			t.Fatal(err)
		}
		if r := c.Get("/api/v1/me"); r.Status != http.StatusUnauthorized || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("revoked token: %d %s", r.Status, r.Body)
		}
		c.Bearer = "rpt_not-a-real-token"
		if r := c.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Fatalf("unknown token: %d", r.Status)
		}
		// An expired token is refused.
		_, expiring, err := db.CreateAPIToken(ctx, u.ID, "soon", time.Now().Add(300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond)
		c.Bearer = expiring
		if r := c.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Fatalf("expired token: %d", r.Status)
		}
	})
}

func TestSafeRedirectAfterSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		// Browsers drop tabs and line breaks in a Location and read "\\" as
		// "/", so each of the last five would land on evil.example.
		for next, want := range map[string]string{"/settings": "/settings", "/contacts?q=m%C3%BCller&tag=vip": "/contacts?q=m%C3%BCller&tag=vip",
			"//evil.example/x": "/", "https://evil.example": "/", "/\\evil": "/",
			"/\t/evil.example/y": "/", "/\n/evil.example": "/", "/\r\n/evil.example": "/", "\t//evil.example": "/", "/ /evil.example": "/"} {
			c := srv.NewClient(t)
			r := c.PostForm("/signin", url.Values{"email": {u.Email}, "password": {apptest.Password}, "next": {next}})
			if r.Location() != want {
				t.Errorf("next=%q redirected to %q, want %q", next, r.Location(), want)
			}
			// Signed in, the sign-in page sends the person on at once.
			if r := c.Get("/signin?next=" + url.QueryEscape(next)); r.Location() != want {
				t.Errorf("signed in, GET /signin?next=%q redirected to %q, want %q", next, r.Location(), want)
			}
		}
	})
}

func findCookie(r *apptest.Response, name string) *http.Cookie {
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func countLabel(evs []models.AuditEvent, label string) int {
	n := 0
	for _, e := range evs {
		if e.ActorLabel == label {
			n++
		}
	}
	return n
}
