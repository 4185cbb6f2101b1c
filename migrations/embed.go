// Package migrations holds Rapport's schema as plain SQL, one folder per
// dialect, embedded in the binary and applied by goose at start-up.
//
// Files are append-only: once a migration has landed on main it is never
// edited; a change to the schema is a new file in both folders with the same
// version number.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql. It is a package variable only
// because go:embed requires one; nothing writes to it.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
