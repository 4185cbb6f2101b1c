package models

import (
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// countStatements makes g count every statement it sends into n. Round
// trips, not rows, are what a page on SQLite or a nearby Postgres pays
// for, so tests and the benchmark assert and report how many a page takes.
func countStatements(g *gorm.DB, n *atomic.Int64) error {
	inc := func(tx *gorm.DB) {
		// GORM builds a subquery by running the callbacks dry: no round trip.
		if !tx.DryRun {
			n.Add(1)
		}
	}
	cb := g.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("rapport:count", inc),
		"row":    cb.Row().After("gorm:row").Register("rapport:count", inc),
		"raw":    cb.Raw().After("gorm:raw").Register("rapport:count", inc),
		"create": cb.Create().After("gorm:create").Register("rapport:count", inc),
		"update": cb.Update().After("gorm:update").Register("rapport:count", inc),
		"delete": cb.Delete().After("gorm:delete").Register("rapport:count", inc),
	} {
		if err != nil {
			return fmt.Errorf("count %s statements: %w", name, err)
		}
	}
	return nil
}

// Statements is how many statements this database handle has sent since
// it was opened.
func (db *DB) Statements() int64 { return db.statements.Load() }
