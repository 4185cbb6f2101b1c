package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// APIToken is a personal token for the JSON API. Only a hash of the secret
// is stored; the secret itself is shown once, when the token is created.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	TokenHash  string     `json:"-"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the token can still be used at t.
func (t *APIToken) Active(at time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || t.ExpiresAt.After(at))
}

// tokenPrefix marks Rapport tokens so secret scanners can recognise them.
const tokenPrefix = "rpt_"

// tokenUseGranularity limits how often a token's last use is written (and
// audited): once per interval is enough to tell a live token from a dead one.
const tokenUseGranularity = 10 * time.Minute

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateAPIToken makes a token for the user and returns it with its secret,
// which is never retrievable again. A zero expiresAt means no expiry.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string, expiresAt time.Time) (*APIToken, string, error) {
	name = strings.TrimSpace(name)
	var v ValidationError
	if name == "" {
		v.Add("name", "Name the token after what will use it, such as 'Zapier' or 'nightly export'.")
	} else if utf8.RuneCountInString(name) > 100 {
		v.Add("name", "Keep the name under 100 characters.")
	}
	if !expiresAt.IsZero() && !expiresAt.After(now()) {
		v.Add("expires_at", "Choose an expiry date in the future, or none.")
	}
	if err := v.OrNil(); err != nil {
		return nil, "", err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, "", fmt.Errorf("models: generate token: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(buf)
	t := &APIToken{UserID: userID, Name: name, TokenHash: hashToken(secret), Prefix: secret[:len(tokenPrefix)+6], CreatedAt: now()}
	if !expiresAt.IsZero() {
		e := expiresAt.UTC()
		t.ExpiresAt = &e
	}
	if err := db.with(ctx).Create(t).Error; err != nil {
		return nil, "", fmt.Errorf("models: create token: %w", err)
	}
	return t, secret, nil
}

// UserByAPIToken returns the active user a token belongs to, or ErrNotFound
// for an unknown, expired or revoked token or a disabled user. It records
// the token's use at most once per tokenUseGranularity.
func (db *DB) UserByAPIToken(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, fmt.Errorf("models: api token: %w", ErrNotFound)
	}
	var t APIToken
	if err := db.with(ctx).Where("token_hash = ?", hashToken(secret)).First(&t).Error; err != nil {
		return nil, notFound(err, "api token")
	}
	at := now()
	if !t.Active(at) {
		return nil, fmt.Errorf("models: api token %d inactive: %w", t.ID, ErrNotFound)
	}
	u, err := db.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, fmt.Errorf("models: api token of disabled user: %w", ErrNotFound)
	}
	if t.LastUsedAt == nil || at.Sub(*t.LastUsedAt) > tokenUseGranularity {
		res := db.with(ctx).Model(&APIToken{}).Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", t.ID, at.Add(-tokenUseGranularity)).
			Update("last_used_at", at)
		if res.Error == nil && res.RowsAffected == 1 {
			a := u.Actor("token")
			_ = db.Audit(ctx, AuditEntry{Actor: &a, Action: "token.use", SubjectType: "api_token", SubjectID: t.ID,
				Detail: map[string]string{"name": t.Name, "prefix": t.Prefix}})
		}
	}
	return u, nil
}

// APITokens lists a user's tokens, newest first. A person has a handful, so
// the list is bounded rather than paginated.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	var ts []APIToken
	if err := db.with(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(200).Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("models: list tokens: %w", err)
	}
	return ts, nil
}

// RevokeAPIToken revokes one of the actor's own tokens (admins may revoke
// anyone's). Revoking twice is not an error.
func (db *DB) RevokeAPIToken(ctx context.Context, actor Actor, id int64) (*APIToken, error) {
	var t APIToken
	if err := db.with(ctx).First(&t, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("api token %d", id))
	}
	if t.UserID != actor.UserID && !actor.IsAdmin() {
		// Someone else's token is reported as absent, not forbidden, so ids
		// reveal nothing.
		return nil, fmt.Errorf("models: api token %d: %w", id, ErrNotFound)
	}
	if t.RevokedAt != nil {
		return &t, nil
	}
	at := now()
	if err := db.with(ctx).Model(&t).Update("revoked_at", at).Error; err != nil {
		return nil, fmt.Errorf("models: revoke token %d: %w", id, err)
	}
	t.RevokedAt = &at
	return &t, nil
}
