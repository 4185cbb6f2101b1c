package browsertest_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/app/importer"
	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

// googleExport is a Google Contacts export as people download it: three
// good rows, then one with neither a name nor a usable email and one whose
// company has an unquoted comma, so it has a value too many.
const googleExport = "First Name,Last Name,Organization Name,Organization Title,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n" +
	"Ada,Lovelace,Analytical Engines,Mathematician,* myContacts ::: Friends,* Work,ada@engines.example,Mobile,+44 20 7946 0958\n" +
	"Grace,Hopper,US Navy,Rear Admiral,* myContacts ::: Navy,* Work,grace@navy.example,Work,+1 202-555-0143\n" +
	"Zoë,Ångström,,,* myContacts,* Other,zoe@example.org,,\n" +
	",,,,* myContacts,* Work,not-an-email,,\n" +
	"Charles,Babbage,Difference, Engines Ltd,Inventor,* myContacts,* Work,charles@engines.example,Mobile,+44 20 7946 0001\n"

// An admin uploads a Google Contacts export, checks the proposed mapping,
// changes a column and sees the preview follow, imports, watches the
// progress reach the end, downloads the two rejected rows, finds the
// import on a new contact's timeline, and exports every contact as CSV.
func TestImportJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleAdmin, "Sales")
		file := filepath.Join(t.TempDir(), "google-contacts.csv")
		if err := os.WriteFile(file, []byte(googleExport), 0o600); err != nil {
			t.Fatal(err)
		}

		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)
		p.Go("/import-export")
		p.Upload("#f-import-file", file)
		p.Screenshot("file-chosen")
		p.ClickAndLoad("form.import-upload button[type=submit]")
		if !regexp.MustCompile(`^/imports/\d+$`).MatchString(p.Path()) {
			t.Fatalf("upload ended on %s: %s", p.Path(), p.Text("main"))
		}
		importPage := p.Path()

		// The proposed mapping knows Google's columns.
		want := map[string]string{"First Name": "given_name", "Last Name": "family_name", "Organization Name": "company",
			"E-mail 1 - Value": "email", "Phone 1 - Value": "phone", "Labels": "tags"}
		for col, field := range want {
			if got := columnField(p, col); got != field {
				t.Errorf("column %q proposed as %q, want %q", col, got, field)
			}
		}
		if got := p.Text("#import-preview tbody tr:first-child"); !strings.Contains(got, "Ada Lovelace") || !strings.Contains(got, "Friends") {
			t.Fatalf("first preview row: %q", got)
		}
		p.Screenshot("proposed-mapping")

		// Labels are not wanted as tags: the preview follows at once.
		sel := "#" + columnSelectID(p, "Labels")
		browsertest.Eval[bool](p, `(() => { const s = document.querySelector("`+sel+`"); s.value = "ignore";
			s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
		waitFor(t, p, func() bool {
			row := textOf(p, "#import-preview tbody tr:first-child")
			return strings.Contains(row, "Ada Lovelace") && !strings.Contains(row, "Friends")
		})
		if got := p.Value(sel); got != "ignore" {
			t.Fatalf("the changed column reads %q after the preview came back", got)
		}
		p.Screenshot("changed-mapping")

		p.ClickAndLoad("form.import-mapping button[name=dry_run][value='0']")
		if p.Path() != importPage {
			t.Fatalf("starting ended on %s", p.Path())
		}
		if !p.Visible("#import-status progress") || !strings.Contains(p.Text("#import-status"), "Waiting to start") {
			t.Fatalf("a queued import shows no progress: %q", p.Text("#import-status"))
		}
		p.Screenshot("queued")

		// This server has no job runner: one starts now, as another process
		// would, and the page (polling every second) must see it finish.
		runJobs(t, db)
		waitFor(t, p, func() bool { return strings.Contains(textOf(p, "#import-status .badge"), "Finished") })
		counts := map[string]string{"read": "5", "created": "3", "failed": "2"}
		for k, v := range counts {
			if got := p.Text("#import-status [data-count=" + k + "]"); got != v {
				t.Errorf("%s = %s, want %s", k, got, v)
			}
		}
		if p.Visible("#import-status progress") {
			t.Error("a finished import still shows its progress bar")
		}
		p.Screenshot("finished")

		// The rejected rows, fetched with the page's own cookies.
		href := browsertest.Eval[string](p, `document.querySelector("#import-status a[href$='/rejected.csv']").getAttribute("href")`)
		recs, err := csv.NewReader(strings.NewReader(fetchText(p, href))).ReadAll()
		if err != nil {
			t.Fatalf("rejected rows CSV: %v", err)
		}
		header := strings.Split(strings.SplitN(googleExport, "\n", 2)[0], ",")
		if len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(append(header, "error"), ",") {
			t.Fatalf("rejected rows: %q", recs)
		}
		if recs[1][6] != "not-an-email" || !strings.HasPrefix(recs[1][len(header)], "line 5: ") {
			t.Errorf("first rejected row: %q", recs[1])
		}
		if recs[2][0] != "Charles" || !strings.HasPrefix(recs[2][len(header)], "line 6: ") ||
			!strings.Contains(recs[2][len(header)], "10 values but the header has 9 columns") {
			t.Errorf("second rejected row: %q", recs[2])
		}

		// An imported contact says where it came from.
		p.Go("/contacts?q=hopper")
		p.ClickAndLoad("#contact-results a[href^='/contacts/']")
		if got := p.Text("#timeline-items"); !strings.Contains(got, "Imported from google-contacts.csv") {
			t.Errorf("timeline of an imported contact: %q", got)
		}
		if got := p.Text("#profile"); strings.Contains(got, "Navy") && strings.Contains(got, "myContacts") {
			t.Errorf("the ignored Labels column was imported: %q", got)
		}
		p.Screenshot("imported-contact")

		// Export everything the admin sees, as the Import/Export form asks.
		p.Go("/import-export")
		exportURL := browsertest.Eval[string](p, `(() => { const f = document.querySelector("form[action='/export/contacts']");
			return f.getAttribute("action") + "?" + new URLSearchParams(new FormData(f)).toString(); })()`)
		out, err := csv.NewReader(strings.NewReader(fetchText(p, exportURL))).ReadAll()
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		if len(out) != 4 {
			t.Fatalf("export has %d records, want a header and 3 contacts: %q", len(out), out)
		}
		col := map[string]int{}
		for i, h := range out[0] {
			col[h] = i
		}
		byEmail := map[string][]string{}
		for _, r := range out[1:] {
			byEmail[r[col["Email"]]] = r
		}
		ada, zoe := byEmail["ada@engines.example"], byEmail["zoe@example.org"]
		if ada == nil || zoe == nil || byEmail["grace@navy.example"] == nil {
			t.Fatalf("export misses an imported contact: %q", out)
		}
		// The phone starts with +, so a spreadsheet would take it for a
		// formula: the export quotes it. Labels were ignored, so no tags.
		if ada[col["Family name"]] != "Lovelace" || ada[col["Phone"]] != "'+44 20 7946 0958" || ada[col["Company"]] != "Analytical Engines" ||
			ada[col["Tags"]] != "" || zoe[col["Family name"]] != "Ångström" {
			t.Errorf("exported rows: %q", out)
		}
		p.Screenshot("import-export")
	})
}

// columnField is the field a column of the mapping step is set to.
func columnField(p *browsertest.Page, column string) string {
	return p.Value("#" + columnSelectID(p, column))
}

// columnSelectID finds the select of a column by its label.
func columnSelectID(p *browsertest.Page, column string) string {
	return browsertest.Eval[string](p, `[...document.querySelectorAll(".import-columns label")]
		.find(l => l.textContent.trim() === `+"`"+column+"`"+`)?.htmlFor || "missing"`)
}

// fetchText downloads a path with the page's cookies, as its links would.
func fetchText(p *browsertest.Page, path string) string {
	return browsertest.Eval[string](p, `(() => { const x = new XMLHttpRequest(); x.open("GET", `+"`"+path+"`"+`, false); x.send();
		return x.status === 200 ? x.responseText : "HTTP " + x.status; })()`)
}

// runJobs runs the importer's jobs until the test ends: the test server has
// no runner of its own.
func runJobs(t *testing.T, db *models.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	r := jobs.New(db, jobs.Options{Workers: 1, PollInterval: 20 * time.Millisecond, Lease: 10 * time.Second})
	r.Register(importer.Kind, importer.New(db, importer.Options{BatchSize: 2}).Handler())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// A file dropped on the upload form's drop zone is the file uploaded, and
// the zone names it before anything is sent.
func TestImportDropZone(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db, "RAPPORT_IMPORT_MAX_BYTES", "2048")
		u := apptest.User(t, db, models.RoleMember, "Sales")
		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)
		p.Go("/import-export")
		if !p.Visible(".drop-zone.drop-ready .drop-zone-hint") {
			t.Fatal("the drop zone is not marked")
		}
		// A DataTransfer made in the page is what a real drag carries.
		drop := func(content, name string) {
			browsertest.Eval[bool](p, `(() => {
				const dt = new DataTransfer();
				dt.items.add(new File([`+"`"+content+"`"+`], "`+name+`", {type: "text/csv"}));
				const zone = document.querySelector("[data-drop-zone]");
				for (const type of ["dragenter", "dragover", "drop"]) {
					zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
				}
				return true; })()`)
		}
		// A file past the upload limit is refused before it is sent.
		drop(strings.Repeat("Ada,Lovelace,ada@example.com\n", 100), "huge.csv")
		if got := p.Text("[data-drop-file]"); !strings.Contains(got, "larger than the 2.0 KiB an upload may import") {
			t.Errorf("the zone says %q for a file past the limit", got)
		}
		p.Click("form.import-upload button[type=submit]")
		if p.Path() != "/import-export" || browsertest.Eval[string](p, `document.querySelector("#f-import-file").validationMessage`) == "" {
			t.Errorf("a file past the limit was sent: at %s", p.Path())
		}
		drop(googleExport, "dropped.csv")
		if got, want := p.Text("[data-drop-file]"), fmt.Sprintf("Chosen: dropped.csv (%d bytes)", len(googleExport)); got != want {
			t.Errorf("the zone says %q", got)
		}
		if p.Focused() != "input#f-import-file: " {
			t.Errorf("focus after the drop is on %s, not the file input", p.Focused())
		}
		p.Screenshot("dropped")
		p.ClickAndLoad("form.import-upload button[type=submit]")
		if got := p.Text("h1"); got != "Import dropped.csv" {
			t.Fatalf("after uploading the dropped file: %q on %s", got, p.Path())
		}
		if got := p.Text("#import-preview tbody tr:first-child"); !strings.Contains(got, "Ada Lovelace") {
			t.Errorf("preview of the dropped file: %q", got)
		}
	})
}
