package apptest

import (
	"context"
	"testing"

	"rapport/models"
)

// NamedUser is User called name, so that a test can find them by it
// among many others (ManyUsers) as a person would, by typing part of it.
func NamedUser(t testing.TB, db *models.DB, role models.Role, department, name string) *models.User {
	t.Helper()
	u := User(t, db, role, department)
	if _, err := db.SQL().ExecContext(context.Background(), `UPDATE users SET name = $1 WHERE id = $2`, name, u.ID); err != nil {
		t.Fatalf("apptest: name user %d %q: %v", u.ID, name, err)
	}
	u.Name = name
	return u
}
