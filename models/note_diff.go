package models

import "strings"

// DiffOp says what happened to a line between two texts.
type DiffOp string

// Diff operations.
const (
	DiffSame   DiffOp = "same"
	DiffInsert DiffOp = "insert"
	DiffDelete DiffOp = "delete"
)

// DiffLine is one line of a line diff: kept, added or removed.
type DiffLine struct {
	Op   DiffOp `json:"op"`
	Text string `json:"text"`
}

// maxDiffCells bounds the work of one diff: the lines left after the common
// start and end are trimmed, multiplied. Notes are at most 20,000
// characters, so only pathological pairs (thousands of short lines, all
// different) reach it; they are shown as the old block removed and the new
// one added, which is still a correct diff, only not a minimal one.
const maxDiffCells = 4 << 20

// DiffLines compares a and b line by line and returns b as a edited: the
// longest common subsequence of lines is kept, and within each changed
// stretch the removed lines come before the added ones. Line endings are
// not part of the lines; "\r\n" counts as "\n".
func DiffLines(a, b string) []DiffLine {
	x, y := splitLines(a), splitLines(b)
	var out []DiffLine
	// The common start and end cost nothing to find and are most of a
	// typical edit.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	for _, l := range x[:pre] {
		out = append(out, DiffLine{DiffSame, l})
	}
	out = append(out, diffMiddle(x[pre:len(x)-suf], y[pre:len(y)-suf])...)
	for _, l := range x[len(x)-suf:] {
		out = append(out, DiffLine{DiffSame, l})
	}
	return out
}

// diffMiddle diffs two runs of lines by dynamic programming over their
// longest common subsequence.
func diffMiddle(x, y []string) []DiffLine {
	n, m := len(x), len(y)
	var out []DiffLine
	if n*m > maxDiffCells || n == 0 || m == 0 {
		for _, l := range x {
			out = append(out, DiffLine{DiffDelete, l})
		}
		for _, l := range y {
			out = append(out, DiffLine{DiffInsert, l})
		}
		return out
	}
	// lcs[i*(m+1)+j] is the LCS length of x[i:] and y[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{DiffSame, x[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, DiffLine{DiffDelete, x[i]})
			i++
		default:
			out = append(out, DiffLine{DiffInsert, y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{DiffDelete, x[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{DiffInsert, y[j]})
	}
	return out
}

// splitLines splits s into lines without their endings; "" has none.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
