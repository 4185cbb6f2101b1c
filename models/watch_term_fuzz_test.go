package models_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"rapport/models"
)

// FuzzMatchWatchTerms checks the matching rules on any text and term: the
// folded form is stable and clean, a term appended to a text as its own
// words always matches, and a term excluded by itself never does.
func FuzzMatchWatchTerms(f *testing.F) {
	f.Add("Réfund please!", "refund")
	f.Add("I was refunded", "refund")
	f.Add("ÉCOLE  ﬁnance", "ecole finance")
	f.Add("ℌello İstanbul straße", "strasse")
	f.Add("नमस्ते दुनिया", "दुनिया")
	f.Add("\xff\xfe broken", "broken")
	f.Fuzz(func(t *testing.T, text, term string) {
		folded := models.FoldText(text)
		if again := models.FoldText(folded); again != folded {
			t.Fatalf("FoldText not stable: %q -> %q -> %q", text, folded, again)
		}
		if strings.HasPrefix(folded, " ") || strings.HasSuffix(folded, " ") || strings.Contains(folded, "  ") {
			t.Fatalf("FoldText(%q) = %q: stray spaces", text, folded)
		}
		for _, r := range folded {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
				t.Fatalf("FoldText(%q) = %q keeps %q", text, folded, r)
			}
		}
		w := models.WatchTerm{Term: term}
		got := models.MatchWatchTerms([]models.WatchTerm{w}, text+" "+term)
		if models.FoldText(term) != "" && !slices.Equal(got, []string{term}) {
			t.Fatalf("term %q not found in %q (%q): %v", term, text+" "+term, models.FoldText(text+" "+term), got)
		}
		if models.FoldText(term) == "" && got != nil {
			t.Fatalf("empty term %q matched %q", term, text)
		}
		w.Exclude = []string{term}
		if got := models.MatchWatchTerms([]models.WatchTerm{w}, text+" "+term); got != nil {
			t.Fatalf("term %q excluded by itself matched %q", term, text)
		}
	})
}
