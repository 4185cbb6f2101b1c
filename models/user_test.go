package models_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// The user list's filters choose who a form may offer: anyone, those who
// can sign in, and those who can also work on records (a task's assignee);
// a query matches the name or email in any case.
func TestUsersFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		word := uniqueLabel("Filt")
		user := func(role models.Role, disabled bool) int64 {
			t.Helper()
			u, err := db.CreateUser(ctx, models.UserRequest{Email: uniqueLabel("u") + "@example.com", Name: word + " " + string(role),
				Role: role, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			if disabled {
				if _, err := db.SQL().ExecContext(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2`, time.Now().UTC(), u.ID); err != nil {
					t.Fatal(err)
				}
			}
			return u.ID
		}
		admin, member, viewer := user(models.RoleAdmin, false), user(models.RoleMember, false), user(models.RoleViewer, false)
		gone := user(models.RoleMember, true)
		for _, tc := range []struct {
			name string
			opts models.UserListOptions
			want []int64
		}{
			{"anyone", models.UserListOptions{}, []int64{admin, member, viewer, gone}},
			{"can sign in", models.UserListOptions{CanSignIn: true}, []int64{admin, member, viewer}},
			{"can write", models.UserListOptions{CanWrite: true}, []int64{admin, member, gone}},
			{"can sign in and write", models.UserListOptions{CanSignIn: true, CanWrite: true}, []int64{admin, member}},
			{"by id", models.UserListOptions{IDs: []int64{viewer, gone}, CanWrite: true}, []int64{gone}},
		} {
			tc.opts.Query = word
			us, err := db.Users(ctx, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, u := range us {
				got = append(got, u.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		if us, err := db.Users(ctx, models.UserListOptions{Query: " " + strings.ToUpper(word) + " ViEWer "}); err != nil || len(us) != 1 || us[0].ID != viewer {
			t.Errorf("a query in another case should find the viewer alone: %v %v", us, err)
		}
	})
}
