package csvio

import "strings"

// formulaStart reports whether a spreadsheet would read a cell starting
// with c as a formula (OWASP's list: = + - @ tab carriage return).
func formulaStart(c byte) bool {
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'
}

// GuardFormula returns s safe to put in a spreadsheet cell: when it starts
// with a character that makes a formula, a single quote goes in front, so
// "=1+2" is written '=1+2 and "+44 20 7946 0958" '+44 20 7946 0958. A value
// that already starts with quotes before such a character gets one more,
// so that UnguardFormula gives back exactly what was guarded.
func GuardFormula(s string) string {
	if t := strings.TrimLeft(s, "'"); t != "" && formulaStart(t[0]) {
		return "'" + s
	}
	return s
}

// UnguardFormula undoes GuardFormula: a leading single quote followed by a
// formula character (possibly after more quotes) is dropped. Other cells,
// "'tis" among them, are left alone.
func UnguardFormula(s string) string {
	if len(s) >= 2 && s[0] == '\'' {
		if t := strings.TrimLeft(s, "'"); t != "" && formulaStart(t[0]) {
			return s[1:]
		}
	}
	return s
}
