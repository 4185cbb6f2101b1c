package models

import (
	"context"

	"gorm.io/gorm"
)

// TimelinePlan returns the database's plan for the page query Timeline (or,
// when activity is not nil, Activity) runs for opts: EXPLAIN QUERY PLAN on
// SQLite, EXPLAIN ANALYZE on Postgres. Tests use it to check the indexes
// are used; docs/TIMELINE.md quotes it.
func (db *DB) TimelinePlan(ctx context.Context, actor Actor, opts TimelineOptions, activity *ActivityOptions) (string, error) {
	var sel itemSelection
	var err error
	cursor, limit := opts.Cursor, opts.Limit
	if activity != nil {
		sel, err = activitySelection(actor, *activity)
		cursor, limit = activity.Cursor, activity.Limit
	} else {
		sel, err = db.timelineSelection(ctx, actor, opts)
	}
	if err != nil {
		return "", err
	}
	q, err := db.timelinePageQuery(ctx, actor, sel, cursor, clampLimit(limit, 50, 200))
	if err != nil {
		return "", err
	}
	var rows []timelineRow
	stmt := q.Session(&gorm.Session{DryRun: true}).Find(&rows).Statement
	explain := "EXPLAIN QUERY PLAN "
	if db.Dialect() == "postgres" {
		explain = "EXPLAIN ANALYZE "
	}
	res, err := db.sql.QueryContext(ctx, explain+stmt.SQL.String(), stmt.Vars...)
	if err != nil {
		return "", err
	}
	return planLines(res)
}
