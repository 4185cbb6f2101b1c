package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A calendar feed shows a person's open tasks in their calendar app, which
// fetches it by a secret URL without signing in. The secret is the only
// credential, so it is stored as a hash (as API tokens are), shown once,
// and revoked by making a new one or revoking.

// calendarTokenPrefix marks feed secrets so scanners can recognise them.
const calendarTokenPrefix = "rcal_"

// calendarFeedWindow bounds the feed: open tasks due from this long ago on
// (older overdue ones stay in the app), at most calendarFeedLimit of them.
const (
	calendarFeedWindow = 90 * 24 * time.Hour
	calendarFeedLimit  = 1000
)

// CalendarToken is a secret link to a person's task calendar.
type CalendarToken struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	TokenHash string     `json:"-"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// CreateCalendarToken makes a new feed secret for the actor, revoking any
// earlier one (a person has one feed link; making a new one is how a leaked
// link is replaced). The secret is returned once and never again.
func (db *DB) CreateCalendarToken(ctx context.Context, actor Actor) (*CalendarToken, string, error) {
	if actor.UserID == 0 {
		return nil, "", fmt.Errorf("models: calendar token: %w", ErrForbidden)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, "", fmt.Errorf("models: generate calendar token: %w", err)
	}
	secret := calendarTokenPrefix + base64.RawURLEncoding.EncodeToString(buf)
	t := &CalendarToken{UserID: actor.UserID, TokenHash: hashToken(secret), Prefix: secret[:len(calendarTokenPrefix)+6], CreatedAt: now()}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.revokeCalendarTokens(ctx, actor.UserID); err != nil {
			return err
		}
		if err := tx.with(ctx).Create(t).Error; err != nil {
			return fmt.Errorf("models: create calendar token: %w", err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "calendar_token.create", SubjectType: "calendar_token", SubjectID: t.ID,
			Detail: map[string]string{"prefix": t.Prefix}})
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// RevokeCalendarToken turns off the actor's calendar feed. Revoking when
// there is none is not an error.
func (db *DB) RevokeCalendarToken(ctx context.Context, actor Actor) error {
	return db.Tx(ctx, func(tx *DB) error {
		if err := tx.revokeCalendarTokens(ctx, actor.UserID); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "calendar_token.revoke", SubjectType: "user", SubjectID: actor.UserID})
	})
}

func (tx *DB) revokeCalendarTokens(ctx context.Context, userID int64) error {
	if err := tx.with(ctx).Model(&CalendarToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Update("revoked_at", now()).Error; err != nil {
		return fmt.Errorf("models: revoke calendar tokens: %w", err)
	}
	return nil
}

// CalendarTasks returns what the feed of a calendar secret shows: the
// user's open tasks with a due date, from calendarFeedWindow ago on, on
// contacts they may still see. An unknown or revoked secret, or a disabled
// user, is ErrNotFound.
func (db *DB) CalendarTasks(ctx context.Context, secret string) ([]Task, *User, error) {
	if !strings.HasPrefix(secret, calendarTokenPrefix) {
		return nil, nil, fmt.Errorf("models: calendar token: %w", ErrNotFound)
	}
	var t CalendarToken
	if err := db.with(ctx).Where("token_hash = ? AND revoked_at IS NULL", hashToken(secret)).First(&t).Error; err != nil {
		return nil, nil, notFound(err, "calendar token")
	}
	u, err := db.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.DisabledAt != nil {
		return nil, nil, fmt.Errorf("models: calendar of disabled user: %w", ErrNotFound)
	}
	actor := u.Actor("calendar")
	var ts []Task
	err = db.with(ctx).Model(&Task{}).Select("tasks.*").Joins(joinTaskContacts).Scopes(visibleTasks(actor)).
		Where("tasks.assignee_id = ? AND tasks.status = 'open' AND tasks.due_at >= ?", u.ID, now().Add(-calendarFeedWindow)).
		Order("tasks.due_at, tasks.id").Limit(calendarFeedLimit).Find(&ts).Error
	if err != nil {
		return nil, nil, fmt.Errorf("models: calendar tasks: %w", err)
	}
	if err := db.nameTasks(ctx, ts); err != nil {
		return nil, nil, err
	}
	return ts, u, nil
}

// RenderICS writes tasks as an iCalendar (RFC 5545) feed: one 15-minute
// event per task with a due date, at its due time, in UTC; loc names the
// calendar's time zone for apps that show floating times. Recurrence is not
// exported: the next occurrence is its own task once one is completed.
func RenderICS(tasks []Task, loc *time.Location) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(foldICS(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Rapport//Tasks//EN")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:Rapport tasks")
	if loc != nil {
		line("X-WR-TIMEZONE:" + escapeICS(loc.String()))
	}
	for _, t := range tasks {
		if t.DueAt == nil {
			continue
		}
		line("BEGIN:VEVENT")
		line("UID:task-" + strconv.FormatInt(t.ID, 10) + "@rapport")
		line("DTSTAMP:" + icsTime(t.UpdatedAt))
		line("DTSTART:" + icsTime(*t.DueAt))
		line("DURATION:PT15M")
		summary := t.Title
		if t.ContactName != "" {
			summary += " (" + t.ContactName + ")"
		}
		line("SUMMARY:" + escapeICS(summary))
		if t.Notes != "" {
			line("DESCRIPTION:" + escapeICS(t.Notes))
		}
		line("PRIORITY:" + map[TaskPriority]string{PriorityHigh: "1", PriorityNormal: "5", PriorityLow: "9"}[t.Priority])
		line("SEQUENCE:" + strconv.FormatInt(t.Version, 10))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeICS escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and newlines.
func escapeICS(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// foldICS ends a content line with CRLF, folding it (§3.1) so that no line
// exceeds 75 octets, never inside a UTF-8 sequence; each continuation
// starts with a space.
func foldICS(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
