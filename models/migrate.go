package models

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"

	"rapport/migrations"
)

// ErrDatabaseTooNew means the database was migrated by a newer Rapport; this
// binary must not touch it.
var ErrDatabaseTooNew = errors.New("database schema is newer than this Rapport binary")

// MigrationStatus reports where the schema stands.
type MigrationStatus struct {
	Current int64 // version applied in the database
	Latest  int64 // newest version this binary knows
	Applied []int64
}

func (db *DB) migrationProvider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, db.dialect.migrationsDir())
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", db.dialect.name(), err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	locker, err := db.dialect.migrationLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	if locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(db.dialect.gooseDialect(), db.sql, sub, opts...)
}

// Migrate applies pending migrations, forward only. It refuses a database
// whose schema is newer than the migrations embedded in this binary, so an
// old binary started by mistake never writes to a schema it does not know.
func (db *DB) Migrate(ctx context.Context) (MigrationStatus, error) {
	p, err := db.migrationProvider()
	if err != nil {
		return MigrationStatus{}, err
	}
	st, err := db.schemaVersions(ctx, p)
	if err != nil {
		return st, err
	}
	if st.Current > st.Latest {
		return st, fmt.Errorf("%w: database is at version %d, this binary knows up to %d; run a newer Rapport", ErrDatabaseTooNew, st.Current, st.Latest)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return st, fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		st.Applied = append(st.Applied, r.Source.Version)
		db.log.Info("applied migration", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	st.Current, err = p.GetDBVersion(ctx)
	if err != nil {
		return st, fmt.Errorf("read schema version: %w", err)
	}
	return st, nil
}

// SchemaStatus reports the applied and latest schema versions without
// changing anything.
func (db *DB) SchemaStatus(ctx context.Context) (MigrationStatus, error) {
	p, err := db.migrationProvider()
	if err != nil {
		return MigrationStatus{}, err
	}
	return db.schemaVersions(ctx, p)
}

func (db *DB) schemaVersions(ctx context.Context, p *goose.Provider) (MigrationStatus, error) {
	var st MigrationStatus
	for _, s := range p.ListSources() {
		st.Latest = max(st.Latest, s.Version)
	}
	// GetDBVersion creates goose's version table on an empty database and
	// reports 0; on a newer schema it reports the newer version.
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return st, fmt.Errorf("read schema version: %w", err)
	}
	st.Current = cur
	return st, nil
}

// SimulateNewerSchemaForTest records a migration version this binary does
// not have, as a newer Rapport would have left it. Tests only.
func (db *DB) SimulateNewerSchemaForTest(ctx context.Context, version int64) error {
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	return db.with(ctx).Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", version, true).Error
}
