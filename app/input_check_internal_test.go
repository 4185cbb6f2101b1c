package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestCheckInputText runs the middleware in front of a handler on a bare
// echo: text with a NUL or bytes that are not UTF-8, anywhere a request
// carries text as parameters, is a 400 naming where; everything else
// passes through with its form still readable.
func TestCheckInputText(t *testing.T) {
	const form = echo.MIMEApplicationForm
	cases := []struct {
		name, method, target, contentType, body string
		wantStatus                              int
		wantDetail                              string // part of the 400's message
	}{
		{"plain query", "GET", "/x?q=ada+lovelace&tag=vip", "", "", 200, ""},
		{"accents and CJK", "GET", "/x?q=Jos%C3%A9+%E7%8E%8B", "", "", 200, ""},
		{"malformed escape passes as before", "GET", "/x?q=%zz&tag=a", "", "", 200, ""},
		{"NUL in a query value", "GET", "/x?q=%00abc", "", "", 400, "query parameter q contains a NUL character"},
		{"NUL at the end", "GET", "/x?q=ab%00", "", "", 400, "query parameter q contains a NUL"},
		{"invalid UTF-8 in a query value", "GET", "/x?tag=%ff", "", "", 400, "query parameter tag contains bytes that are not UTF-8"},
		{"second value of a parameter", "GET", "/x?tag=a&tag=b%00", "", "", 400, "query parameter tag"},
		{"NUL in a query name", "GET", "/x?q%00=a", "", "", 400, "name of a query parameter"},
		{"NUL in the path", "GET", "/join/%00", "", "", 400, "The address contains a NUL"},
		{"invalid UTF-8 in the path", "GET", "/join/%FF", "", "", 400, "The address contains bytes that are not UTF-8"},
		{"plain form", "POST", "/x", form, "email=ada%40example.com&password=x", 200, ""},
		{"NUL in a form value", "POST", "/x", form, "email=a%00b%40x.com&password=x", 400, "form field email contains a NUL"},
		{"invalid UTF-8 in a form value", "POST", "/x", form + "; charset=utf-8", "name=%ff", 400, "form field name contains bytes"},
		{"form with a query", "POST", "/x?next=%00", form, "a=b", 400, "query parameter next"},
		{"form too large", "POST", "/x", form, "a=" + strings.Repeat("b", 2000), 413, ""},
		// Multipart bodies are uploads that their handlers read; JSON goes
		// through readJSON.
		{"multipart left alone", "POST", "/x", "multipart/form-data; boundary=zz",
			"--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\x00\r\n--zz--\r\n", 200, ""},
		{"JSON left alone", "POST", "/x", "application/json", `{"name":"a\u0000b"}`, 200, ""},
		{"a GET's body is not a form", "GET", "/x", form, "a=%00", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			var sawForm string
			handler := func(c echo.Context) error {
				sawForm = c.FormValue("email")
				return c.String(http.StatusOK, "ok")
			}
			e.Use(checkInputText(1000))
			e.Any("/*", handler)
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set(echo.HeaderContentType, tc.contentType)
			}
			if tc.name == "form too large" {
				req.ContentLength = -1 // as a chunked body arrives: only reading finds the size
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tc.wantDetail) {
				t.Errorf("body %s, want it to say %q", rec.Body, tc.wantDetail)
			}
			if tc.name == "plain form" && sawForm != "ada@example.com" {
				t.Errorf("handler read email %q after the check", sawForm)
			}
		})
	}
}
