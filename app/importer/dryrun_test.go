package importer_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/demo"
	"rapport/app/importer"
	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

// dryKeys counts the keys a dry run keeps in the database while it runs.
func dryKeys(t *testing.T, db *models.DB, id int64) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(fmt.Sprintf("SELECT count(*) FROM import_dry_keys WHERE import_id = %d", id)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// reasons lists an import's failures as "line: reason", in file order.
func reasons(t *testing.T, db *models.DB, a models.Actor, id int64) string {
	t.Helper()
	var out []string
	for _, f := range failures(t, db, a, id, true) {
		out = append(out, fmt.Sprintf("%d: %s", f.Line, f.Reason))
	}
	return strings.Join(out, "\n")
}

// A dry run reports a row repeating a new row of an earlier batch (by
// email or phone) as merged into it, and a row matching an existing
// contact by the duplicate policy, as the import itself then does: the same
// counts and the same messages. It leaves no keys behind.
func TestDryRunMergesRepeatsAcrossBatches(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		a := apptest.User(t, db, models.RoleMember, "Sales").Actor("session")
		if _, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Zed",
			Emails: []models.EmailInput{{Address: "zed@far.example"}}}); err != nil {
			t.Fatal(err)
		}
		// Batches of three: the repeats of Ann, Bob (by phone) and Cat come
		// one, two and three batches after them; Zed exists already, so
		// both his rows are skipped, and his key is not taken for a new
		// contact's.
		path := writeFile(t, "far.csv", `First Name,Last Name,Email,Phone,Job Title
Ann,One,ann@far.example,,
Bob,Two,bob@far.example,+44 20 7946 0958,
Zed,,zed@far.example,,Pilot
Dan,Four,dan@far.example,,
Ann,,ANN@far.example,,Pilot
,,,,Pilot
Fay,Six,fay@far.example,+44 20 7946 0000,
Rob,Two,,+442079460958,
Zed,,zed@far.example,,Pilot
Cat,Three,cat@far.example,,
Cat,Three,cat@far.example,,
Gus,Seven,not-an-email,,
`)
		const want = "read 12 created 6 updated 3 skipped 2 failed 1"
		run := func(dry bool) *models.Import {
			imp, err := importer.Local(ctx, db, a, path, importer.Request{DryRun: dry})
			if err != nil {
				t.Fatal(err)
			}
			done, err := importer.New(db, importer.Options{BatchSize: 3}).Run(ctx, imp.ID, importer.LocalTracker{})
			if err != nil {
				t.Fatal(err)
			}
			if counts(done) != want {
				t.Errorf("dry run %v: %s, want %s", dry, counts(done), want)
			}
			if n := dryKeys(t, db, done.ID); n != 0 {
				t.Errorf("dry run %v: %d keys left behind", dry, n)
			}
			return done
		}
		dry := run(true)
		if got := byEmail(t, db, a, "ann@far.example"); len(got) != 0 {
			t.Fatalf("the dry run saved contacts: %v", got)
		}
		real := run(false)
		if d, r := reasons(t, db, a, dry.ID), reasons(t, db, a, real.ID); d != r || d == "" {
			t.Errorf("the dry run reported\n%s\nthe import\n%s", d, r)
		}
		if got := byEmail(t, db, a, "ann@far.example"); len(got) != 1 || got[0].JobTitle != "Pilot" {
			t.Errorf("Ann's rows made %+v", got)
		}
	})
}

// A dry run stopped mid-file (its worker shut down) and resumed by another
// worker from its checkpoint still reports a row repeating one read before
// the stop as merged, as an uninterrupted dry run of the file does, and
// leaves no keys behind.
func TestDryRunResumedRemembersEarlierRows(t *testing.T) {
	if testing.Short() {
		t.Skip("dry-runs 8,000 rows twice")
	}
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		a := apptest.User(t, db, models.RoleMember, "Sales").Actor("session")
		const rows, batch = 8000, 250
		var file strings.Builder
		if err := demo.WriteCSV(&file, 0, rows, 5); err != nil {
			t.Fatal(err)
		}
		// The first two people again at the end of the file, long after
		// the stop.
		lines := strings.SplitN(file.String(), "\n", 4)
		path := writeFile(t, "resume.csv", file.String()+lines[1]+"\n"+lines[2]+"\n")
		im := importer.New(db, importer.Options{BatchSize: batch})

		whole, err := importer.Local(ctx, db, a, path, importer.Request{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if whole, err = im.Run(ctx, whole.ID, importer.LocalTracker{}); err != nil {
			t.Fatal(err)
		}
		if whole.RowsUpdated < 2 || whole.RowsRead != rows+2 {
			t.Fatalf("uninterrupted: %s; want the last two rows merged", counts(whole))
		}

		imp, err := importer.Local(ctx, db, a, path, importer.Request{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if imp, err = db.QueueImport(ctx, a, imp.ID); err != nil {
			t.Fatal(err)
		}
		worker := func(owner string) (stop func()) {
			r := jobs.New(db, jobs.Options{Workers: 1, PollInterval: 20 * time.Millisecond, Owner: owner,
				Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
			r.Register(models.ImportJobKind, im.Handler())
			rctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- r.Run(rctx) }()
			return func() {
				cancel()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}
		}
		stop := worker("first")
		var mid *models.Import
		poll(t, 5*time.Minute, func() bool {
			mid, err = db.ImportByID(ctx, imp.ID)
			return err == nil && mid.RowsRead >= 2*batch
		})
		stop() // the job is handed back at its checkpoint
		mid, _ = db.ImportByID(ctx, imp.ID)
		if mid.Finished() || mid.RowsRead > rows-batch {
			t.Fatalf("stopped too late: %s %s", mid.Status, counts(mid))
		}
		if n := dryKeys(t, db, imp.ID); n == 0 {
			t.Errorf("no keys kept across the stop, after %s", counts(mid))
		}

		stop = worker("second")
		var got *models.Import
		poll(t, 5*time.Minute, func() bool {
			got, err = db.ImportByID(ctx, imp.ID)
			return err == nil && got.Finished()
		})
		stop()
		if got.Status != models.ImportDone || counts(got) != counts(whole) {
			t.Errorf("stopped at %d rows and resumed: %s %s, uninterrupted %s", mid.RowsRead, got.Status, counts(got), counts(whole))
		}
		if d, r := reasons(t, db, a, got.ID), reasons(t, db, a, whole.ID); d != r {
			t.Errorf("resumed, the dry run reported\n%s\nuninterrupted\n%s", d, r)
		}
		if n := dryKeys(t, db, imp.ID); n != 0 {
			t.Errorf("%d keys left behind", n)
		}
		if n, err := db.CountContacts(ctx, a, models.ContactListOptions{}); err != nil || n != 0 {
			t.Errorf("the dry runs saved %d contacts: %v", n, err)
		}
	})
}

// A dry run cancelled while it runs leaves no keys behind, even from a
// batch that was being written when it was cancelled.
func TestDryRunCancelledForgetsKeys(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		a := apptest.User(t, db, models.RoleMember, "Sales").Actor("session")
		path := demoFile(t, t.TempDir(), 0, 40, 3)
		imp, err := importer.Local(ctx, db, a, path, importer.Request{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		// Cancel after the first batch; the second is written after the
		// cancel, and the worker stops after it, as one that noticed the
		// cancel only then would, without finishing the import.
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		reports := 0
		tr := importer.LocalTracker{OnProgress: func(done, _ int64, _ importer.Progress) {
			switch reports++; reports {
			case 2:
				if n := dryKeys(t, db, imp.ID); n == 0 {
					t.Error("the first batch kept no keys")
				}
				if err := db.CancelImport(ctx, a, imp.ID); err != nil {
					t.Error(err)
				}
			case 3:
				stop()
			}
		}}
		if _, err := importer.New(db, importer.Options{BatchSize: 10}).Run(rctx, imp.ID, tr); err == nil {
			t.Fatal("the run went on to the end after it was stopped")
		}
		if got, err := db.ImportByID(ctx, imp.ID); err != nil || got.Status != models.ImportCancelled || got.RowsRead != 20 {
			t.Fatalf("after the stop: %+v %v", got, err)
		}
		if n := dryKeys(t, db, imp.ID); n != 0 {
			t.Errorf("%d keys left behind", n)
		}
	})
}
