package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMaxCell is the longest cell, in characters, a Reader accepts
// unless told otherwise. Notes of ten thousand characters are fine; a cell
// ten times that is almost always a broken file.
const DefaultMaxCell = 100_000

// ReadOptions adjust how Open reads a file. The zero value detects
// everything.
type ReadOptions struct {
	// MaxCell is the longest cell accepted, in characters; DefaultMaxCell
	// when 0. A row with a longer cell is a RowError. Rows are also held to
	// 8 bytes per allowed character (at least 1 MiB) in total, which is
	// what bounds memory.
	MaxCell int
	// Encoding, one of the Encoding constants, overrides detection, for
	// when a person says what the file is.
	Encoding string
	// Delimiter (',', ';' or '\t') overrides detection.
	Delimiter rune
}

// Format is what Open found out about a file.
type Format struct {
	Encoding   string `json:"encoding"`    // one of the Encoding constants
	Delimiter  rune   `json:"delimiter"`   // ',', ';' or '\t'
	LineEnding string `json:"line_ending"` // "LF", "CRLF" or "CR"
	HeaderLine int    `json:"header_line"` // the line the header is on, 1-based
}

// A Record is one row of a file.
type Record struct {
	// Line is the physical line of the file the row starts on, 1-based,
	// whatever the encoding, preamble, blank lines or line breaks inside
	// quoted cells before it.
	Line int
	// Header is the file's header, as Reader.Header gives it.
	Header []string
	// Fields are the row's cells, as in the file (unquoted). A Reader
	// reuses the slice: it is valid until the next Read.
	Fields []string

	index *columnIndex
}

// Get returns the cell under the named column, "" when there is none.
func (r Record) Get(column string) string {
	i, ok := r.columns().find(column)
	if !ok || i >= len(r.Fields) {
		return ""
	}
	return r.Fields[i]
}

func (r Record) columns() *columnIndex {
	if r.index == nil || !r.index.is(r.Header) {
		return newColumnIndex(r.Header)
	}
	return r.index
}

// A RowError is a row that cannot be used. Reading goes on after it.
type RowError struct {
	Line   int    // the line the row starts on
	Column string // the column at fault, when one is
	Msg    string // for a person: what is wrong and what to do
	Err    error  // the underlying error, such as a *csv.ParseError; may be nil
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func (e *RowError) Unwrap() error { return e.Err }

// A FileError says the file as a whole cannot be read as CSV: it is empty,
// binary, a workbook, or its header is unreadable. Msg tells the person
// what to do.
type FileError struct {
	Msg string
	Err error
}

func (e *FileError) Error() string { return e.Msg }

func (e *FileError) Unwrap() error { return e.Err }

// A Reader streams the rows of a CSV file. Its memory stays bounded by the
// longest row allowed, whatever the size of the file.
type Reader struct {
	s         *scanner
	format    Format
	header    []string
	index     *columnIndex
	maxCell   int
	checkUTF8 bool
}

// Sniff reads the start of r (some 64 KiB) and says what it holds: its
// encoding, delimiter, line endings and where the header is. It returns a
// *FileError when r is not CSV.
func Sniff(r io.Reader) (Format, error) {
	rd, err := Open(r, ReadOptions{})
	if err != nil {
		return Format{}, err
	}
	return rd.Format(), nil
}

// Open sniffs r and returns a Reader positioned after its header. It
// returns a *FileError when r is not a CSV file, with a message for the
// person who chose it.
func Open(r io.Reader, o ReadOptions) (*Reader, error) {
	if o.MaxCell <= 0 {
		o.MaxCell = DefaultMaxCell
	}
	if o.Encoding != "" && !knownEncoding(o.Encoding) {
		return nil, fmt.Errorf("csvio: unknown encoding %q", o.Encoding)
	}
	if o.Delimiter != 0 && o.Delimiter != ',' && o.Delimiter != ';' && o.Delimiter != '\t' {
		return nil, fmt.Errorf("csvio: unsupported delimiter %q", o.Delimiter)
	}
	raw := bufio.NewReaderSize(r, sniffSize)
	head, err := raw.Peek(sniffSize)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("csvio: read: %w", err)
	}
	if len(head) == 0 {
		return nil, &FileError{Msg: "The file is empty."}
	}
	if msg := notCSV(head); msg != "" {
		return nil, &FileError{Msg: msg}
	}
	f := Format{Encoding: o.Encoding}
	if f.Encoding == "" {
		f.Encoding = detectEncoding(head, err == io.EOF)
	}
	if f.Encoding == EncodingUTF8BOM || (f.Encoding == EncodingUTF8 && bytes.HasPrefix(head, bomUTF8)) {
		if _, err := raw.Discard(len(bomUTF8)); err != nil {
			return nil, fmt.Errorf("csvio: read: %w", err)
		}
	}
	text := bufio.NewReaderSize(decode(raw, f.Encoding), sniffSize)
	sample, err := text.Peek(sniffSize)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("csvio: read: %w", err)
	}
	complete := err == io.EOF
	if i := bytes.IndexByte(sample, 0); i >= 0 {
		return nil, &FileError{Msg: fmt.Sprintf("The file holds binary data (a NUL byte on line %d), so it is not CSV text. Export the contacts as CSV and try again.",
			bytes.Count(sample[:i], []byte("\n"))+1)}
	}
	if len(bytes.TrimSpace(sample)) == 0 {
		return nil, &FileError{Msg: "The file has no rows: it is blank."}
	}
	f.LineEnding = lineEnding(sample)
	src := text
	if f.LineEnding == "CR" {
		sample = bytes.ReplaceAll(sample, []byte("\r"), []byte("\n"))
		src = bufio.NewReaderSize(crToLF{text}, sniffSize)
	}
	if !complete {
		// Leave out the row the sample cuts in two.
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i+1]
		}
	}
	delim, headerLine, ok := sniffLayout(sample, byte(o.Delimiter))
	if !ok {
		return nil, &FileError{Msg: "No commas, semicolons or tabs separate the values in the first lines, so this does not look like a CSV file. Export the contacts as CSV (comma-separated values) and try again."}
	}
	f.Delimiter, f.HeaderLine = rune(delim), headerLine

	maxRow := max(8*o.MaxCell, 1<<20)
	rd := &Reader{s: newScanner(src, delim, maxRow), format: f, maxCell: o.MaxCell,
		checkUTF8: f.Encoding == EncodingUTF8 || f.Encoding == EncodingUTF8BOM}
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	return rd, nil
}

// readHeader skips what comes before the header line and reads it.
func (r *Reader) readHeader() error {
	for {
		start, fields, problem, err := r.s.next()
		if err == io.EOF {
			return &FileError{Msg: "The file has no header row."}
		}
		if err != nil {
			return err
		}
		if start < r.format.HeaderLine {
			continue // a preamble, such as LinkedIn's notes
		}
		if problem != nil {
			return &FileError{Msg: fmt.Sprintf("The header row (line %d) cannot be read: %s", start, r.problemText(problem, start, fields).Msg)}
		}
		if r.checkUTF8 {
			for _, h := range fields {
				if !utf8.ValidString(h) {
					return &FileError{Msg: fmt.Sprintf("The header row (line %d) is not valid UTF-8. Save the file as CSV UTF-8 and try again.", start)}
				}
			}
		}
		r.format.HeaderLine = start
		r.header = headerNames(fields)
		r.index = newColumnIndex(r.header)
		return nil
	}
}

// Format says what Open found out about the file.
func (r *Reader) Format() Format { return r.format }

// Header returns the column names: the header cells trimmed, an empty one
// named after its spreadsheet column ("Column C"), and a repeated one
// numbered ("Phone (2)") so that every name picks one column.
func (r *Reader) Header() []string { return r.header }

// Read returns the next row. At the end it returns io.EOF. A row that
// cannot be used is a *RowError, with the Record holding its line and what
// could be read of it; call Read again for the next row. Any other error
// is a failure to read the input and ends the file.
func (r *Reader) Read() (Record, error) {
	for {
		start, fields, problem, err := r.s.next()
		if err != nil {
			return Record{}, err
		}
		rec := Record{Line: start, Header: r.header, Fields: fields, index: r.index}
		if problem != nil {
			return rec, r.problemText(problem, start, fields)
		}
		if allBlank(fields) {
			continue // an empty row, such as ",,,," left by a spreadsheet
		}
		if err := r.check(&rec); err != nil {
			return rec, err
		}
		return rec, nil
	}
}

// check holds a row to the header's width, valid UTF-8 and the cell limit.
func (r *Reader) check(rec *Record) *RowError {
	n := len(r.header)
	if len(rec.Fields) > n && allBlank(rec.Fields[n:]) {
		// Trailing empty cells, as some programs write, lose nothing.
		rec.Fields = rec.Fields[:n]
	}
	if len(rec.Fields) != n {
		msg := fmt.Sprintf("the row has %d values but the header has %d columns. A value with a %s in it needs double quotes around it.",
			len(rec.Fields), n, delimiterName(r.format.Delimiter))
		if len(rec.Fields) < n {
			msg = fmt.Sprintf("the row has %d values but the header has %d columns: it ends early. Add the missing values (empty ones too) or check for a line break that is not inside quotes.",
				len(rec.Fields), n)
		}
		return &RowError{Line: rec.Line, Msg: msg}
	}
	for i, f := range rec.Fields {
		if r.checkUTF8 && !utf8.ValidString(f) {
			return &RowError{Line: rec.Line, Column: r.header[i], Msg: fmt.Sprintf("the value in column %q is not valid UTF-8 text, though the rest of the file is. Save the file as CSV UTF-8 again, or retype that value.", r.header[i])}
		}
		if len(f) > r.maxCell {
			if c := utf8.RuneCountInString(f); c > r.maxCell {
				return &RowError{Line: rec.Line, Column: r.header[i], Msg: fmt.Sprintf("the value in column %q has %s characters; the most Rapport reads in one cell is %s. Shorten it, or check for a missing quotation mark before it.",
					r.header[i], thousands(c), thousands(r.maxCell))}
			}
		}
	}
	return nil
}

// problemText turns what the scanner could not read into a RowError.
func (r *Reader) problemText(p *scanProblem, start int, fields []string) *RowError {
	e := &RowError{Line: start, Msg: p.msg}
	if p.parse == nil {
		return e
	}
	e.Err = p.parse
	where := ""
	if i := len(fields); i < len(r.header) {
		e.Column = r.header[i]
		where = fmt.Sprintf(" in column %q", e.Column)
	}
	if line := start + p.parse.Line - p.parse.StartLine; line != start {
		where += fmt.Sprintf(" (on line %d)", line)
	}
	switch {
	case errors.Is(p.parse.Err, csv.ErrBareQuote):
		e.Msg = "there is a quotation mark inside the value" + where + ", not at its start. Put the whole value in double quotes and double each quotation mark inside it (\"\"), or remove the stray one."
	default:
		e.Msg = "a quoted value" + where + " is not closed properly: its closing quotation mark is missing, or text follows it before the next " + delimiterName(r.format.Delimiter) + ". Check the quotation marks on this row."
	}
	return e
}

// sniffLayout finds the delimiter (unless given) and the header line in
// the start of a file. ok is false when no delimiter separates anything
// and the lone column is not one Rapport knows.
//
// Each delimiter splits the sample into rows. The header is the first row
// with two values or more that is as wide as most rows; single cells above
// it are a preamble, like LinkedIn's notes. The delimiter that wins is the
// one whose header no unreadable row comes before, then the one that
// splits the most rows alike less the rows it cannot read, then the one
// giving the widest rows. Read with the wrong delimiter, quoted values have
// their quotes in the middle of a field and do not parse, and the lines of
// a multi-line value become rows of their own, which a tab inside them can
// split in two: but such a "header" comes after rows that did not parse.
func sniffLayout(sample []byte, given byte) (delim byte, headerLine int, ok bool) {
	candidates := []byte{',', ';', '\t'}
	if given != 0 {
		candidates = []byte{given}
	}
	type reading struct {
		delim                byte
		rows                 []sampleRow
		header, width, score int
		early                bool // an unreadable row before the header
	}
	var best reading
	for i, d := range candidates {
		rows, broken := sampleRows(sample, d)
		width, n := modalWidth(rows)
		r := reading{delim: d, rows: rows, width: width, score: n - len(broken)}
		// Data rows that end with a delimiter the header lacks, as some
		// programs write them, are wider than the header by empty cells
		// only (which Read drops): a row that fills as many cells as any
		// row does is the header too.
		used := 0
		for _, row := range rows {
			used = max(used, row.used)
		}
		for _, row := range rows {
			if row.filled >= 2 && (row.fields >= width || row.used >= used) {
				r.header = row.line
				break
			}
		}
		r.early = r.header > 0 && len(broken) > 0 && broken[0] < r.header
		better := r.early != best.early && !r.early ||
			r.early == best.early && (r.score > best.score || r.score == best.score && r.width > best.width)
		if i == 0 || better {
			best = r
		}
	}
	if len(best.rows) == 0 {
		return 0, 0, false
	}
	if best.header == 0 {
		// A single column: fine when it is one Rapport would import, such
		// as a list of email addresses under "Email".
		if given == 0 && suggestSpreadsheetColumn(best.rows[0].first).Field == FieldIgnore {
			return 0, 0, false
		}
		return best.delim, best.rows[0].line, true
	}
	return best.delim, best.header, true
}

// sampleRow is a row of the sample as one delimiter would split it.
type sampleRow struct {
	line, fields, filled int
	used                 int // fields up to the last that is not empty
	first                string
}

// sampleRows splits the sample with a delimiter, and lists the lines of
// the rows it cannot parse.
func sampleRows(sample []byte, delim byte) (rows []sampleRow, broken []int) {
	// The buffer holds the whole sample, so no line overflows it.
	s := newScanner(bufio.NewReaderSize(bytes.NewReader(sample), len(sample)+1), delim, len(sample)+1)
	for {
		start, fields, problem, err := s.next()
		if err != nil {
			return rows, broken
		}
		if problem != nil {
			broken = append(broken, start)
			continue
		}
		if allBlank(fields) {
			continue
		}
		r := sampleRow{line: start, fields: len(fields), first: fields[0]}
		for i, f := range fields {
			if strings.TrimSpace(f) != "" {
				r.filled++
				r.used = i + 1
			}
		}
		rows = append(rows, r)
	}
}

// modalWidth returns the most common number of fields among rows with two
// values or more, and how many rows have it; the wider wins a tie. Rows
// that a delimiter only splits into empty cells and one value do not vote:
// a tab inside a quoted note, read with the wrong delimiter, would do that.
func modalWidth(rows []sampleRow) (width, n int) {
	counts := map[int]int{}
	for _, r := range rows {
		if r.fields >= 2 && r.filled >= 2 {
			counts[r.fields]++
		}
	}
	for w, c := range counts {
		if c > n || (c == n && w > width) {
			width, n = w, c
		}
	}
	return width, n
}

// headerNames makes the header's cells into column names: trimmed, an
// empty one named after its spreadsheet column, a repeated one numbered.
func headerNames(cells []string) []string {
	names := make([]string, len(cells))
	seen := make(map[string]int, len(cells))
	for i, c := range cells {
		name := strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		if name == "" {
			name = "Column " + columnLetters(i)
		}
		key := strings.ToLower(name)
		seen[key]++
		if n := seen[key]; n > 1 {
			name = fmt.Sprintf("%s (%d)", name, n)
			seen[strings.ToLower(name)]++
		}
		names[i] = name
	}
	return names
}

// columnLetters names a 0-based column as a spreadsheet does: A…Z, AA…
func columnLetters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// columnIndex finds a column by name: exactly, or else ignoring case and
// surrounding spaces, so a saved mapping still fits a file whose header
// differs only in spelling.
type columnIndex struct {
	names  []string
	exact  map[string]int
	folded map[string]int
}

func newColumnIndex(header []string) *columnIndex {
	x := &columnIndex{names: header, exact: make(map[string]int, len(header)), folded: make(map[string]int, len(header))}
	for i, h := range header {
		if _, ok := x.exact[h]; !ok {
			x.exact[h] = i
		}
		if k := foldName(h); k != "" {
			if _, ok := x.folded[k]; !ok {
				x.folded[k] = i
			}
		}
	}
	return x
}

// is reports whether x indexes this very header slice.
func (x *columnIndex) is(header []string) bool {
	return len(x.names) == len(header) && (len(header) == 0 || &x.names[0] == &header[0])
}

func (x *columnIndex) find(name string) (int, bool) {
	if i, ok := x.exact[name]; ok {
		return i, true
	}
	i, ok := x.folded[foldName(name)]
	return i, ok
}

func foldName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func allBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func delimiterName(d rune) string {
	switch d {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

// thousands writes n with thousands separators: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
