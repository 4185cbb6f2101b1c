package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// TestUploadsLeaveNoSpooledFiles: a multipart body larger than the 32 MiB
// net/http holds in memory spills to temporary files. Those of a member's
// import must be gone once it is answered, and a visitor who is not
// signed in must not get a body read at all, on the page's routes, the
// API's or the sign-in form.
func TestUploadsLeaveNoSpooledFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		srv := apptest.Start(t, db)
		_, u := srv.SignedIn(t, models.RoleMember, "Sales")
		api := tokenClient(t, srv, db, u)
		big := "First Name,Email\r\n" + strings.Repeat("Ada,ada@example.com\r\n", 40<<20/21)
		spooled := func(what string) {
			t.Helper()
			left, err := filepath.Glob(filepath.Join(tmp, "multipart-*"))
			if err != nil || len(left) != 0 {
				t.Errorf("%s left %d spooled files (%v)", what, len(left), err)
			}
		}

		if r := uploadImport(t, srv, api, "/api/v1/imports", "big.csv", big, map[string]string{"on_duplicate": "skip"}); r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
			t.Fatalf("a member's 40 MB upload: %d %.300s", r.Status, r.Body)
		}
		spooled("a member's 40 MB upload")

		anonymous := srv.NewClient(t)
		post := func(path string) *apptest.Response {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, err := mw.CreateFormFile("file", "big.csv")
			if err != nil {
				t.Fatal(err)
			}
			fw.Write([]byte(big))
			mw.WriteField("email", "a@example.com")
			mw.Close()
			req, err := http.NewRequest(http.MethodPost, srv.URL+path, &buf)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", mw.FormDataContentType())
			return anonymous.Do(req)
		}
		if r := post("/api/v1/imports"); r.Status != http.StatusUnauthorized {
			t.Errorf("anonymous API upload: %d %.300s", r.Status, r.Body)
		}
		if r := post("/imports"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/signin") {
			t.Errorf("anonymous upload from a page: %d %q", r.Status, r.Location())
		}
		if r := post("/signin"); r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("a 40 MB form posted to /signin: %d %.300s", r.Status, r.Body)
		}
		spooled("anonymous uploads")
		if entries, err := os.ReadDir(tmp); err != nil {
			t.Fatal(err)
		} else if len(entries) != 0 {
			t.Logf("other temporary files: %d", len(entries))
		}
	})
}
