package csvio

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rapport/models"
)

func ptr[T any](v T) *T { return &v }

// mapFile reads a fixture and maps row i with the suggested mapping,
// adjusted by adjust.
func mapFile(t *testing.T, file string, i int, adjust func(*Mapping)) (models.ContactRequest, []FieldError) {
	t.Helper()
	r, err := Open(open(t, file), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := Suggest(r.Header())
	if adjust != nil {
		adjust(&m)
	}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			t.Fatalf("%s has no row %d", file, i)
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == i {
			return Map(rec, m)
		}
	}
}

func asJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestMapFixtures(t *testing.T) {
	tests := []struct {
		file   string
		row    int
		adjust func(*Mapping)
		want   models.ContactRequest
		errs   []string
	}{
		{file: "google.csv", want: models.ContactRequest{
			GivenName: "Ada Augusta", FamilyName: "Lovelace", JobTitle: "Mathematician", CompanyName: "Analytical Engines Ltd",
			Birthday: "1815-12-10", About: "Met at the Royal Society.\nLikes: poetry, engines.\n\n\"Bernoulli\" notes pending.",
			Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: "ada@engines.example", Label: "work", Primary: true},
				{Address: "countess@lovelace.example", Label: "work"}, {Address: "ada@home.example", Label: "home"}},
			Phones:         []models.PhoneInput{{Number: "+44 20 7946 0958", Label: "mobile"}, {Number: "+44 20 7946 0000", Label: "work"}},
			Addresses:      []models.AddressInput{{Label: "home", Street: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", Country: "United Kingdom"}},
			Tags:           []string{"Friends", "starred"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://www.linkedin.com/in/ada-lovelace"}},
		}},
		{file: "google.csv", row: 1, want: models.ContactRequest{
			GivenName: "Zoë", FamilyName: "Ångström-Núñez", About: "Parle français.", Source: models.SourceImport,
			Emails:   []models.EmailInput{{Address: "zoe@example.org", Label: "other", Primary: true}},
			Phones:   []models.PhoneInput{{Number: "+33 1 42 68 53 00", Label: "main"}},
			Birthday: "--03-15", // Google's birthday without a year is kept
		}},
		{file: "google_legacy.csv", row: 1, want: models.ContactRequest{
			GivenName: "Edsger", FamilyName: "Dijkstra", DisplayName: "Dr. Edsger Dijkstra", Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: "ewd@cs.example", Label: "other", Primary: true}},
		}},
		{file: "outlook.csv", adjust: func(m *Mapping) { m.PhoneRegion = "FR" }, want: models.ContactRequest{
			GivenName: "Renée", FamilyName: "Lefèvre", JobTitle: "Directrice financière", CompanyName: "Société Générale d’Études",
			Birthday: "1984-07-21", About: "Budget 2025 : 12 000 €.\nPréfère le téléphone.", Source: models.SourceImport, PhoneRegion: "FR",
			Emails: []models.EmailInput{{Address: "renee.lefevre@sg.example"}},
			Phones: []models.PhoneInput{{Number: "+33 1 42 14 20 00", Label: "work"}, {Number: "06 12 34 56 78", Label: "mobile"}},
			Addresses: []models.AddressInput{{Label: "work", Street: "29 boulevard Haussmann\nBâtiment B", City: "Paris",
				PostalCode: "75009", Country: "France"}},
			Tags:           []string{"Clients", "Paris"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://www.sg.example"}},
		}},
		{file: "outlook.csv", row: 1, want: models.ContactRequest{
			GivenName: "Jürgen", FamilyName: "Müller", CompanyName: "Müller & Söhne GmbH", Source: models.SourceImport,
			Emails:    []models.EmailInput{{Address: "juergen@mueller.example"}},
			Phones:    []models.PhoneInput{{Number: "+49 711 123456", Label: "home"}},
			Addresses: []models.AddressInput{{Label: "home", Street: "Königstraße 5", City: "Stuttgart", PostalCode: "70173", Country: "Deutschland"}},
			Tags:      []string{"Lieferanten"},
		}, errs: []string{`E-mail 2 Address: "/o=ExchangeLabs`}},
		{file: "linkedin.csv", want: models.ContactRequest{
			GivenName: "Margaret", FamilyName: "Hamilton", JobTitle: "CEO", CompanyName: "Hamilton Technologies, Inc.", Source: models.SourceImport,
			Emails:         []models.EmailInput{{Address: "margaret@hamilton.example"}},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://www.linkedin.com/in/margaret-hamilton"}},
		}},
		{file: "hubspot.csv", adjust: func(m *Mapping) { m.Owners = map[string]int64{"sam seller": 7} }, want: models.ContactRequest{
			GivenName: "Katherine", FamilyName: "Johnson", JobTitle: "Research Mathematician", CompanyName: "NASA Langley",
			Source: models.SourceImport, OwnerID: ptr[int64](7), LastContactedAt: ptr(time.Date(2024, 2, 19, 11, 30, 0, 0, time.UTC)),
			Emails:    []models.EmailInput{{Address: "katherine@nasa.example"}},
			Phones:    []models.PhoneInput{{Number: "+1 757-864-1000"}, {Number: "+1 757 555 0100", Label: "mobile"}},
			Addresses: []models.AddressInput{{Street: "1 NASA Dr", City: "Hampton", Region: "VA", PostalCode: "23666", Country: "United States"}},
			Tags:      []string{"Customer"},
		}},
		{file: "hubspot.csv", errs: []string{`Contact owner: No Rapport user is "Sam Seller"`}},
		{file: "plain_semicolon.csv", want: models.ContactRequest{
			GivenName: "Käthe", FamilyName: "Kollwitz", JobTitle: "Bildhauerin", CompanyName: "Akademie der Künste",
			Birthday: "1867-07-08", About: "Grafik; Druck", Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: "kaethe@kunst.example"}},
			Phones: []models.PhoneInput{{Number: "+49 30 1234567"}, {Number: "+49 151 23456789", Label: "mobile"}},
			Tags:   []string{"Kunst", "Berlin"},
		}},
		{file: "utf16le_bom.csv", want: models.ContactRequest{
			DisplayName: "山田太郎", CompanyName: "山田商事", Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: "taro@yamada.example"}}, Phones: []models.PhoneInput{{Number: "+81 3-1234-5678"}},
		}},
		{file: "utf16le_bom.csv", row: 1, want: models.ContactRequest{
			GivenName: "Łukasz", FamilyName: "Żółkiewski", CompanyName: "Fabryka Ćwiczeń", Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: "lukasz@example.pl"}}, Phones: []models.PhoneInput{{Number: "+48 22 123 45 67"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, errs := mapFile(t, tt.file, tt.row, tt.adjust)
			if tt.want.Source != "" && asJSON(got) != asJSON(tt.want) {
				t.Errorf("Map:\n%s\nwant\n%s", asJSON(got), asJSON(tt.want))
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %q", errs, tt.errs)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Column+": "+e.Msg, tt.errs[i]) {
					t.Errorf("error %q, want it to start %q", e.Column+": "+e.Msg, tt.errs[i])
				}
			}
		})
	}
}

// rec makes a record from a header and one row.
func rec(header []string, fields ...string) Record {
	return Record{Line: 2, Header: header, Fields: fields}
}

func TestMapCells(t *testing.T) {
	type errs = []string
	tests := []struct {
		name   string
		header []string
		fields []string
		m      Mapping // Suggest(header) when it has no columns
		want   models.ContactRequest
		errs   errs
	}{
		{
			name:   "guarded cells come back exactly",
			header: []string{"Name", "Phone", "Notes"},
			fields: []string{"'=Ada", "'+44 20 7946 0958", "''-dash\n- two"},
			want: models.ContactRequest{DisplayName: "=Ada", Source: models.SourceImport,
				Phones: []models.PhoneInput{{Number: "+44 20 7946 0958"}}, About: "'-dash\n- two"},
		},
		{
			name:   "notes are kept exactly",
			header: []string{"Email", "Notes", "Comments"},
			fields: []string{"a@example.com", "  indented\r\n\ttabbed  \n", "second"},
			want: models.ContactRequest{Source: models.SourceImport, Emails: []models.EmailInput{{Address: "a@example.com"}},
				About: "  indented\r\n\ttabbed  \n\n\nsecond"},
		},
		{
			name:   "a lone name column is split",
			header: []string{"Full name", "E-mail"},
			fields: []string{"  Ludwig van  Beethoven ", "mailto:lvb@example.com"},
			want: models.ContactRequest{GivenName: "Ludwig", FamilyName: "van Beethoven", Source: models.SourceImport,
				Emails: []models.EmailInput{{Address: "lvb@example.com"}}},
		},
		{
			name:   "a display name that repeats the names is dropped",
			header: []string{"Name", "First name", "Last name"},
			fields: []string{"Ada Lovelace", "Ada", "Lovelace"},
			want:   models.ContactRequest{GivenName: "Ada", FamilyName: "Lovelace", Source: models.SourceImport},
		},
		{
			name:   "German Name is the family name",
			header: []string{"Vorname", "Name"},
			fields: []string{"Käthe", "Kollwitz"},
			want:   models.ContactRequest{GivenName: "Käthe", FamilyName: "Kollwitz", Source: models.SourceImport},
		},
		{
			name:   "invalid values are left out, each with a message",
			header: []string{"Name", "Email", "Phone", "Birthday", "Website"},
			fields: []string{"Bob", "bob at example", "12", "31/02/1990", "not a site"},
			want:   models.ContactRequest{DisplayName: "Bob", Source: models.SourceImport},
			errs:   errs{`Email: "bob at example" is not an email address`, `Phone: "12" is not a phone number`, `Birthday: "31/02/1990" is not a real date`, `Website: "not a site" is not a web address`},
		},
		{
			name:   "web addresses without a scheme",
			header: []string{"Name", "Website"},
			fields: []string{"Bob", "www.bob.example/blog"},
			want: models.ContactRequest{DisplayName: "Bob", Source: models.SourceImport,
				SocialProfiles: []models.SocialProfileInput{{URL: "https://www.bob.example/blog"}}},
		},
		{
			name:   "labels line up with values, empty ones too",
			header: []string{"Emails", "Email labels", "Email"},
			fields: []string{"a@example.com\nb@example.com\nc@example.com", "work\n\nhome", "b@example.com"},
			m: Mapping{Layout: LayoutRapport, Columns: []ColumnMapping{
				{Column: "Email", Field: FieldEmail, Group: "primary", Primary: true},
				{Column: "Emails", Field: FieldEmail, Group: "all", Split: lineSplit},
				{Column: "Email labels", Field: FieldEmailLabel, Group: "all", Split: lineSplit},
			}},
			want: models.ContactRequest{Source: models.SourceImport, Emails: []models.EmailInput{
				{Address: "a@example.com", Label: "work"}, {Address: "b@example.com", Primary: true}, {Address: "c@example.com", Label: "home"}}},
		},
		{
			name:   "a primary email not among the others goes first",
			header: []string{"Other", "Main"},
			fields: []string{"b@example.com", "A@example.com"},
			m: Mapping{Columns: []ColumnMapping{
				{Column: "Other", Field: FieldEmail, Group: "o"}, {Column: "Main", Field: FieldEmail, Group: "m", Primary: true},
			}},
			want: models.ContactRequest{Source: models.SourceImport, Emails: []models.EmailInput{
				{Address: "A@example.com", Primary: true}, {Address: "b@example.com"}}},
		},
		{
			name:   "one label for several values; the same address twice is one",
			header: []string{"Mail", "Label", "Mail 2"},
			fields: []string{"a@example.com ; b@example.com", "Work", "A@EXAMPLE.COM"},
			m: Mapping{Layout: LayoutSpreadsheet, Columns: []ColumnMapping{
				{Column: "Mail", Field: FieldEmail, Split: []string{";"}}, {Column: "Label", Field: FieldEmailLabel},
				{Column: "Mail 2", Field: FieldEmail, Group: "2", Label: "home"},
			}},
			want: models.ContactRequest{Source: models.SourceImport, Emails: []models.EmailInput{
				{Address: "a@example.com", Label: "work"}, {Address: "b@example.com", Label: "work"}}},
		},
		{
			name:   "only one primary",
			header: []string{"E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value"},
			fields: []string{"* Work", "a@example.com", "* Home", "b@example.com"},
			want: models.ContactRequest{Source: models.SourceImport, Emails: []models.EmailInput{
				{Address: "a@example.com", Label: "work", Primary: true}, {Address: "b@example.com", Label: "home"}}},
		},
		{
			name:   "owner, custom field, last contacted",
			header: []string{"Name", "Owner", "Tier"},
			fields: []string{"Ada Lovelace", "12", " Gold "},
			m: Mapping{Columns: []ColumnMapping{{Column: "Name", Field: FieldDisplayName}, {Column: "Owner", Field: FieldOwner},
				{Column: "Tier", Field: CustomField("tier")}, {Column: "Missing", Field: FieldLastContacted}}},
			want: models.ContactRequest{GivenName: "Ada", FamilyName: "Lovelace", Source: models.SourceImport, OwnerID: ptr[int64](12),
				CustomFields: map[string]string{"tier": "Gold"}},
		},
		{
			name:   "owners known to this Rapport",
			header: []string{"Name", "Owner ID", "Owner"},
			fields: []string{"Ada", "12", "sam@example.com"},
			m: Mapping{Owners: map[string]int64{"sam@example.com": 3, "3": 3}, Columns: []ColumnMapping{
				{Column: "Name", Field: FieldDisplayName}, {Column: "Owner ID", Field: FieldOwner}, {Column: "Owner", Field: FieldOwner}}},
			want: models.ContactRequest{DisplayName: "Ada", Source: models.SourceImport, OwnerID: ptr[int64](3)},
			errs: errs{`Owner ID: No Rapport user is "12"`},
		},
		{
			name:   "custom fields checked against those defined here",
			header: []string{"Name", "Tier", "Seats", "Shoe size", "Renewal"},
			fields: []string{"Ada", "gold", "twelve", "44", "2025-02-30"},
			m: Mapping{CustomFields: []models.CustomFieldDef{
				{Key: "tier", Label: "Tier", Kind: models.CustomFieldChoice, Choices: []string{"Gold", "Silver"}},
				{Key: "seats", Label: "Seats", Kind: models.CustomFieldNumber},
				{Key: "renewal", Label: "Renewal", Kind: models.CustomFieldDate}},
				Columns: []ColumnMapping{{Column: "Name", Field: FieldDisplayName}, {Column: "Tier", Field: CustomField("tier")},
					{Column: "Seats", Field: CustomField("seats")}, {Column: "Shoe size", Field: CustomField("shoe_size")},
					{Column: "Renewal", Field: CustomField("renewal")}}},
			want: models.ContactRequest{DisplayName: "Ada", Source: models.SourceImport, CustomFields: map[string]string{"tier": "Gold"}},
			errs: errs{"Seats: Seats must be a number", `Shoe size: There is no custom field "shoe_size"`, `Renewal: "2025-02-30" is not a real date`},
		},
		{
			name:   "custom dates and numbers as the file's country writes them",
			header: []string{"Name", "Renewal", "Seats", "Discount"},
			fields: []string{"Ada", "03/31/2025", "1,200", "2,5"},
			m: Mapping{DateOrder: MonthDayYear, CustomFields: []models.CustomFieldDef{
				{Key: "renewal", Label: "Renewal", Kind: models.CustomFieldDate},
				{Key: "seats", Label: "Seats", Kind: models.CustomFieldNumber},
				{Key: "discount", Label: "Discount", Kind: models.CustomFieldNumber}},
				Columns: []ColumnMapping{{Column: "Name", Field: FieldDisplayName}, {Column: "Renewal", Field: CustomField("renewal")},
					{Column: "Seats", Field: CustomField("seats")}, {Column: "Discount", Field: CustomField("discount")}}},
			want: models.ContactRequest{DisplayName: "Ada", Source: models.SourceImport,
				CustomFields: map[string]string{"renewal": "2025-03-31", "seats": "1200", "discount": "2.5"}},
		},
		{
			name: "Google's custom fields, named in the row",
			header: []string{"First Name", "Custom Field 1 - Label", "Custom Field 1 - Value", "Custom Field 2 - Label", "Custom Field 2 - Value",
				"Custom Field 3 - Label", "Custom Field 3 - Value", "Custom Field 4 - Label", "Custom Field 4 - Value"},
			fields: []string{"Ada", "account tier", "gold", "Customer ID", "C-17", "seats", "1,200", "", "orphan"},
			m: func() Mapping {
				m := Suggest([]string{"First Name", "Custom Field 1 - Label", "Custom Field 1 - Value", "Custom Field 2 - Label", "Custom Field 2 - Value",
					"Custom Field 3 - Label", "Custom Field 3 - Value", "Custom Field 4 - Label", "Custom Field 4 - Value"})
				m.CustomFields = []models.CustomFieldDef{
					{Key: "tier", Label: "Account tier", Kind: models.CustomFieldChoice, Choices: []string{"Gold", "Silver"}},
					{Key: "seats", Label: "Seats", Kind: models.CustomFieldNumber}}
				return m
			}(),
			want: models.ContactRequest{GivenName: "Ada", Source: models.SourceImport, CustomFields: map[string]string{"tier": "Gold", "seats": "1200"}},
			errs: errs{`Custom Field 2 - Value: There is no custom field "Customer ID" here`, "Custom Field 4 - Value: The custom field has no name"},
		},
		{
			name:   "address parts in groups, street lines joined",
			header: []string{"Street", "Street 2", "City", "Home street", "Home city", "Country"},
			fields: []string{"1 Main St", "Suite 5", "Springfield", "", "", "US"},
			want: models.ContactRequest{Source: models.SourceImport, Addresses: []models.AddressInput{
				{Street: "1 Main St\nSuite 5", City: "Springfield", Country: "US"}}},
		},
		{
			name:   "Google groups",
			header: []string{"First Name", "E-mail 1 - Value", "Labels"},
			fields: []string{"Ada", "ada@example.com", "* myContacts ::: Friends ::: Work:::Chess club"},
			want: models.ContactRequest{GivenName: "Ada", Source: models.SourceImport,
				Emails: []models.EmailInput{{Address: "ada@example.com"}}, Tags: []string{"Friends", "Work", "Chess club"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			if m.Columns == nil {
				m = Suggest(tt.header)
			}
			got, errs := Map(rec(tt.header, tt.fields...), m)
			// As JSON: a request carries, unexported, the parse of each
			// phone number the mapping checked.
			if asJSON(got) != asJSON(tt.want) {
				t.Errorf("Map:\n%s\nwant\n%s", asJSON(got), asJSON(tt.want))
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %q", errs, tt.errs)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Column+": "+e.Msg, tt.errs[i]) {
					t.Errorf("error %q, want it to start %q", e.Column+": "+e.Msg, tt.errs[i])
				}
			}
		})
	}
}

func TestMatchCustomFields(t *testing.T) {
	defs := []models.CustomFieldDef{{Key: "tier", Label: "Account tier"}, {Key: "seats", Label: "Seats"}, {Key: "email", Label: "Other"}}
	m := Suggest([]string{"Name", "Email", "ACCOUNT TIER", "seats", "Seats", "Region code"})
	m.MatchCustomFields(defs)
	var got []string
	for _, c := range m.Columns {
		got = append(got, c.Column+"="+string(c.Field))
	}
	// A field's label beats a spreadsheet's guess ("account" is a word for
	// the company); its key does not; one field fills one column.
	want := "Name=display_name Email=email ACCOUNT TIER=custom:tier seats=custom:seats Seats=ignore Region code=address_region"
	if strings.Join(got, " ") != want {
		t.Errorf("mapping\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}

func TestMapShortRecord(t *testing.T) {
	// A record shorter than its header (as Reader never returns, but a
	// caller might build) maps what it has.
	got, errs := Map(Record{Header: []string{"Name", "Email"}, Fields: []string{"Ada"}}, Suggest([]string{"Name", "Email"}))
	if got.DisplayName != "Ada" || len(errs) != 0 {
		t.Errorf("%+v %v", got, errs)
	}
}

func TestParseDate(t *testing.T) {
	now := time.Now().Year() % 100
	tests := []struct {
		in      string
		order   DateOrder
		want    string
		problem string
	}{
		{"1984-07-21", "", "1984-07-21", ""},
		{"1984/7/21", "", "1984-07-21", ""},
		{"1984.07.21", "", "1984-07-21", ""},
		{"19840721", "", "1984-07-21", ""},
		{"1984-07-21T00:00:00Z", "", "1984-07-21", ""},
		{"1984-07-21 10:30", "", "1984-07-21", ""},
		{"21.07.1984", "", "1984-07-21", ""},
		{"21/07/1984", "", "1984-07-21", ""},
		{"7/21/1984", "", "1984-07-21", ""},
		{"03/04/1990", DayMonthYear, "1990-04-03", ""},
		{"03/04/1990", MonthDayYear, "1990-03-04", ""},
		{"03.04.1990", "", "1990-04-03", ""},
		{"03/03/1990", "", "1990-03-03", ""},
		{"03/04/1990", "", "", "could be 3 April or 4 March"},
		{"7/21/84", "", "1984-07-21", ""},
		{"1/2/05", MonthDayYear, "2005-01-02", ""},
		{"21 July 1984", "", "1984-07-21", ""},
		{"July 21, 1984", "", "1984-07-21", ""},
		{"Jul 21st 1984", "", "1984-07-21", ""},
		{"21-Jul-1984", "", "1984-07-21", ""},
		{"21 juillet 1984", "", "1984-07-21", ""},
		{"21. März 1984", "", "1984-03-21", ""},
		{"30884", "", "1984-07-21", ""},
		{"0/0/00", "", "", ""},
		{"", "", "", ""},
		{"--07-21", "", "", "has no year"},
		{"--0721", "", "", "has no year"},
		{"21/07", "", "", "has no year"},
		{"1984-02-30", "", "", "not a real date"},
		{"1984-13-01", "", "", "not a real date"},
		{"21 Foo 1984", "", "", "not a date Rapport can read"},
		{"soon", "", "", "not a date Rapport can read"},
		{"1984", "", "", "not a date Rapport can read"},
	}
	for _, tt := range tests {
		got, problem := ParseDate(tt.in, tt.order)
		if got != tt.want || !strings.Contains(problem, tt.problem) || (tt.problem == "" && problem != "") {
			t.Errorf("ParseDate(%q, %q) = %q, %q; want %q, %q", tt.in, tt.order, got, problem, tt.want, tt.problem)
		}
	}
	// Two-digit years are within the last hundred years.
	if got, _ := ParseDate("1/1/"+itoa2(now), MonthDayYear); !strings.HasPrefix(got, "20") {
		t.Errorf("this year's two digits read as %s", got)
	}
	if got, _ := ParseDate("1/1/"+itoa2((now+1)%100), MonthDayYear); !strings.HasPrefix(got, "19") && now != 99 {
		t.Errorf("next year's two digits read as %s", got)
	}
}

func itoa2(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func TestParseTime(t *testing.T) {
	tests := map[string]time.Time{
		"2024-02-19T11:30:00Z":      time.Date(2024, 2, 19, 11, 30, 0, 0, time.UTC),
		"2024-02-19T12:30:00+01:00": time.Date(2024, 2, 19, 11, 30, 0, 0, time.UTC),
		"2024-02-19 11:30":          time.Date(2024, 2, 19, 11, 30, 0, 0, time.UTC),
		"2024-02-19 11:30:05":       time.Date(2024, 2, 19, 11, 30, 5, 0, time.UTC),
		"19.02.2024":                time.Date(2024, 2, 19, 0, 0, 0, 0, time.UTC),
	}
	for in, want := range tests {
		if got, problem := ParseTime(in, ""); !got.Equal(want) || problem != "" {
			t.Errorf("ParseTime(%q) = %v %q, want %v", in, got, problem, want)
		}
	}
	if _, problem := ParseTime("yesterday", ""); problem == "" {
		t.Error("ParseTime read yesterday")
	}
}

func TestBirthdayRange(t *testing.T) {
	for _, b := range []string{"1700-01-01", time.Now().AddDate(1, 0, 0).Format(time.DateOnly)} {
		got, errs := Map(rec([]string{"Name", "Birthday"}, "Ada", b), Suggest([]string{"Name", "Birthday"}))
		if got.Birthday != "" || len(errs) != 1 || !strings.Contains(errs[0].Msg, "after 1800") {
			t.Errorf("%s: %q %v", b, got.Birthday, errs)
		}
	}
}

// TestParseBirthday reads birthdays with and without a year. A day and
// month without a year is read when its order is known, never guessed.
func TestParseBirthday(t *testing.T) {
	tests := []struct {
		in      string
		order   DateOrder
		want    string
		problem string
	}{
		{"1984-07-21", "", "1984-07-21", ""},
		{"21.07.1984", "", "1984-07-21", ""},
		{"7/21/84", "", "1984-07-21", ""},
		{"--12-25", "", "--12-25", ""}, // Google Contacts
		{" --12-25 ", "", "--12-25", ""},
		{"--1225", "", "--12-25", ""}, // vCard 4
		{"--02-29", "", "--02-29", ""},
		{"25.12.", "", "--12-25", ""}, // dots put the day first
		{"25.12", "", "--12-25", ""},
		{"25/12", DayMonthYear, "--12-25", ""},
		{"12/25", MonthDayYear, "--12-25", ""},
		{"3-4", MonthDayYear, "--03-04", ""},
		{"12/25", "", "", "either way round"}, // no order: not guessed
		{"03/04", "", "", "either way round"},
		{"12/25", DayMonthYear, "", "not a real date"},
		{"--02-30", "", "", "not a real date"},
		{"--13-01", "", "", "not a real date"},
		{"31.04.", "", "", "not a real date"},
		{"---25", "", "", "not a date Rapport can read"},
		{"--12", "", "", "not a date Rapport can read"},
		{"1700-01-01", "", "", "after 1800"},
		{"0/0/00", "", "", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		got, problem := ParseBirthday(tt.in, tt.order)
		if got != tt.want || (tt.problem == "") != (problem == "") || !strings.Contains(problem, tt.problem) {
			t.Errorf("ParseBirthday(%q, %q) = %q, %q; want %q, %q", tt.in, tt.order, got, problem, tt.want, tt.problem)
		}
	}
	// With the date order chosen for the file (Outlook's layout chooses
	// month first), a column's 12/25 is kept.
	header := []string{"Name", "Birthday"}
	m := Suggest(header)
	m.DateOrder = MonthDayYear
	if got, errs := Map(rec(header, "Ada", "12/25"), m); got.Birthday != "--12-25" || len(errs) > 0 {
		t.Errorf("12/25 month first: %q, %v", got.Birthday, errs)
	}
}

func TestSplitFullName(t *testing.T) {
	tests := []struct{ in, given, family, display string }{
		{"Ada Lovelace", "Ada", "Lovelace", ""},
		{"Ada King Lovelace", "Ada King", "Lovelace", ""},
		{"  Ada   Lovelace ", "Ada", "Lovelace", ""},
		{"Lovelace, Ada", "Ada", "Lovelace", ""},
		{"Lovelace , Ada Augusta", "Ada Augusta", "Lovelace", ""},
		{"Ludwig van Beethoven", "Ludwig", "van Beethoven", ""},
		{"Charles de la Fontaine", "Charles", "de la Fontaine", ""},
		{"Dr. Grace Hopper", "Grace", "Hopper", "Dr. Grace Hopper"},
		{"Martin Luther King Jr.", "Martin Luther", "King", "Martin Luther King Jr."},
		{"King, Martin Luther, Jr.", "Martin Luther", "King", "King, Martin Luther, Jr."},
		{"Cher", "", "", "Cher"},
		{"山田太郎", "", "", "山田太郎"},
		{"Dr. Who", "", "", "Dr. Who"},
		{"", "", "", ""},
		{",", "", "", ","},
	}
	for _, tt := range tests {
		g, f, d := SplitFullName(tt.in)
		if g != tt.given || f != tt.family || d != tt.display {
			t.Errorf("SplitFullName(%q) = %q, %q, %q; want %q, %q, %q", tt.in, g, f, d, tt.given, tt.family, tt.display)
		}
	}
}

// Imports run side by side: nothing in the package may share state
// between them (the race detector checks this test).
func TestConcurrentUse(t *testing.T) {
	files := []string{"google.csv", "outlook.csv", "plain_semicolon.csv", "utf16le_bom.csv"}
	done := make(chan error)
	for i := range 8 {
		go func() {
			data, err := os.ReadFile(filepath.Join("testdata", files[i%len(files)]))
			if err != nil {
				done <- err
				return
			}
			r, err := Open(bytes.NewReader(data), ReadOptions{})
			if err != nil {
				done <- err
				return
			}
			m := SuggestFromSample(r.Header(), nil)
			for {
				rec, err := r.Read()
				if err != nil {
					break
				}
				Map(rec, m)
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestPlainNumber(t *testing.T) {
	for in, want := range map[string]string{
		"42": "42", "3.5": "3.5", "3,5": "3.5", "-3,25": "-3.25", "1,200": "1200", "1,200.50": "1200.50",
		"1.200": "1.200", "1.200.000": "1200000", "1.200,50": "1200.50", "1 200,50": "1200.50", "1\u00a0200": "1200",
		"12,34,56": "12,34,56", "twelve": "twelve", " 7 ": "7",
	} {
		if got := plainNumber(in); got != want {
			t.Errorf("plainNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
