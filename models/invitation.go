package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Invitation lets an admin bring a colleague in: the admin passes the link
// on (Rapport assumes no mail server) and the colleague chooses a password.
type Invitation struct {
	ID            int64      `json:"id"`
	TokenHash     string     `json:"-"`
	Email         string     `json:"email"`
	Name          string     `json:"name"`
	Role          Role       `json:"role"`
	DepartmentIDs string     `json:"-" gorm:"column:department_ids"`
	InvitedBy     int64      `json:"invited_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ExpiresAt     time.Time  `json:"expires_at"`
	AcceptedAt    *time.Time `json:"accepted_at,omitempty"`
	AcceptedBy    *int64     `json:"accepted_by,omitempty"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
}

// InvitationLifetime is how long an invitation link works.
const InvitationLifetime = 7 * 24 * time.Hour

// Departments decodes the department ids the invitee will join.
func (inv *Invitation) Departments() []int64 {
	var ids []int64
	_ = json.Unmarshal([]byte(inv.DepartmentIDs), &ids)
	return ids
}

// Pending reports whether the invitation can still be accepted at t.
func (inv *Invitation) Pending(t time.Time) bool {
	return inv.AcceptedAt == nil && inv.RevokedAt == nil && inv.ExpiresAt.After(t)
}

// InvitationRequest is the admin's invite form.
type InvitationRequest struct {
	Email         string
	Name          string
	Role          Role
	DepartmentIDs []int64
}

// CreateInvitation records an invitation and returns its secret, to be put
// in the link shown once to the admin. Only admins may invite.
func (db *DB) CreateInvitation(ctx context.Context, actor Actor, req InvitationRequest) (*Invitation, string, error) {
	if !actor.IsAdmin() {
		return nil, "", fmt.Errorf("models: invite: %w", ErrForbidden)
	}
	req.Email = strings.TrimSpace(req.Email)
	req.Name = strings.TrimSpace(req.Name)
	var v ValidationError
	if msg := ValidateEmail(req.Email); msg != "" {
		v.Add("email", msg)
	}
	if !req.Role.Valid() {
		v.Add("role", "Choose admin, member or viewer.")
	}
	if len(req.DepartmentIDs) == 0 {
		v.Add("departments", "Choose at least one department: notes are attributed to it.")
	}
	if _, err := db.UserByEmail(ctx, req.Email); err == nil {
		v.Add("email", "This person already has an account.")
	}
	if ds, err := db.DepartmentsByID(ctx, req.DepartmentIDs); err != nil {
		return nil, "", err
	} else if len(ds) != len(uniqueIDs(req.DepartmentIDs)) {
		v.Add("departments", "Choose departments from the list.")
	}
	if err := v.OrNil(); err != nil {
		return nil, "", err
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return nil, "", fmt.Errorf("models: invitation secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(buf)
	ids, _ := json.Marshal(uniqueIDs(req.DepartmentIDs))
	t := now()
	inv := &Invitation{TokenHash: hashToken(secret), Email: req.Email, Name: req.Name, Role: req.Role,
		DepartmentIDs: string(ids), InvitedBy: actor.UserID, CreatedAt: t, ExpiresAt: t.Add(InvitationLifetime)}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.with(ctx).Create(inv).Error; err != nil {
			return fmt.Errorf("models: create invitation: %w", err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "user.invite", SubjectType: "invitation", SubjectID: inv.ID,
			Detail: map[string]any{"email": inv.Email, "role": inv.Role}})
	})
	if err != nil {
		return nil, "", err
	}
	return inv, secret, nil
}

// InvitationBySecret finds a pending invitation by the secret in its link.
func (db *DB) InvitationBySecret(ctx context.Context, secret string) (*Invitation, error) {
	var inv Invitation
	if err := db.with(ctx).Where("token_hash = ?", hashToken(secret)).First(&inv).Error; err != nil {
		return nil, notFound(err, "invitation")
	}
	if !inv.Pending(now()) {
		return nil, fmt.Errorf("models: invitation %d no longer pending: %w", inv.ID, ErrNotFound)
	}
	return &inv, nil
}

// AcceptInvitation creates the invitee's account. An invitation works once:
// two tabs submitting together create one user.
func (db *DB) AcceptInvitation(ctx context.Context, secret, name, password string) (*User, error) {
	var user *User
	err := db.Tx(ctx, func(tx *DB) error {
		t := now()
		var inv Invitation
		res := tx.with(ctx).Model(&inv).Where("token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
			hashToken(secret), t).Update("accepted_at", t)
		if res.Error != nil {
			return fmt.Errorf("models: accept invitation: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: invitation: %w", ErrNotFound)
		}
		if err := tx.with(ctx).Where("token_hash = ?", hashToken(secret)).First(&inv).Error; err != nil {
			return notFound(err, "invitation")
		}
		if strings.TrimSpace(name) == "" {
			name = inv.Name
		}
		u, err := tx.CreateUser(ctx, UserRequest{Email: inv.Email, Name: name, Role: inv.Role, Password: password, DepartmentIDs: inv.Departments()})
		if err != nil {
			return err
		}
		if err := tx.with(ctx).Model(&inv).Update("accepted_by", u.ID).Error; err != nil {
			return fmt.Errorf("models: accept invitation: %w", err)
		}
		user = u
		a := u.Actor("session")
		return tx.Audit(ctx, AuditEntry{Actor: &a, Action: "user.join", SubjectType: "user", SubjectID: u.ID,
			Detail: map[string]any{"invitation": inv.ID, "invited_by": inv.InvitedBy}})
	})
	return user, err
}

// PendingInvitations lists invitations not yet accepted, revoked or expired.
func (db *DB) PendingInvitations(ctx context.Context, actor Actor) ([]Invitation, error) {
	if !actor.IsAdmin() {
		return nil, fmt.Errorf("models: invitations: %w", ErrForbidden)
	}
	var invs []Invitation
	err := db.with(ctx).Where("accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", now()).
		Order("id DESC").Limit(200).Find(&invs).Error
	if err != nil {
		return nil, fmt.Errorf("models: invitations: %w", err)
	}
	return invs, nil
}

// RevokeInvitation makes an invitation link useless.
func (db *DB) RevokeInvitation(ctx context.Context, actor Actor, id int64) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("models: revoke invitation: %w", ErrForbidden)
	}
	return db.Tx(ctx, func(tx *DB) error {
		res := tx.with(ctx).Model(&Invitation{}).Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Update("revoked_at", now())
		if res.Error != nil {
			return fmt.Errorf("models: revoke invitation %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: invitation %d: %w", id, ErrNotFound)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "user.invite_revoke", SubjectType: "invitation", SubjectID: id})
	})
}

func uniqueIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
