package models_test

import (
	"context"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// TestBulkTxPlansForHotIndexes: on Postgres a bulk transaction plans each
// statement for its own values, prices a random read as a cached one and
// starts no parallel workers, since its lookups probe indexes the load
// keeps hot (a batch's duplicate match took 46-107 ms with workers and a
// bitmap scan at a million emails, 1.6-5.7 ms as index probes); and
// those settings end with the transaction, so the pooled connection
// serves the next request with the server's own.
func TestBulkTxPlansForHotIndexes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		if db.Dialect() != "postgres" {
			t.Skip("planner costs and parallel workers are Postgres settings")
		}
		ctx := context.Background()
		want := map[string]string{"plan_cache_mode": "force_custom_plan", "random_page_cost": "1.1", "max_parallel_workers_per_gather": "0"}
		outside := map[string]string{}
		for name := range want {
			v, err := db.Setting(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			outside[name] = v
		}
		err := db.BulkTx(ctx, func(tx *models.DB) error {
			for name, v := range want {
				got, err := tx.Setting(ctx, name)
				if err != nil {
					return err
				}
				if got != v {
					t.Errorf("inside a bulk transaction %s = %q, want %q", name, got, v)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Every pooled connection, including the one the transaction ran on.
		for range 20 {
			for name, v := range outside {
				if got, err := db.Setting(ctx, name); err != nil || got != v {
					t.Fatalf("after a bulk transaction %s = %q (%v), want the server's %q", name, got, err, v)
				}
			}
		}
	})
}
