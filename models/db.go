// Package models holds Rapport's GORM models and every query the application
// makes. Callers never build SQL themselves: they call methods on *DB, which
// apply visibility rules once for every caller.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is Rapport's handle on its database. Inside DB.Tx it wraps the
// transaction, so the same query methods work in and out of one.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect dialect
	log     *slog.Logger
	// statements counts round trips (see Statements); shared with Tx.
	statements *atomic.Int64
	// conn is the connection a BulkTx runs on, for COPY; nil otherwise.
	conn *sql.Conn
	// passwords bounds password hashing; shared with Tx.
	passwords *passwordHashing
}

// Options tune how a database is opened.
type Options struct {
	Logger *slog.Logger
	// MaxOpenConns bounds the Postgres pool; 0 picks a default sized for a
	// small machine. SQLite ignores it.
	MaxOpenConns int
}

// ErrUnsupportedURL is returned for database URLs that are neither Postgres
// nor SQLite.
var ErrUnsupportedURL = errors.New("unsupported database URL")

// Open connects to the database named by rawURL: postgres://… or
// postgresql://… for Postgres, sqlite:PATH, file:PATH or a plain path for the
// embedded SQLite. It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d, dsn, err := dialectFor(rawURL)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
	var dialector gorm.Dialector
	switch d.name() {
	case "postgres":
		dialector = postgres.New(postgres.Config{DSN: dsn})
	case "sqlite":
		if err := os.MkdirAll(filepath.Dir(sqlitePath(dsn)), 0o755); err != nil {
			return nil, fmt.Errorf("create directory for SQLite database: %w", err)
		}
		dialector = sqlite.Open(dsn)
	}
	g, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.name(), err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.name(), err)
	}
	d.configurePool(sqlDB, opts)
	db := &DB{gorm: g, sql: sqlDB, dialect: d, log: log, statements: new(atomic.Int64), passwords: newPasswordHashing()}
	if err := countStatements(g, db.statements); err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.name(), err)
	}
	return db, nil
}

// dialectFor picks the dialect for a database URL and returns the DSN its
// driver expects.
func dialectFor(rawURL string) (dialect, string, error) {
	switch {
	case rawURL == "":
		return nil, "", fmt.Errorf("%w: empty", ErrUnsupportedURL)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return nil, "", fmt.Errorf("%w: %v", ErrUnsupportedURL, err)
		}
		return postgresDialect{}, rawURL, nil
	case strings.Contains(rawURL, "://") && !strings.HasPrefix(rawURL, "sqlite://") && !strings.HasPrefix(rawURL, "file://"):
		return nil, "", fmt.Errorf("%w: %q (use postgres://… or a SQLite file path)", ErrUnsupportedURL, redact(rawURL))
	}
	path := rawURL
	for _, p := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if strings.HasPrefix(path, p) {
			path = strings.TrimPrefix(path, p)
			break
		}
	}
	path, query, _ := strings.Cut(path, "?")
	if path == "" {
		return nil, "", fmt.Errorf("%w: SQLite URL %q names no file", ErrUnsupportedURL, rawURL)
	}
	return sqliteDialect{}, sqliteDSN(path, query), nil
}

// sqliteDSN adds the pragmas Rapport relies on: WAL so readers never block
// the writer, foreign keys, a busy timeout so concurrent writers wait rather
// than fail, immediate transactions so a read-then-write transaction
// never fails on lock upgrade, and a 16 MB page cache per connection (the
// default 2 MB re-read index pages every import batch; 8 connections keep
// it at 128 MB at most, inside the server's 250 MB budget).
//
// No _time_format: the driver's default already writes
// "2006-01-02 15:04:05.999999999-07:00", which sorts as text for UTC times,
// and glebarez/go-sqlite v1.21.2 stops reading parameters after
// _time_format, so setting it would silently drop _txlock (TestSQLite
// ImmediateTransactions guards this).
func sqliteDSN(path, extra string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-16384)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	if extra != "" {
		dsn += "&" + extra
	}
	return dsn
}

func sqlitePath(dsn string) string {
	p, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	return p
}

// redact hides a password in a URL for logs and error messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Dialect names the database in use ("postgres" or "sqlite") for logs and
// the health endpoints. Code must not branch on it: differences belong in
// dialect.go.
func (db *DB) Dialect() string { return db.dialect.name() }

// ServerInfo names the database server and the settings that decide how
// much of a large table stays in memory, for benchmark reports.
func (db *DB) ServerInfo(ctx context.Context) (string, error) {
	var info string
	q := "SELECT 'SQLite ' || sqlite_version()"
	if db.dialect.name() == "postgres" {
		q = "SELECT 'PostgreSQL ' || current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers') || ', work_mem ' || current_setting('work_mem')"
	}
	if err := db.sql.QueryRowContext(ctx, q).Scan(&info); err != nil {
		return "", fmt.Errorf("models: server info: %w", err)
	}
	return info, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.sql.PingContext(ctx)
}

// SQL returns the underlying pool, for the session store and migrations.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close releases the connection pool.
func (db *DB) Close() error { return db.sql.Close() }

// Tx runs fn in a transaction, committed when fn returns nil and rolled back
// otherwise, so a multi-step save never leaves half a record behind.
func (db *DB) Tx(ctx context.Context, fn func(tx *DB) error) error {
	return db.gorm.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(&DB{gorm: g, sql: db.sql, dialect: db.dialect, log: db.log, statements: db.statements, conn: db.conn, passwords: db.passwords})
	})
}

// inTx reports whether db runs inside a transaction (of Tx or BulkTx).
func (db *DB) inTx() bool {
	_, ok := db.gorm.Statement.ConnPool.(gorm.TxCommitter)
	return ok
}

// withCustomPlans runs fn, inside db's transaction, with each statement
// planned for the values it is given. A statement whose text repeats with
// other values, such as an import batch's duplicate match (an IN list of
// 2,000 keys, the same text every batch), is otherwise planned once
// without them: generically, from statistics taken when the tables were
// small. The import's match so planned took 1.5 s a batch at 50,000
// contacts (log_min_duration_statement) instead of 5 ms. Planning each run
// costs well under a millisecond for such a statement; it is not the
// transaction's default because every foreign key check is a statement
// too, run once per row. Outside a transaction fn runs as it is.
func (db *DB) withCustomPlans(ctx context.Context, fn func() error) error {
	setting, value := db.dialect.customPlans()
	if setting == "" || !db.inTx() {
		return fn()
	}
	var was string
	if err := db.with(ctx).Raw("SELECT current_setting(?)", setting).Scan(&was).Error; err != nil {
		return fmt.Errorf("models: read %s: %w", setting, err)
	}
	if err := db.with(ctx).Exec("SELECT set_config(?, ?, true)", setting, value).Error; err != nil {
		return fmt.Errorf("models: set %s: %w", setting, err)
	}
	err := fn()
	if err != nil {
		// The transaction is rolling back, and the setting with it.
		return err
	}
	if err := db.with(ctx).Exec("SELECT set_config(?, ?, true)", setting, was).Error; err != nil {
		return fmt.Errorf("models: restore %s: %w", setting, err)
	}
	return nil
}

// with binds ctx to a GORM session for one query chain.
func (db *DB) with(ctx context.Context) *gorm.DB { return db.gorm.WithContext(ctx) }

// now is the single clock for database writes: UTC, so SQLite's text
// timestamps compare in order, and cut to microseconds, the precision
// Postgres keeps, so a time read back equals the time written.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// AnalyzeGrowing refreshes the statistics of the tables a bulk load of
// contacts grows, for a load to call as it goes (each time the rows it
// wrote have doubled, say). Postgres plans each batch's statements from
// statistics taken before the load: when they said contacts was empty, the
// duplicate match of a batch walked every contact for each of its rows
// (42 s for a 10,000-row import, auto_explain), against 4 ms once
// analyzed. SQLite's plans for those statements are pinned by their join
// order, and its ANALYZE reads every row, so there it does nothing.
func (db *DB) AnalyzeGrowing(ctx context.Context) error {
	if q := db.dialect.analyzeGrowing(); q != "" {
		if err := db.with(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("models: analyze: %w", err)
		}
	}
	return nil
}

// ContactsEverCreated is the highest contact id: how many contacts were
// ever created, deleted ones included, read from the primary key at once,
// where a count would read the table. It sizes the database for decisions
// such as whether an import changes its statistics.
func (db *DB) ContactsEverCreated(ctx context.Context) (int64, error) {
	var n int64
	if err := db.with(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM contacts").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("models: contacts ever created: %w", err)
	}
	return n, nil
}

// Analyze refreshes the planner's statistics. Call it after writing many
// rows at once (an import, generated data): until autoanalyze catches up,
// Postgres may plan a timeline page as a sort over the whole history
// (185 ms for 10,000 items, seen in make bench) instead of reading the
// ordered index (0.2 ms). The statement is the same on both databases.
func (db *DB) Analyze(ctx context.Context) error {
	if err := db.with(ctx).Exec("ANALYZE").Error; err != nil {
		return fmt.Errorf("models: analyze: %w", err)
	}
	return nil
}
