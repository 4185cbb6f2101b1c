package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver to count rows

	"rapport/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestTransferFloor runs the import figure at 2,000 rows on Postgres and
// checks its floor: present, loaded exactly the rows the import added to
// each table (every table whose row count grew, so a table the importer
// starts writing is not left out), and its scratch database dropped.
func TestTransferFloor(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("no psql command: the import's baselines are psql's \\copy (apt-get install postgresql-client)")
	}
	db, dbURL := dbtest.Fresh(t, "postgres") // skips, saying why, without a reachable server
	ctx := context.Background()
	if _, _, err := benchUser(ctx, db); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before := rowCounts(t, conn)

	const rows = 2000
	var log strings.Builder
	results, err := Transfer(ctx, db, Options{ImportRows: rows, Log: &log}, dbURL)
	if err != nil {
		t.Fatalf("transfer: %v\n%s", err, log.String())
	}
	imp := results[0]
	if imp.FloorElapsed <= 0 || len(imp.FloorTables) != len(floorTables) {
		t.Fatalf("floor %v with %d tables, want > 0 with %d\n%s", imp.FloorElapsed, len(imp.FloorTables), len(floorTables), log.String())
	}
	loaded := map[string]int64{}
	for _, ft := range imp.FloorTables {
		loaded[ft.Table] = ft.Rows
	}
	if loaded["contacts"] != rows || loaded["timeline_items"] != rows {
		t.Errorf("floor loaded %d contacts and %d timeline items, want %d each", loaded["contacts"], loaded["timeline_items"], rows)
	}
	for table, n := range rowCounts(t, conn) {
		added := n - before[table]
		switch table {
		case "imports":
			added-- // the import's draft, made before it runs: loaded untimed
		case "audit_events":
			added-- // the export's
		}
		if added != loaded[table] {
			t.Errorf("%s: the run added %d rows, the floor loaded %d", table, added, loaded[table])
		}
	}

	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	q, err := conn.QueryContext(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", strings.TrimPrefix(u.Path, "/")+"_floor_")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for q.Next() {
		var name string
		if err := q.Scan(&name); err != nil {
			t.Fatal(err)
		}
		left = append(left, name)
	}
	if len(left) > 0 {
		t.Errorf("scratch databases left behind: %v", left)
	}

	md := Markdown(results, "postgres", Options{}, "test")
	want := fmt.Sprintf("| %.1f s | %.2f× |", imp.FloorElapsed.Seconds(), imp.Elapsed.Seconds()/imp.FloorElapsed.Seconds())
	if !strings.Contains(md, want) || !strings.Contains(md, fmt.Sprintf("contacts %d rows", rows)) {
		t.Errorf("the table does not show the floor %q and its contacts:\n%s", want, md)
	}
	t.Logf("%s\n%s", log.String(), md)
}

// TestTransferNoFloorOnSQLite: SQLite has no psql, so no floor, and the
// table says so rather than leaving a blank.
func TestTransferNoFloorOnSQLite(t *testing.T) {
	db, _ := dbtest.Fresh(t, "sqlite")
	var log strings.Builder
	results, err := Transfer(context.Background(), db, Options{ImportRows: 200, Log: &log}, "")
	if err != nil {
		t.Fatalf("transfer: %v\n%s", err, log.String())
	}
	if results[0].FloorElapsed != 0 || !strings.Contains(Markdown(results, "sqlite", Options{}, "test"), "| none on SQLite |") {
		t.Errorf("SQLite import shows no 'none on SQLite' floor:\n%s", Markdown(results, "sqlite", Options{}, "test"))
	}
}

// rowCounts counts the rows of every table in the database.
func rowCounts(t *testing.T, conn *sql.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rs, err := conn.QueryContext(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rs.Next() {
		var name string
		if err := rs.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rs.Close()
	counts := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(table)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}
