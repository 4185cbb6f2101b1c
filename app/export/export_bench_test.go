package export_test

import (
	"context"
	"io"
	"os"
	"testing"

	"rapport/app/bench"
	"rapport/app/export"
	"rapport/models"
)

// BenchmarkExport exports every contact the bench user sees in the
// database at RAPPORT_BENCH_DATABASE_URL (one `rapport bench` filled) as
// CSV, beside psql's \copy of the same columns in the same order
// (bench.Export, the figure `rapport bench` reports). -bench
// 'Export/rapport' with -cpuprofile profiles the export alone.
func BenchmarkExport(b *testing.B) {
	url := os.Getenv("RAPPORT_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("set RAPPORT_BENCH_DATABASE_URL to a database rapport bench filled")
	}
	ctx := context.Background()
	db, err := models.Open(ctx, url, models.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, "bench@example.com")
	if err != nil {
		b.Fatalf("no bench user: %v", err)
	}
	actor := u.Actor("cli")
	b.Run("rapport", func(b *testing.B) {
		n := 0
		for b.Loop() {
			if n, err = export.Write(ctx, db, actor, io.Discard, export.Request{Via: "cli"}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "contacts")
	})
	// The figure rapport bench reports: the export beside psql's \copy,
	// run one after the other, with the export's peak heap.
	b.Run("figure", func(b *testing.B) {
		var res bench.Result
		for b.Loop() {
			if res, err = bench.Export(ctx, db, actor, url); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(res.Elapsed.Seconds(), "export-s")
		b.ReportMetric(res.PeakHeapMB, "peak-heap-MB")
		if res.BaselineElapsed > 0 {
			b.ReportMetric(res.BaselineElapsed.Seconds(), "copy-s")
			b.ReportMetric(res.Elapsed.Seconds()/res.BaselineElapsed.Seconds(), "x-copy")
		}
	})
}
