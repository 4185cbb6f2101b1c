package importer_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"

	"rapport/app/apptest"
	"rapport/app/demo"
	"rapport/app/importer"
	"rapport/models"
	"rapport/models/dbtest"
)

// BenchmarkImport imports a 1,000-row generated contacts CSV (names in
// many scripts, emails, phones, companies, tags, notes) per iteration into
// a database that keeps the earlier iterations' contacts, and reports rows
// per second: the importer's hot path of mapping, matching, validating and
// writing a batch. Each iteration's people are new, so every row creates.
func BenchmarkImport(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, _ := dbtest.Fresh(b, dialect)
			ctx := context.Background()
			a := apptest.User(b, db, models.RoleMember, "Sales").Actor("cli")
			const rows = 1000
			dir := b.TempDir()
			iter := 0
			for b.Loop() {
				b.StopTimer()
				path := filepath.Join(dir, "contacts.csv")
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				w := bufio.NewWriter(f)
				if err := demo.WriteCSV(w, iter*rows, rows, 1); err != nil {
					b.Fatal(err)
				}
				if err := w.Flush(); err != nil {
					b.Fatal(err)
				}
				f.Close()
				iter++
				imp, err := importer.Local(ctx, db, a, path, importer.Request{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				done, err := importer.New(db, importer.Options{}).Run(ctx, imp.ID, importer.LocalTracker{})
				if err != nil || done.RowsCreated != rows {
					b.Fatalf("import: %v, created %d of %d", err, done.RowsCreated, rows)
				}
			}
			b.ReportMetric(float64(rows*iter)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
