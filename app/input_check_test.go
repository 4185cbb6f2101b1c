package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// postRawForm posts body, already URL-encoded, as a page's form would: with
// the CSRF token of the page at path. url.Values would encode a %00 typed
// into it, and the point is to send the byte.
func postRawForm(c *apptest.Client, srvURL, path, body string) *apptest.Response {
	req, _ := http.NewRequest(http.MethodPost, srvURL+path, strings.NewReader(body+"&_csrf="+url.QueryEscape(c.CSRF(path))))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// TestUnreadableTextRefused sends the requests a security review found
// answering 500 — a NUL or a byte that is not UTF-8 in a search, a tag
// filter or the sign-in form failed FTS5 on SQLite and Postgres's text
// (error 22021) — and a few of their kind: each is a 400 that says what is
// wrong, as problem JSON on the API and as a page in the UI. It needs
// checkInputText wired in front of the routes.
func TestUnreadableTextRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		api, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		ui, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		const nul = "contains a NUL character (%00)"
		const notUTF8 = "contains bytes that are not UTF-8 text"
		for _, tc := range []struct{ path, want string }{
			{"/api/v1/contacts?q=%00abc", "query parameter q " + nul},
			{"/api/v1/contacts?q=ab%00", "query parameter q " + nul},
			{"/api/v1/notes/search?q=%00%00%00", "query parameter q " + nul},
			{"/api/v1/notes/search?q=quokka%00", "query parameter q " + nul},
			{"/api/v1/contacts?tag=%00", "query parameter tag " + nul},
			{"/api/v1/contacts?tag=%ff", "query parameter tag " + notUTF8},
			{"/api/v1/contacts?email=a%00b", "query parameter email " + nul},
			{"/api/v1/companies?q=a%00", "query parameter q " + nul},
			{"/api/v1/contacts/%FF", "The address " + notUTF8},
		} {
			r := api.Get(tc.path)
			var p struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
			}
			if r.Status != http.StatusBadRequest || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("GET %s: %d %s, want 400 problem JSON; %.300s", tc.path, r.Status, r.Header.Get("Content-Type"), r.Body)
				continue
			}
			if err := json.Unmarshal([]byte(r.Body), &p); err != nil || p.Status != http.StatusBadRequest || !strings.Contains(p.Detail, tc.want) {
				t.Errorf("GET %s: problem %s, want its detail to say %q", tc.path, r.Body, tc.want)
			}
		}
		for _, tc := range []struct{ path, want string }{
			{"/contacts?q=%00abc", "query parameter q " + nul},
			{"/contacts?tag=%00", "query parameter tag " + nul},
			{"/contacts?tag=%ff", "query parameter tag " + notUTF8},
			{"/companies?q=a%00", "query parameter q " + nul},
			{"/notes/search?q=%00%00%00", "query parameter q " + nul},
			{"/join/%00", "The address " + nul},
		} {
			r := ui.Get(tc.path)
			if r.Status != http.StatusBadRequest || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Body, tc.want) {
				t.Errorf("GET %s: %d %s, want 400 and a page saying %q; %.300s", tc.path, r.Status, r.Header.Get("Content-Type"), tc.want, r.Body)
			}
		}

		// Signing in looked the address up in the throttle table before
		// anything else read it.
		anon := srv.NewClient(t)
		for _, email := range []string{"a%00b%40x.com", "a%ffb%40x.com"} {
			r := postRawForm(anon, srv.URL, "/signin", "email="+email+"&password=x")
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "form field email contains") {
				t.Errorf("sign in as %s: %d, want 400 naming the email field; %.300s", email, r.Status, r.Body)
			}
		}
		// A form of a signed-in page, checked the same way.
		if r := postRawForm(ui, srv.URL, "/settings/tokens", "name=a%00b"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "form field name "+nul) {
			t.Errorf("token named with a NUL: %d, want 400 naming the field; %.300s", r.Status, r.Body)
		}
		// What is fine stays fine.
		for _, path := range []string{"/api/v1/contacts?q=Jos%C3%A9&tag=vip", "/api/v1/notes/search?q=quokka", "/api/v1/companies?q=a"} {
			if r := api.Get(path); r.Status != http.StatusOK {
				t.Errorf("GET %s: %d, want 200; %.300s", path, r.Status, r.Body)
			}
		}
	})
}

// TestJSONWithNULRefused posts JSON whose strings hold a NUL, which
// Postgres cannot store: a 400 naming the field. Bytes that are not UTF-8
// need nothing: encoding/json reads them as U+FFFD. This runs through
// readJSON and needs no wiring.
func TestJSONWithNULRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		api, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		for _, tc := range []struct {
			path string
			body any
			want string
		}{
			{"/api/v1/import-mappings", map[string]any{"name": "a\x00b", "mapping": map[string]string{"Email": "email"}},
				"The field name contains a NUL character"},
			{"/api/v1/import-mappings", map[string]any{"name": apptest.Unique("nul key "), "mapping": map[string]string{"E\x00mail": "email"}},
				"The field mapping contains a NUL character"},
			{"/api/v1/contacts", map[string]any{"given_name": "Ada\x00", "emails": []map[string]string{{"address": "ada@example.com"}, {"address": "a\x00@example.com"}}},
				"The fields emails[1].address, given_name contain a NUL character"},
		} {
			r := api.JSON(http.MethodPost, tc.path, tc.body)
			if r.Status != http.StatusBadRequest || r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(r.Body, tc.want) {
				t.Errorf("POST %s %v: %d, want 400 problem JSON saying %q; %.300s", tc.path, tc.body, r.Status, tc.want, r.Body)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/import-mappings",
			strings.NewReader(`{"name":"`+apptest.Unique("Latin-1 caf\xe9 ")+`","mapping":{"Email":"email"}}`))
		req.Header.Set("Content-Type", "application/json")
		if r := api.Do(req); r.Status != http.StatusCreated || !strings.Contains(r.Body, "caf\ufffd") {
			t.Errorf("name with a byte that is not UTF-8: %d, want 201 with U+FFFD in its place; %.300s", r.Status, r.Body)
		}
	})
}

// TestTruncatedBodyIsTheClientsFault: a client that announces a longer body
// than it sends and closes its side gets a 400 saying so (it was a 500
// "unexpected EOF"), and nothing is stored.
func TestTruncatedBodyIsTheClientsFault(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		api, u := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		name := apptest.Unique("Truncated")
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		body := `{"given_name":"` + name + `",`
		fmt.Fprintf(conn, "POST /api/v1/contacts HTTP/1.1\r\nHost: rapport.test\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", api.Bearer, len(body)+50, body)
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(out), "ended before its stated length") {
			t.Errorf("truncated JSON body: %d %s", resp.StatusCode, out)
		}
		page, err := db.Contacts(context.Background(), u.Actor("token"), models.ContactListOptions{Query: name})
		if err != nil || len(page.Contacts) != 0 {
			t.Errorf("a truncated body stored %d contacts (%v)", len(page.Contacts), err)
		}
	})
}
