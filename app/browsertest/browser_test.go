package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// navLabels is the main navigation every signed-in user has.
var navLabels = []string{"Today", "Contacts", "Inbox", "Tasks", "Import/Export", "Settings"}

const (
	setupSubmit  = "form[action='/setup'] button[type=submit]"
	signInSubmit = "form[action='/signin'] button[type=submit]"
	signOut      = "#mainnav form[action='/signout'] button[type=submit]"
)

// A new install sends its first visitor to set up, explains a bad field
// without losing what was typed, and ends signed in on Today.
func TestFirstRunSetup(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		p := b.Open(t, apptest.Start(t, db).URL, browsertest.Desktop)

		p.Go("/")
		if path := p.Path(); path != "/setup" {
			t.Fatalf("a fresh install should open on /setup, not %s", path)
		}
		if p.Visible("#mainnav") {
			t.Error("setup shows the navigation before anyone can sign in")
		}
		p.Screenshot("setup-form")

		p.AllowStatus(http.StatusUnprocessableEntity, "/setup")
		p.Fill("#f-name", "Ada Admin")
		p.Fill("#f-email", "ada@example.com")
		p.Fill("#f-password", "short")
		if status := p.ClickAndLoad(setupSubmit); status != http.StatusUnprocessableEntity {
			t.Fatalf("a too-short password: status %d, want 422", status)
		}
		if msg := p.Text("#f-password-error"); !strings.Contains(msg, "at least 10 characters") {
			t.Errorf("password error = %q, want it to say the minimum length", msg)
		}
		if invalid := browsertest.Eval[string](p, `document.querySelector("#f-password").getAttribute("aria-invalid")`); invalid != "true" {
			t.Errorf("the password field is not marked aria-invalid (%q)", invalid)
		}
		if alert := p.Text("[role=alert]"); alert == "" {
			t.Error("no summary of the errors above the form")
		}
		if name := p.Value("#f-name"); name != "Ada Admin" {
			t.Errorf("the typed name was lost: %q", name)
		}
		if email := p.Value("#f-email"); email != "ada@example.com" {
			t.Errorf("the typed email was lost: %q", email)
		}
		p.Screenshot("setup-short-password")

		p.Fill("#f-password", apptest.Password)
		p.Fill("#f-departments", "Sales\nSupport\nBilling")
		p.Fill("#f-my_department", "Support")
		if status := p.ClickAndLoad(setupSubmit); status != http.StatusOK {
			t.Fatalf("setup: ended on %s with status %d: %s", p.Path(), status, p.Text("main"))
		}
		if path := p.Path(); path != "/" {
			t.Errorf("after setup the admin lands on %s, want Today (/)", path)
		}
		if h1 := p.Text("h1"); !strings.Contains(h1, "Ada Admin") {
			t.Errorf("Today's heading = %q, want the admin's name", h1)
		}
		if flash := p.Text("#flash"); !strings.Contains(flash, "Rapport is ready") {
			t.Errorf("flash = %q, want the welcome message", flash)
		}
		checkNavigation(t, p)
		if current := p.Text("#mainnav a[aria-current=page]"); current != "Today" {
			t.Errorf("the navigation marks %q as the current page, want Today", current)
		}
		if p.Visible(".nav-toggle") {
			t.Error("the Menu button shows on a desktop screen")
		}
		p.Screenshot("today")
	})
}

// A user signs out, gets the password wrong, and signs in again with
// "Keep me signed in", which makes the session outlive the browser.
func TestSignOutAndIn(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		p := b.Open(t, srv.URL, browsertest.Desktop)

		p.SignIn(u.Email, apptest.Password)
		if c, ok := p.Cookie("rapport_session"); !ok || !c.Session {
			t.Errorf("without Keep me signed in the session cookie should end with the browser: %+v", c)
		}

		if status := p.ClickAndLoad(signOut); status != http.StatusOK {
			t.Fatalf("sign out: status %d", status)
		}
		if path := p.Path(); path != "/signin" {
			t.Errorf("sign out lands on %s, want /signin", path)
		}
		if p.Visible("#mainnav") {
			t.Error("the navigation still shows after signing out")
		}
		p.Screenshot("signed-out")

		p.Go("/")
		if path := p.Path(); !strings.HasPrefix(path, "/signin") {
			t.Fatalf("after signing out / should ask to sign in, it shows %s", path)
		}

		p.AllowStatus(http.StatusUnauthorized, "/signin")
		p.Fill("#f-email", u.Email)
		p.Fill("#f-password", "not the password")
		if status := p.ClickAndLoad(signInSubmit); status != http.StatusUnauthorized {
			t.Fatalf("a wrong password: status %d, want 401", status)
		}
		if msg := p.Text("[role=alert]"); !strings.Contains(msg, "do not match") {
			t.Errorf("wrong password message = %q", msg)
		}
		if email := p.Value("#f-email"); email != u.Email {
			t.Errorf("the typed email was lost: %q", email)
		}
		if focus := p.Focused(); !strings.HasPrefix(focus, "input#f-password") {
			t.Errorf("after a wrong password the focus is on %s, want the password field", focus)
		}
		p.Screenshot("wrong-password")

		p.Fill("#f-password", apptest.Password)
		p.Click("label.checkbox") // the label, not the box: it must toggle it too
		if !browsertest.Eval[bool](p, `document.querySelector("input[name=remember]").checked`) {
			t.Fatal("clicking \"Keep me signed in\" did not tick the box")
		}
		p.Screenshot("keep-signed-in")
		if status := p.ClickAndLoad(signInSubmit); status != http.StatusOK {
			t.Fatalf("sign in: ended on %s with status %d: %s", p.Path(), status, p.Text("main"))
		}
		if path := p.Path(); path != "/" {
			t.Errorf("sign in lands on %s, want /", path)
		}
		if h1 := p.Text("h1"); !strings.Contains(h1, u.Name) {
			t.Errorf("Today's heading = %q, want %s", h1, u.Name)
		}
		c, ok := p.Cookie("rapport_session")
		if !ok || c.Session || time.Until(time.Unix(int64(c.Expires), 0)) < 24*time.Hour {
			t.Errorf("with Keep me signed in the session cookie should last for days: %+v", c)
		}
		p.Screenshot("today")
	})
}

// On a phone the navigation folds behind a Menu button, and no page makes
// the user scroll sideways.
func TestPhoneNavigation(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		p := b.Open(t, srv.URL, browsertest.Phone)

		p.Go("/setup")
		p.CheckFits()
		p.Screenshot("setup")

		u := apptest.User(t, db, models.RoleAdmin, "Support")
		p.Go("/signin")
		p.CheckFits()
		p.Screenshot("signin")

		p.SignIn(u.Email, apptest.Password)
		p.CheckFits()
		if p.Visible("#mainnav") {
			t.Error("on a phone the navigation should be folded away until Menu is pressed")
		}
		if !p.Visible(".nav-toggle") {
			t.Fatal("no Menu button on a phone")
		}
		if expanded := menuExpanded(p); expanded != "false" {
			t.Errorf("the closed Menu button has aria-expanded=%q", expanded)
		}
		p.Screenshot("menu-closed")

		p.Click(".nav-toggle")
		if expanded := menuExpanded(p); expanded != "true" {
			t.Errorf("the open Menu button has aria-expanded=%q", expanded)
		}
		checkNavigation(t, p)
		if !p.Visible(signOut) {
			t.Error("the open menu has no visible Sign out button")
		}
		p.CheckFits()
		p.Screenshot("menu-open")

		if status := p.ClickAndLoad("#mainnav a[href='/contacts']"); status != http.StatusOK {
			t.Fatalf("Contacts from the menu: status %d", status)
		}
		if path := p.Path(); path != "/contacts" {
			t.Errorf("the Contacts link leads to %s", path)
		}
		if p.Visible("#mainnav") {
			t.Error("the menu is still open on the next page")
		}
		p.CheckFits()
		p.Screenshot("contacts")

		p.AllowStatus(http.StatusNotFound, "/no-such-page")
		p.Go("/no-such-page")
		p.CheckFits()
		p.Screenshot("not-found")
	})
}

// An unknown address shows Rapport's own 404 page, inside the layout, with
// a way back. A visitor who is not signed in is first asked to sign in, so
// the app does not tell strangers which addresses exist.
func TestNotFoundPage(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		p := b.Open(t, srv.URL, browsertest.Desktop)

		p.Go("/no-such-page")
		if path := p.Path(); path != "/signin?next=%2Fno-such-page" {
			t.Fatalf("an unknown page, signed out, shows %s; want the sign-in form", path)
		}
		p.AllowStatus(http.StatusNotFound, "/no-such-page")
		p.Fill("#f-email", u.Email)
		p.Fill("#f-password", apptest.Password)
		if status := p.ClickAndLoad(signInSubmit); status != http.StatusNotFound {
			t.Fatalf("signed in, an unknown page answers %d, want 404", status)
		}
		if path := p.Path(); path != "/no-such-page" {
			t.Errorf("signing in leads to %s, want back to /no-such-page", path)
		}
		if title := browsertest.Eval[string](p, `document.title`); title != "Page not found · Rapport" {
			t.Errorf("title = %q", title)
		}
		if code := p.Text(".error-page .code"); code != "404" {
			t.Errorf("the error page shows code %q", code)
		}
		if h1 := p.Text("h1"); h1 != "Page not found" {
			t.Errorf("heading = %q", h1)
		}
		for _, sel := range []string{"header.topbar", ".brand", "footer.site", "main#main"} {
			if !p.Visible(sel) {
				t.Errorf("the 404 page lacks the layout's %s", sel)
			}
		}
		checkNavigation(t, p)
		p.Screenshot("not-found")

		p.ClickAndLoad(".error-page a.btn")
		if path := p.Path(); path != "/" {
			t.Errorf("Back to Rapport leads to %s, want /", path)
		}
	})
}

// A keyboard user's first Tab reaches the skip link, which then shows, and
// following it moves the focus to the page's content.
func TestKeyboardSkipLink(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)

		for _, path := range []string{"/", "/contacts"} {
			p.Go(path)
			if p.Visible(".skip-link") {
				t.Errorf("%s: the skip link shows before it has the focus", path)
			}
			p.Press(kb.Tab)
			if focus := p.Focused(); !strings.HasPrefix(focus, "a.skip-link") {
				t.Fatalf("%s: the first Tab focuses %s, want the skip link", path, focus)
			}
			if !p.Visible(".skip-link") {
				t.Errorf("%s: the focused skip link is not visible", path)
			}
			if !browsertest.Eval[bool](p, `(() => {
				const r = document.querySelector(".skip-link").getBoundingClientRect();
				return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
			})()`) {
				t.Errorf("%s: the focused skip link is not inside the window", path)
			}
		}
		p.Screenshot("skip-link-focused")

		p.Press(kb.Enter)
		if focus := p.Focused(); !strings.HasPrefix(focus, "main#main") {
			t.Errorf("following the skip link focuses %s, want main", focus)
		}
		if p.Visible(".skip-link") {
			t.Error("the skip link stays visible after it was followed")
		}
	})
}

// The checks above are only as good as the page's watch: a page that breaks
// the rules must be caught.
func TestPageReportsProblems(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>broken</title>
<script>window.inline = true</script><script src="/app.js"></script></head>
<body><p style="color: red">text</p><img src="/missing.png" alt=""></body></html>`)
	})
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `console.error("boom"); setTimeout(() => { throw new Error("kaput") }, 0);`)
	})
	mux.HandleFunc("/missing.png", http.NotFound)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	p := browsertest.Launch(t).Open(t, srv.URL, browsertest.Desktop)
	p.Go("/")
	wants := []string{"inline script", "inline style", "console.error: boom", "kaput", "HTTP 404 " + srv.URL + "/missing.png"}
	var problems, missing []string
	// The exception comes from a timer, so it may come after the load.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		problems = append(problems, p.TakeProblems()...)
		missing = slices.DeleteFunc(slices.Clone(wants), func(want string) bool {
			return slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, want) })
		})
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(missing) > 0 {
		t.Errorf("nothing reported about %q; reported:\n  %s", missing, strings.Join(problems, "\n  "))
	}
}

// checkNavigation fails t unless every main navigation link is visible, in
// order. Admins may see more links among them.
func checkNavigation(t *testing.T, p *browsertest.Page) {
	t.Helper()
	got := p.VisibleTexts("#mainnav a")
	common := slices.DeleteFunc(slices.Clone(got), func(label string) bool { return !slices.Contains(navLabels, label) })
	if !slices.Equal(common, navLabels) {
		t.Errorf("visible navigation = %q, want %q among them", got, navLabels)
	}
}

func menuExpanded(p *browsertest.Page) string {
	return browsertest.Eval[string](p, `document.querySelector(".nav-toggle").getAttribute("aria-expanded")`)
}
