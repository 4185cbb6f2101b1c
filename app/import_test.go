package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/importer"
	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

// uploadImport posts a multipart upload the way the Import/Export form (or
// an API client, with a bearer token) does.
func uploadImport(t *testing.T, srv *apptest.Server, c *apptest.Client, path, filename, body string, fields map[string]string) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, body)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.Bearer == "" {
		req.Header.Set("X-CSRF-Token", c.CSRF("/import-export"))
	}
	return c.Do(req)
}

// tokenClient is a client of srv that calls the API with a token of u.
func tokenClient(t *testing.T, srv *apptest.Server, db *models.DB, u *models.User) *apptest.Client {
	t.Helper()
	_, secret, err := db.CreateAPIToken(context.Background(), u.ID, "test", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c := srv.NewClient(t)
	c.Bearer = secret
	return c
}

// pagesAndAPI starts a server with a member of Sales signed in, and
// returns a client for the pages and one for the API as that member.
func pagesAndAPI(t *testing.T, db *models.DB) (srv *apptest.Server, pages, api *apptest.Client, u *models.User) {
	t.Helper()
	srv = apptest.Start(t, db)
	pages, u = srv.SignedIn(t, models.RoleMember, "Sales")
	return srv, pages, tokenClient(t, srv, db, u), u
}

// runImportJobs runs a job runner with the importer's handler until import
// id finishes: the test server has no runner of its own.
func runImportJobs(t *testing.T, db *models.DB, id int64) *models.Import {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := jobs.New(db, jobs.Options{Workers: 1, PollInterval: 20 * time.Millisecond, Lease: 10 * time.Second})
	r.Register(importer.Kind, importer.New(db, importer.Options{BatchSize: 2}).Handler())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		im, err := db.ImportByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if im.Finished() {
			return im
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatalf("import %d did not finish", id)
	return nil
}

func importCSV(tag string) string {
	return "First Name,Last Name,Email,Company\n" +
		"Ada,Lovelace" + tag + ",ada." + tag + "@example.test,Analytical " + tag + "\n" +
		"Ada,Lovelace" + tag + ",ada." + tag + "@example.test,Analytical " + tag + "\n" +
		",,not-an-email,\n"
}

var importPath = regexp.MustCompile(`^/imports/(\d+)$`)

func TestImportThroughThePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		tag := strings.ToLower(apptest.Unique("imp"))

		page := c.Get("/import-export")
		if page.Status != http.StatusOK || !strings.Contains(page.Body, `action="/imports"`) || !strings.Contains(page.Body, `name="on_duplicate"`) {
			t.Fatalf("import form missing: %d %.2000s", page.Status, page.Body)
		}
		r := uploadImport(t, srv, c, "/imports", "people.csv", importCSV(tag), map[string]string{"on_duplicate": "skip"})
		m := importPath.FindStringSubmatch(r.Location())
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("upload: %d %q %.1000s", r.Status, r.Location(), r.Body)
		}
		loc := r.Location()
		var id int64
		fmt.Sscan(m[1], &id)

		mp := c.Get(loc)
		if mp.Status != http.StatusOK {
			t.Fatalf("mapping page: %d %.1000s", mp.Status, mp.Body)
		}
		for _, want := range []string{"First Name", "Email", `name="col_2"`, `value="email" selected`, "Lovelace" + tag, "ada." + tag + "@example.test", "Dry run", ">Import<"} {
			if !strings.Contains(mp.Body, want) {
				t.Errorf("mapping page lacks %q", want)
			}
		}

		// Someone else's import is not there for another member; an admin sees it.
		other, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		if r := other.Get(loc); r.Status != http.StatusNotFound {
			t.Fatalf("another member sees the import: %d", r.Status)
		}
		if r := other.PostForm(loc+"/start", url.Values{"dry_run": {"0"}}); r.Status != http.StatusNotFound {
			t.Fatalf("another member starts the import: %d", r.Status)
		}
		if r := other.Get(loc + "/rejected.csv"); r.Status != http.StatusNotFound {
			t.Fatalf("another member downloads rejected rows: %d", r.Status)
		}
		admin, _ := srv.SignedIn(t, models.RoleAdmin, "Sales")
		if r := admin.Get(loc); r.Status != http.StatusOK {
			t.Fatalf("admin cannot see the import: %d", r.Status)
		}

		r = c.PostForm(loc+"/start", url.Values{"dry_run": {"0"}, "col_0": {"given_name"}, "col_1": {"family_name"},
			"col_2": {"email"}, "col_3": {"company"}})
		if r.Status != http.StatusSeeOther || r.Location() != loc {
			t.Fatalf("start: %d %q %.1000s", r.Status, r.Location(), r.Body)
		}
		running := c.Get(loc)
		if !strings.Contains(running.Body, `hx-trigger="every 1s"`) || !strings.Contains(running.Body, "/imports/"+m[1]+"/status") {
			t.Fatalf("a queued import's page must poll its status:\n%.3000s", running.Body)
		}

		im := runImportJobs(t, db, id)
		if im.Status != models.ImportDone || im.RowsRead != 3 || im.RowsCreated != 1 || im.RowsUpdated+im.RowsSkipped != 1 || im.RowsFailed != 1 {
			t.Fatalf("import ended as %+v", im)
		}
		frag := htmxGet(t, c, srv.URL, loc+"/status")
		if frag.Status != http.StatusOK || strings.Contains(frag.Body, "every 1s") || strings.Contains(frag.Body, "<html") {
			t.Fatalf("finished status fragment must stop polling: %d %.2000s", frag.Status, frag.Body)
		}
		done := c.Get(loc)
		for _, want := range []string{`data-count="read">3<`, `data-count="created">1<`, `data-count="failed">1<`,
			"Download rejected rows (CSV)", "Undo import"} {
			if !strings.Contains(done.Body, want) {
				t.Errorf("import page lacks %q:\n%.4000s", want, done.Body)
			}
		}

		rej := c.Get(loc + "/rejected.csv")
		if rej.Status != http.StatusOK || !strings.HasPrefix(rej.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("rejected.csv: %d %v", rej.Status, rej.Header)
		}
		recs, err := csv.NewReader(strings.NewReader(rej.Body)).ReadAll()
		if err != nil || len(recs) != 2 || recs[0][len(recs[0])-1] != "error" || recs[1][2] != "not-an-email" ||
			!strings.HasPrefix(recs[1][4], "line 4: ") {
			t.Fatalf("rejected rows: %v %q", err, rej.Body)
		}

		cp, err := db.Contacts(ctx, u.Actor("session"), models.ContactListOptions{Email: "ada." + tag + "@example.test"})
		if err != nil || len(cp.Contacts) != 1 {
			t.Fatalf("imported contact: %v %v", cp, err)
		}
		if list := c.Get("/import-export"); !strings.Contains(list.Body, "people.csv") || !strings.Contains(list.Body, loc) {
			t.Errorf("recent imports missing from the Import/Export page")
		}

		r = c.PostForm(loc+"/undo", nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("undo: %d %.500s", r.Status, r.Body)
		}
		if page, _ := db.Contacts(ctx, u.Actor("session"), models.ContactListOptions{Email: "ada." + tag + "@example.test"}); len(page.Contacts) != 0 {
			t.Fatalf("undo left the contact")
		}

		// A viewer may not import.
		viewer, _ := srv.SignedIn(t, models.RoleViewer, "Sales")
		if vp := viewer.Get("/import-export"); strings.Contains(vp.Body, `action="/imports"`) {
			t.Error("a viewer is offered the upload form")
		}
		if r := uploadImport(t, srv, viewer, "/imports", "people.csv", importCSV(tag), nil); r.Status != http.StatusForbidden {
			t.Fatalf("viewer upload: %d", r.Status)
		}
	})
}

func TestImportAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		c := tokenClient(t, srv, db, u)
		tag := strings.ToLower(apptest.Unique("api"))

		r := uploadImport(t, srv, c, "/api/v1/imports", "people.csv", importCSV(tag), map[string]string{"on_duplicate": "fill"})
		if r.Status != http.StatusAccepted {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var out struct {
			ID          int64    `json:"id"`
			Status      string   `json:"status"`
			OnDuplicate string   `json:"on_duplicate"`
			Columns     []string `json:"columns"`
			RowsCreated int64    `json:"rows_created"`
			RowsFailed  int64    `json:"rows_failed"`
		}
		r.Decode(t, &out)
		if out.Status != models.ImportQueued || out.OnDuplicate != "fill" || len(out.Columns) != 4 ||
			r.Location() != fmt.Sprintf("/api/v1/imports/%d", out.ID) || strings.Contains(r.Body, "file_path") {
			t.Fatalf("created import: %s (Location %q)", r.Body, r.Location())
		}
		runImportJobs(t, db, out.ID)
		g := c.Get(r.Location())
		g.Decode(t, &out)
		if g.Status != http.StatusOK || out.Status != models.ImportDone || out.RowsCreated != 1 || out.RowsFailed != 1 {
			t.Fatalf("import: %d %s", g.Status, g.Body)
		}
		rej := c.Get(r.Location() + "/rejected.csv")
		if rej.Status != http.StatusOK || !strings.Contains(rej.Body, "not-an-email") || !strings.HasPrefix(rej.Body, "First Name,Last Name,Email,Company,error") {
			t.Fatalf("rejected.csv: %d %q", rej.Status, rej.Body)
		}

		// A bad mapping is refused before anything is stored.
		bad := uploadImport(t, srv, c, "/api/v1/imports", "people.csv", importCSV(tag), map[string]string{"mapping": `{"columns":[{"column":"Email","field":"nope"}]}`})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "mapping") {
			t.Fatalf("bad mapping: %d %s", bad.Status, bad.Body)
		}

		// Another member cannot see it; a viewer cannot import.
		other := apptest.User(t, db, models.RoleMember, "Sales")
		_, osecret, _ := db.CreateAPIToken(ctx, other.ID, "x", time.Now().Add(time.Hour))
		oc := srv.NewClient(t)
		oc.Bearer = osecret
		if r := oc.Get(fmt.Sprintf("/api/v1/imports/%d", out.ID)); r.Status != http.StatusNotFound {
			t.Fatalf("another member: %d", r.Status)
		}
		if r := oc.Get(fmt.Sprintf("/api/v1/imports/%d/rejected.csv", out.ID)); r.Status != http.StatusNotFound {
			t.Fatalf("another member's rejected.csv: %d", r.Status)
		}
		viewer := apptest.User(t, db, models.RoleViewer, "Sales")
		_, vsecret, _ := db.CreateAPIToken(ctx, viewer.ID, "v", time.Now().Add(time.Hour))
		vc := srv.NewClient(t)
		vc.Bearer = vsecret
		if r := uploadImport(t, srv, vc, "/api/v1/imports", "people.csv", importCSV(tag), nil); r.Status != http.StatusForbidden {
			t.Fatalf("viewer: %d %s", r.Status, r.Body)
		}
	})
}

// TestImportReportsValuesLeftOut imports rows that are good but for one
// value Rapport cannot keep (a birthday that is no real date, a phone number it
// cannot read): the rows are imported, and the import says how many
// values it left out (on its page and in the API) and lists them, so that
// nothing is lost unnoticed.
func TestImportReportsValuesLeftOut(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		tag := strings.ToLower(apptest.Unique("left"))
		srv, c, api, _ := pagesAndAPI(t, db)
		file := "Name,Email,Birthday,Phone\n" +
			"Ada " + tag + ",ada." + tag + "@example.test,31/02/1990,\n" +
			"Bob " + tag + ",bob." + tag + "@example.test,1980-01-02,12\n" +
			"Cy " + tag + ",cy." + tag + "@example.test,1981-02-03,\n" +
			",,,13\n"
		out := importByAPI(t, srv, api, db, "people.csv", file)
		if out.RowsCreated != 3 || out.RowsFailed != 1 || out.ValuesLeftOut != 2 {
			t.Fatalf("import: %+v", out)
		}
		p := c.Get(fmt.Sprintf("/imports/%d/problems.csv", out.ID))
		recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if p.Status != http.StatusOK || err != nil || len(recs) != 4 || strings.Join(recs[0], ",") != "Name,Email,Birthday,Phone,error" ||
			!strings.HasPrefix(recs[1][4], `line 2: column "Birthday": "31/02/1990" is not a real date`) ||
			!strings.HasPrefix(recs[2][4], `line 3: column "Phone": "12" is not a phone number`) {
			t.Fatalf("problems.csv: %d %s", p.Status, p.Body)
		}
		// A rejected row's reason names its values that cannot be kept
		// too, so one fix of the row is enough; it was not imported.
		if rej := recs[3][4]; !strings.HasPrefix(rej, "line 5: name: Enter a name") || !strings.Contains(rej, `"13" is not a phone number`) ||
			strings.Contains(rej, "imported") {
			t.Errorf("rejected row's reason: %q", rej)
		}
		// The API offers the same list.
		if ap := api.Get(fmt.Sprintf("/api/v1/imports/%d/problems.csv", out.ID)); ap.Status != http.StatusOK || ap.Body != p.Body {
			t.Errorf("the API's problems.csv: %d %s", ap.Status, ap.Body)
		}
		page := c.Get(fmt.Sprintf("/imports/%d", out.ID))
		if !strings.Contains(page.Body, "Values left out") || !strings.Contains(page.Body, fmt.Sprintf("/imports/%d/problems.csv", out.ID)) {
			t.Fatalf("the import's page must say values were left out and offer the list:\n%.3000s", page.Body)
		}
	})
}

// TestRefusedUploadLeavesNoDraft uploads files that are not CSV (a
// workbook renamed .csv): the upload is refused with the reason, and no
// import is left behind in the list, waiting for columns that never come.
func TestRefusedUploadLeavesNoDraft(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		api := tokenClient(t, srv, db, u)
		workbook := "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"
		name := strings.ToLower(apptest.Unique("workbook")) + ".csv"
		if r := uploadImport(t, srv, api, "/api/v1/imports", name, workbook, nil); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Excel workbook") {
			t.Fatalf("API upload of a workbook: %d %s", r.Status, r.Body)
		}
		if r := uploadImport(t, srv, c, "/imports", name, workbook, nil); r.Status != http.StatusSeeOther || r.Location() != "/import-export" {
			t.Fatalf("upload of a workbook: %d %q", r.Status, r.Location())
		}
		if page := c.Get("/import-export"); !strings.Contains(page.Body, "Excel workbook") || strings.Contains(page.Body, name) {
			t.Fatalf("the page must say why and list no import of the refused file:\n%s", page.Body)
		}
	})
}

// TestImportPhoneRegion imports a German list whose numbers have no
// country code: told that they are German numbers (on the mapping page or
// in the API's phone_region), the import keeps every number; an unknown
// country is refused with what to enter.
func TestImportPhoneRegion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		tag := strings.ToLower(apptest.Unique("region"))
		srv, c, api, u := pagesAndAPI(t, db)
		file := func(who, phone string) string {
			return "Vorname;Nachname;E-Mail;Telefon\r\n" + who + ";" + tag + ";" + who + "." + tag + "@example.test;" + phone + "\r\n"
		}
		phoneOf := func(email string) string {
			t.Helper()
			cs, err := db.Contacts(context.Background(), u.Actor("session"), models.ContactListOptions{Email: email})
			if err != nil || len(cs.Contacts) != 1 {
				t.Fatalf("contact %s: %+v %v", email, cs, err)
			}
			got, err := db.Contact(context.Background(), u.Actor("session"), cs.Contacts[0].ID)
			if err != nil || len(got.Phones) != 1 {
				t.Fatalf("phones of %s: %+v %v", email, got, err)
			}
			return got.Phones[0].E164
		}

		r := uploadImport(t, srv, api, "/api/v1/imports", "de.csv", file("api", "0171 2345678"), map[string]string{"phone_region": "de"})
		var out struct {
			ID int64 `json:"id"`
		}
		r.Decode(t, &out)
		runImportJobs(t, db, out.ID)
		if got := phoneOf("api." + tag + "@example.test"); got != "+491712345678" {
			t.Errorf("API import with phone_region DE: %q", got)
		}
		card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card " + tag + "\r\nEMAIL:card." + tag + "@example.test\r\nTEL;TYPE=CELL:0151 23456789\r\nEND:VCARD\r\n"
		r = uploadImport(t, srv, api, "/api/v1/imports", "de.vcf", card, map[string]string{"phone_region": "DE"})
		r.Decode(t, &out)
		runImportJobs(t, db, out.ID)
		if got := phoneOf("card." + tag + "@example.test"); got != "+4915123456789" {
			t.Errorf("vCard import with phone_region DE: %q", got)
		}
		if r := uploadImport(t, srv, api, "/api/v1/imports", "de.csv", file("x", "0171 2345679"), map[string]string{"phone_region": "Germany"}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "phone_region") {
			t.Errorf("unknown region: %d %s", r.Status, r.Body)
		}

		r = uploadImport(t, srv, c, "/imports", "de.csv", file("ui", "030 1234567"), nil)
		loc := r.Location()
		page := c.Get(loc)
		if !strings.Contains(page.Body, `<select id="f-phone_region" name="phone_region"`) ||
			!strings.Contains(page.Body, `<option value="US" selected>United States (+1)</option>`) ||
			!strings.Contains(page.Body, `<option value="DE">Germany (+49)</option>`) {
			t.Fatalf("the mapping step must ask for the phone numbers' country by name:\n%.3000s", page.Body)
		}
		// The preview keeps the country chosen.
		if r := c.PostForm(loc+"/preview", url.Values{"phone_region": {"DE"}}); !strings.Contains(r.Body, `<option value="DE" selected>Germany (+49)</option>`) {
			t.Errorf("the preview lost the country chosen:\n%.3000s", r.Body)
		}
		if r := c.PostForm(loc+"/start", url.Values{"dry_run": {"0"}, "phone_region": {"Germany"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "two-letter") {
			t.Fatalf("unknown region on the page: %d %.3000s", r.Status, r.Body)
		}
		if r := c.PostForm(loc+"/start", url.Values{"dry_run": {"0"}, "phone_region": {"DE"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("start: %d %.2000s", r.Status, r.Body)
		}
		id, _ := strconv.ParseInt(importPath.FindStringSubmatch(loc)[1], 10, 64)
		if im := runImportJobs(t, db, id); im.RowsCreated != 1 {
			t.Fatalf("import from the page: %+v", im)
		}
		if got := phoneOf("ui." + tag + "@example.test"); got != "+49301234567" {
			t.Errorf("import from the page with DE: %q", got)
		}
	})
}

// TestUploadLimit: a file past RAPPORT_IMPORT_MAX_BYTES is refused with the
// limit and what to do instead (413 on the API, the message on the page
// for the browser's form), whether the upload declares its length, streams
// it in chunks, or only the file part is too long; nothing is stored; a
// file within the limit is taken, and the page states the limit.
func TestUploadLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db, "RAPPORT_IMPORT_MAX_BYTES", "2048")
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		api := tokenClient(t, srv, db, u)
		name := strings.ToLower(apptest.Unique("big")) + ".csv"
		header := "First Name,Last Name,Email\r\n"
		file := func(size int) string {
			return header + strings.Repeat("Ada,Lovelace,ada@example.com\r\n", size/30+1)
		}
		refused := func(what string, r *apptest.Response) {
			t.Helper()
			if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "larger than the 2.0 KiB an upload may import") ||
				!strings.Contains(r.Body, "rapport import") {
				t.Errorf("%s: %d %.500s", what, r.Status, r.Body)
			}
		}
		refused("a file a little past the limit", uploadImport(t, srv, api, "/api/v1/imports", name, file(3000), nil))
		refused("a body past the limit, its length declared", uploadImport(t, srv, api, "/api/v1/imports", name, file(1200<<10), nil))

		// Streamed in chunks: no length to refuse it by until it is read.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, file(1200<<10))
		mw.Close()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/imports", io.MultiReader(&buf))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		refused("a body past the limit, in chunks", api.Do(req))

		// The browser's form: back to the page, which says why.
		if r := uploadImport(t, srv, c, "/imports", name, file(1200<<10), nil); r.Status != http.StatusSeeOther || r.Location() != "/import-export" {
			t.Fatalf("upload of a large file from the page: %d %q", r.Status, r.Location())
		}
		page := c.Get("/import-export")
		if !strings.Contains(page.Body, "larger than the 2.0 KiB an upload may import") || strings.Contains(page.Body, name) {
			t.Fatalf("the page must say why and list no import of the refused file:\n%.3000s", page.Body)
		}
		if page := c.Get("/import-export"); !strings.Contains(page.Body, "up to 2.0 KiB") || !strings.Contains(page.Body, `data-max-bytes="2048"`) {
			t.Errorf("the page does not state the upload limit:\n%.3000s", page.Body)
		}
		imps, err := db.Imports(context.Background(), u.Actor("session"), models.ImportListOptions{Limit: 10})
		if err != nil || len(imps.Imports) != 0 {
			t.Fatalf("refused uploads left imports behind: %+v %v", imps, err)
		}
		if r := uploadImport(t, srv, api, "/api/v1/imports", name, header+"Ada,Lovelace,ada@example.com\r\n", nil); r.Status != http.StatusAccepted {
			t.Fatalf("a file within the limit: %d %.500s", r.Status, r.Body)
		}
	})
}

// TestImportCustomFields imports into the custom fields defined here: a
// column named after one is mapped to it on the mapping step, and a value
// no field takes (a field this Rapport lacks, a choice the field does not
// offer) is left out and listed, never costing the row.
func TestImportCustomFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv, c, api, u := pagesAndAPI(t, db)
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		key, missing := apptest.Unique("tier"), apptest.Unique("shoe_size")
		label := "Account tier " + key
		if _, err := db.CreateCustomFieldDef(ctx, admin.Actor("session"), models.CustomFieldDefRequest{
			Key: key, Label: label, Kind: models.CustomFieldChoice, Choices: []string{"Gold", "Silver"}}); err != nil {
			t.Fatal(err)
		}
		tag := strings.ToLower(apptest.Unique("cf"))

		// The mapping step offers the field by its label and picks it for
		// the column of that name.
		file := "Name,Email," + strings.ToUpper(label) + "\nAda " + tag + ",ada." + tag + "@example.test,gold\n"
		r := uploadImport(t, srv, c, "/imports", "tiers.csv", file, nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("upload: %d %.1000s", r.Status, r.Body)
		}
		mp := c.Get(r.Location())
		if want := `<option value="custom:` + key + `" selected>Custom: ` + label + `</option>`; !strings.Contains(mp.Body, want) {
			t.Errorf("mapping page lacks %s:\n%.6000s", want, mp.Body)
		}

		// A file from another Rapport names a field this one lacks, and a
		// choice the field does not have.
		file = "Display name,Email,custom:" + key + ",custom:" + missing + "\n" +
			"Bo " + tag + ",bo." + tag + "@example.test,silver,44\n" +
			"Cy " + tag + ",cy." + tag + "@example.test,Platinum,\n"
		out := importByAPI(t, srv, api, db, "other-rapport.csv", file)
		if out.RowsCreated != 2 || out.RowsFailed != 0 || out.ValuesLeftOut != 2 {
			t.Fatalf("import: %+v", out)
		}
		bo := byEmailIn(t, db, u.Actor("session"), "bo."+tag+"@example.test")
		if bo.CustomFields[key] != "Silver" || bo.CustomFields[missing] != "" {
			t.Errorf("Bo's custom fields: %v", bo.CustomFields)
		}
		p := api.Get(fmt.Sprintf("/api/v1/imports/%d/problems.csv", out.ID))
		recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if err != nil || len(recs) != 3 ||
			!strings.HasPrefix(recs[1][4], `line 2: column "custom:`+missing+`": There is no custom field "`+missing+`"`) ||
			!strings.HasPrefix(recs[2][4], `line 3: column "custom:`+key+`": Choose `+label+` from: Gold, Silver. The value was left out.`) {
			t.Errorf("problems.csv: %v %s", err, p.Body)
		}

		// Google names a custom field in the row, beside its value.
		file = "First Name,Last Name,E-mail 1 - Value,Custom Field 1 - Label,Custom Field 1 - Value\n" +
			"Eve," + tag + ",eve." + tag + "@example.test," + label + ",silver\n" +
			"Fay," + tag + ",fay." + tag + "@example.test,Shoe size,44\n"
		if out := importByAPI(t, srv, api, db, "google.csv", file); out.RowsCreated != 2 || out.ValuesLeftOut != 1 {
			t.Fatalf("Google import: %+v", out)
		}
		if eve := byEmailIn(t, db, u.Actor("session"), "eve."+tag+"@example.test"); eve.CustomFields[key] != "Silver" {
			t.Errorf("Eve's custom fields: %v", eve.CustomFields)
		}

		// A vCard's custom fields are checked the same way.
		card := "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Di " + tag + "\r\nEMAIL:di." + tag + "@example.test\r\n" +
			"X-RAPPORT-CUSTOM;X-KEY=" + key + ":Gold\r\nX-RAPPORT-CUSTOM;X-KEY=" + missing + ":44\r\nEND:VCARD\r\n"
		if out := importByAPI(t, srv, api, db, "di.vcf", card); out.RowsCreated != 1 || out.ValuesLeftOut != 1 {
			t.Fatalf("vCard import: %+v", out)
		}
		if di := byEmailIn(t, db, u.Actor("session"), "di."+tag+"@example.test"); di.CustomFields[key] != "Gold" {
			t.Errorf("Di's custom fields: %v", di.CustomFields)
		}
	})
}

// apiImport is what the API says of an import.
type apiImport struct {
	ID            int64 `json:"id"`
	RowsCreated   int64 `json:"rows_created"`
	RowsFailed    int64 `json:"rows_failed"`
	ValuesLeftOut int64 `json:"values_left_out"`
}

// importByAPI uploads a file through the API, runs the import and returns
// what the API then says of it.
func importByAPI(t *testing.T, srv *apptest.Server, api *apptest.Client, db *models.DB, filename, body string) apiImport {
	t.Helper()
	r := uploadImport(t, srv, api, "/api/v1/imports", filename, body, nil)
	var out apiImport
	r.Decode(t, &out)
	runImportJobs(t, db, out.ID)
	api.Get(r.Location()).Decode(t, &out)
	return out
}

// byEmailIn loads, whole, the one contact with that email address.
func byEmailIn(t *testing.T, db *models.DB, a models.Actor, email string) *models.Contact {
	t.Helper()
	ctx := context.Background()
	page, err := db.Contacts(ctx, a, models.ContactListOptions{Email: email})
	if err != nil || len(page.Contacts) != 1 {
		t.Fatalf("contacts with %s: %v %v", email, page, err)
	}
	c, err := db.Contact(ctx, a, page.Contacts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
