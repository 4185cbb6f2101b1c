package apptest

import (
	"context"
	"testing"
	"time"

	"rapport/models"
)

// ManyUsers writes n members named "Many 1" … "Many n" (emails
// many1@example.test …) straight into the database, for tests of a company
// with more staff than a list could hold: hashing n passwords through
// CreateUser would be most of such a test's time. They cannot sign in.
func ManyUsers(t testing.TB, db *models.DB, n int) {
	t.Helper()
	if _, err := db.SQL().ExecContext(context.Background(), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO users (email, email_key, name, role, created_at, updated_at)
		SELECT 'many' || i || '@example.test', 'many' || i || '@example.test', 'Many ' || i, 'member', $2, $2 FROM n`, n, time.Now().UTC()); err != nil {
		t.Fatalf("apptest: %d users: %v", n, err)
	}
}
