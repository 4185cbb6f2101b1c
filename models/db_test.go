package models_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// Read-then-write transactions must queue behind each other rather than
// fail with "database is locked": on SQLite that needs BEGIN IMMEDIATE.
func TestConcurrentReadThenWriteTransactions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		prefix := fmt.Sprintf("tx%d", time.Now().UnixNano())
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Tx(ctx, func(tx *models.DB) error {
					if _, err := tx.Departments(ctx); err != nil { // read first…
						return err
					}
					time.Sleep(5 * time.Millisecond)
					_, err := tx.CreateDepartment(ctx, fmt.Sprintf("%s-%d", prefix, i)) // …then write
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent read-then-write transaction failed: %v", err)
			}
		}
	})
}

// Times written by Go come back equal, in UTC, on both databases.
func TestTimesRoundTripInUTC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		d, err := db.CreateDepartment(ctx, fmt.Sprintf("tz%d", time.Now().UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.DepartmentsByID(ctx, []int64{d.ID})
		if err != nil || len(got) != 1 {
			t.Fatal(err)
		}
		if _, off := got[0].CreatedAt.Zone(); off != 0 || got[0].CreatedAt.Sub(d.CreatedAt).Abs() > time.Microsecond {
			t.Fatalf("created_at %v came back as %v", d.CreatedAt, got[0].CreatedAt)
		}
	})
}
