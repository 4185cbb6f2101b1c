package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// scanner cuts decoded text into rows and parses each with encoding/csv.
//
// encoding/csv alone would read a quoted field to its closing quote however
// far away, so a single missing quote would pull the rest of the file into
// memory as one field and lose every row after it. The scanner finds where
// each row ends first, following the same quoting rules, and never holds
// more than maxRow bytes of a row; encoding/csv then sees exactly one row
// at a time. When a row does not parse, or runs past the limit while inside
// quotes, its lines after the first are pushed back and read again as rows
// of their own, so the damage stays on the row at fault.
type scanner struct {
	src    *bufio.Reader
	pend   []byte // lines pushed back after a broken row; read before src
	line   int    // the number of the last line read, 1-based
	maxRow int
	delim  byte

	rec      []byte // the lines of the current row
	firstEnd int    // where the row's first line ends in rec
	long     []byte // a line longer than src's buffer

	feed rowFeed
	csv  *csv.Reader
	fed  int64 // bytes handed to csv so far
}

// rowFeed hands encoding/csv one row at a time: at the end of the row it
// says EOF, so csv cannot read past it, and the next row is fed in before
// csv is asked again. Neither csv.Reader nor its bufio.Reader keeps an EOF
// once returned, so one csv.Reader serves the whole file.
type rowFeed struct{ b []byte }

func (f *rowFeed) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

func newScanner(src *bufio.Reader, delim byte, maxRow int) *scanner {
	s := &scanner{src: src, maxRow: maxRow, delim: delim}
	s.csv = csv.NewReader(&s.feed)
	s.csv.Comma = rune(delim)
	s.csv.FieldsPerRecord = -1
	s.csv.ReuseRecord = true
	return s
}

// scanProblem is a row the scanner could not cut out or parse.
type scanProblem struct {
	msg   string
	parse *csv.ParseError // set when encoding/csv refused the row
}

// next returns the next row: the line it starts on and its fields. A row
// that cannot be read comes back with a problem, and fields holding what
// was parsed before it (possibly nothing). err is io.EOF at the end, or
// an error reading the input.
func (s *scanner) next() (start int, fields []string, problem *scanProblem, err error) {
	start, lines, msg, err := s.collect()
	if err != nil {
		return 0, nil, nil, err
	}
	if msg != "" {
		return start, nil, &scanProblem{msg: msg}, nil
	}
	fields, perr := s.parse()
	if perr != nil {
		if lines > 1 {
			s.pushBack(start)
		}
		var pe *csv.ParseError
		if !errors.As(perr, &pe) {
			return start, fields, &scanProblem{msg: "the quotation marks on this row do not match up"}, nil
		}
		return start, fields, &scanProblem{parse: pe}, nil
	}
	return start, fields, nil, nil
}

// collect gathers the lines of the next row into s.rec: one line, or
// several when a quoted value holds line breaks. Blank lines are skipped.
// msg describes a row too long to keep.
func (s *scanner) collect() (start, lines int, msg string, err error) {
	s.rec = s.rec[:0]
	var q quoteState
	for {
		l, tooLong, err := s.nextLine()
		if err == io.EOF {
			if lines == 0 {
				return 0, 0, "", io.EOF
			}
			// The input ends inside quotes; encoding/csv reports it.
			return start, lines, "", nil
		}
		if err != nil {
			return 0, 0, "", err
		}
		if lines == 0 && !tooLong && isBlank(l) {
			continue
		}
		lines++
		if lines == 1 {
			start = s.line
		}
		if tooLong {
			if lines == 1 {
				return start, lines, fmt.Sprintf("the line is longer than %s, far more than a row of contact details; it was skipped", sizeText(s.maxRow)), nil
			}
			return start, lines, fmt.Sprintf("a quoted value that starts on this row is not closed before line %d, which is longer than %s; lines %d to %d were skipped. Check the quotation marks on this row.",
				s.line, sizeText(s.maxRow), start, s.line), nil
		}
		s.rec = append(s.rec, l...)
		if lines == 1 {
			s.firstEnd = len(s.rec)
		}
		q.scan(l, s.delim)
		if !q.inQuotes {
			return start, lines, "", nil
		}
		if len(s.rec) > s.maxRow {
			s.pushBack(start)
			return start, lines, fmt.Sprintf("a quoted value that starts on this row runs on for more than %s without its closing quotation mark. Check the quotation marks on this row; the lines after it were read as rows of their own.",
				sizeText(s.maxRow)), nil
		}
	}
}

// pushBack puts the current row's lines after its first back in front of
// the input, to be read again as rows of their own.
func (s *scanner) pushBack(start int) {
	rest := s.rec[s.firstEnd:]
	pend := make([]byte, 0, len(rest)+len(s.pend))
	pend = append(pend, rest...)
	s.pend = append(pend, s.pend...)
	s.line = start
}

// nextLine returns the next physical line with its '\n' (without one at
// the end of the input); the slice is valid until the next call. A line
// longer than maxRow is dropped, reading past it without holding it, and
// reported with tooLong.
func (s *scanner) nextLine() (line []byte, tooLong bool, err error) {
	if len(s.pend) > 0 {
		i := bytes.IndexByte(s.pend, '\n') + 1
		if i == 0 {
			i = len(s.pend)
		}
		line, s.pend = s.pend[:i], s.pend[i:]
		s.line++
		return line, false, nil
	}
	b, err := s.src.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = s.src.ReadSlice('\n')
			if !tooLong && len(s.long)+len(b) > s.maxRow {
				tooLong, s.long = true, s.long[:0]
			}
			if !tooLong {
				s.long = append(s.long, b...)
			}
		}
		b = s.long
	}
	if err != nil && err != io.EOF {
		return nil, false, fmt.Errorf("csvio: read: %w", err)
	}
	if len(b) == 0 && !tooLong {
		return nil, false, io.EOF
	}
	s.line++
	if len(b) > s.maxRow {
		tooLong, b = true, nil
	}
	return b, tooLong, nil
}

// parse hands the row in s.rec to encoding/csv.
func (s *scanner) parse() ([]string, error) {
	s.feed.b = s.rec
	s.fed += int64(len(s.rec))
	fields, err := s.csv.Read()
	if err == io.EOF {
		fields, err = nil, nil
	}
	// After an error csv may have left part of the row unread; drop it so
	// that the next row starts clean. A row it ended early without an
	// error means it saw the quotes differently from collect, which only
	// happens on broken quoting.
	for s.csv.InputOffset() < s.fed {
		if _, e := s.csv.Read(); e == io.EOF {
			break
		}
		if err == nil {
			err = errors.New("csvio: row ended early")
		}
	}
	s.feed.b = nil
	return fields, err
}

// quoteState follows RFC 4180 quoting as encoding/csv reads it: a quote
// opens a quoted value only at the start of a field, and inside one a
// doubled quote is a literal quote.
type quoteState struct {
	inQuotes bool
	closed   bool // the last byte closed a quoted value (or began "")
	midField bool // not at the start of a field
}

func (q *quoteState) scan(line []byte, delim byte) {
	if !q.inQuotes && bytes.IndexByte(line, '"') < 0 {
		q.closed, q.midField = false, false // the line ends with '\n' or the input
		return
	}
	for _, c := range line {
		if q.inQuotes {
			if c == '"' {
				q.inQuotes, q.closed = false, true
			}
			continue
		}
		if q.closed {
			q.closed = false
			if c == '"' {
				q.inQuotes = true
				continue
			}
		}
		switch c {
		case delim, '\n':
			q.midField = false
		case '"':
			q.inQuotes = !q.midField
			q.midField = true
		default:
			q.midField = true
		}
	}
}

func isBlank(l []byte) bool {
	return len(l) == 0 || (len(l) == 1 && l[0] == '\n') || (len(l) == 2 && l[0] == '\r' && l[1] == '\n')
}

// sizeText writes a byte count as a person reads it.
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
