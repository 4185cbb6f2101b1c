package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ProfileRequest is what users change about themselves.
type ProfileRequest struct {
	Name     string
	TimeZone string
}

// UpdateProfile changes the user's own display name and time zone.
func (db *DB) UpdateProfile(ctx context.Context, actor Actor, req ProfileRequest) error {
	req.Name = strings.TrimSpace(req.Name)
	var v ValidationError
	validateName(req.Name, &v)
	if _, err := time.LoadLocation(req.TimeZone); err != nil || req.TimeZone == "" || req.TimeZone == "Local" {
		v.Add("time_zone", "Choose a time zone from the list, such as Europe/Paris.")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *DB) error {
		if err := tx.with(ctx).Model(&User{}).Where("id = ?", actor.UserID).
			Updates(map[string]any{"name": req.Name, "time_zone": req.TimeZone, "updated_at": now()}).Error; err != nil {
			return fmt.Errorf("models: update profile: %w", err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "user.profile", SubjectType: "user", SubjectID: actor.UserID,
			Detail: map[string]string{"name": req.Name, "time_zone": req.TimeZone}})
	})
}

// UserAccessRequest is an admin's change to a user's role, departments and
// whether they may sign in.
type UserAccessRequest struct {
	Role          Role
	DepartmentIDs []int64
	Disabled      bool
}

// UpdateUserAccess changes a user's role, departments and status. Admins
// only; the last active admin cannot be demoted or disabled, so Rapport is
// never left without one. Disabling signs the user out everywhere.
func (db *DB) UpdateUserAccess(ctx context.Context, actor Actor, userID int64, req UserAccessRequest) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("models: change user access: %w", ErrForbidden)
	}
	var v ValidationError
	if !req.Role.Valid() {
		v.Add("role", "Choose admin, member or viewer.")
	}
	if len(req.DepartmentIDs) == 0 {
		v.Add("departments", "Choose at least one department.")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *DB) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		losesAdmin := u.Role == RoleAdmin && u.DisabledAt == nil && (req.Role != RoleAdmin || req.Disabled)
		if losesAdmin {
			var admins int64
			if err := tx.with(ctx).Model(&User{}).Where("role = ? AND disabled_at IS NULL", RoleAdmin).Count(&admins).Error; err != nil {
				return fmt.Errorf("models: count admins: %w", err)
			}
			if admins <= 1 {
				v.Add("role", "Rapport needs at least one active admin. Make someone else admin first.")
				return &v
			}
		}
		changes := map[string]any{"role": req.Role, "updated_at": now()}
		switch {
		case req.Disabled && u.DisabledAt == nil:
			changes["disabled_at"] = now()
			changes["auth_epoch"] = u.AuthEpoch + 1
		case !req.Disabled && u.DisabledAt != nil:
			changes["disabled_at"] = nil
		}
		if err := tx.with(ctx).Model(&User{}).Where("id = ?", userID).Updates(changes).Error; err != nil {
			return fmt.Errorf("models: update user %d: %w", userID, err)
		}
		if err := tx.setUserDepartments(ctx, userID, req.DepartmentIDs); err != nil {
			return err
		}
		before := map[string]any{"role": u.Role, "disabled": u.DisabledAt != nil, "departments": u.DepartmentNames()}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "user.access", SubjectType: "user", SubjectID: userID,
			Detail: map[string]any{"before": before, "after": map[string]any{"role": req.Role, "disabled": req.Disabled, "department_ids": req.DepartmentIDs}}})
	})
}

// HasDepartment reports whether the user belongs to department id.
func (u *User) HasDepartment(id int64) bool {
	return slices.ContainsFunc(u.Departments, func(d Department) bool { return d.ID == id })
}
