package models

import (
	"context"
	"fmt"
	"time"
)

// ThrottlePolicy says how many failed sign-ins a key may have within Window
// before it is blocked, and for how long at most. Blocks grow with each
// further failure and always expire, so the real user is never locked out
// for good.
type ThrottlePolicy struct {
	Free     int
	Window   time.Duration
	MaxBlock time.Duration
}

// Throttle policies: per account (email tried) and per client address. The
// address allows more, since an office may share one.
var (
	AccountThrottle = ThrottlePolicy{Free: 5, Window: 15 * time.Minute, MaxBlock: 15 * time.Minute}
	AddressThrottle = ThrottlePolicy{Free: 20, Window: 15 * time.Minute, MaxBlock: 15 * time.Minute}
)

type signInThrottle struct {
	Key          string
	Failures     int
	WindowStart  time.Time
	BlockedUntil *time.Time
}

func (signInThrottle) TableName() string { return "sign_in_throttles" }

// SignInBlockedUntil returns the latest time any of keys is blocked until,
// or the zero time when none is blocked now.
func (db *DB) SignInBlockedUntil(ctx context.Context, keys ...string) (time.Time, error) {
	var rows []signInThrottle
	t := now()
	if err := db.with(ctx).Where("key IN ? AND blocked_until > ?", keys, t).Find(&rows).Error; err != nil {
		return time.Time{}, fmt.Errorf("models: sign-in throttle: %w", err)
	}
	var until time.Time
	for _, r := range rows {
		if r.BlockedUntil.After(until) {
			until = *r.BlockedUntil
		}
	}
	return until, nil
}

// RecordSignInFailure counts a failed sign-in against key and returns when
// the key is blocked until (zero when it is not blocked).
func (db *DB) RecordSignInFailure(ctx context.Context, key string, p ThrottlePolicy) (time.Time, error) {
	var until time.Time
	err := db.Tx(ctx, func(tx *DB) error {
		t := now()
		windowOpen := t.Add(-p.Window)
		if err := tx.with(ctx).Exec(`INSERT INTO sign_in_throttles (key, failures, window_start) VALUES (?, 0, ?)
			ON CONFLICT (key) DO NOTHING`, key, t).Error; err != nil {
			return err
		}
		var failures int
		if err := tx.with(ctx).Raw(`UPDATE sign_in_throttles SET
				failures = CASE WHEN window_start < ? THEN 1 ELSE failures + 1 END,
				window_start = CASE WHEN window_start < ? THEN ? ELSE window_start END
			WHERE key = ? RETURNING failures`, windowOpen, windowOpen, t, key).Scan(&failures).Error; err != nil {
			return err
		}
		if over := failures - p.Free; over > 0 {
			block := 30 * time.Second << min(over-1, 10)
			until = t.Add(min(block, p.MaxBlock))
			return tx.with(ctx).Exec("UPDATE sign_in_throttles SET blocked_until = ? WHERE key = ?", until, key).Error
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("models: record sign-in failure: %w", err)
	}
	return until, nil
}

// ClearSignInFailures forgets the failures of key after a good sign-in.
func (db *DB) ClearSignInFailures(ctx context.Context, key string) error {
	if err := db.with(ctx).Exec("DELETE FROM sign_in_throttles WHERE key = ?", key).Error; err != nil {
		return fmt.Errorf("models: clear sign-in failures: %w", err)
	}
	return nil
}
