package csvio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func open(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readAll reads every row, copying the fields, and collects row errors.
func readAll(t testing.TB, r *Reader) (recs []Record, rowErrs []*RowError) {
	t.Helper()
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, rowErrs
		}
		var re *RowError
		if errors.As(err, &re) {
			rowErrs = append(rowErrs, re)
			continue
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		rec.Fields = append([]string(nil), rec.Fields...)
		recs = append(recs, rec)
	}
}

func TestSniffFixtures(t *testing.T) {
	tests := []struct {
		file string
		want Format
		cols int
		rows int
	}{
		{"google.csv", Format{Encoding: EncodingUTF8, Delimiter: ',', LineEnding: "LF", HeaderLine: 1}, 36, 3},
		{"google_legacy.csv", Format{Encoding: EncodingUTF8, Delimiter: ',', LineEnding: "CRLF", HeaderLine: 1}, 56, 2},
		{"outlook.csv", Format{Encoding: EncodingWindows1252, Delimiter: ',', LineEnding: "CRLF", HeaderLine: 1}, 92, 2},
		{"linkedin.csv", Format{Encoding: EncodingUTF8, Delimiter: ',', LineEnding: "LF", HeaderLine: 4}, 7, 3},
		{"hubspot.csv", Format{Encoding: EncodingUTF8, Delimiter: ',', LineEnding: "LF", HeaderLine: 1}, 20, 2},
		{"plain_semicolon.csv", Format{Encoding: EncodingUTF8BOM, Delimiter: ';', LineEnding: "CRLF", HeaderLine: 1}, 11, 2},
		{"utf16le_bom.csv", Format{Encoding: EncodingUTF16LE, Delimiter: '\t', LineEnding: "CRLF", HeaderLine: 1}, 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Sniff(open(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Sniff = %+v, want %+v", got, tt.want)
			}
			r, err := Open(open(t, tt.file), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Header()) != tt.cols {
				t.Errorf("header has %d columns, want %d: %q", len(r.Header()), tt.cols, r.Header())
			}
			recs, errs := readAll(t, r)
			if len(recs) != tt.rows || len(errs) != 0 {
				t.Errorf("read %d rows and errors %v, want %d rows", len(recs), errs, tt.rows)
			}
		})
	}
}

func TestReadDecodesText(t *testing.T) {
	tests := []struct {
		file, column, want string
		row                int
		line               int
	}{
		{"outlook.csv", "First Name", "Renée", 0, 2},
		{"outlook.csv", "Notes", "Budget 2025 : 12 000 €.\nPréfère le téléphone.", 0, 2},
		{"outlook.csv", "Company", "Müller & Söhne GmbH", 1, 4},
		{"utf16le_bom.csv", "Name", "山田太郎", 0, 2},
		{"utf16le_bom.csv", "Company", "Fabryka Ćwiczeń", 1, 3},
		{"plain_semicolon.csv", "Vorname", "Käthe", 0, 2},
		{"plain_semicolon.csv", "Umsatz", "1.234,56", 0, 2},
		{"linkedin.csv", "First Name", "Margaret", 0, 5},
		{"linkedin.csv", "Last Name", "Kierkegaard", 2, 7},
		{"google.csv", "Notes", "Met at the Royal Society.\nLikes: poetry, engines.\n\n\"Bernoulli\" notes pending.", 0, 2},
		{"google.csv", "First Name", "Zoë", 1, 8},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.column, func(t *testing.T) {
			r, err := Open(open(t, tt.file), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := readAll(t, r)
			rec := recs[tt.row]
			if got := rec.Get(tt.column); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.column, got, tt.want)
			}
			if rec.Line != tt.line {
				t.Errorf("row %d starts on line %d, want %d", tt.row, rec.Line, tt.line)
			}
		})
	}
}

func TestNotCSV(t *testing.T) {
	xlsx, err := os.ReadFile(filepath.Join("testdata", "not_csv.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"xlsx", xlsx, "Excel workbook"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), "old Excel workbook"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "PDF"},
		{"nul", []byte("Name,Email\nAda,ada@example.com\nBob\x00,b@example.com\n"), "NUL byte on line 3"},
		{"empty", nil, "empty"},
		{"blank", []byte("\r\n\n  \n"), "blank"},
		{"no delimiter", []byte("Dear Ada\nThanks for the letter\nBest\n"), "No commas, semicolons or tabs"},
		{"html", []byte("<!DOCTYPE html><html><body>Sign in</body></html>"), "web page"},
		{"vcard", []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n"), "vCard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(tt.input), ReadOptions{})
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Open error = %v, want a *FileError", err)
			}
			if !strings.Contains(fe.Msg, tt.want) {
				t.Errorf("message %q does not mention %q", fe.Msg, tt.want)
			}
		})
	}
}

// Found by FuzzMapRow: read with a tab delimiter, the lines of quoted
// multi-line cells ("\t5") split into an empty cell and a value, and
// outvoted the semicolons that really separate the values.
func TestSniffIgnoresTabsInQuotedCells(t *testing.T) {
	input := "Given name;Notes;Tags\n'+ 5 +;\"'+\n\t5\n+\";\"a\n\tb\n\tc\n\td\"\n"
	r, err := Open(strings.NewReader(input), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if r.Format().Delimiter != ';' || len(recs) != 1 || len(errs) != 0 || recs[0].Get("Notes") != "'+\n\t5\n+" {
		t.Errorf("format %+v, rows %+v, errors %v", r.Format(), recs, errs)
	}
}

// Also found by FuzzMapRow: the lines of a quoted note hold tabs, so a tab
// splits them into two values each, however many there are; but it cannot
// parse the row the note starts in, above them.
func TestSniffTabsInLongQuotedNote(t *testing.T) {
	input := "Given name;Family name;Notes\nAda;\"x\";\"one\n" + strings.Repeat("Z\t28\n", 20) + "end\"\n"
	r, err := Open(strings.NewReader(input), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if r.Format().Delimiter != ';' || len(recs) != 1 || len(errs) != 0 {
		t.Errorf("format %+v, rows %+v, errors %v", r.Format(), recs, errs)
	}
}

func TestSingleColumn(t *testing.T) {
	r, err := Open(strings.NewReader("Email\nada@example.com\nbob@example.com\n"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if len(recs) != 2 || len(errs) != 0 || recs[1].Get("Email") != "bob@example.com" {
		t.Errorf("read %v, %v", recs, errs)
	}
}

func TestBrokenQuotes(t *testing.T) {
	r, err := Open(open(t, "broken_quotes.csv"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	var got []string
	for _, rec := range recs {
		got = append(got, fmt.Sprintf("%d:%s:%q", rec.Line, rec.Fields[0], rec.Fields[2]))
	}
	want := []string{`2:Ada Lovelace:"Fine, quoted"`, `5:Bob Bobson:"plain"`, `6:Cid Cidson:"multi\nline, fine"`, `9:Eve Evans:"last"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
	wantErrs := []struct {
		line   int
		column string
		msg    string
	}{
		{3, "Name", "quotation mark inside the value in column \"Name\""},
		{4, "Notes", "not closed properly"},
		{8, "Notes", "not closed properly"},
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("row errors %v, want %d", errs, len(wantErrs))
	}
	for i, w := range wantErrs {
		e := errs[i]
		if e.Line != w.line || e.Column != w.column || !strings.Contains(e.Msg, w.msg) {
			t.Errorf("error %d = line %d column %q %q, want line %d column %q containing %q", i, e.Line, e.Column, e.Msg, w.line, w.column, w.msg)
		}
	}
}

func TestRagged(t *testing.T) {
	r, err := Open(open(t, "ragged.csv"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	var lines []int
	for _, rec := range recs {
		lines = append(lines, rec.Line)
		if len(rec.Fields) != 3 {
			t.Errorf("line %d has %d fields", rec.Line, len(rec.Fields))
		}
	}
	if fmt.Sprint(lines) != "[2 5 7]" {
		t.Errorf("rows on lines %v, want [2 5 7]", lines)
	}
	if len(errs) != 2 || errs[0].Line != 3 || !strings.Contains(errs[0].Msg, "4 values but the header has 3") ||
		errs[1].Line != 4 || !strings.Contains(errs[1].Msg, "ends early") {
		t.Errorf("errors %v", errs)
	}
}

// TestTrailingDelimiterOnDataRows reads a file whose data rows end with
// a delimiter the header lacks, as some programs write: the header is
// still the first line and every row is read.
func TestTrailingDelimiterOnDataRows(t *testing.T) {
	for name, text := range map[string]string{
		"comma":     "First Name,Last Name,Email\nAda,Lovelace,ada@example.com,\nAlan,Turing,alan@example.com,\n",
		"semicolon": "Vorname;Nachname;E-Mail\r\nGünther;Maß;g@example.de;;\r\nRenée;Dupré;r@example.fr;;\r\nJo;Bloggs;;;\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			r, err := Open(strings.NewReader(text), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Format().HeaderLine != 1 || len(r.Header()) != 3 {
				t.Fatalf("header on line %d: %q", r.Format().HeaderLine, r.Header())
			}
			recs, errs := readAll(t, r)
			if len(recs) != strings.Count(text, "\n")-1 || len(errs) != 0 || recs[0].Line != 2 {
				t.Errorf("rows %v, errors %v", recs, errs)
			}
		})
	}
}

func TestLineNumbers(t *testing.T) {
	// Blank lines, a multi-line cell and CRLF: lines count as in the file.
	input := "\r\n\r\nName,Notes\r\n\r\nAda,\"one\r\ntwo\r\n\r\nthree\"\r\nBob,x\r\n\r\nCid,y"
	r, err := Open(strings.NewReader(input), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Format().HeaderLine != 3 {
		t.Errorf("header on line %d, want 3", r.Format().HeaderLine)
	}
	recs, errs := readAll(t, r)
	var got []string
	for _, rec := range recs {
		got = append(got, fmt.Sprintf("%d %s %q", rec.Line, rec.Fields[0], rec.Fields[1]))
	}
	want := []string{`5 Ada "one\ntwo\n\nthree"`, `9 Bob "x"`, `11 Cid "y"`}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(errs) > 0 {
		t.Errorf("got %q %v, want %q", got, errs, want)
	}
}

func TestCRLineEndings(t *testing.T) {
	input := "Name;Notes\rAda;\"multi\rline\"\rBob;plain\r"
	r, err := Open(strings.NewReader(input), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Format()
	if f.LineEnding != "CR" || f.Delimiter != ';' {
		t.Errorf("format %+v", f)
	}
	recs, errs := readAll(t, r)
	if len(recs) != 2 || len(errs) != 0 || recs[0].Fields[1] != "multi\nline" || recs[1].Line != 4 {
		t.Errorf("read %+v %v", recs, errs)
	}
}

func TestInvalidUTF8Row(t *testing.T) {
	// Mostly UTF-8 (so detected as such), one row with a Latin-1 byte well
	// past the sniffed start.
	var b bytes.Buffer
	b.WriteString("Name,Notes\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "Person %d,Ça va\n", i)
	}
	b.WriteString("Bad,caf\xe9\nGood,fine\n")
	r, err := Open(&b, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Format().Encoding != EncodingUTF8 {
		t.Fatalf("encoding %s", r.Format().Encoding)
	}
	recs, errs := readAll(t, r)
	if len(recs) != 5001 || len(errs) != 1 || errs[0].Line != 5002 || errs[0].Column != "Notes" || !strings.Contains(errs[0].Msg, "not valid UTF-8") {
		t.Errorf("read %d rows, errors %v", len(recs), errs)
	}
}

// TestMostlyUTF8WithALatin1Row reads a UTF-8 file into which one row was
// pasted from a Latin-1 file, near its start: the file is still read as
// UTF-8, so the good rows keep their letters, and the odd row is rejected
// with the reason.
func TestMostlyUTF8WithALatin1Row(t *testing.T) {
	r, err := Open(strings.NewReader("Name,Email\nZoë Ångström,zoe@example.com\nRen\xe9e,renee@example.com\nLi Lei,li@example.com\n"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if r.Format().Encoding != EncodingUTF8 || len(recs) != 2 || recs[0].Get("Name") != "Zoë Ångström" ||
		len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Msg, "not valid UTF-8") {
		t.Errorf("format %+v, rows %v, errors %v", r.Format(), recs, errs)
	}
}

func TestLatin1Fallback(t *testing.T) {
	r, err := Open(strings.NewReader("Name,City\nJos\xe9,S\xe3o Paulo\n"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := readAll(t, r)
	if r.Format().Encoding != EncodingWindows1252 || recs[0].Get("City") != "São Paulo" || recs[0].Get("Name") != "José" {
		t.Errorf("format %+v, row %q", r.Format(), recs[0].Fields)
	}
}

func TestHugeCell(t *testing.T) {
	long := strings.Repeat("é", 150_000)
	fine := strings.Repeat("x", 10_000)
	input := "Name,Notes\nAda,\"" + long + "\"\nBob," + fine + "\nCid,short\n"
	r, err := Open(strings.NewReader(input), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if len(recs) != 2 || recs[0].Get("Notes") != fine || recs[1].Get("Name") != "Cid" {
		t.Errorf("read %d rows", len(recs))
	}
	if len(errs) != 1 || errs[0].Line != 2 || errs[0].Column != "Notes" || !strings.Contains(errs[0].Msg, "150,000 characters") {
		t.Errorf("errors %v", errs)
	}
	// A smaller limit applies as asked.
	r, err = Open(strings.NewReader(input), ReadOptions{MaxCell: 5_000})
	if err != nil {
		t.Fatal(err)
	}
	if recs, errs := readAll(t, r); len(recs) != 1 || len(errs) != 2 || errs[1].Line != 3 {
		t.Errorf("with MaxCell 5000: %d rows, errors %v", len(recs), errs)
	}
}

// A quote that never closes costs one row, not the rest of the file, and
// never holds more than the row limit in memory.
func TestRunawayQuote(t *testing.T) {
	var b strings.Builder
	b.WriteString("Name,Notes\nAda,\"never closed\n")
	for i := range 100_000 { // about 2 MB, past the 1 MiB row limit
		fmt.Fprintf(&b, "Person %d,note %d\n", i, i)
	}
	r, err := Open(strings.NewReader(b.String()), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Msg, "closing quotation mark") {
		t.Errorf("errors %v", errs)
	}
	if len(recs) != 100_000 || recs[0].Line != 3 || recs[99_999].Get("Name") != "Person 99999" {
		t.Errorf("read %d rows, first on line %d", len(recs), recs[0].Line)
	}
}

func TestLongLine(t *testing.T) {
	input := "Name,Notes\nAda," + strings.Repeat("x", 2<<20) + "\nBob,fine\n"
	r, err := Open(strings.NewReader(input), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if len(recs) != 1 || recs[0].Line != 3 || len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Msg, "longer than 1 MiB") {
		t.Errorf("rows %d, errors %v", len(recs), errs)
	}
}

func TestHeaderNames(t *testing.T) {
	got := headerNames([]string{"\uFEFFName", " Phone ", "", "phone", "Phone", "Phone (2)"})
	want := []string{"Name", "Phone", "Column C", "phone (2)", "Phone (3)", "Phone (2) (2)"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("headerNames = %q, want %q", got, want)
	}
	if columnLetters(27) != "AB" || columnLetters(0) != "A" || columnLetters(25) != "Z" {
		t.Error("columnLetters")
	}
}

func TestOptions(t *testing.T) {
	// A person says the file is semicolon-separated Windows-1252.
	r, err := Open(strings.NewReader("Name;City\nJos\xe9;Lyon,Rh\xf4ne\n"), ReadOptions{Delimiter: ';', Encoding: EncodingWindows1252})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := readAll(t, r)
	if recs[0].Get("City") != "Lyon,Rhône" {
		t.Errorf("row %q", recs[0].Fields)
	}
	if _, err := Open(strings.NewReader("a|b\n"), ReadOptions{Delimiter: '|'}); err == nil {
		t.Error("a pipe delimiter was accepted")
	}
}

// rowSource generates a CSV file of n rows without holding it.
type rowSource struct {
	n, i int
	buf  []byte
}

func (s *rowSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.i > s.n {
			return 0, io.EOF
		}
		if s.i == 0 {
			s.buf = []byte("Given name,Family name,Email,Phone,Company,Notes\r\n")
		} else {
			s.buf = fmt.Appendf(s.buf[:0], "Person%d,Zoë-%d,person%d@example.com,+44 20 7946 %04d,Acme %d,\"Line one, %d\nline two\"\r\n",
				s.i, s.i, s.i, s.i%10000, s.i%100, s.i)
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// Reading 200,000 rows keeps the heap as it was, give or take the buffers.
func TestReadMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200,000 rows")
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := Open(&rowSource{n: 200_000}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	rows := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Get("Email") != fmt.Sprintf("person%d@example.com", rows+1) {
			t.Fatalf("line %d: %q", rec.Line, rec.Fields)
		}
		rows++
		if rows%20_000 == 0 {
			runtime.GC()
			var now runtime.MemStats
			runtime.ReadMemStats(&now)
			peak = max(peak, now.HeapAlloc)
		}
	}
	if rows != 200_000 {
		t.Fatalf("read %d rows", rows)
	}
	growth := int64(peak) - int64(before.HeapAlloc)
	t.Logf("heap growth while reading: %d KiB", growth>>10)
	if growth > 16<<20 {
		t.Errorf("heap grew by %d MiB reading 200,000 rows; it should stay bounded", growth>>20)
	}
}
