package models_test

import (
	"context"
	"errors"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// TestBulkTxPlansForHotIndexes: on Postgres a bulk transaction prices a
// random read as a cached one and starts no parallel workers, since its
// lookups probe indexes the load keeps hot (a batch's duplicate match took
// 46-107 ms with workers and a bitmap scan at a million emails, 1.6-5.7 ms
// as index probes); it keeps the server's plan caching, since each row's
// foreign key checks planned afresh cost an import a third of its time;
// and those settings end with the transaction, so the pooled connection
// serves the next request with the server's own.
func TestBulkTxPlansForHotIndexes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		if db.Dialect() != "postgres" {
			t.Skip("planner costs and parallel workers are Postgres settings")
		}
		ctx := context.Background()
		want := map[string]string{"random_page_cost": "1.1", "max_parallel_workers_per_gather": "0"}
		outside := map[string]string{"plan_cache_mode": ""}
		for name := range want {
			outside[name] = ""
		}
		for name := range outside {
			v, err := db.Setting(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			outside[name] = v
		}
		want["plan_cache_mode"] = outside["plan_cache_mode"]
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

// TestCustomPlansForOneStep: inside a transaction withCustomPlans plans the
// statements of its step for their own values, as the import's duplicate
// match needs, and gives the rest of the transaction back the setting it
// had; a failed step returns its error as it was.
func TestCustomPlansForOneStep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		if db.Dialect() != "postgres" {
			t.Skip("plan caching is a Postgres setting")
		}
		ctx := context.Background()
		err := db.BulkTx(ctx, func(tx *models.DB) error {
			before, err := tx.Setting(ctx, "plan_cache_mode")
			if err != nil {
				return err
			}
			if before == "force_custom_plan" {
				t.Fatalf("a bulk transaction already plans every statement afresh")
			}
			err = tx.WithCustomPlans(ctx, func() error {
				got, err := tx.Setting(ctx, "plan_cache_mode")
				if err == nil && got != "force_custom_plan" {
					t.Errorf("inside the step plan_cache_mode = %q, want force_custom_plan", got)
				}
				return err
			})
			if err != nil {
				return err
			}
			if after, err := tx.Setting(ctx, "plan_cache_mode"); err != nil || after != before {
				t.Errorf("after the step plan_cache_mode = %q (%v), want %q again", after, err, before)
			}
			boom := errors.New("boom")
			if err := tx.WithCustomPlans(ctx, func() error { return boom }); err != boom {
				t.Errorf("a failed step returned %v, want its own error", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestBulkTxKeepsSQLiteJournalsInMemory: on SQLite a bulk transaction's
// connection keeps statement journals in memory (temp_store = MEMORY, 2),
// which spared an import a temporary file write per changed page, and
// hands the connection back to the pool with the default (0), so that the
// large sorts of ordinary requests still spill to disk.
func TestBulkTxKeepsSQLiteJournalsInMemory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		if db.Dialect() != "sqlite" {
			t.Skip("temp_store is an SQLite pragma")
		}
		ctx := context.Background()
		err := db.BulkTx(ctx, func(tx *models.DB) error {
			got, err := tx.Pragma(ctx, "temp_store")
			if err == nil && got != "2" {
				t.Errorf("inside a bulk transaction temp_store = %s, want 2 (memory)", got)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// More reads than the pool has connections, each on whichever
		// connection the pool hands out, the bulk one among them.
		for range 20 {
			if got, err := db.Pragma(ctx, "temp_store"); err != nil || got != "0" {
				t.Fatalf("after a bulk transaction temp_store = %s (%v), want the default 0", got, err)
			}
		}
	})
}
