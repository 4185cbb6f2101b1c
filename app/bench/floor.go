package bench

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"rapport/models"
)

// FloorTable is one table's part of an import's floor: the rows of the
// import loaded into it and how long psql's \copy of them took, as psql's
// \timing measured it within the one timed run.
type FloorTable struct {
	Table   string
	Rows    int64
	Elapsed time.Duration
}

// floorTable is a table an import writes, and how to find the rows of
// one import in it: a FROM clause and condition naming the table t, and
// the order the importer wrote them in.
type floorTable struct {
	name  string
	from  func(importID int64) string
	order string
}

// ofImportedContacts selects the rows of table whose column is a contact
// the import created. Each batch records its new contacts as one range of
// ids, so this is an index range scan per batch, not a probe per row.
func ofImportedContacts(table, column, order string) floorTable {
	return floorTable{table, func(id int64) string {
		return fmt.Sprintf("import_created_ranges r JOIN %s t ON t.%s BETWEEN r.first_id AND r.last_id WHERE r.import_id = %d", table, column, id)
	}, order}
}

// companiesOf is the condition on a company co that a contact the import
// created works for; cmp is ">=" for those the import created (dated
// from its start on) and "<" for those that existed before.
func companiesOf(id int64, co, cmp string) string {
	return fmt.Sprintf("%[2]s.id IN (SELECT c.company_id FROM import_created_ranges r JOIN contacts c ON c.id BETWEEN r.first_id AND r.last_id "+
		"WHERE r.import_id = %[1]d) AND %[2]s.created_at %[3]s (SELECT started_at FROM imports WHERE id = %[1]d)", id, co, cmp)
}

// ofImport selects the rows of table that belong to the import by their
// import_id.
func ofImport(table, order string) floorTable {
	return floorTable{table, func(id int64) string { return fmt.Sprintf("%s t WHERE t.import_id = %d", table, id) }, order}
}

// floorTables are the tables importer.Run writes, in foreign-key order:
// what it creates (companies by CreateContact's rules, each with its audit
// event; contacts with their emails, phones, addresses, tags and social
// profiles; each contact's "Imported from <file>" timeline item) and what
// it records about itself (the ranges of contacts it created, rejected
// rows, contacts it changed, and the audit event of its end). The bench's
// import creates every row, so it changes no existing contact and
// import_changes stays empty. The imports row is the import's draft,
// written before it starts (the import only updates its counts), so it is
// loaded with the rows the others refer to.
var floorTables = []floorTable{
	{"companies", func(id int64) string { return "companies t WHERE " + companiesOf(id, "t", ">=") }, "t.id"},
	ofImportedContacts("contacts", "id", "t.id"),
	ofImportedContacts("contact_emails", "contact_id", "t.id"),
	ofImportedContacts("contact_phones", "contact_id", "t.id"),
	ofImportedContacts("contact_addresses", "contact_id", "t.id"),
	ofImportedContacts("contact_tags", "contact_id", "t.contact_id"),
	ofImportedContacts("social_profiles", "contact_id", "t.id"),
	ofImportedContacts("timeline_items", "contact_id", "t.id"),
	ofImport("import_created_ranges", "t.first_id"),
	ofImport("import_failures", "t.id"),
	ofImport("import_changes", "t.id"),
	{"audit_events", func(id int64) string {
		return fmt.Sprintf("audit_events t WHERE (t.action = 'import.finish' AND t.subject_type = 'import' AND t.subject_id = %d) "+
			"OR (t.action = 'company.create' AND t.subject_type = 'company' AND t.subject_id IN (SELECT co.id FROM companies co WHERE %s))",
			id, companiesOf(id, "co", ">="))
	}, "t.id"},
}

// floorReferenced are the rows the import's rows refer to, loaded first
// and untimed: every department and user (owners, authors, the importer),
// the import, and the companies that existed before it.
var floorReferenced = []floorTable{
	{"departments", func(int64) string { return "departments t" }, "t.id"},
	{"users", func(int64) string { return "users t" }, "t.id"},
	{"user_departments", func(int64) string { return "user_departments t" }, "t.user_id, t.department_id"},
	{"imports", func(id int64) string { return fmt.Sprintf("imports t WHERE t.id = %d", id) }, "t.id"},
	{"companies", func(id int64) string { return "companies t WHERE " + companiesOf(id, "t", "<") }, "t.id"},
}

// Floor times the least Postgres can take to store what import importID
// wrote into the database at databaseURL: psql's \copy of exactly those
// rows, one file per table in foreign-key order, in one psql run, into a
// new database next to it migrated with Rapport's own migrations, so with
// every index, constraint and foreign key the import paid for. The rows
// they refer to are loaded first, untimed. The scratch database holds
// nothing else, so its indexes start empty where the import's held the
// rest of the bench's data. It is dropped again whatever happens.
func Floor(ctx context.Context, databaseURL string, importID int64) (elapsed time.Duration, tables []FloorTable, err error) {
	dir, err := os.MkdirTemp("", "rapport-bench-floor-")
	if err != nil {
		return 0, nil, err
	}
	defer os.RemoveAll(dir)
	name, scratchURL, err := scratchDatabase(databaseURL)
	if err != nil {
		return 0, nil, err
	}
	if err := psql(ctx, databaseURL, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return 0, nil, fmt.Errorf("floor: create scratch database: %w", err)
	}
	defer func() {
		derr := psql(context.WithoutCancel(ctx), databaseURL, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)")
		if derr != nil && err == nil {
			err = fmt.Errorf("floor: drop scratch database %s: %w", name, derr)
		}
	}()
	if err := migrate(ctx, scratchURL); err != nil {
		return 0, nil, err
	}

	all := append(append([]floorTable{}, floorReferenced...), floorTables...)
	cols, err := columnsOf(ctx, databaseURL, all)
	if err != nil {
		return 0, nil, err
	}
	// One file per table, out of the bench database and into the scratch
	// one, as text: COPY's own format, which gives back every value as it
	// was. psql's \timing times each copy within the timed run.
	var out, referenced, timed strings.Builder
	timed.WriteString("\\timing on\n")
	for i, t := range all {
		file := strings.ReplaceAll(filepath.Join(dir, fmt.Sprintf("%02d_%s.copy", i, t.name)), "'", "''")
		fmt.Fprintf(&out, "\\copy (SELECT t.%s FROM %s ORDER BY %s) TO '%s'\n", strings.Join(cols[t.name], ", t."), t.from(importID), t.order, file)
		load := &timed
		if i < len(floorReferenced) {
			load = &referenced
		}
		fmt.Fprintf(load, "\\copy %s (%s) FROM '%s'\n", t.name, strings.Join(cols[t.name], ", "), file)
	}
	if _, err := psqlOut(ctx, databaseURL, out.String(), "-q", "-f", "-"); err != nil {
		return 0, nil, fmt.Errorf("floor: copy the import's rows out: %w", err)
	}
	if _, err := psqlOut(ctx, scratchURL, referenced.String(), "-q", "-f", "-"); err != nil {
		return 0, nil, fmt.Errorf("floor: load the rows the import's rows refer to: %w", err)
	}
	start := time.Now()
	printed, err := psqlOut(ctx, scratchURL, timed.String(), "-f", "-")
	elapsed = time.Since(start)
	if err != nil {
		return 0, nil, fmt.Errorf("floor: load the import's rows: %w", err)
	}
	if tables, err = parseTimedCopies(printed, floorTables); err != nil {
		return 0, nil, fmt.Errorf("floor: %w", err)
	}
	return elapsed, tables, nil
}

// floorBreakdown lists the tables that took rows, the slowest first, with
// their rows, time and share of the copies' time.
func floorBreakdown(ts []FloorTable) string {
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b FloorTable) int { return cmp.Compare(b.Elapsed, a.Elapsed) })
	var total time.Duration
	for _, t := range ts {
		total += t.Elapsed
	}
	var parts []string
	for _, t := range ts {
		if t.Rows > 0 {
			parts = append(parts, fmt.Sprintf("%s %d rows %.2f s (%.0f%%)", t.Table, t.Rows, t.Elapsed.Seconds(), 100*float64(t.Elapsed)/float64(max(total, 1))))
		}
	}
	return strings.Join(parts, ", ")
}

// parseTimedCopies reads what psql printed for \timing on and one \copy
// per table: "COPY n" and then "Time: 12.345 ms" for each.
func parseTimedCopies(printed string, ts []floorTable) ([]FloorTable, error) {
	var out []FloorTable
	var rows int64 = -1
	sc := bufio.NewScanner(strings.NewReader(printed))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "COPY "):
			n, err := strconv.ParseInt(strings.TrimPrefix(line, "COPY "), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("psql printed %q", line)
			}
			rows = n
		case strings.HasPrefix(line, "Time: "):
			f := strings.Fields(line)
			ms, err := strconv.ParseFloat(f[1], 64)
			if err != nil || len(f) < 3 || f[2] != "ms" || rows < 0 || len(out) == len(ts) {
				return nil, fmt.Errorf("psql printed %q", line)
			}
			out = append(out, FloorTable{Table: ts[len(out)].name, Rows: rows, Elapsed: time.Duration(ms * float64(time.Millisecond))})
			rows = -1
		}
	}
	if len(out) != len(ts) {
		return nil, fmt.Errorf("psql timed %d copies of %d:\n%s", len(out), len(ts), printed)
	}
	return out, nil
}

// columnsOf returns the stored columns of each table, in their order,
// from the database's catalog: the scratch database has the same ones,
// being migrated by the same migrations.
func columnsOf(ctx context.Context, databaseURL string, ts []floorTable) (map[string][]string, error) {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = "'" + t.name + "'"
	}
	printed, err := psqlOut(ctx, databaseURL, "", "-q", "-A", "-t", "-F", "\t", "-c",
		`SELECT c.relname, quote_ident(a.attname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		  WHERE c.relname IN (`+strings.Join(names, ", ")+`) AND c.relnamespace = current_schema()::regnamespace
		    AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY c.relname, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("floor: columns: %w", err)
	}
	cols := map[string][]string{}
	for line := range strings.Lines(printed) {
		table, col, ok := strings.Cut(strings.TrimRight(line, "\n"), "\t")
		if ok {
			cols[table] = append(cols[table], col)
		}
	}
	for _, t := range ts {
		if len(cols[t.name]) == 0 {
			return nil, fmt.Errorf("floor: no table %s", t.name)
		}
	}
	return cols, nil
}

// scratchDatabase names a new database next to the one at databaseURL
// and returns the name and its URL.
func scratchDatabase(databaseURL string) (string, string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", "", fmt.Errorf("floor: database URL: %w", err)
	}
	base := strings.TrimPrefix(u.Path, "/")
	if base == "" {
		return "", "", fmt.Errorf("floor: no database named in the URL")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	suffix := "_floor_" + hex.EncodeToString(b)
	// Postgres keeps 63 bytes of a name.
	name := base[:min(len(base), 63-len(suffix))] + suffix
	u.Path = "/" + name
	return name, u.String(), nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// migrate applies Rapport's migrations to the database at databaseURL.
func migrate(ctx context.Context, databaseURL string) error {
	db, err := models.Open(ctx, databaseURL, models.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("floor: open scratch database: %w", err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("floor: migrate scratch database: %w", err)
	}
	return nil
}
