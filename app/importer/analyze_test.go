package importer_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/importer"
	"rapport/models"
	"rapport/models/dbtest"
)

// TestImportAnalyzesInProportion: an import refreshes the planner's
// statistics when it grows the database by a tenth or more (a 1,200-row
// file into an empty one), and leaves them alone when it is small beside
// what the database holds (the same file into one whose contacts reach id
// 100,000), where analysing every table took 20 s at a million contacts
// for statistics it hardly changes. Either way every row is imported.
func TestImportAnalyzesInProportion(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		a := apptest.User(t, db, models.RoleMember, "Sales").Actor("cli")
		run := func(first int) string {
			t.Helper()
			var log bytes.Buffer
			im := importer.New(db, importer.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
			imp, err := importer.Local(ctx, db, a, demoFile(t, t.TempDir(), first, 1200, 1), importer.Request{})
			if err != nil {
				t.Fatal(err)
			}
			done, err := im.Run(ctx, imp.ID, importer.LocalTracker{})
			if err != nil || done.RowsCreated != 1200 {
				t.Fatalf("import: %v, created %d of 1200 (%s)", err, done.RowsCreated, counts(done))
			}
			return log.String()
		}
		if log := run(0); !strings.Contains(log, "refreshed planner statistics after import") {
			t.Errorf("1,200 rows into an empty database: statistics not refreshed; log:\n%s", log)
		}
		// A database whose contacts have reached id 100,000, as after years
		// of use: a row with that id stands for them.
		insert := "INSERT INTO contacts (id, given_name, family_name, created_at, updated_at) VALUES (100000, 'Long', 'Standing', ?, ?)"
		if db.Dialect() == "postgres" {
			insert = strings.Replace(strings.Replace(insert, "?", "$1", 1), "?", "$2", 1)
		}
		now := time.Now().UTC()
		if _, err := db.SQL().ExecContext(ctx, insert, now, now); err != nil {
			t.Fatal(err)
		}
		if log := run(10_000); strings.Contains(log, "refreshed planner statistics") {
			t.Errorf("1,200 rows into a database of 100,000 contacts refreshed statistics; log:\n%s", log)
		}
	})
}
