package importer_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/importer"
	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(killChildEnv) == "1" {
		os.Exit(killChild())
	}
	dbtest.Main(m)
}

// writeFile writes content to a file in a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runLocal imports path in this process as actor and returns the import.
func runLocal(t *testing.T, db *models.DB, actor models.Actor, path string, req importer.Request) *models.Import {
	t.Helper()
	ctx := context.Background()
	imp, err := importer.Local(ctx, db, actor, path, req)
	if err != nil {
		t.Fatalf("Local: %v", err)
	}
	done, err := importer.New(db, importer.Options{BatchSize: 3}).Run(ctx, imp.ID, importer.LocalTracker{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return done
}

func counts(im *models.Import) string {
	return fmt.Sprintf("read %d created %d updated %d skipped %d failed %d", im.RowsRead, im.RowsCreated, im.RowsUpdated, im.RowsSkipped, im.RowsFailed)
}

func failures(t *testing.T, db *models.DB, actor models.Actor, id int64, all bool) []models.ImportFailure {
	t.Helper()
	var out []models.ImportFailure
	err := db.EachImportFailure(context.Background(), actor, id, all, func(b []models.ImportFailure) error {
		out = append(out, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func byEmail(t *testing.T, db *models.DB, actor models.Actor, email string) []models.Contact {
	t.Helper()
	page, err := db.Contacts(context.Background(), actor, models.ContactListOptions{Email: email, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return page.Contacts
}

const people = `First Name,Last Name,Email,Phone,Notes
Ada,Lovelace,ada@engines.example,,"Met at the Royal Society.
Likes engines."
Zoë,Ångström-Núñez,not-an-email,,bad email is left out
,,,,
,,,,only a note: no name and no email
Ada,Lovelace,ADA@engines.example,+44 20 7946 0958,
Grace,Hopper,grace@navy.example,,
,,,+1 415 555 0123,known only by a phone number
,,,(415) 555-0123,
`

func TestImportCreatesMergesAndReportsProblems(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		u := apptest.User(t, db, models.RoleMember, "Sales")
		a := u.Actor("session")
		path := writeFile(t, "people.csv", people)

		dry := runLocal(t, db, a, path, importer.Request{DryRun: true})
		if dry.Status != models.ImportDone || counts(dry) != "read 7 created 4 updated 2 skipped 0 failed 1" {
			t.Fatalf("dry run: %s %s", dry.Status, counts(dry))
		}
		if n, _ := db.CountContacts(ctx, a, models.ContactListOptions{}); n != 0 {
			t.Fatalf("a dry run saved %d contacts", n)
		}
		if dry.UndoUntil != nil {
			t.Error("a dry run has nothing to undo")
		}

		im := runLocal(t, db, a, path, importer.Request{})
		if im.Status != models.ImportDone || counts(im) != "read 7 created 4 updated 2 skipped 0 failed 1" {
			t.Fatalf("import: %s %s", im.Status, counts(im))
		}
		ada := byEmail(t, db, a, "ada@engines.example")
		if len(ada) != 1 {
			t.Fatalf("the repeated row must merge into one contact, got %d", len(ada))
		}
		full, _ := db.Contact(ctx, a, ada[0].ID)
		if full.About != "Met at the Royal Society.\nLikes engines." || len(full.Phones) != 1 || full.Source != models.SourceImport {
			t.Errorf("merged contact: about %q phones %v source %s", full.About, full.Phones, full.Source)
		}
		// A row with only a phone number is a contact, and the same
		// number typed another way is the same person.
		byPhone, err := db.Contacts(ctx, a, models.ContactListOptions{Query: "4155550123"})
		if err != nil {
			t.Fatal(err)
		}
		if len(byPhone.Contacts) != 1 || byPhone.Contacts[0].Name() != "+1 415 555 0123" {
			t.Errorf("phone-only rows gave %d contacts: %+v", len(byPhone.Contacts), byPhone.Contacts)
		} else if full, _ := db.Contact(ctx, a, byPhone.Contacts[0].ID); full.About != "known only by a phone number" {
			t.Errorf("phone-only contact: about %q", full.About)
		}
		rejected := failures(t, db, a, im.ID, false)
		if len(rejected) != 1 || rejected[0].Line != 6 || !strings.Contains(rejected[0].Reason, "name") ||
			rejected[0].Fields()[4] != "only a note: no name and no email" {
			t.Errorf("rejected rows: %+v", rejected)
		}
		all := failures(t, db, a, im.ID, true)
		if len(all) != 2 || all[0].Line != 4 || all[0].Rejected || !strings.Contains(all[0].Reason, "Email") {
			t.Errorf("warnings: %+v", all)
		}

		// A second import of the same file skips what exists; Zoë has no
		// email or phone left to match by, so she comes again.
		again := runLocal(t, db, a, path, importer.Request{})
		if counts(again) != "read 7 created 1 updated 0 skipped 5 failed 1" {
			t.Errorf("re-import: %s", counts(again))
		}
		// Others do not see a member's imports; admins do.
		other := apptest.User(t, db, models.RoleMember, "Sales")
		if _, err := db.Import(ctx, other.Actor("session"), im.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another member sees the import: %v", err)
		}
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		page, err := db.Imports(ctx, admin.Actor("session"), models.ImportListOptions{Limit: 2})
		if err != nil || len(page.Imports) != 2 || page.Imports[0].ID != again.ID || page.NextCursor == "" {
			t.Fatalf("admin list: %+v %v", page, err)
		}
		next, err := db.Imports(ctx, admin.Actor("session"), models.ImportListOptions{Limit: 2, Cursor: page.NextCursor})
		if err != nil || len(next.Imports) != 1 || next.Imports[0].ID != dry.ID {
			t.Fatalf("second page: %+v %v", next, err)
		}

		res, err := db.UndoImport(ctx, a, im.ID)
		if err != nil || res.Deleted != 4 {
			t.Fatalf("undo: %+v %v", res, err)
		}
		if n, _ := db.CountContacts(ctx, a, models.ContactListOptions{}); n != 1 {
			t.Errorf("after undo %d contacts remain, want the one the second import made", n)
		}
		if _, err := db.UndoImport(ctx, a, im.ID); err == nil {
			t.Error("an import can be undone once")
		}
	})
}

func TestImportDuplicatePoliciesAndUndo(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		u := apptest.User(t, db, models.RoleMember, "Sales")
		a := u.Actor("session")
		existing, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ada", FamilyName: "King",
			Emails: []models.EmailInput{{Address: "ada@engines.example"}}})
		if err != nil {
			t.Fatal(err)
		}
		file := writeFile(t, "dups.csv", "First Name,Last Name,Email,Job Title,Notes\nAda,Lovelace,ada@engines.example,Countess,Poet's daughter\n")

		skip := runLocal(t, db, a, file, importer.Request{OnDuplicate: models.DuplicateSkip})
		if counts(skip) != "read 1 created 0 updated 0 skipped 1 failed 0" {
			t.Fatalf("skip: %s", counts(skip))
		}
		fill := runLocal(t, db, a, file, importer.Request{OnDuplicate: models.DuplicateFill})
		c, _ := db.Contact(ctx, a, existing.ID)
		if counts(fill) != "read 1 created 0 updated 1 skipped 0 failed 0" || c.FamilyName != "King" || c.JobTitle != "Countess" || c.About != "Poet's daughter" {
			t.Fatalf("fill: %s → %s %s %q", counts(fill), c.FamilyName, c.JobTitle, c.About)
		}
		if _, err := db.UndoImport(ctx, a, fill.ID); err != nil {
			t.Fatal(err)
		}
		c, _ = db.Contact(ctx, a, existing.ID)
		if c.JobTitle != "" || c.About != "" || c.FamilyName != "King" {
			t.Fatalf("undo of fill: %q %q %q", c.FamilyName, c.JobTitle, c.About)
		}
		over := runLocal(t, db, a, file, importer.Request{OnDuplicate: models.DuplicateOverwrite})
		c, _ = db.Contact(ctx, a, existing.ID)
		if counts(over) != "read 1 created 0 updated 1 skipped 0 failed 0" || c.FamilyName != "Lovelace" || c.JobTitle != "Countess" {
			t.Fatalf("overwrite: %s → %s %s", counts(over), c.FamilyName, c.JobTitle)
		}
		if _, err := db.UndoImport(ctx, a, over.ID); err != nil {
			t.Fatal(err)
		}
		c, _ = db.Contact(ctx, a, existing.ID)
		if c.FamilyName != "King" || c.JobTitle != "" || len(c.Emails) != 1 {
			t.Fatalf("undo of overwrite: %q %q %v", c.FamilyName, c.JobTitle, c.Emails)
		}
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		evs, err := db.AuditEvents(ctx, admin.Actor("session"), models.AuditListOptions{Action: "import.undo", Limit: 10})
		if err != nil || len(evs) != 2 {
			t.Errorf("undo audited: %d %v", len(evs), err)
		}
	})
}

// TestImportBirthdayWithoutYear imports birthdays without a year, as
// Google writes them: a new contact keeps one, an overwrite does not trade
// a stored year away for the same day without it, and a fill adds a year.
func TestImportBirthdayWithoutYear(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		a := apptest.User(t, db, models.RoleMember, "Sales").Actor("session")
		full, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ada", Birthday: "1815-12-10",
			Emails: []models.EmailInput{{Address: "ada@engines.example"}}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Bob", Birthday: "1980-01-02",
			Emails: []models.EmailInput{{Address: "bob@example.test"}}})
		if err != nil {
			t.Fatal(err)
		}
		file := writeFile(t, "google.csv", "First Name,Birthday,E-mail 1 - Value\n"+
			"Ada,--12-10,ada@engines.example\nBob,--03-04,bob@example.test\nCy,--02-29,cy@example.test\n")
		over := runLocal(t, db, a, file, importer.Request{OnDuplicate: models.DuplicateOverwrite})
		// Ada's row changes nothing, so it counts as skipped.
		left, err := db.ImportValuesLeftOut(ctx, a, over.ID)
		if counts(over) != "read 3 created 1 updated 1 skipped 1 failed 0" || left != 0 || err != nil {
			t.Fatalf("import: %s, %d values left out (%v)", counts(over), left, err)
		}
		for id, want := range map[int64]string{full.ID: "1815-12-10", other.ID: "--03-04"} {
			if c, err := db.Contact(ctx, a, id); err != nil || c.Birthday != want {
				t.Errorf("contact %d: birthday %q, want %q (%v)", id, c.Birthday, want, err)
			}
		}
		if cy := byEmail(t, db, a, "cy@example.test"); len(cy) != 1 || cy[0].Birthday != "--02-29" {
			t.Errorf("new contact: %+v", cy)
		}

		// The other way round, a file that knows the year adds it even
		// when it only fills empty fields; another day is left alone.
		file = writeFile(t, "full.csv", "First Name,Birthday,E-mail 1 - Value\n"+
			"Bob,1980-03-04,bob@example.test\nCy,1990-03-01,cy@example.test\n")
		fill := runLocal(t, db, a, file, importer.Request{OnDuplicate: models.DuplicateFill})
		if counts(fill) != "read 2 created 0 updated 1 skipped 1 failed 0" {
			t.Errorf("fill import: %s", counts(fill))
		}
		for email, want := range map[string]string{"bob@example.test": "1980-03-04", "cy@example.test": "--02-29"} {
			if cs := byEmail(t, db, a, email); len(cs) != 1 || cs[0].Birthday != want {
				t.Errorf("%s after filling: %+v, want birthday %q", email, cs, want)
			}
		}
	})
}

// TestImportResumesExactlyOnce stops the runner right after the first
// batch commits, as a crash would, and runs the job again: every row must
// be imported once.
func TestImportResumesExactlyOnce(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		u := apptest.User(t, db, models.RoleMember, "Sales")
		a := u.Actor("session")
		var b strings.Builder
		b.WriteString("First Name,Last Name,Email\n")
		const rows = 25
		for i := range rows {
			fmt.Fprintf(&b, "Person,N%03d,p%03d@resume.example\n", i, i)
		}
		imp, err := importer.Local(ctx, db, a, writeFile(t, "many.csv", b.String()), importer.Request{})
		if err != nil {
			t.Fatal(err)
		}
		imp, err = db.QueueImport(ctx, a, imp.ID)
		if err != nil || imp.Status != models.ImportQueued || imp.JobID == nil {
			t.Fatalf("queue: %+v %v", imp, err)
		}
		im := importer.New(db, importer.Options{BatchSize: 10})
		opts := jobs.Options{Workers: 1, Lease: time.Second, PollInterval: 10 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}

		// First runner: stop it once a batch has committed.
		runCtx, stop := context.WithCancel(ctx)
		first := jobs.New(db, opts)
		var once sync.Once
		first.Register(models.ImportJobKind, func(ctx context.Context, run *jobs.Run) error {
			return im.Handle(ctx, &stopAfterBatch{Run: run, stop: func() { once.Do(stop) }})
		})
		if err := first.Run(runCtx); err != nil {
			t.Fatal(err)
		}
		j, _ := db.JobByID(ctx, *imp.JobID)
		mid, _ := db.ImportByID(ctx, imp.ID)
		if j.Status != models.JobQueued || j.Checkpoint != "10" || mid.RowsCreated != 10 {
			t.Fatalf("after the stop: job %s checkpoint %q, created %d", j.Status, j.Checkpoint, mid.RowsCreated)
		}

		second := jobs.New(db, opts)
		second.Register(models.ImportJobKind, im.Handler())
		runCtx2, stop2 := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- second.Run(runCtx2) }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			got, _ := db.ImportByID(ctx, imp.ID)
			if got.Finished() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("import never finished: %s", got.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
		stop2()
		<-done
		got, _ := db.ImportByID(ctx, imp.ID)
		if got.Status != models.ImportDone || counts(got) != fmt.Sprintf("read %d created %d updated 0 skipped 0 failed 0", rows, rows) {
			t.Fatalf("resumed import: %s %s", got.Status, counts(got))
		}
		for i := range rows {
			if n := len(byEmail(t, db, a, fmt.Sprintf("p%03d@resume.example", i))); n != 1 {
				t.Errorf("row %d imported %d times", i, n)
			}
		}
		if n, _ := db.CountContacts(ctx, a, models.ContactListOptions{}); n != rows {
			t.Errorf("%d contacts, want %d", n, rows)
		}
	})
}

// stopAfterBatch is a job run that stops the runner once its first batch
// has committed.
type stopAfterBatch struct {
	*jobs.Run
	stop func()
}

func (s *stopAfterBatch) SetProgress(done, total int64, detail any) {
	s.Run.SetProgress(done, total, detail)
	if done > 0 {
		s.stop() // called once the batch has committed
	}
}

// TestRejectedRowsAreGuarded: the rejected rows file repeats what someone
// uploaded, header included, to whoever downloads it (an admin may open
// any member's); a formula there must not run in their spreadsheet.
func TestRejectedRowsAreGuarded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		a := apptest.User(t, db, models.RoleMember, "Sales").Actor("session")
		file := writeFile(t, "evil.csv", "First Name,E-mail 1 - Value,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"Click\"\")\"\n"+
			"Eve,not-an-email,@SUM(1+1)\n")
		// The row goes in without its email, a value left out.
		im := runLocal(t, db, a, file, importer.Request{})
		if im.RowsRead != 1 {
			t.Fatalf("import: %s", counts(im))
		}
		var out strings.Builder
		if err := importer.WriteRejected(context.Background(), db, a, im, true, &out); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("rejected rows: %v %q", err, out.String())
		}
		want := [][]string{{"First Name", "E-mail 1 - Value", `'=HYPERLINK("http://evil.example/","Click")`, "error"},
			{"Eve", "not-an-email", "'@SUM(1+1)"}}
		for i, w := range want {
			if !slices.Equal(recs[i][:len(w)], w) {
				t.Errorf("row %d: %q, want %q", i, recs[i], w)
			}
		}
	})
}
