// Package settings renders the user's own settings page.
package settings

import (
	"strconv"
	"strings"
	"time"
)

func day(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.Format("2 Jan 2006")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func joinNames(names []string) string {
	if len(names) == 0 {
		return "no department"
	}
	return strings.Join(names, ", ")
}
