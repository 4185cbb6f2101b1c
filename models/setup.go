package models

import (
	"context"
	"fmt"
	"strings"
)

// SetupRequest is the first-run form: the first admin and the departments.
type SetupRequest struct {
	Name        string
	Email       string
	Password    string
	Departments []string
	// MyDepartment names the department the admin joins; the first listed
	// when empty.
	MyDepartment string
}

// ErrAlreadySetUp means setup ran before; it can run only once.
var ErrAlreadySetUp = fmt.Errorf("rapport is already set up: %w", ErrConflict)

// CompleteSetup creates the departments and the first admin, who joins the
// first department. Exactly one concurrent caller can succeed: the
// setup_completed settings row is the guard.
func (db *DB) CompleteSetup(ctx context.Context, req SetupRequest) (*User, error) {
	var v ValidationError
	var names []string
	seen := map[string]bool{}
	for _, n := range req.Departments {
		n = strings.TrimSpace(n)
		if n == "" || seen[Slugify(n)] {
			continue
		}
		seen[Slugify(n)] = true
		names = append(names, n)
	}
	if len(names) == 0 {
		v.Add("departments", "Add at least one department, such as Sales.")
	}
	var user *User
	err := db.Tx(ctx, func(tx *DB) error {
		res := tx.with(ctx).Exec(`INSERT INTO app_settings (key, value, updated_at) VALUES ('setup_completed', 'true', ?)
			ON CONFLICT (key) DO NOTHING`, now())
		if res.Error != nil {
			return fmt.Errorf("models: setup guard: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrAlreadySetUp
		}
		var ids []int64
		for _, n := range names {
			d, err := tx.CreateDepartment(ctx, n)
			if err != nil {
				if ve, ok := err.(*ValidationError); ok {
					v.Add("departments", ve.Fields["name"])
					continue
				}
				return err
			}
			ids = append(ids, d.ID)
		}
		mine := ids
		if len(ids) > 0 {
			mine = ids[:1]
			for i, n := range names {
				if i < len(ids) && req.MyDepartment != "" && Slugify(n) == Slugify(req.MyDepartment) {
					mine = ids[i : i+1]
				}
			}
		}
		u, err := tx.CreateUser(ctx, UserRequest{Email: req.Email, Name: req.Name, Role: RoleAdmin, Password: req.Password, DepartmentIDs: mine})
		if ve, ok := err.(*ValidationError); ok {
			for f, m := range ve.Fields {
				v.Add(f, m)
			}
			return &v
		}
		if err != nil {
			return err
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		user = u
		a := u.Actor("session")
		return tx.Audit(ctx, AuditEntry{Actor: &a, Action: "setup.complete", SubjectType: "user", SubjectID: u.ID,
			Detail: map[string]any{"departments": names}})
	})
	if err != nil {
		return nil, err
	}
	return user, nil
}

// IsSetUp reports whether first-run setup has completed.
func (db *DB) IsSetUp(ctx context.Context) (bool, error) {
	var n int64
	if err := db.with(ctx).Raw("SELECT COUNT(*) FROM app_settings WHERE key = 'setup_completed'").Scan(&n).Error; err != nil {
		return false, fmt.Errorf("models: setup state: %w", err)
	}
	return n > 0, nil
}

// MarkSetUp records that setup is complete without the web form, for
// operators who create the first admin on the command line.
func (db *DB) MarkSetUp(ctx context.Context) error {
	if err := db.with(ctx).Exec(`INSERT INTO app_settings (key, value, updated_at) VALUES ('setup_completed', 'true', ?)
		ON CONFLICT (key) DO NOTHING`, now()).Error; err != nil {
		return fmt.Errorf("models: mark setup complete: %w", err)
	}
	return nil
}
