// Package dbtest gives each test package its own databases: a temporary
// SQLite file and, when a server is reachable, a Postgres database with a
// random name. Both are migrated before the tests and dropped after them, so
// no run depends on what another left behind.
//
// Postgres is found through RAPPORT_TEST_POSTGRES_URL (an admin URL such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); without it
// the local default is tried. When RAPPORT_TEST_POSTGRES_REQUIRED=1 an
// unreachable server fails the tests instead of skipping them.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the admin connection

	"rapport/models"
)

// DefaultPostgresURL is tried when RAPPORT_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Dialects lists the databases every database test runs on.
var Dialects = []string{"sqlite", "postgres"}

// AdminURL returns the Postgres admin URL tests use and whether it was set
// explicitly.
func AdminURL() (string, bool) {
	if u := os.Getenv("RAPPORT_TEST_POSTGRES_URL"); u != "" {
		return u, true
	}
	return DefaultPostgresURL, false
}

// PostgresRequired reports whether a missing Postgres must fail the run.
func PostgresRequired() bool { return os.Getenv("RAPPORT_TEST_POSTGRES_REQUIRED") == "1" }

// ProbePostgres checks that the admin URL answers.
func ProbePostgres(ctx context.Context) error {
	admin, _ := AdminURL()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Package holds one test package's databases.
type Package struct {
	mu        sync.Mutex
	dbs       map[string]*models.DB
	urls      map[string]string
	skipWhy   string // why Postgres is skipped, "" when available
	cleanups  []func()
	tmpDir    string
	pgCreated []string
}

var pkg *Package // one per test binary, set by Main

// Main is a test package's TestMain: it creates the package's databases,
// runs the tests and drops the databases again.
func Main(m *testing.M) {
	code := func() int {
		p, err := setup()
		if err != nil {
			fmt.Fprintln(os.Stderr, "dbtest:", err)
			return 1
		}
		pkg = p
		defer p.teardown()
		return m.Run()
	}()
	os.Exit(code)
}

func setup() (*Package, error) {
	p := &Package{dbs: map[string]*models.DB{}, urls: map[string]string{}}
	dir, err := os.MkdirTemp("", "rapport-test-")
	if err != nil {
		return nil, err
	}
	p.tmpDir = dir
	return p, nil
}

func (p *Package) teardown() {
	for i := len(p.cleanups) - 1; i >= 0; i-- {
		p.cleanups[i]()
	}
	os.RemoveAll(p.tmpDir)
}

// Each runs fn once per dialect as subtests named "sqlite" and "postgres",
// with the package's shared database for that dialect. Tests sharing it
// must create their own rows (unique emails and names) rather than assume
// an empty database; use EachFresh for that.
func Each(t *testing.T, fn func(t *testing.T, db *models.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			fn(t, Shared(t, d))
		})
	}
}

// EachFresh runs fn per dialect with a new, empty, migrated database that is
// dropped when the subtest ends.
func EachFresh(t *testing.T, fn func(t *testing.T, db *models.DB, url string)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			db, u := Fresh(t, d)
			fn(t, db, u)
		})
	}
}

// Shared returns the package's database of one dialect, creating it on
// first use; on Postgres it skips (or fails, when required) if no server is
// reachable.
func Shared(t testing.TB, dialect string) *models.DB {
	t.Helper()
	p := mustPkg(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	if db, ok := p.dbs[dialect]; ok {
		return db
	}
	db, u, cleanup, err := p.create(dialect, "shared")
	if err != nil {
		p.fail(t, dialect, err)
	}
	p.cleanups = append(p.cleanups, cleanup)
	p.dbs[dialect] = db
	p.urls[dialect] = u
	return db
}

// SharedURL returns the URL of the package's shared database of one
// dialect, for tests that start a server process on it.
func SharedURL(t testing.TB, dialect string) string {
	t.Helper()
	Shared(t, dialect)
	p := mustPkg(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.urls[dialect]
}

// Fresh returns a new, empty, migrated database dropped at the end of t.
func Fresh(t testing.TB, dialect string) (*models.DB, string) {
	t.Helper()
	p := mustPkg(t)
	p.mu.Lock()
	db, u, cleanup, err := p.create(dialect, "fresh")
	p.mu.Unlock()
	if err != nil {
		p.fail(t, dialect, err)
	}
	t.Cleanup(cleanup)
	return db, u
}

// FreshURL returns the URL of a new, empty, unmigrated database dropped at
// the end of t: for tests of migration and start-up themselves.
func FreshURL(t testing.TB, dialect string) string {
	t.Helper()
	p := mustPkg(t)
	p.mu.Lock()
	u, cleanup, err := p.createEmpty(dialect, "raw")
	p.mu.Unlock()
	if err != nil {
		p.fail(t, dialect, err)
	}
	t.Cleanup(cleanup)
	return u
}

func mustPkg(t testing.TB) *Package {
	t.Helper()
	if pkg == nil {
		t.Fatal("dbtest: the package has no TestMain calling dbtest.Main")
	}
	return pkg
}

func (p *Package) fail(t testing.TB, dialect string, err error) {
	t.Helper()
	if dialect == "postgres" && !PostgresRequired() {
		t.Skipf("Postgres half skipped: %v (set RAPPORT_TEST_POSTGRES_URL to a reachable server)", err)
	}
	t.Fatalf("dbtest: %s database: %v", dialect, err)
}

func (p *Package) create(dialect, label string) (*models.DB, string, func(), error) {
	u, dropDB, err := p.createEmpty(dialect, label)
	if err != nil {
		return nil, "", nil, err
	}
	ctx := context.Background()
	db, err := models.Open(ctx, u, models.Options{MaxOpenConns: 8})
	if err != nil {
		dropDB()
		return nil, "", nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		dropDB()
		return nil, "", nil, err
	}
	return db, u, func() { db.Close(); dropDB() }, nil
}

func (p *Package) createEmpty(dialect, label string) (string, func(), error) {
	name := fmt.Sprintf("rapport_test_%d_%s_%s", time.Now().Unix(), label, randomHex(6))
	switch dialect {
	case "sqlite":
		path := filepath.Join(p.tmpDir, name+".db")
		return "sqlite:" + path, func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}, nil
	case "postgres":
		if p.skipWhy != "" {
			return "", nil, fmt.Errorf("%s", p.skipWhy)
		}
		admin, _ := AdminURL()
		if err := createPostgresDB(admin, name); err != nil {
			p.skipWhy = err.Error()
			return "", nil, err
		}
		return withDatabase(admin, name), func() { dropPostgresDB(admin, name) }, nil
	}
	return "", nil, fmt.Errorf("unknown dialect %q", dialect)
}

func createPostgresDB(admin, name string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("cannot reach Postgres at %s: %w", Redacted(admin), err)
	}
	dropStale(ctx, db)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create test database: %w", err)
	}
	return nil
}

// dropStale removes test databases left by runs that were killed more than
// a day ago, so an interrupted run does not fill the server forever.
func dropStale(ctx context.Context, db *sql.DB) {
	rows, err := db.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'rapport_test_%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			parts := strings.Split(n, "_")
			if len(parts) > 2 {
				if ts, err := strconv.ParseInt(parts[2], 10, 64); err == nil && time.Since(time.Unix(ts, 0)) > 24*time.Hour {
					stale = append(stale, n)
				}
			}
		}
	}
	rows.Close()
	for _, n := range stale {
		db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)")
	}
}

func dropPostgresDB(admin, name string) {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		fmt.Fprintf(os.Stderr, "dbtest: drop %s: %v\n", name, err)
	}
}

func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin
	}
	u.Path = "/" + name
	return u.String()
}

// Redacted hides the password in a database URL.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
