package csvio

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"rapport/models"
)

func TestGuardFormula(t *testing.T) {
	tests := []struct{ in, guarded string }{
		{"", ""},
		{"Ada", "Ada"},
		{"=1+2", "'=1+2"},
		{`=HYPERLINK("http://evil.example","Click")`, `'=HYPERLINK("http://evil.example","Click")`},
		{"+44 20 7946 0958", "'+44 20 7946 0958"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"'", "'"},
		{"''", "''"},
		{"'tis", "'tis"},
		{"'=1", "''=1"},
		{"''+1", "'''+1"},
		{"a=b", "a=b"},
		{" =1", " =1"},
		{"5-3", "5-3"},
	}
	for _, tt := range tests {
		if got := GuardFormula(tt.in); got != tt.guarded {
			t.Errorf("GuardFormula(%q) = %q, want %q", tt.in, got, tt.guarded)
		}
		if got := UnguardFormula(GuardFormula(tt.in)); got != tt.in {
			t.Errorf("UnguardFormula(GuardFormula(%q)) = %q", tt.in, got)
		}
		if g := GuardFormula(tt.in); g != "" && formulaStart(g[0]) {
			t.Errorf("GuardFormula(%q) = %q still starts a formula", tt.in, g)
		}
	}
}

// roundTripContacts are contacts as the database hands them to an export:
// cleaned, with the primary flags set.
func roundTripContacts() []models.Contact {
	seen := time.Date(2024, 3, 5, 14, 3, 7, 123456000, time.UTC)
	return []models.Contact{
		{
			ID: 1, GivenName: "Zoë", FamilyName: "Ångström-Núñez", DisplayName: "Zoë Å.", JobTitle: "Ingénieure en chef",
			Company: &models.Company{Name: "Société Générale d’Études"}, Birthday: "1990-03-15",
			About:   "Line one\nLine two, with a comma; a semicolon and \"quotes\"\n\n- a bullet\n=not a formula\n\ttabbed",
			OwnerID: ptr[int64](42), LastContactedAt: &seen, CreatedAt: seen.Add(-time.Hour),
			CustomFields: map[string]string{"tier": "Gold", "balance": "-5", "remarks": "two\nlines"},
			Emails: []models.ContactEmail{
				{Address: "zoe@work.example", Label: "work"},
				{Address: "zoe@home.example", Label: "home: main", IsPrimary: true},
				{Address: "zoe@other.example"},
			},
			Phones: []models.ContactPhone{
				{Number: "+44 20 7946 0958", Label: "mobile", IsPrimary: true},
				{Number: "(650) 253-0000", Label: "work"},
				{Number: "+1 650 253 0001 ext: 22"},
				// Typed in Germany: it must come back whatever country an
				// import takes numbers without a country code to be in.
				{Number: "0171 2345678", E164: "+491712345678", Label: "Büro"},
				{Number: "030 901820 ext. 12", E164: "+4930901820", Label: "Zentrale"}, // its extension too
			},
			Addresses: []models.ContactAddress{
				{Label: "home", Street: "12 St James's Square\nFlat 3", City: "London", PostalCode: "SW1Y 4JH", Country: "United Kingdom"},
				{Street: "1 Main St", City: "Springfield", Region: "IL"},
			},
			Tags: []string{"VIP", "a, b; c", "=SUM(A1)", "@handle", "-minus", "日本"},
			SocialProfiles: []models.SocialProfile{
				{Network: "linkedin", Handle: "zoe", URL: "https://www.linkedin.com/in/zoe", FeedURL: ""},
				{Network: "website", URL: "https://blog.example/", FeedURL: "https://blog.example/feed.xml"},
				{Network: "github", Handle: "zoe", URL: "https://github.com/zoe", FeedURL: "https://github.com/zoe.atom"},
			},
		},
		{ID: 2, Emails: []models.ContactEmail{{Address: "nobody@example.com", IsPrimary: true}}, Tags: []string{}},
		{
			ID: 3, GivenName: `=HYPERLINK("http://evil.example","Click")`, FamilyName: "+1", DisplayName: "@ada", JobTitle: "-5",
			Company: &models.Company{Name: "'quoted"}, About: "'=already quoted",
			Emails: []models.ContactEmail{{Address: "eve@example.com", IsPrimary: true, Label: "-"}},
		},
		{
			ID: 4, DisplayName: "山田太郎", Phones: []models.ContactPhone{{Number: "+81 3-1234-5678", IsPrimary: true}},
			Birthday:  "--12-25", // without the year
			Addresses: []models.ContactAddress{{Label: "work", Street: "千代田区1-1", City: "東京", Country: "日本"}},
		},
		{
			ID: 5, GivenName: "Ada", FamilyName: "Lovelace", DisplayName: "Ada Lovelace",
			Emails: []models.ContactEmail{{Address: "ada@example.com"}, {Address: "ada@work.example", Label: "work", IsPrimary: true}},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	options := map[string]WriterOptions{
		"default":              {},
		"crlf":                 {CRLF: true},
		"excel":                {ExcelFriendly: true},
		"excel crlf":           {ExcelFriendly: true, CRLF: true},
		"columns in any order": {Columns: reversed(DefaultColumns("tier", "balance", "remarks"))},
	}
	contacts := roundTripContacts()
	for name, o := range options {
		t.Run(name, func(t *testing.T) {
			if o.Columns == nil {
				o.Columns = DefaultColumns("tier", "balance", "remarks")
			}
			var buf bytes.Buffer
			w, err := NewWriter(&buf, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range contacts {
				if err := w.Write(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if o.ExcelFriendly != strings.HasPrefix(out, "\uFEFF") {
				t.Errorf("byte-order mark: %q", out[:10])
			}
			if o.CRLF != strings.Contains(out, "\r\n") {
				t.Errorf("CRLF %v but output %q", o.CRLF, out[:200])
			}
			// A birthday without a year starts with "-": guarded, as a
			// spreadsheet would compute it.
			if want := map[bool]string{false: ",'--12-25,", true: ";'--12-25;"}[o.ExcelFriendly]; !strings.Contains(out, want) {
				t.Errorf("birthday without a year: no %q in\n%s", want, out)
			}

			r, err := Open(&buf, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			m := Suggest(r.Header())
			if m.Layout != LayoutRapport {
				t.Fatalf("layout %s", m.Layout)
			}
			for i := 0; ; i++ {
				rec, err := r.Read()
				if err == io.EOF {
					if i != len(contacts) {
						t.Errorf("read %d rows of %d", i, len(contacts))
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got, errs := Map(rec, m)
				if len(errs) > 0 {
					t.Errorf("contact %d: %v", contacts[i].ID, errs)
				}
				if want := RequestFor(contacts[i]); asJSON(got) != asJSON(want) {
					t.Errorf("contact %d came back as\n%s\nwant\n%s", contacts[i].ID, asJSON(got), asJSON(want))
				}
			}
		})
	}
}

func reversed(cols []Column) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[len(cols)-1-i] = c
	}
	return out
}

func TestWriterOutput(t *testing.T) {
	var b strings.Builder
	w, err := NewWriter(&b, WriterOptions{ExcelFriendly: true, CRLF: true, Columns: []Column{
		{Key: ColGivenName}, {Key: ColPhones, Header: "Telefon"}, {Key: ColAbout}, {Key: ColAddress, Index: 1, Header: "Home"}, {Key: "custom:tier"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := roundTripContacts()[0]
	if err := w.Write(c); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFGiven name;Telefon;About;Home label;Home street;Home city;Home region;Home postal code;Home country;custom:tier\r\n" +
		"Zoë;\"'+44 20 7946 0958\r\n(650) 253-0000\r\n+1 650 253 0001 ext: 22\r\n+49 171 2345678\r\n+49 30 901820 ext. 12\";\"Line one\r\nLine two, with a comma; a semicolon and \"\"quotes\"\"\r\n\r\n- a bullet\r\n=not a formula\r\n\ttabbed\";" +
		"home;\"12 St James's Square\r\nFlat 3\";London;;SW1Y 4JH;United Kingdom;Gold\r\n"
	if b.String() != want {
		t.Errorf("output:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestWriterColumns(t *testing.T) {
	for _, cols := range [][]Column{{{Key: "shoe_size"}}, {{Key: ColAddress}}, {{Key: "custom:Bad Key"}}} {
		if _, err := NewWriter(io.Discard, WriterOptions{Columns: cols}); err == nil {
			t.Errorf("columns %+v accepted", cols)
		}
	}
	var b strings.Builder
	w, _ := NewWriter(&b, WriterOptions{Columns: []Column{{Key: ColCreatedAt}, {Key: ColOwner}, {Key: ColEmail}, {Key: ColAddress, Index: 3}}})
	w.Write(models.Contact{CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))})
	w.Flush()
	if got := strings.Split(b.String(), "\n")[1]; got != "2024-01-02T02:04:05Z,,,,,,,," {
		t.Errorf("row %q", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterError(t *testing.T) {
	w, err := NewWriter(failingWriter{}, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		w.Write(roundTripContacts()[0])
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Flush = %v", err)
	}
}
