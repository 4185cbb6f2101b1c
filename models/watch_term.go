package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// Watch terms are what the team listens for in every incoming post: brand
// and product names, but above all the problems customers talk about
// ("refund", "can't log in"). Admins keep the list; a post that matches a
// term opens an Inbox item. See docs/SOCIAL.md, "Matching".

// Limits on the list, so that matching every post against every term stays
// cheap (at most 1,000 terms of 200 characters over 10,000 characters of
// text).
const (
	maxWatchTerms       = 1000
	maxWatchTermLength  = 200
	maxWatchTermExclude = 20
)

// WatchTerm is a word or phrase the team listens for, with phrases that
// rule a post out.
type WatchTerm struct {
	ID          int64     `json:"id"`
	Term        string    `json:"term"`
	Exclude     []string  `json:"exclude" gorm:"serializer:json"`
	CreatedByID *int64    `json:"created_by_id,omitempty" gorm:"column:created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// TermKey is FoldText(Term), unique among live terms.
	TermKey   string     `json:"-"`
	DeletedAt *time.Time `json:"-"`
}

// TableName maps WatchTerm to watch_terms.
func (WatchTerm) TableName() string { return "watch_terms" }

// WatchTermInput is a new watch term.
type WatchTermInput struct {
	Term    string   `json:"term"`
	Exclude []string `json:"exclude"`
}

// WatchTerms lists all live terms by their folded form, at most 1,000
// (CreateWatchTerm refuses more). Everyone signed in may read them.
func (db *DB) WatchTerms(ctx context.Context) ([]WatchTerm, error) {
	var terms []WatchTerm
	if err := db.with(ctx).Where("deleted_at IS NULL").Order("term_key, id").Limit(maxWatchTerms).Find(&terms).Error; err != nil {
		return nil, fmt.Errorf("models: watch terms: %w", err)
	}
	for i := range terms {
		terms[i].CreatedAt = terms[i].CreatedAt.UTC()
		if terms[i].Exclude == nil {
			terms[i].Exclude = []string{}
		}
	}
	return terms, nil
}

// CreateWatchTerm adds a term; admins only. A term that folds to one
// already watched ("Refund" beside "refund") is a validation problem.
func (db *DB) CreateWatchTerm(ctx context.Context, actor Actor, in WatchTermInput) (*WatchTerm, error) {
	if !actor.IsAdmin() {
		return nil, fmt.Errorf("models: create watch term: %w", ErrForbidden)
	}
	w := &WatchTerm{Term: cleanLine(in.Term), Exclude: []string{}}
	w.TermKey = FoldText(w.Term)
	var v ValidationError
	switch {
	case w.TermKey == "":
		v.Add("term", "Enter a word or phrase with at least one letter or digit.")
	case utf8.RuneCountInString(w.Term) > maxWatchTermLength:
		v.Add("term", fmt.Sprintf("Keep the term under %d characters.", maxWatchTermLength))
	}
	seen := map[string]bool{}
	for _, e := range in.Exclude {
		e = cleanLine(e)
		key := FoldText(e)
		switch {
		case key == "" || seen[key]:
			continue
		case utf8.RuneCountInString(e) > maxWatchTermLength:
			v.Add("exclude", fmt.Sprintf("Keep each exclusion under %d characters.", maxWatchTermLength))
		}
		seen[key] = true
		w.Exclude = append(w.Exclude, e)
	}
	if len(w.Exclude) > maxWatchTermExclude {
		v.Add("exclude", fmt.Sprintf("A term can have up to %d exclusions.", maxWatchTermExclude))
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	if actor.UserID != 0 {
		w.CreatedByID = &actor.UserID
	}
	err := db.Tx(ctx, func(tx *DB) error {
		var live, same int64
		if err := tx.with(ctx).Model(&WatchTerm{}).Where("deleted_at IS NULL").Count(&live).Error; err != nil {
			return fmt.Errorf("models: count watch terms: %w", err)
		}
		if err := tx.with(ctx).Model(&WatchTerm{}).Where("deleted_at IS NULL AND term_key = ?", w.TermKey).Count(&same).Error; err != nil {
			return fmt.Errorf("models: find watch term: %w", err)
		}
		switch {
		case same > 0:
			return duplicateTermProblem(w.Term)
		case live >= maxWatchTerms:
			return &ValidationError{Fields: map[string]string{"term": fmt.Sprintf("Rapport listens for at most %d terms. Delete one you no longer need first.", maxWatchTerms)}}
		}
		w.CreatedAt = now()
		if err := tx.with(ctx).Create(w).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return duplicateTermProblem(w.Term)
			}
			return fmt.Errorf("models: create watch term: %w", err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "watch_term.create", SubjectType: "watch_term", SubjectID: w.ID,
			Detail: map[string]any{"term": w.Term, "exclude": w.Exclude}})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

func duplicateTermProblem(term string) error {
	return &ValidationError{Fields: map[string]string{"term": fmt.Sprintf("%q is already watched.", term)}}
}

// DeleteWatchTerm stops listening for a term; admins only. The row stays,
// deleted, so Inbox items keep the terms they matched as written.
func (db *DB) DeleteWatchTerm(ctx context.Context, actor Actor, id int64) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("models: delete watch term %d: %w", id, ErrForbidden)
	}
	return db.Tx(ctx, func(tx *DB) error {
		var w WatchTerm
		if err := tx.with(ctx).Where("id = ? AND deleted_at IS NULL", id).First(&w).Error; err != nil {
			return notFound(err, fmt.Sprintf("watch term %d", id))
		}
		if err := tx.with(ctx).Model(&WatchTerm{}).Where("id = ?", id).Update("deleted_at", now()).Error; err != nil {
			return fmt.Errorf("models: delete watch term %d: %w", id, err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "watch_term.delete", SubjectType: "watch_term", SubjectID: id,
			Detail: map[string]any{"term": w.Term}})
	})
}

// MatchWatchTerms returns the terms (as written, in the order given) that
// match text: the folded term occurs in the folded text as whole words,
// and none of its exclusions does. "refund" matches "Refund please!" and
// "réfund", not "refunded".
func MatchWatchTerms(terms []WatchTerm, text string) []string {
	folded := " " + FoldText(text) + " "
	var out []string
	for _, t := range terms {
		if containsWords(folded, t.Term) && !slicesContainsWords(folded, t.Exclude) {
			out = append(out, t.Term)
		}
	}
	return out
}

// containsWords reports whether phrase, folded, occurs as whole words in
// padded, a folded text with a space at either end.
func containsWords(padded, phrase string) bool {
	key := FoldText(phrase)
	return key != "" && strings.Contains(padded, " "+key+" ")
}

func slicesContainsWords(padded string, phrases []string) bool {
	for _, p := range phrases {
		if containsWords(padded, p) {
			return true
		}
	}
	return false
}

// FoldText is the form posts and terms are compared in: Unicode NFKD,
// combining marks dropped, case folded, and every run of characters that
// are not letters or digits turned into one space (trimmed at the ends).
// "Réfund  please!" folds to "refund please".
//
// Spacing marks (Mc, Me), which carry vowels in scripts such as Devanagari,
// count as part of a word; only non-spacing accents are dropped.
func FoldText(s string) string {
	// Case folding can produce letters that decompose further (and NFKD
	// can produce capitals, as "ℌ" → "H"), so fold on both sides of the
	// decomposition; FuzzFoldText checks the result is stable.
	s = norm.NFKD.String(cases.Fold().String(norm.NFKD.String(strings.ToValidUTF8(s, " "))))
	s = cases.Fold().String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true // no leading space
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Me, r):
			b.WriteRune(r)
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSuffix(letterFolds.Replace(b.String()), " ")
}
