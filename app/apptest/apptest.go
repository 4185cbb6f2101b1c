// Package apptest runs Rapport in tests: a server on 127.0.0.1 over a test
// database, and an HTTP client that behaves like a browser — it keeps
// cookies, reads the CSRF token from each page and sends it back with forms
// and htmx-style requests.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"rapport/app"
	"rapport/app/config"
	"rapport/models"
)

// Server is a running Rapport for one test.
type Server struct {
	URL    string
	DB     *models.DB
	Config *config.Config
	App    *app.Server
}

// Start runs Rapport over db on a loopback port until the test ends. Extra
// environment settings (RAPPORT_*) may be given as key, value pairs.
func Start(t testing.TB, db *models.DB, env ...string) *Server {
	t.Helper()
	vars := map[string]string{"RAPPORT_DATA_DIR": t.TempDir(), "RAPPORT_LOG_LEVEL": "warn",
		// Off unless a test serves the pages itself: tests never reach out.
		"RAPPORT_FEED_DISCOVERY": "false"}
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = env[i+1]
	}
	cfg, err := config.Load(nil, func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("apptest: config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: cfg.LogLevel}))
	a := app.New(app.Deps{Config: cfg, DB: db, Logger: log, Version: "test"})
	ts := httptest.NewServer(a.Handler())
	if vars["RAPPORT_BASE_URL"] == "" {
		// Links Rapport writes (invitations, calendar feeds) point at this
		// server, as they would at a real deployment's public address.
		cfg.BaseURL = ts.URL
	}
	t.Cleanup(func() { ts.Close(); a.Close() })
	return &Server{URL: ts.URL, DB: db, Config: cfg, App: a}
}

// testWriter sends server logs to the test's log, shown only on failure.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Client is a browser-like HTTP client for one user.
type Client struct {
	t    testing.TB
	base string
	http *http.Client
	csrf string
	// Bearer, when set, is sent as an API token instead of using cookies.
	Bearer string
}

// NewClient makes a client with an empty cookie jar. It does not follow
// redirects, so tests can assert where a response sends the user.
func (s *Server) NewClient(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: s.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a read response.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect points.
func (r *Response) Location() string { return r.Header.Get("Location") }

// Decode unmarshals a JSON body.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)

// Do sends a request and reads the whole response. HTML pages update the
// client's CSRF token, as a browser's next form would use it.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	if m := csrfMeta.FindSubmatch(b); m != nil && len(m[1]) > 0 {
		c.csrf = string(m[1])
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

func (c *Client) newRequest(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, body)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	return req
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(c.newRequest(http.MethodGet, path, nil))
}

// CSRF returns the token the last page carried, fetching page first when the
// client has none yet.
func (c *Client) CSRF(page string) string {
	c.t.Helper()
	if c.csrf == "" {
		c.Get(page)
	}
	return c.csrf
}

// PostForm submits a form the way the page at the same path would: with the
// CSRF token from the last page seen.
func (c *Client) PostForm(path string, form url.Values) *Response {
	c.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("_csrf") == "" {
		f.Set("_csrf", c.CSRF(path))
	}
	req := c.newRequest(http.MethodPost, path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// PostFormNoCSRF submits a form without a token, as a forged cross-site form
// would.
func (c *Client) PostFormNoCSRF(path string, form url.Values) *Response {
	c.t.Helper()
	req := c.newRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// JSON sends a JSON API request. With a session (no Bearer) it carries the
// CSRF header, as the app's own pages do for htmx calls.
func (c *Client) JSON(method, path string, body any) *Response {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
		r = bytes.NewReader(b)
	}
	req := c.newRequest(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.Bearer == "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.CSRF("/"))
	}
	return c.Do(req)
}

// SignIn signs in through the sign-in form and fails the test if that does
// not end in a redirect into the app.
func (c *Client) SignIn(email, password string) {
	c.t.Helper()
	c.Get("/signin")
	r := c.PostForm("/signin", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: status %d, body %.300s", email, r.Status, r.Body)
	}
	c.Get("/") // pick up the new page's CSRF token
}

var seq atomic.Int64

// Unique returns a string unique within the test binary, for emails and
// names in tests that share a database.
func Unique(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, seq.Add(1))
}

// Password is the password test users get.
const Password = "correct horse battery staple"

// User creates a user with a unique email in a department of the given
// name (created when missing) and returns it.
func User(t testing.TB, db *models.DB, role models.Role, department string) *models.User {
	t.Helper()
	ctx := context.Background()
	dep, err := db.DepartmentBySlugOrName(ctx, department)
	if err != nil {
		if dep, err = db.CreateDepartment(ctx, department); err != nil {
			t.Fatalf("apptest: department %s: %v", department, err)
		}
	}
	if err := db.MarkSetUp(ctx); err != nil {
		t.Fatalf("apptest: %v", err)
	}
	email := Unique("user") + "@example.test"
	u, err := db.CreateUser(ctx, models.UserRequest{Email: email, Name: "Test " + email, Role: role, Password: Password, DepartmentIDs: []int64{dep.ID}})
	if err != nil {
		t.Fatalf("apptest: create user: %v", err)
	}
	return u
}

// SignedIn starts a client signed in as a new user of the given role.
func (s *Server) SignedIn(t testing.TB, role models.Role, department string) (*Client, *models.User) {
	t.Helper()
	u := User(t, s.DB, role, department)
	c := s.NewClient(t)
	c.SignIn(u.Email, Password)
	return c, u
}

// Cookies returns the cookies the client holds for the server at base.
func (c *Client) Cookies(base string) []*http.Cookie {
	u, _ := url.Parse(base)
	return c.http.Jar.Cookies(u)
}

// SetCookies gives the client cookies for the server at base, as a browser
// that kept them across a server restart would send them.
func (c *Client) SetCookies(base string, cks []*http.Cookie) {
	u, _ := url.Parse(base)
	c.http.Jar.SetCookies(u, cks)
}
