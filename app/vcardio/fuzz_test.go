package vcardio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"rapport/models"
)

// FuzzReadVCard reads any bytes as vCards, which must never panic or loop
// and only ever fail per card with a *CardError; then it writes a contact
// made of the fuzzed text, cleaned as the database would hold it, in both
// versions, and reads it back, which must give it back exactly.
func FuzzReadVCard(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.vcf"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "Ada")
	}
	f.Add([]byte("BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:=\n=\nEND:VCARD\n"), "a\\,b;c\nd")
	f.Add([]byte("BEGIN:VCARD\r\nitem1.TEL;TYPE=\"a,b\":tel:+1;ext=2\r\nitem1.X-ABLABEL:x\r\nEND:VCARD"), "—— é"+strings.Repeat("x", 80))
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		r := NewReader(bytes.NewReader(data), ReadOptions{MaxCard: 4096})
		last := 0
		for n := 0; ; n++ {
			if n > len(data) {
				t.Fatal("more cards than bytes")
			}
			c, err := r.Read()
			if err == io.EOF {
				break
			}
			var ce *CardError
			if errors.As(err, &ce) {
				if ce.Line <= last || ce.Msg == "" {
					t.Fatalf("card error %v after line %d", ce, last)
				}
				last = ce.Line
				continue
			}
			if err != nil {
				t.Fatalf("Read error %v is not a *CardError", err)
			}
			if c.Line <= last {
				t.Fatalf("card on line %d after line %d", c.Line, last)
			}
			last = c.Line
			for _, region := range []string{"", "GB"} {
				_, errs := Map(c, region)
				for _, e := range errs {
					if e.Msg == "" || e.Property == "" {
						t.Fatalf("empty field error %+v", e)
					}
				}
			}
		}

		line, multi := cleanLine(text), cleanText(text)
		label := line
		if appleLabel.MatchString(label) {
			label = "" // Apple's own label syntax reads as Apple's label
		}
		c := models.Contact{
			GivenName: line, FamilyName: "Family", JobTitle: line, About: multi, Company: &models.Company{Name: line},
			CustomFields: map[string]string{"note": multi},
			Emails:       []models.ContactEmail{{Address: "a@example.com", Label: label}, {Address: "b@example.com", Label: label, IsPrimary: true}},
			Addresses:    []models.ContactAddress{{Label: label, Street: multi, City: line, Country: "X"}},
		}
		if line == "" {
			c.Company = nil
		}
		if tag := strings.Join(strings.Fields(line), " "); tag != "" {
			c.Tags = []string{tag}
		}
		want := expected(c)
		for _, version := range []string{Version4, Version3} {
			var buf bytes.Buffer
			w, _ := NewWriter(&buf, WriterOptions{Version: version})
			if err := w.Write(c); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			card, err := NewReader(&buf, ReadOptions{}).Read()
			if err != nil {
				t.Fatalf("%s: %v\n%s", version, err, buf.String())
			}
			got, errs := Map(card, "")
			if len(errs) > 0 || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s round trip of %q:\n%s\n%v\nwant\n%s", version, text, asJSON(got), errs, asJSON(want))
			}
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
