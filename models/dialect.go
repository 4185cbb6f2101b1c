package models

import (
	"database/sql"
	"strings"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// dialect is the one place where Postgres and SQLite differ. Everything
// else in models talks to *DB and never asks which database it is on.
type dialect interface {
	name() string
	gooseDialect() goose.Dialect
	migrationsDir() string
	// migrationLocker serialises migrations between app instances sharing
	// one database; nil where the database itself serialises writers.
	migrationLocker() (lock.SessionLocker, error)
	configurePool(db *sql.DB, opts Options)
	// skipLocked is appended to the row-claiming subquery of the job queue
	// so that concurrent workers pass over rows another worker holds.
	skipLocked() string
	// sessionStore keeps web sessions in the sessions table, in the layout
	// the matching scs store expects.
	sessionStore(db *sql.DB) SessionStore
	// contactSearch is a condition on contacts that holds when
	// contacts.search_text contains every term. Terms are folded (see
	// searchKey) and at least minTrigramTerm characters long, so the
	// trigram index can answer each one.
	contactSearch(terms []string) (string, []any)
	// planFence ends a subquery so that the planner plans it on its own
	// rather than merging it into the query around it.
	planFence() string
	// noteSearch is the same condition on notes.search_text.
	noteSearch(terms []string) (string, []any)
	// epochSeconds is an integer expression: the Unix time of a time
	// column, for grouping rows by time buckets in SQL.
	epochSeconds(column string) string
	// insertVars is how many parameters a multi-row INSERT takes at most
	// (see insertRows).
	insertVars() int
	// copies reports whether bulk rows are streamed with COPY (see BulkTx).
	copies() bool
	// deferredSearchIndex returns the statements that hold back indexing
	// the search text of contacts as they are inserted (hold), index the
	// contacts whose ids lie between two parameters in one go (build), and
	// end the hold (release), all in one transaction; empty when inserting
	// indexes them well enough (see ContactBatch.Flush).
	deferredSearchIndex() (hold, build, release string)
	// bulkSession returns the statements BulkTx runs on its connection
	// before the transaction begins and after it ends; empty when none.
	bulkSession() (begin, end string)
	// analyzeGrowing refreshes the statistics of the tables a bulk load
	// of contacts grows; empty when the dialect needs none (see
	// DB.AnalyzeGrowing).
	analyzeGrowing() string
	// customPlans names the setting that makes a transaction plan each
	// statement for its own parameter values rather than reuse a plan
	// made once for the statement's text, and the value that does it;
	// empty where statements are always planned for their values (see
	// DB.withCustomPlans).
	customPlans() (setting, value string)
}

// SessionStore is scs's store for this database, with its cleanup loop.
type SessionStore interface {
	scs.Store
	StopCleanup()
}

// SessionStore returns the web session store backed by this database. It
// deletes expired sessions every few minutes until StopCleanup.
func (db *DB) SessionStore() SessionStore { return db.dialect.sessionStore(db.sql) }

type postgresDialect struct{}

func (postgresDialect) name() string                { return "postgres" }
func (postgresDialect) gooseDialect() goose.Dialect { return goose.DialectPostgres }
func (postgresDialect) migrationsDir() string       { return "postgres" }
func (postgresDialect) migrationLocker() (lock.SessionLocker, error) {
	return lock.NewPostgresSessionLocker()
}
func (postgresDialect) configurePool(db *sql.DB, opts Options) {
	n := opts.MaxOpenConns
	if n <= 0 {
		n = 16
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
}
func (postgresDialect) skipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// Postgres takes up to 65,535 parameters; thousands of rows per statement
// spread its round trip and planning thin.
func (postgresDialect) insertVars() int { return 30000 }

// COPY skips parsing and planning a statement per few thousand rows.
func (postgresDialect) copies() bool { return true }

func (postgresDialect) analyzeGrowing() string {
	return "ANALYZE contacts, contact_emails, contact_phones, contact_tags, companies, timeline_items, import_changes"
}

func (postgresDialect) bulkSession() (string, string) { return "", "" }

// pgx prepares each statement text once per connection, and after five
// runs Postgres may settle on a generic plan made without the values.
func (postgresDialect) customPlans() (string, string) { return "plan_cache_mode", "force_custom_plan" }

// The trigram GIN index buffers new entries in its pending list.
func (postgresDialect) deferredSearchIndex() (string, string, string) { return "", "", "" }

func (postgresDialect) sessionStore(db *sql.DB) SessionStore {
	return postgresstore.NewWithCleanupInterval(db, 5*time.Minute)
}

// Postgres answers LIKE '%term%' from the pg_trgm GIN index on
// search_text, intersecting the index lookups of several terms.
func (postgresDialect) contactSearch(terms []string) (string, []any) {
	conds := make([]string, len(terms))
	args := make([]any, len(terms))
	for i, t := range terms {
		conds[i], args[i] = likeContains("contacts.search_text", t)
	}
	return strings.Join(conds, " AND "), args
}

// A subquery with OFFSET is planned on its own (it is never pulled up).
func (postgresDialect) planFence() string { return " OFFSET 0" }

// Notes are searched as contacts are, through notes_search_idx.
func (postgresDialect) noteSearch(terms []string) (string, []any) {
	conds := make([]string, len(terms))
	args := make([]any, len(terms))
	for i, t := range terms {
		conds[i], args[i] = likeContains("notes.search_text", t)
	}
	return strings.Join(conds, " AND "), args
}

func (postgresDialect) epochSeconds(column string) string {
	return "CAST(FLOOR(EXTRACT(EPOCH FROM " + column + ")) AS BIGINT)"
}

type sqliteDialect struct{}

func (sqliteDialect) name() string                                 { return "sqlite" }
func (sqliteDialect) gooseDialect() goose.Dialect                  { return goose.DialectSQLite3 }
func (sqliteDialect) migrationsDir() string                        { return "sqlite" }
func (sqliteDialect) migrationLocker() (lock.SessionLocker, error) { return nil, nil }
func (sqliteDialect) configurePool(db *sql.DB, _ Options) {
	// One writer at a time is SQLite's rule; a few connections let readers
	// proceed under WAL while the busy timeout queues writers.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(0)
}

// The SQLite driver matches each parameter to its argument by scanning the
// argument list, so binding costs the square of their number: 30,000
// parameters took 60% of a bulk load's time. Fewer per statement means
// more statements to parse: at 2,000 binding and parsing were 31% of a
// 100,000-row import's CPU, at 900 about 22%, at 300 16%.
func (sqliteDialect) insertVars() int { return 300 }

func (sqliteDialect) copies() bool { return false }

func (sqliteDialect) analyzeGrowing() string { return "" }

// The SQLite driver prepares each statement as it runs it (the CPU profile
// of an import shows a prepare per Exec), so every run is planned anew.
func (sqliteDialect) customPlans() (string, string) { return "", "" }

// A write transaction keeps a statement journal for each INSERT of several
// rows into a table with a foreign key or a trigger: the pages it changes,
// as they were, so that a failing statement undoes only itself. By default
// a journal past 64 KiB moves to a temporary file, and stays one until the
// transaction ends. An import batch's INSERT of 17 contacts changes a leaf
// of each of their three name-ordered indexes per row, ~50 pages, so from
// its first statement on, each changed page cost two pwrite calls: 18% of a
// 100,000-row import's CPU, and as much again in system time (CPU profile
// of an import). Kept in memory (temp_store is read when a transaction
// begins), a journal is the pages of one statement at a time and is freed
// when the statement ends. It only undoes statements inside their
// transaction, WAL makes the commit atomic, so nothing about durability
// changes. Only bulk transactions do this, so that reads elsewhere keep
// spilling large temporary tables to disk.
func (sqliteDialect) bulkSession() (string, string) {
	return "PRAGMA temp_store = MEMORY", "PRAGMA temp_store = DEFAULT"
}

// FTS5 writes a segment per statement; see migration 00013.
func (sqliteDialect) deferredSearchIndex() (string, string, string) {
	return "INSERT INTO contacts_fts_deferred (id) VALUES (1)",
		"INSERT INTO contacts_fts (rowid, search_text) SELECT id, search_text FROM contacts WHERE id BETWEEN ? AND ?",
		"DELETE FROM contacts_fts_deferred"
}

// SQLite runs one writer at a time, so the claiming UPDATE is already
// exclusive.
func (sqliteDialect) skipLocked() string { return "" }

func (sqliteDialect) sessionStore(db *sql.DB) SessionStore {
	return sqlite3store.NewWithCleanupInterval(db, 5*time.Minute)
}

// SQLite asks the contacts_fts trigram table, where each quoted term is a
// phrase that matches as a substring and the terms must all match.
func (sqliteDialect) contactSearch(terms []string) (string, []any) {
	return "contacts.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)", []any{ftsPhrases(terms)}
}

// SQLite does not flatten a subquery with a LIMIT into an outer query
// that has one; -1 is no limit.
func (sqliteDialect) planFence() string { return " LIMIT -1" }

// Notes are searched as contacts are, through notes_fts.
func (sqliteDialect) noteSearch(terms []string) (string, []any) {
	return "notes.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)", []any{ftsPhrases(terms)}
}

// Times are stored as text that strftime reads, offset included.
func (sqliteDialect) epochSeconds(column string) string {
	return "CAST(strftime('%s', " + column + ") AS INTEGER)"
}
