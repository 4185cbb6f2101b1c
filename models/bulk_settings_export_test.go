package models

import "context"

// Setting reads a server setting as the session db runs on sees it (for
// tests of what BulkTx sets for its transaction).
func (db *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := db.with(ctx).Raw("SELECT current_setting(?)", name).Scan(&v).Error
	return v, err
}

// WithCustomPlans exposes withCustomPlans to tests.
func (db *DB) WithCustomPlans(ctx context.Context, fn func() error) error {
	return db.withCustomPlans(ctx, fn)
}

// Pragma reads an SQLite pragma as the connection db runs on sees it.
func (db *DB) Pragma(ctx context.Context, name string) (string, error) {
	var v string
	err := db.with(ctx).Raw("PRAGMA " + name).Scan(&v).Error
	return v, err
}
