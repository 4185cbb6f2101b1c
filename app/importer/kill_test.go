package importer_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/importer"
	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

// Environment of the child process the kill test runs imports in.
const (
	killChildEnv = "RAPPORT_IMPORT_KILL_CHILD"
	killDBEnv    = "RAPPORT_IMPORT_KILL_DB"
)

// killLease is the job lease in the kill test: short, so the import is
// claimed again soon after the process holding it dies.
const killLease = 2 * time.Second

// killChild is the worker process the kill test kills: it runs queued
// imports as rapport serve does, until it is killed.
func killChild() int {
	ctx := context.Background()
	db, err := models.Open(ctx, os.Getenv(killDBEnv), models.Options{MaxOpenConns: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer db.Close()
	r := jobs.New(db, jobs.Options{Workers: 1, Lease: killLease, PollInterval: 20 * time.Millisecond, Owner: "doomed-worker"})
	r.Register(models.ImportJobKind, importer.New(db, importer.Options{}).Handler())
	if err := r.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// A worker process killed with SIGKILL in the middle of a 100,000-row
// import (batches committed, one in flight, its lease still held) loses no
// row and saves none twice: once the lease expires another worker resumes
// from the last committed checkpoint (issue #10).
func TestImportKilledMidwayResumesExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 100,000 rows in a process and kills it")
	}
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, dbURL string) {
		ctx := context.Background()
		a := apptest.User(t, db, models.RoleMember, "Sales").Actor("session")
		const rows = 100_000
		path := demoFile(t, t.TempDir(), 0, rows, 11)
		imp, err := importer.Local(ctx, db, a, path, importer.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if imp, err = db.QueueImport(ctx, a, imp.ID); err != nil {
			t.Fatal(err)
		}

		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), killChildEnv+"=1", killDBEnv+"="+dbURL)
		var stderr strings.Builder
		child.Stderr = &stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once a few batches have committed, well before the end.
		var mid *models.Import
		poll(t, 5*time.Minute, func() bool {
			mid, err = db.ImportByID(ctx, imp.ID)
			return err == nil && mid.RowsCreated >= 3*importer.DefaultBatchSize
		})
		if err := child.Process.Kill(); err != nil { // SIGKILL: no cleanup, the lease stays held
			t.Fatal(err)
		}
		if err := child.Wait(); err == nil {
			t.Fatalf("the worker finished before it was killed; %s", stderr.String())
		}
		mid, _ = db.ImportByID(ctx, imp.ID)
		if mid.RowsCreated >= rows || mid.Finished() {
			t.Fatalf("killed too late: %s %s", mid.Status, counts(mid))
		}

		r := jobs.New(db, jobs.Options{Workers: 1, Lease: killLease, PollInterval: 20 * time.Millisecond, Owner: "survivor",
			Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
		r.Register(models.ImportJobKind, importer.New(db, importer.Options{}).Handler())
		rctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- r.Run(rctx) }()
		var got *models.Import
		poll(t, 10*time.Minute, func() bool {
			got, err = db.ImportByID(ctx, imp.ID)
			return err == nil && got.Finished()
		})
		stop()
		<-done
		if got.Status != models.ImportDone || counts(got) != fmt.Sprintf("read %d created %d updated 0 skipped 0 failed 0", rows, rows) {
			t.Fatalf("after the restart: %s %s", got.Status, counts(got))
		}
		// Every row has its own email, so a row saved twice would be a
		// contact too many, and a row lost one too few.
		if n, err := db.CountContacts(ctx, a, models.ContactListOptions{}); err != nil || n != rows {
			t.Errorf("%d contacts, want %d: %v", n, rows, err)
		}
		created, err := db.ImportCreatedContacts(ctx, imp.ID)
		if err != nil || created.Count() != rows {
			t.Errorf("%d contacts recorded as created (for undo), want %d: %v", created.Count(), rows, err)
		}
		for _, i := range []int{0, rows / 2, rows - 1} {
			if got := byEmail(t, db, a, fmt.Sprintf("contact%d@%s", i, []string{"example.com", "example.org", "example.net"}[i%3])); len(got) != 1 {
				t.Errorf("row %d: %d contacts", i, len(got))
			}
		}
		t.Logf("killed at %d of %d rows created", mid.RowsCreated, rows)
	})
}

// poll waits until cond holds, failing the test after limit.
func poll(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
