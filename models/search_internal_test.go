package models

import (
	"database/sql"
	"strings"
	"testing"
)

// FuzzFTSPhrases runs the FTS5 query ftsPhrases builds against a trigram
// table like contacts_fts, for terms holding anything: quotes, FTS5's
// operators and NULs must all be taken as text, never as query syntax.
func FuzzFTSPhrases(f *testing.F) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one in-memory database
	f.Cleanup(func() { db.Close() })
	for _, stmt := range []string{
		"CREATE VIRTUAL TABLE t USING fts5(search_text, tokenize = 'trigram')",
		`INSERT INTO t (rowid, search_text) VALUES (1, 'ada "the" lovelace (near) 50% * ^x: and or not')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			f.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, s := range []string{"ada", "lovelace ada", "\x00abc", "abc\x00", "\x00\x00\x00", "a\x00b\x00c", `"the"`, `"`, `"""`,
		"(near)", "NEAR(ada lovelace)", "ada OR lovelace", "NOT ada", "ada*", "^x:", "search_text:ada", "50%", "王小明", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Terms as searchTerms makes them (non-empty, no spaces) but from
		// raw input, as a caller that skips searchKey would pass them.
		terms := strings.Fields(s)
		q := ftsPhrases(terms)
		if q == "" {
			return // no term survived; callers never ask with none
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM t WHERE t MATCH ?", q).Scan(&n); err != nil {
			t.Fatalf("terms %q: query %q: %v", terms, q, err)
		}
	})
}

// TestFTSPhrasesMatch checks that quoting keeps a term meaning itself: a
// term found in the text matches, and NULs are left out.
func TestFTSPhrasesMatch(t *testing.T) {
	for _, tc := range []struct {
		terms []string
		want  string
	}{
		{[]string{"ada", "lovelace"}, `"ada" AND "lovelace"`},
		{[]string{`say "hi"`}, `"say ""hi"""`},
		{[]string{"\x00abc", "ab\x00c\x00"}, `"abc" AND "abc"`},
		{[]string{"\x00\x00", "ada"}, `"ada"`},
	} {
		if got := ftsPhrases(tc.terms); got != tc.want {
			t.Errorf("ftsPhrases(%q) = %s, want %s", tc.terms, got, tc.want)
		}
	}
}

// TestSearchTermsDropControlCharacters checks that a NUL or another control
// character separates words as a space does, and never reaches a term.
func TestSearchTermsDropControlCharacters(t *testing.T) {
	for q, want := range map[string][]string{
		"\x00abc":                       {"abc"},
		"ab\x00":                        {"ab"},
		"\x00\x00\x00":                  nil,
		"ada\x00lovelace":               {"ada", "lovelace"},
		"\x01Jose\x7f\u0085Álvarez\x1b": {"jose", "alvarez"},
	} {
		got := searchTerms(q)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("searchTerms(%q) = %q, want %q", q, got, want)
		}
	}
}
