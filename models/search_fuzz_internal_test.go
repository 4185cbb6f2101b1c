package models

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSearchTerms checks the search query parser on any input: terms are
// distinct, non-empty, folded (folding them again changes nothing), free
// of spaces, bounded in number and length, and valid UTF-8 for valid input.
func FuzzSearchTerms(f *testing.F) {
	for _, s := range []string{"José Álvarez", "  ", "+1 (415) 555-0100", "王小明", "ß STRASSE straße", "a a a", "\u0301\u0301",
		"محمد", "%_\\", strings.Repeat("x", 300), "İstanbul ı I", "ﬁnance", "Ꮟ ꮟ ᏸ Ᏸ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		terms := searchTerms(q)
		if len(terms) > maxSearchTerms {
			t.Fatalf("%d terms, at most %d allowed", len(terms), maxSearchTerms)
		}
		seen := map[string]bool{}
		for _, term := range terms {
			switch {
			case term == "":
				t.Fatalf("empty term from %q", q)
			case seen[term]:
				t.Fatalf("term %q twice from %q", term, q)
			case strings.ContainsAny(term, " \t\n"):
				t.Fatalf("term %q holds a space", term)
			case utf8.RuneCountInString(term) > 100:
				t.Fatalf("term of %d characters", utf8.RuneCountInString(term))
			case utf8.ValidString(q) && !utf8.ValidString(term):
				t.Fatalf("invalid UTF-8 term %q from valid %q", term, q)
			}
			seen[term] = true
		}
		// Whatever a query folds to is stable: the key of a key is itself,
		// so stored search texts and queries meet in one form.
		if k := searchKey(q); utf8.ValidString(q) && searchKey(k) != k {
			t.Fatalf("searchKey not idempotent: %q -> %q -> %q", q, k, searchKey(k))
		}
	})
}
