package models_test

import (
	"strings"
	"testing"

	"rapport/models"
)

// diffString writes a diff as lines prefixed " ", "+" or "-".
func diffString(d []models.DiffLine) string {
	var b strings.Builder
	for _, l := range d {
		switch l.Op {
		case models.DiffSame:
			b.WriteString(" ")
		case models.DiffInsert:
			b.WriteString("+")
		case models.DiffDelete:
			b.WriteString("-")
		}
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// applyDiff rebuilds both sides of a diff.
func applyDiff(d []models.DiffLine) (a, b []string) {
	for _, l := range d {
		if l.Op != models.DiffInsert {
			a = append(a, l.Text)
		}
		if l.Op != models.DiffDelete {
			b = append(b, l.Text)
		}
	}
	return a, b
}

func TestDiffLines(t *testing.T) {
	for _, tc := range []struct{ name, a, b, want string }{
		{"equal", "a\nb", "a\nb", " a\n b\n"},
		{"both empty", "", "", ""},
		{"from empty", "", "a\nb", "+a\n+b\n"},
		{"to empty", "a\nb\n", "", "-a\n-b\n"},
		{"change in middle", "a\nb\nc", "a\nx\nc", " a\n-b\n+x\n c\n"},
		{"insert", "a\nc", "a\nb\nc", " a\n+b\n c\n"},
		{"delete", "a\nb\nc", "a\nc", " a\n-b\n c\n"},
		{"crlf", "a\r\nb\r\n", "a\nb", " a\n b\n"},
		{"lcs not greedy", "a\nb\nc\nd", "b\nc\nd\na", "-a\n b\n c\n d\n+a\n"},
		{"move", "x\ny\nz", "z\nx\ny", "+z\n x\n y\n-z\n"},
		{"repeated lines", "a\na\nb\na", "a\nb\na\na", " a\n-a\n b\n+a\n a\n"},
	} {
		got := diffString(models.DiffLines(tc.a, tc.b))
		if got != tc.want {
			t.Errorf("%s: DiffLines(%q, %q) =\n%s\nwant\n%s", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
}

// Every diff, however large, must rebuild both texts; the large cases run
// through the coarse fallback.
func TestDiffLinesRebuildsBothSides(t *testing.T) {
	var big1, big2 []string
	for i := range 3000 {
		big1 = append(big1, strings.Repeat("a", i%7)+string(rune('a'+i%26)))
		big2 = append(big2, strings.Repeat("b", i%5)+string(rune('a'+i%23)))
	}
	pairs := [][2]string{
		{"one\ntwo\nthree\nfour", "zero\none\nthree\nfive\nfour"},
		{strings.Join(big1, "\n"), strings.Join(big2, "\n")},
		{strings.Join(big1, "\n"), strings.Join(big1[100:], "\n")},
	}
	for _, p := range pairs {
		d := models.DiffLines(p[0], p[1])
		a, b := applyDiff(d)
		if strings.Join(a, "\n") != p[0] || strings.Join(b, "\n") != p[1] {
			t.Errorf("diff of %d and %d bytes does not rebuild its sides", len(p[0]), len(p[1]))
		}
	}
	// A deletion of a prefix is found exactly, not as a rewrite.
	d := models.DiffLines(strings.Join(big1, "\n"), strings.Join(big1[100:], "\n"))
	for _, l := range d {
		if l.Op == models.DiffInsert {
			t.Fatal("a pure deletion produced insertions")
		}
	}
}
