package models

import (
	"context"
	"time"
)

// WatchTerm is a word or phrase the team listens for, with phrases that
// rule a post out.
type WatchTerm struct {
	ID          int64     `json:"id"`
	Term        string    `json:"term"`
	Exclude     []string  `json:"exclude" gorm:"serializer:json"`
	CreatedByID *int64    `json:"created_by_id,omitempty" gorm:"column:created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName maps WatchTerm to watch_terms.
func (WatchTerm) TableName() string { return "watch_terms" }

// WatchTermInput is a new watch term.
type WatchTermInput struct {
	Term    string   `json:"term"`
	Exclude []string `json:"exclude"`
}

// WatchTerms lists all live terms, at most 1,000.
func (db *DB) WatchTerms(ctx context.Context) ([]WatchTerm, error) { return nil, errNotYet }

// CreateWatchTerm adds a term; admins only.
func (db *DB) CreateWatchTerm(ctx context.Context, actor Actor, in WatchTermInput) (*WatchTerm, error) {
	return nil, errNotYet
}

// DeleteWatchTerm removes a term (softly); admins only.
func (db *DB) DeleteWatchTerm(ctx context.Context, actor Actor, id int64) error { return errNotYet }

// MatchWatchTerms returns the terms (as written) that match text.
func MatchWatchTerms(terms []WatchTerm, text string) []string { return nil }

// FoldText is the form text and terms are compared in.
func FoldText(s string) string { return s }
