package vcardio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"rapport/app/csvio"
	"rapport/models"
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

// readAll reads every card, collecting card errors.
func readAll(t testing.TB, r *Reader) (cards []Card, errs []*CardError) {
	t.Helper()
	for {
		c, err := r.Read()
		if err == io.EOF {
			return cards, errs
		}
		var ce *CardError
		if errors.As(err, &ce) {
			errs = append(errs, ce)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
}

func asJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func ptr[T any](v T) *T { return &v }

func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file     string
		lines    []int
		versions []string
		errs     []string
	}{
		{"apple.vcf", []int{1, 83}, []string{"3.0", "3.0"}, []string{`card on line 94: "Friends" is a contact group`}},
		{"google.vcf", []int{1, 19}, []string{"3.0", "3.0"}, nil},
		{"outlook.vcf", []int{1, 139}, []string{"2.1", "2.1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cards, errs := readAll(t, NewReader(open(t, tt.file), ReadOptions{}))
			var lines []int
			var versions []string
			for _, c := range cards {
				lines, versions = append(lines, c.Line), append(versions, c.Version)
				if c.Props.Get("PHOTO") != nil || c.Props.Get("X-MS-CARDPICTURE") != nil {
					t.Errorf("card on line %d kept its photo", c.Line)
				}
			}
			if fmt.Sprint(lines) != fmt.Sprint(tt.lines) || fmt.Sprint(versions) != fmt.Sprint(tt.versions) {
				t.Errorf("cards on lines %v versions %v, want %v %v", lines, versions, tt.lines, tt.versions)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %q", errs, tt.errs)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tt.errs[i]) {
					t.Errorf("error %q, want %q", e, tt.errs[i])
				}
			}
		})
	}
}

func TestMapFixtures(t *testing.T) {
	tests := []struct {
		file, region string
		card         int
		want         models.ContactRequest
		errs         []string
	}{
		{file: "apple.vcf", region: "GB", want: models.ContactRequest{
			GivenName: "Ada Augusta", FamilyName: "Lovelace", DisplayName: "Ada Lovelace", JobTitle: "Mathematician",
			CompanyName: "Analytical Engines Ltd", Birthday: "1815-12-10", Source: models.SourceImport, PhoneRegion: "GB",
			About: "Met at the Royal Society.\nLikes poetry, engines; and long letters about the Analytical Engine and Bernoulli numbers.",
			Emails: []models.EmailInput{{Address: "ada@engines.example", Label: "work", Primary: true},
				{Address: "ada@home.example", Label: "home"}, {Address: "countess@lovelace.example", Label: "Royal Society"}},
			Phones: []models.PhoneInput{{Number: "+44 20 7946 0958", Label: "mobile", Primary: true},
				{Number: "+44 20 7946 0000", Label: "work"}, {Number: "+44 20 7946 0999", Label: "main"}},
			Addresses: []models.AddressInput{{Label: "home", Street: "12 St James's Square\nFlat 3", City: "London",
				PostalCode: "SW1Y 4JH", Country: "United Kingdom"}},
			Tags:           []string{"Friends", "Science"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://ada.example"}, {URL: "https://www.linkedin.com/in/ada-lovelace"}},
		}},
		{file: "apple.vcf", card: 1, want: models.ContactRequest{
			GivenName: "Zoë", FamilyName: "Ångström-Núñez", Source: models.SourceImport,
			Emails:   []models.EmailInput{{Address: "zoe@example.org", Label: "other", Primary: true}},
			Phones:   []models.PhoneInput{{Number: "+33 1 42 68 53 00", Label: "mobile", Primary: true}},
			Birthday: "--03-15", // Apple's 1604 with X-APPLE-OMIT-YEAR
		}},
		{file: "google.vcf", region: "US", want: models.ContactRequest{
			GivenName: "Grace", FamilyName: "Hopper", JobTitle: "Rear Admiral", CompanyName: "US Navy", Birthday: "1906-12-09",
			About: "Rear admiral.\nCOBOL.", Source: models.SourceImport, PhoneRegion: "US",
			Emails:         []models.EmailInput{{Address: "grace@navy.example", Label: "work"}, {Address: "grace@home.example"}},
			Phones:         []models.PhoneInput{{Number: "(202) 555-0199", Label: "mobile"}, {Number: "+1 202-555-0143", Label: "work"}},
			Addresses:      []models.AddressInput{{Label: "work", Street: "1000 Navy Pentagon", City: "Washington", Region: "DC", PostalCode: "20350", Country: "United States"}},
			Tags:           []string{"Navy"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://www.navy.example/hopper"}},
		}},
		{file: "google.vcf", card: 1, want: models.ContactRequest{
			GivenName: "José", FamilyName: "Álvarez", Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: "jose@example.es", Label: "Club de ajedrez"}},
			Phones: []models.PhoneInput{{Number: "+34 912 34 56 78"}}, Tags: []string{"starred"},
			Birthday: "--07-21", // without the year
		}},
		{file: "outlook.vcf", region: "FR", want: models.ContactRequest{
			GivenName: "Renée", FamilyName: "Lefèvre", JobTitle: "Directrice financière", CompanyName: "Société Générale d’Études",
			Birthday: "1984-07-21", About: "Budget 2025 : 12 000 €.\nPréfère le téléphone.", Source: models.SourceImport, PhoneRegion: "FR",
			Emails: []models.EmailInput{{Address: "renee.lefevre@sg.example", Primary: true}},
			Phones: []models.PhoneInput{{Number: "+33 1 42 14 20 00", Label: "work"}, {Number: "+33 6 12 34 56 78", Label: "mobile"},
				{Number: "+33 1 42 14 20 01", Label: "work fax"}},
			Addresses:      []models.AddressInput{{Label: "work", Street: "29 boulevard Haussmann", City: "Paris", PostalCode: "75009", Country: "France"}},
			SocialProfiles: []models.SocialProfileInput{{URL: "http://www.sg.example"}},
		}},
		{file: "outlook.vcf", card: 1, want: models.ContactRequest{
			GivenName: "Jürgen", FamilyName: "Müller", CompanyName: "Müller & Söhne GmbH", Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: "juergen@mueller.example", Primary: true}},
			Phones: []models.PhoneInput{{Number: "+49 711 123456", Label: "home"}},
		}, errs: []string{`EMAIL: "/o=ExchangeLabs`}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.file, tt.card), func(t *testing.T) {
			cards, _ := readAll(t, NewReader(open(t, tt.file), ReadOptions{}))
			got, errs := Map(cards[tt.card], tt.region)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Map:\n%s\nwant\n%s", asJSON(got), asJSON(tt.want))
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %q", errs, tt.errs)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tt.errs[i]) {
					t.Errorf("error %q, want %q", e, tt.errs[i])
				}
			}
		})
	}
}

func TestReadProblems(t *testing.T) {
	input := "junk before\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\nN:End;No;;;\r\n" + // no END: the next BEGIN ends it
		"BEGIN:VCARD\nVERSION:4.0\nFN:Ada\nN:Lovelace;Ada;;;\nthis line is not a property\n;also:not\nEMAIL:ada@example.com\nEND:VCARD\n" +
		"\n\nBEGIN:VCARD\nFN:Versionless\nEND:VCARD\n" +
		"BEGIN:VCARD\r\nFN:Cut short\r\n"
	cards, errs := readAll(t, NewReader(strings.NewReader(input), ReadOptions{}))
	if len(cards) != 2 || cards[0].Line != 6 || cards[0].Version != "4.0" || cards[1].Line != 16 || cards[1].Version != "3.0" {
		t.Errorf("cards %+v", cards)
	}
	if len(cards) > 0 {
		if got, _ := Map(cards[0], ""); got.GivenName != "Ada" || len(got.Emails) != 1 {
			t.Errorf("card %+v", got)
		}
	}
	want := []string{
		`card on line 2: the card has no END:VCARD before the next card starts on line 6`,
		`card on line 19: the card has no END:VCARD: the file seems cut short`,
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %v", errs)
	}
	for i, e := range errs {
		if !strings.HasPrefix(e.Error(), want[i]) {
			t.Errorf("error %q, want %q", e, want[i])
		}
	}
	if errs[0].Name != "No End" {
		t.Errorf("name %q", errs[0].Name)
	}
	if _, err := NewReader(strings.NewReader(""), ReadOptions{}).Read(); err != io.EOF {
		t.Errorf("empty input: %v", err)
	}
}

func TestReadEncodings(t *testing.T) {
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jürgen;;;\r\nFN:Jürgen Müller\r\nEND:VCARD\r\n"
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range card {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	for name, data := range map[string][]byte{
		"utf-8":      []byte(card),
		"utf-8 bom":  append([]byte("\xEF\xBB\xBF"), card...),
		"utf-16 bom": utf16,
		"latin-1":    []byte(strings.NewReplacer("ü", "\xfc").Replace(card)),
		"qp":         []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:M=FCller;J=FCrgen\r\nEND:VCARD\r\n"),
		"qp utf-8":   []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\nEND:VCARD\r\n"),
	} {
		cards, errs := readAll(t, NewReader(bytes.NewReader(data), ReadOptions{}))
		if len(cards) != 1 || len(errs) != 0 {
			t.Fatalf("%s: %v %v", name, cards, errs)
		}
		if got, _ := Map(cards[0], ""); got.GivenName != "Jürgen" || got.FamilyName != "Müller" {
			t.Errorf("%s: %q %q", name, got.GivenName, got.FamilyName)
		}
	}
}

func TestValues(t *testing.T) {
	for in, want := range map[string]string{
		`plain`: "plain", `a\nb\Nc`: "a\nb\nc", `a\,b\;c\:d\\e`: `a,b;c:d\e`, `C:\Users\x`: `C:\Users\x`, `trailing\`: `trailing\`,
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Parts(`O\;Brien;Ada;;Dr\,;`); fmt.Sprintf("%q", got) != `["O;Brien" "Ada" "" "Dr," ""]` {
		t.Errorf("Parts = %q", got)
	}
	if got := List(`a\,b,c;d,\\`); fmt.Sprintf("%q", got) != `["a,b" "c;d" "\\"]` {
		t.Errorf("List = %q", got)
	}
	for _, s := range []string{"", "a,b;c\\d\ne", "\\n", "日本, 語"} {
		if got := Text(escapeText(s)); got != s {
			t.Errorf("Text(escapeText(%q)) = %q", s, got)
		}
		if got := Parts(parts(s, s)); len(got) != 2 || got[0] != s || got[1] != s {
			t.Errorf("Parts(parts(%q)) = %q", s, got)
		}
	}
}

func roundTripContacts() []models.Contact {
	updated := time.Date(2024, 3, 5, 14, 3, 7, 0, time.UTC)
	return []models.Contact{
		{
			ID: 1, GivenName: "Zoë", FamilyName: "Ångström-Núñez", DisplayName: "Zoë Å. (Stockholm)", JobTitle: "Ingénieure; en chef",
			Company: &models.Company{Name: "Müller; Söhne, GmbH"}, Birthday: "1990-03-15", UpdatedAt: updated,
			About:        "Line one\nLine two, with a comma; a semicolon, a colon: and a \\backslash\\\n\n- bullet\n" + strings.Repeat("long ", 40),
			CustomFields: map[string]string{"tier": "Gold", "remarks": "two\nlines, and; more"},
			Emails: []models.ContactEmail{
				{Address: "zoe@work.example", Label: "work"},
				{Address: "zoe@home.example", Label: "home: main", IsPrimary: true},
				{Address: "zoe@other.example"},
				{Address: "zoe@club.example", Label: "Work"},
			},
			Phones: []models.ContactPhone{
				{Number: "+44 20 7946 0958", Label: "mobile", IsPrimary: true},
				{Number: "(650) 253-0000", Label: "work fax"},
				{Number: "+1 650 253 0001", Label: "Ferienhaus"},
				{Number: "+33 1 42 68 53 00", Label: "pager"},
				{Number: "0171 2345678", E164: "+491712345678", Label: "Büro"}, // typed in Germany
			},
			Addresses: []models.ContactAddress{
				{Label: "home", Street: "12 St James's Square\nFlat 3", City: "London", PostalCode: "SW1Y 4JH", Country: "United Kingdom"},
				{Label: "Summer, house", Street: "Strandvägen 1", City: "Stockholm", Region: "Stockholms län"},
			},
			Tags: []string{"VIP", "a, b; c", "日本"},
			SocialProfiles: []models.SocialProfile{
				{Network: "linkedin", URL: "https://www.linkedin.com/in/zoe"},
				{Network: "website", URL: "https://blog.example/a,b;c", FeedURL: "https://blog.example/feed.xml"},
			},
		},
		{ID: 2, Emails: []models.ContactEmail{{Address: "nobody@example.com", IsPrimary: true}}},
		{ID: 3, DisplayName: "山田太郎", Phones: []models.ContactPhone{{Number: "+81 3-1234-5678", IsPrimary: true}}, Birthday: "--12-25"},
		{ID: 4, GivenName: "Ada", FamilyName: "Lovelace", Emails: []models.ContactEmail{
			{Address: "ada@example.com"}, {Address: "ada@work.example", Label: "work", IsPrimary: true}}},
		// Known only by a number: FN carries it, and it must not come back
		// as a display name.
		{ID: 6, Phones: []models.ContactPhone{{Number: "+1 415-555-0123", Label: "mobile", IsPrimary: true}}},
	}
}

// expected is what an import of c's vCard gives: the CSV round trip's
// request without what vCard does not carry.
func expected(c models.Contact) models.ContactRequest {
	r := csvio.RequestFor(c)
	r.OwnerID, r.LastContactedAt = nil, nil
	for i := range r.SocialProfiles {
		r.SocialProfiles[i].FeedURL = ""
	}
	return r
}

func TestRoundTrip(t *testing.T) {
	for _, version := range []string{Version4, Version3} {
		t.Run(version, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, WriterOptions{Version: version})
			if err != nil {
				t.Fatal(err)
			}
			contacts := roundTripContacts()
			for _, c := range contacts {
				if err := w.Write(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(buf.String(), "\r\n") {
				if len(line) > 75 {
					t.Errorf("line of %d octets: %q", len(line), line)
				}
			}
			cards, errs := readAll(t, NewReader(&buf, ReadOptions{}))
			if len(errs) > 0 || len(cards) != len(contacts) {
				t.Fatalf("read %d cards, errors %v", len(cards), errs)
			}
			for i, c := range cards {
				if c.Version != version {
					t.Errorf("version %s", c.Version)
				}
				got, ferrs := Map(c, "US")
				got.PhoneRegion = ""
				if want := expected(contacts[i]); len(ferrs) > 0 || !reflect.DeepEqual(got, want) {
					t.Errorf("contact %d came back as\n%s\n%v\nwant\n%s", contacts[i].ID, asJSON(got), ferrs, asJSON(want))
				}
			}
		})
	}
}

// TestMapBirthday reads a birthday in each way address books write one,
// with and without the year.
func TestMapBirthday(t *testing.T) {
	tests := []struct{ line, want, problem string }{
		{"BDAY:1984-12-25", "1984-12-25", ""},
		{"BDAY:19841225", "1984-12-25", ""},
		{"BDAY;VALUE=date:1984-12-25T00:00:00Z", "1984-12-25", ""},
		{"BDAY:--1225", "--12-25", ""},  // vCard 4
		{"BDAY:--12-25", "--12-25", ""}, // Google
		{"BDAY:--0229", "--02-29", ""},
		{"BDAY;X-APPLE-OMIT-YEAR=1604:1604-12-25", "--12-25", ""},          // Apple
		{"BDAY;x-apple-omit-year=1604;VALUE=date:16041225", "--12-25", ""}, // Apple, spelled otherwise
		{"BDAY:1604-12-25", "--12-25", ""},
		{"BDAY;X-APPLE-OMIT-YEAR=1900:1900-12-25", "--12-25", ""},
		{"BDAY:--0230", "", "not a birthday Rapport can store"},
		{"BDAY:---25", "", "not a date Rapport can read"},
		{"BDAY:1700-01-01", "", "not a birthday Rapport can store"},
		{"BDAY:", "", ""},
	}
	for _, tt := range tests {
		cards, errs := readAll(t, NewReader(strings.NewReader("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\n"+tt.line+"\r\nEND:VCARD\r\n"), ReadOptions{}))
		if len(cards) != 1 || len(errs) > 0 {
			t.Fatalf("%s: %d cards, %v", tt.line, len(cards), errs)
		}
		got, ferrs := Map(cards[0], "US")
		if got.Birthday != tt.want || (tt.problem == "") != (len(ferrs) == 0) || (len(ferrs) > 0 && !strings.Contains(ferrs[0].Msg, tt.problem)) {
			t.Errorf("%s: birthday %q, %v; want %q, %q", tt.line, got.Birthday, ferrs, tt.want, tt.problem)
		}
	}
}

func TestWriterOutput(t *testing.T) {
	c := models.Contact{
		GivenName: "Ada", FamilyName: "Lovelace", Company: &models.Company{Name: "Engines; Ltd"}, Birthday: "1815-12-10",
		Emails:    []models.ContactEmail{{Address: "ada@example.com", Label: "home", IsPrimary: true}, {Address: "a@club.example", Label: "club"}},
		Phones:    []models.ContactPhone{{Number: "+44 20 7946 0958", Label: "mobile"}},
		About:     "Née Byron, 1815.\nWrote the first program: Note G — about Bernoulli numbers, for the Analytical Engine.",
		Tags:      []string{"Science", "a,b"},
		UpdatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	want := map[string]string{
		Version4: "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Rapport//Rapport//EN\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nORG:Engines\\; Ltd\r\n" +
			"EMAIL;PREF=1;TYPE=home:ada@example.com\r\nitem1.EMAIL:a@club.example\r\nitem1.X-ABLABEL:club\r\nTEL;TYPE=cell:+44 20 7946 0958\r\n" +
			"BDAY:18151210\r\nNOTE:Née Byron\\, 1815.\\nWrote the first program: Note G — about Bernoull\r\n i numbers\\, for the Analytical Engine.\r\n" +
			"CATEGORIES:Science,a\\,b\r\nREV:20240102T030405Z\r\nEND:VCARD\r\n",
		Version3: "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Rapport//Rapport//EN\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nORG:Engines\\; Ltd\r\n" +
			"EMAIL;TYPE=INTERNET,HOME,pref:ada@example.com\r\nitem1.EMAIL;TYPE=INTERNET:a@club.example\r\nitem1.X-ABLABEL:club\r\nTEL;TYPE=CELL:+44 20 7946 0958\r\n" +
			"BDAY:1815-12-10\r\nNOTE:Née Byron\\, 1815.\\nWrote the first program: Note G — about Bernoull\r\n i numbers\\, for the Analytical Engine.\r\n" +
			"CATEGORIES:Science,a\\,b\r\nREV:2024-01-02T03:04:05Z\r\nEND:VCARD\r\n",
	}
	for version, want := range want {
		var b strings.Builder
		w, _ := NewWriter(&b, WriterOptions{Version: version})
		if err := w.Write(c); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if b.String() != want {
			t.Errorf("%s:\n%s\nwant\n%s", version, b.String(), want)
		}
	}
	// A birthday without a year: vCard 4's own form, and Apple's in vCard 3,
	// which has none.
	c.Birthday = "--12-25"
	for version, want := range map[string]string{Version4: "\r\nBDAY:--1225\r\n", Version3: "\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-12-25\r\n"} {
		var b strings.Builder
		w, _ := NewWriter(&b, WriterOptions{Version: version})
		if err := w.Write(c); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: no %q in\n%s", version, want, b.String())
		}
	}
	if _, err := NewWriter(io.Discard, WriterOptions{Version: "2.1"}); err == nil {
		t.Error("vCard 2.1 accepted")
	}
}

// photoSource streams n cards, each with a photo of size bytes: folded,
// or on one line as some writers leave it.
type photoSource struct {
	n, size, i int
	folded     bool
	buf        []byte
	sent       int // photo bytes sent of the current card
	state      int
}

func (s *photoSource) Read(p []byte) (int, error) {
	if len(s.buf) == 0 {
		switch {
		case s.i == s.n:
			return 0, io.EOF
		case s.state == 0:
			s.buf = fmt.Appendf(s.buf[:0], "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person %d\r\nN:%d;Person;;;\r\nPHOTO;ENCODING=b;TYPE=JPEG:", s.i, s.i)
			s.state, s.sent = 1, 0
		case s.state == 1 && s.sent < s.size:
			s.buf = append(s.buf[:0], bytes.Repeat([]byte("QUJD"), 18)...)
			if s.folded {
				s.buf = append(s.buf, "\r\n "...)
			}
			s.sent += 72
		default:
			s.buf = fmt.Appendf(s.buf[:0], "\r\nEMAIL:p%d@example.com\r\nEND:VCARD\r\n", s.i)
			s.state = 0
			s.i++
		}
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// Photos are read past without being held: memory stays flat however big
// they are, folded or not, and they do not count against MaxCard.
func TestPhotosSkipped(t *testing.T) {
	for _, folded := range []bool{true, false} {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		r := NewReader(&photoSource{n: 40, size: 4 << 20, folded: folded}, ReadOptions{MaxCard: 64 << 10})
		var peak uint64
		for i := 0; ; i++ {
			c, err := r.Read()
			if err == io.EOF {
				if i != 40 {
					t.Errorf("read %d cards", i)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := Map(c, "")
			if got.FamilyName != fmt.Sprint(i) || len(got.Emails) != 1 {
				t.Fatalf("card %d: %+v", i, got)
			}
			if i%10 == 0 {
				runtime.GC()
				var now runtime.MemStats
				runtime.ReadMemStats(&now)
				peak = max(peak, now.HeapAlloc)
			}
		}
		growth := int64(peak) - int64(before.HeapAlloc)
		t.Logf("folded %v: heap growth %d KiB reading 160 MiB of photos", folded, growth>>10)
		if growth > 4<<20 {
			t.Errorf("heap grew %d MiB", growth>>20)
		}
	}
}

func TestCardTooLarge(t *testing.T) {
	input := "BEGIN:VCARD\r\nFN:Big\r\nNOTE:" + strings.Repeat("x", 100<<10) + "\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nFN:Folded big\r\nNOTE:x\r\n" + strings.Repeat(" "+strings.Repeat("y", 70)+"\r\n", 2000) + "END:VCARD\r\n" +
		"BEGIN:VCARD\r\nFN:Small\r\nEND:VCARD\r\n"
	cards, errs := readAll(t, NewReader(strings.NewReader(input), ReadOptions{MaxCard: 64 << 10}))
	if len(cards) != 1 || cards[0].Line != 2009 || len(errs) != 2 || errs[0].Line != 1 || errs[1].Line != 5 ||
		!strings.Contains(errs[0].Msg, "more than 64 KiB") || errs[1].Name != "Folded big" {
		t.Errorf("cards %+v errors %v", cards, errs)
	}
}
