package csvio

import (
	"strings"
	"unicode"
)

// SplitFullName reads a full name, as in a file whose only name column is
// "Name", into given and family names. The rule:
//
//   - "Lovelace, Ada" (one comma): the family name is before the comma,
//     the given names after it.
//   - "Ada King Lovelace": the family name is the last word, the given
//     names the words before it. Lower-case particles just before the last
//     word belong to the family name: "Ludwig van Beethoven" is Ludwig /
//     van Beethoven.
//   - Honorifics before the name ("Dr.", "Mrs") and suffixes after it
//     ("Jr.", "PhD", also after a comma) are not names: they are left out
//     of given and family, and the whole name becomes the display name so
//     that nothing is lost.
//   - A single word, or a name in a script written without spaces ("Cher",
//     "山田太郎"), is not split: it becomes the display name alone.
//
// A display name is returned only in the last two cases; otherwise given
// and family name say it all.
func SplitFullName(full string) (given, family, display string) {
	full = strings.Join(strings.Fields(full), " ")
	if full == "" {
		return "", "", ""
	}
	words := strings.Fields(strings.ReplaceAll(full, ",", " , "))
	trimmed := false
	for len(words) > 1 && isHonorific(words[0]) {
		words, trimmed = words[1:], true
	}
	for len(words) > 1 && (isSuffix(words[len(words)-1]) || words[len(words)-1] == ",") {
		if words[len(words)-1] != "," {
			trimmed = true
		}
		words = words[:len(words)-1]
	}
	if i := indexOf(words, ","); i > 0 && i < len(words)-1 && indexOf(words[i+1:], ",") < 0 {
		// "Family, Given"
		family, given = strings.Join(words[:i], " "), strings.Join(words[i+1:], " ")
	} else {
		words = removeAll(words, ",")
		if len(words) < 2 {
			return "", "", full
		}
		last := len(words) - 1
		for last > 1 && isParticle(words[last-1]) {
			last--
		}
		given, family = strings.Join(words[:last], " "), strings.Join(words[last:], " ")
	}
	if trimmed {
		display = full
	}
	return given, family, display
}

var honorifics = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "sir": true, "dame": true}

var suffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "phd": true, "md": true, "esq": true, "mba": true}

func isHonorific(w string) bool { return honorifics[strings.ToLower(strings.TrimSuffix(w, "."))] }

func isSuffix(w string) bool {
	return suffixes[strings.ToLower(strings.ReplaceAll(w, ".", ""))]
}

// isParticle reports whether w is a lower-case name particle, such as van,
// von, de, da, di, del, della, le, la, du, bin, ibn, al: a lower-case word
// that is not the first is taken as one.
func isParticle(w string) bool {
	for _, r := range w {
		if !unicode.IsLower(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return len(w) <= 5
}

func indexOf(words []string, w string) int {
	for i, x := range words {
		if x == w {
			return i
		}
	}
	return -1
}

func removeAll(words []string, w string) []string {
	out := words[:0:0]
	for _, x := range words {
		if x != w {
			out = append(out, x)
		}
	}
	return out
}
