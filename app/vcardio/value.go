package vcardio

import "strings"

// Text reads a text value as written: \n (or \N) is a line break, and \\,
// \, \; and \: stand for themselves. Other backslashes are kept, as vCard
// 2.1 files use them literally.
func Text(v string) string {
	if strings.IndexByte(v, '\\') < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) {
			b.WriteByte(c)
			continue
		}
		switch n := v[i+1]; n {
		case 'n', 'N':
			b.WriteByte('\n')
			i++
		case '\\', ',', ';', ':':
			b.WriteByte(n)
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Parts splits a structured value (N, ADR, ORG) at its unescaped
// semicolons and reads each part as Text.
func Parts(v string) []string {
	parts := split(v, ';')
	for i, p := range parts {
		parts[i] = Text(p)
	}
	return parts
}

// List splits a list value (CATEGORIES, NICKNAME) at its unescaped commas
// and reads each item as Text.
func List(v string) []string {
	items := split(v, ',')
	for i, p := range items {
		items[i] = Text(p)
	}
	return items
}

// split cuts v at each sep that no backslash escapes.
func split(v string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case sep:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

var textEscaper = strings.NewReplacer(`\`, `\\`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`, ",", `\,`, ";", `\;`)

// escapeText writes s as a text value: backslashes, line breaks, commas
// and semicolons escaped, so that it reads back the same whether it stands
// alone, in a list or in a part of a structured value.
func escapeText(s string) string { return textEscaper.Replace(s) }

// parts writes a structured value from its parts.
func parts(p ...string) string {
	for i := range p {
		p[i] = escapeText(p[i])
	}
	return strings.Join(p, ";")
}
