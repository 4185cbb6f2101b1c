package models

import (
	"encoding/base64"
	"encoding/json"
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

// Search in Rapport matches substrings of a denormalised, folded text kept
// on each record (contacts.search_text), so one indexed column answers
// "alvarez", "acme", "@example.com" and "5550100" alike. Folding happens in
// Go, on writes and on queries, so both databases compare the same strings;
// only the index differs (pg_trgm on Postgres, an FTS5 trigram table on
// SQLite; see dialect.go).

// minTrigramTerm is the shortest term a trigram index can answer. Shorter
// queries fall back to a prefix match on the name key.
const minTrigramTerm = 3

// maxSearchTerms bounds the work one query can ask for.
const maxSearchTerms = 8

// foldedMarks are the combining marks searchKey drops after decomposition:
// accents on Latin, Greek and Cyrillic letters, Hebrew points and Arabic
// vowel marks, which people type inconsistently. Marks that change the
// letter in other scripts (Devanagari vowel signs, Japanese dakuten) stay.
var foldedMarks = &unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x0300, Hi: 0x036f, Stride: 1},
	{Lo: 0x0591, Hi: 0x05c7, Stride: 1},
	{Lo: 0x064b, Hi: 0x065f, Stride: 1},
	{Lo: 0x0670, Hi: 0x0670, Stride: 1},
	{Lo: 0x1ab0, Hi: 0x1aff, Stride: 1},
	{Lo: 0x1dc0, Hi: 0x1dff, Stride: 1},
	{Lo: 0x20d0, Hi: 0x20ff, Stride: 1},
	{Lo: 0xfe20, Hi: 0xfe2f, Stride: 1},
}}

// letterFolds spells letters that have no decomposition the way people
// type them on an ASCII keyboard.
var letterFolds = strings.NewReplacer("ø", "o", "ł", "l", "đ", "d", "ð", "d", "þ", "th", "æ", "ae", "œ", "oe", "ħ", "h", "ı", "i")

// searchKey is the form text is compared in: compatibility-decomposed,
// accents removed, case-folded, recomposed, spaces collapsed. "José
// Álvarez" and "JOSE ALVAREZ" share the key "jose alvarez". Control
// characters separate words as spaces do: a NUL in a term is an FTS5
// syntax error on SQLite and an error 22021 on Postgres, and none carries
// meaning in a search.
func searchKey(s string) string {
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(foldedMarks, r) && unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsControl(r):
			r = ' '
		}
		b.WriteRune(r)
	}
	// A Caser keeps state, so each call gets its own. Case folding maps
	// lowercase Cherokee to uppercase (U+AB9F to U+13CF) and x/text's
	// Fold the uppercase back to lowercase, so folding alone would toggle
	// them; lowercasing after it gives every letter one form.
	s = letterFolds.Replace(strings.ToLower(cases.Fold().String(b.String())))
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// searchTerms splits a query into distinct folded terms. A term that looks
// like part of a phone number ("555-0100", "(415)") is reduced to its
// digits, which search texts carry for every number.
func searchTerms(query string) []string {
	var terms []string
	seen := map[string]bool{}
	for _, t := range strings.Fields(searchKey(query)) {
		if isPhoneLike(t) {
			t = digitsOnly(t)
		}
		// Cut before checking for repeats: two long words that share their
		// first 100 characters are one term.
		t = truncateRunes(t, 100)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		terms = append(terms, t)
		if len(terms) == maxSearchTerms {
			break
		}
	}
	return terms
}

func isPhoneLike(t string) bool {
	digits := 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-().", r):
		default:
			return false
		}
	}
	return digits >= minTrigramTerm
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ftsPhrases is an FTS5 query that matches text containing every term, each
// quoted as a phrase. Inside quotes FTS5 gives meaning only to a doubled
// quote, and reads a NUL as the end of the query ("unterminated string"),
// so NULs are dropped here even though searchKey already turns them into
// spaces: a term from anywhere quotes safely.
func ftsPhrases(terms []string) string {
	phrases := make([]string, 0, len(terms))
	for _, t := range terms {
		t = strings.ReplaceAll(t, "\x00", "")
		if t == "" {
			continue
		}
		phrases = append(phrases, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
	}
	return strings.Join(phrases, " AND ")
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// likeContains is a condition that column contains term, for terms too
// short for the trigram index; it filters rows other conditions found.
func likeContains(column, term string) (string, any) {
	return column + ` LIKE ? ESCAPE '\'`, "%" + escapeLike(term) + "%"
}

// prefixRange is a condition that column starts with prefix, written as a
// range so that a plain B-tree index serves it on both databases (key
// columns compare bytewise: COLLATE "C" on Postgres, BINARY on SQLite).
func prefixRange(column, prefix string) (string, []any) {
	return "(" + column + " >= ? AND " + column + " < ?)", []any{prefix, prefix + string(utf8.MaxRune)}
}

// keyset is one sort order of a list: the column the list is ordered by
// (then by id, which breaks ties) and how to read it from a row. Lists page
// by the position of the last row, never by OFFSET, so a page costs the
// same at row 10 as at row 100,000 and rows added meanwhile do not shift it.
type keyset[T any] struct {
	column   string // table-qualified
	idColumn string
	desc     bool
	nullable bool         // NULLs sort last
	isTime   bool         // values are times, else strings
	value    func(*T) any // string, time.Time, or *time.Time (nil is NULL)
	rowID    func(*T) int64
}

// cursorPosition is a keyset cursor's content, encoded opaquely.
type cursorPosition struct {
	Sort  string  `json:"s"`
	Value *string `json:"v"` // nil for NULL
	ID    int64   `json:"i"`
}

// errBadCursor is answered for cursors that are not ours or not for this
// list; the caller should start again from the first page.
var errBadCursor = errors.New("bad cursor")

// orderBy is the ORDER BY clause matching the keyset condition.
func (k keyset[T]) orderBy() string {
	dir := " ASC"
	if k.desc {
		dir = " DESC"
	}
	nulls := ""
	if k.nullable {
		nulls = " NULLS LAST"
	}
	return k.column + dir + nulls + ", " + k.idColumn + dir
}

// cursor encodes the position just after row for the list sorted by sort.
func (k keyset[T]) cursor(sort string, row *T) string {
	p := cursorPosition{Sort: sort, ID: k.rowID(row)}
	var s string
	switch v := k.value(row).(type) {
	case string:
		s = v
		p.Value = &s
	case time.Time:
		s = v.UTC().Format(time.RFC3339Nano)
		p.Value = &s
	case *time.Time:
		if v != nil {
			s = v.UTC().Format(time.RFC3339Nano)
			p.Value = &s
		}
	}
	b, _ := json.Marshal(p)
	return base64.RawURLEncoding.EncodeToString(b)
}

// after narrows q to the rows after raw, a cursor from a page of the same
// list (same sort).
func (k keyset[T]) after(q *gorm.DB, sort, raw string) (*gorm.DB, error) {
	if raw == "" {
		return q, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, errBadCursor
	}
	var p cursorPosition
	if err := json.Unmarshal(b, &p); err != nil || p.Sort != sort || p.ID <= 0 || (p.Value == nil && !k.nullable) {
		return nil, errBadCursor
	}
	op := " > "
	if k.desc {
		op = " < "
	}
	if p.Value == nil {
		// Only NULLs remain after a NULL, ordered by id.
		return q.Where(k.column+" IS NULL AND "+k.idColumn+op+"?", p.ID), nil
	}
	var v any = *p.Value
	if k.isTime {
		t, err := time.Parse(time.RFC3339Nano, *p.Value)
		if err != nil {
			return nil, errBadCursor
		}
		v = t.UTC()
	}
	cond := "(" + k.column + ", " + k.idColumn + ")" + op + "(?, ?)"
	if k.nullable {
		cond = "(" + cond + " OR " + k.column + " IS NULL)"
	}
	return q.Where(cond, v, p.ID), nil
}

// cursorProblem is the validation message for a cursor that does not fit.
func cursorProblem() error {
	return &ValidationError{Fields: map[string]string{"cursor": "This page link has expired or belongs to another list. Start again from the first page."}}
}

// sortProblem is the validation message for an unknown sort order.
func sortProblem(options string) error {
	return &ValidationError{Fields: map[string]string{"sort": fmt.Sprintf("Sort by %s.", options)}}
}
