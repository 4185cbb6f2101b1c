package models

import (
	"context"
	"database/sql"
	"strings"

	"gorm.io/gorm"
)

// ContactListPlan returns the plan of the page query Contacts runs for
// opts: EXPLAIN QUERY PLAN on SQLite; on Postgres EXPLAIN with sequential
// scans priced out, since a test database of a few hundred rows is
// cheaper to scan than to index, and the question a test asks is whether
// an index can serve the query at all.
func (db *DB) ContactListPlan(ctx context.Context, actor Actor, opts ContactListOptions) (string, error) {
	if opts.Sort == "" {
		opts.Sort = ContactSortName
	}
	q, err := db.contactFilter(ctx, actor, opts)
	if err != nil {
		return "", err
	}
	order := contactOrders[opts.Sort]
	var cs []Contact
	stmt := q.Session(&gorm.Session{DryRun: true}).Order(order.orderBy()).Limit(clampLimit(opts.Limit, 50, 200) + 1).Find(&cs).Statement
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	explain := "EXPLAIN QUERY PLAN "
	if db.Dialect() == "postgres" {
		explain = "EXPLAIN "
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return "", err
		}
	}
	rows, err := tx.QueryContext(ctx, explain+stmt.SQL.String(), stmt.Vars...)
	if err != nil {
		return "", err
	}
	return planLines(rows)
}

// planLines reads an EXPLAIN's rows: the plan text is the last column.
func planLines(res *sql.Rows) (string, error) {
	defer res.Close()
	cols, err := res.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for res.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := res.Scan(ptrs...); err != nil {
			return "", err
		}
		lines = append(lines, vals[len(vals)-1].String)
	}
	return strings.Join(lines, "\n"), res.Err()
}
