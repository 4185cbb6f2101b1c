package models

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm/clause"
)

// A note mentions people as @handle and departments as @slug:
//
//   - a user's handle is the local part of their email address, lower case
//     ("Ann.Lee@example.com" is @ann.lee). Emails are unique, stable and
//     already known to colleagues, where display names repeat and change.
//     When two users share a local part (ann@a.com, ann@b.com) the handle
//     is ambiguous and mentions neither; UserHandle is what to show.
//   - a department's handle is its slug (Slugify): @billing,
//     @customer-success. Mentioning it notifies every member.
//
// Mentions inside code (`…` and ``` blocks) do not count, nor does the
// "@" of an email address written in the text.

// mentionPattern finds @handles not preceded by a letter, digit, dot or
// another @ (so "bob@example.com" is no mention).
var mentionPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.@/])@([\p{L}\p{N}][\p{L}\p{N}._+-]*)`)

// codePattern matches fenced blocks and inline code spans.
var codePattern = regexp.MustCompile("(?s)```.*?(```|$)|`[^`\n]*`")

// maxMentions bounds the handles one note is searched for.
const maxMentions = 50

// UserHandle is the @handle that mentions the user with this email.
func UserHandle(email string) string {
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	return local
}

// MentionHandles lists the distinct handles body mentions, lower case, in
// the order they first appear.
func MentionHandles(body string) []string {
	body = codePattern.ReplaceAllString(body, " ")
	var out []string
	for _, m := range mentionPattern.FindAllStringSubmatch(body, -1) {
		h := strings.ToLower(strings.TrimRight(m[1], "._-+"))
		if h == "" || utf8.RuneCountInString(h) > 64 || slices.Contains(out, h) {
			continue
		}
		out = append(out, h)
		if len(out) == maxMentions {
			break
		}
	}
	return out
}

// noteMention is a row of note_mentions.
type noteMention struct {
	ID           int64
	NoteID       int64
	UserID       *int64
	DepartmentID *int64
}

func (noteMention) TableName() string { return "note_mentions" }

// resolveMentions finds the active users and the departments body
// mentions.
func (db *DB) resolveMentions(ctx context.Context, body string) (userIDs, deptIDs []int64, err error) {
	handles := MentionHandles(body)
	if len(handles) == 0 {
		return nil, nil, nil
	}
	if err := db.with(ctx).Model(&Department{}).Where("slug IN ?", handles).Order("id").Pluck("id", &deptIDs).Error; err != nil {
		return nil, nil, fmt.Errorf("models: mentioned departments: %w", err)
	}
	// Each handle is a prefix range of users.email_key, which its unique
	// index answers on both databases.
	conds := make([]string, len(handles))
	var args []any
	for i, h := range handles {
		c, a := prefixRange("email_key", h+"@")
		conds[i], args = c, append(args, a...)
	}
	var users []struct {
		ID       int64
		EmailKey string
	}
	if err := db.with(ctx).Table("users").Select("id, email_key").Where("disabled_at IS NULL").
		Where("("+strings.Join(conds, " OR ")+")", args...).Scan(&users).Error; err != nil {
		return nil, nil, fmt.Errorf("models: mentioned users: %w", err)
	}
	byHandle := map[string][]int64{}
	for _, u := range users {
		h := UserHandle(u.EmailKey)
		byHandle[h] = append(byHandle[h], u.ID)
	}
	for _, h := range handles {
		if ids := byHandle[h]; len(ids) == 1 {
			userIDs = append(userIDs, ids[0])
		}
	}
	return uniqueIDs(userIDs), deptIDs, nil
}

// saveMentions records who n mentions now and notifies those who may see
// it and were not notified of it before. The author is never notified of
// their own note.
func (db *DB) saveMentions(ctx context.Context, actor Actor, n *Note) error {
	userIDs, deptIDs, err := db.resolveMentions(ctx, n.Body)
	if err != nil {
		return err
	}
	if err := db.with(ctx).Where("note_id = ?", n.ID).Delete(&noteMention{}).Error; err != nil {
		return fmt.Errorf("models: clear mentions of note %d: %w", n.ID, err)
	}
	var rows []noteMention
	for _, id := range userIDs {
		rows = append(rows, noteMention{NoteID: n.ID, UserID: &id})
	}
	for _, id := range deptIDs {
		rows = append(rows, noteMention{NoteID: n.ID, DepartmentID: &id})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := db.with(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("models: record mentions of note %d: %w", n.ID, err)
	}
	recipients := userIDs
	if len(deptIDs) > 0 {
		var members []int64
		if err := db.with(ctx).Table("user_departments").Where("department_id IN ?", deptIDs).
			Distinct().Pluck("user_id", &members).Error; err != nil {
			return fmt.Errorf("models: members of mentioned departments: %w", err)
		}
		recipients = uniqueIDs(append(recipients, members...))
	}
	return db.notify(ctx, actor, NotificationMention, n, recipients)
}

// onConflictIgnore makes an insert skip rows a unique index already holds.
var onConflictIgnore = clause.OnConflict{DoNothing: true}
