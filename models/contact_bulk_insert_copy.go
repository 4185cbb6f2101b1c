package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// BulkTx runs fn in a transaction, as Tx does, for work that writes many
// rows (an import's batch), on a connection of its own. On Postgres that
// lets insertRows stream rows that need no ids back with COPY on that same
// session: database/sql reaches a transaction's driver connection only
// through the *sql.Conn it was begun on. COPY spares the server parsing
// and planning INSERTs of thousands of parameters. On SQLite the
// connection keeps its statement journals in memory for the transaction
// (see sqliteDialect.bulkSession). Everything else in fn runs exactly as
// under Tx.
func (db *DB) BulkTx(ctx context.Context, fn func(tx *DB) error) error {
	if db.inTx() {
		return db.Tx(ctx, fn)
	}
	begin, end := db.dialect.bulkSession()
	if begin == "" && !db.dialect.copies() {
		return db.Tx(ctx, fn)
	}
	return db.with(ctx).Connection(func(g *gorm.DB) (err error) {
		conn, ok := g.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return fmt.Errorf("models: bulk transaction: connection is %T", g.Statement.ConnPool)
		}
		on := &DB{gorm: g, sql: db.sql, dialect: db.dialect, log: db.log, statements: db.statements, passwords: db.passwords}
		if db.dialect.copies() {
			on.conn = conn
		}
		if begin != "" {
			if err := g.Exec(begin).Error; err != nil {
				return fmt.Errorf("models: bulk transaction: %w", err)
			}
			defer func() {
				// The connection goes back to the pool: whatever runs
				// on it next gets the settings every connection has.
				if rerr := g.WithContext(context.WithoutCancel(ctx)).Exec(end).Error; rerr != nil {
					err = errors.Join(err, fmt.Errorf("models: bulk transaction: reset connection: %w", rerr))
				}
			}()
		}
		return on.Tx(ctx, func(tx *DB) error {
			if !db.dialect.copies() {
				return fn(tx)
			}
			// Two settings for this transaction only, in one round trip.
			// A batch looks up a few thousand keys in indexes the load
			// itself keeps hot. With the default cost of a random read (4,
			// a disk's) the planner scanned a 1,000,000-row contact_emails
			// with two workers and a bitmap, 46-107 ms a lookup, or the
			// whole 200,000-row table at 45-160 ms; as index probes it took
			// 1.6-5.7 ms (EXPLAIN ANALYZE of the email match with 2,000
			// keys). Starting workers alone costs more than the probes.
			// Planning every statement for its values is not one of them:
			// the foreign key checks of each copied row are statements too,
			// and planned afresh per row they cost a 100,000-row import 5 s
			// of its 15 (see DB.withCustomPlans, which the match uses).
			if err := tx.with(ctx).Exec("SELECT set_config('random_page_cost', '1.1', true), " +
				"set_config('max_parallel_workers_per_gather', '0', true)").Error; err != nil {
				return fmt.Errorf("models: bulk transaction: %w", err)
			}
			return fn(tx)
		})
	})
}

// copyRows writes n rows of cols into table with COPY on the connection
// of tx's BulkTx, inside its transaction; args appends row i's values in
// column order, as for insertRows.
func copyRows(ctx context.Context, tx *DB, table string, cols []string, n int, args func(i int, a []any) []any) error {
	return tx.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: driver connection is %T, not pgx", table, driverConn)
		}
		tx.statements.Add(1)
		src := &rowSource{n: n, i: -1, args: args}
		copied, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		if copied != int64(n) {
			return fmt.Errorf("copy into %s: %d of %d rows written", table, copied, n)
		}
		return nil
	})
}

// rowSource hands insertRows' rows to pgx.CopyFrom one at a time, reusing
// one slice: CopyFrom encodes each row before asking for the next.
type rowSource struct {
	n, i int
	args func(i int, a []any) []any
	buf  []any
}

func (s *rowSource) Next() bool             { s.i++; return s.i < s.n }
func (s *rowSource) Values() ([]any, error) { s.buf = s.args(s.i, s.buf[:0]); return s.buf, nil }
func (s *rowSource) Err() error             { return nil }
