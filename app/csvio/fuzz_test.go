package csvio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"rapport/models"
)

// FuzzReadCSV feeds any bytes to Open and Read: they must never panic or
// loop, only ever fail with a *FileError or per row with a *RowError, give
// rows as wide as the header, and move forward line by line.
func FuzzReadCSV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("a,b\n\"x\ny,z\n"))
	f.Add([]byte("a;b\r\"\"\"\";\"\r\"\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(bytes.NewReader(data), ReadOptions{MaxCell: 64})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Msg == "" {
				t.Fatalf("Open error %v is not a *FileError", err)
			}
			return
		}
		header := r.Header()
		if len(header) == 0 {
			t.Fatal("no header")
		}
		m := Suggest(header)
		last := r.Format().HeaderLine
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		for n := 0; ; n++ {
			if n > lines {
				t.Fatalf("more rows than lines (%d)", lines)
			}
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			var re *RowError
			switch {
			case errors.As(err, &re):
				if re.Line <= last || re.Msg == "" {
					t.Fatalf("row error %v after line %d", re, last)
				}
				last = re.Line
				continue
			case err != nil:
				t.Fatalf("Read error %v is not a *RowError", err)
			}
			if rec.Line <= last {
				t.Fatalf("row on line %d after line %d", rec.Line, last)
			}
			last = rec.Line
			if len(rec.Fields) != len(header) {
				t.Fatalf("row of %d fields under a header of %d", len(rec.Fields), len(header))
			}
			_, errs := Map(rec, m)
			for _, e := range errs {
				if _, ok := rec.columns().find(e.Column); !ok || e.Msg == "" {
					t.Fatalf("field error %v names no column", e)
				}
			}
		}
	})
}

// FuzzMapRow maps arbitrary rows under arbitrary headers, which must not
// panic, and sends contacts made of the same strings (cleaned, as the
// database would hold them) through an export and an import, which must
// give them back exactly.
func FuzzMapRow(f *testing.F) {
	f.Add("Name\x1fEmail\x1fPhone", "Ada Lovelace\x1fada@example.com\x1f+44 20 7946 0958", "VIP")
	f.Add("E-mail 1 - Label\x1fE-mail 1 - Value\x1fLabels", "* Work\x1fa@example.com ::: b@example.com\x1f* myContacts ::: x", "'=1+2")
	f.Add("Emails\x1fEmail labels\x1fEmail\x1fDisplay name", "a@example.com\nb@example.com\x1f\nwork\x1fb@example.com\x1f-", "\t+tag")
	f.Add("Birthday\x1fLast contacted\x1fOwner ID", "03/04/05\x1f2024-01-01 10:00\x1f12", "''@x")
	f.Fuzz(func(t *testing.T, head, row, text string) {
		header, fields := strings.Split(head, "\x1f"), strings.Split(row, "\x1f")
		for _, m := range []Mapping{Suggest(header), SuggestFromSample(header, [][]string{fields})} {
			Map(Record{Line: 2, Header: header, Fields: fields}, m)
		}

		line, multi := cleanLine(text), cleanText(text)
		tag := strings.Join(strings.Fields(line), " ")
		c := models.Contact{
			GivenName: line, FamilyName: cleanLine(row), DisplayName: cleanLine(head), JobTitle: line, About: multi,
			CustomFields: map[string]string{"note": multi},
			Emails:       []models.ContactEmail{{Address: "a@example.com", Label: line}, {Address: "b@example.com", IsPrimary: true}},
			Addresses:    []models.ContactAddress{{Label: line, Street: multi, City: line}},
		}
		if tag != "" {
			c.Tags = []string{tag, "other"}
		}
		if multi == "" && line == "" {
			c.Addresses = nil
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, WriterOptions{Columns: DefaultColumns("note"), ExcelFriendly: len(text)%2 == 0})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(c); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r, err := Open(&buf, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		got, errs := Map(rec, Suggest(r.Header()))
		if want := RequestFor(c); len(errs) > 0 || asJSON(got) != asJSON(want) {
			t.Fatalf("round trip of %q:\n%s\n%v\nwant\n%s", text, asJSON(got), errs, asJSON(want))
		}
	})
}

// cleanLine and cleanText clean text as models does before storing it
// (without its Unicode normalisation, which the round trip keeps anyway).
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.TrimSpace(s)
}

func cleanText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
