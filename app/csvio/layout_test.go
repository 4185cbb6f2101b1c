package csvio

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func header(t *testing.T, file string) []string {
	t.Helper()
	r, err := Open(open(t, file), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r.Header()
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   Layout
	}{
		{"google fixture", nil, LayoutGoogle},
		{"google_legacy fixture", nil, LayoutGoogleLegacy},
		{"outlook fixture", nil, LayoutOutlook},
		{"linkedin fixture", nil, LayoutLinkedIn},
		{"hubspot fixture", nil, LayoutHubSpot},
		{"plain_semicolon fixture", nil, LayoutSpreadsheet},
		{"utf16le_bom fixture", nil, LayoutSpreadsheet},
		{"google minimal", []string{"First Name", "Last Name", "E-mail 1 - Value", "Phone 1 - Value", "Organization Name", "Labels"}, LayoutGoogle},
		{"google legacy minimal", []string{"Name", "Given Name", "Family Name", "E-mail 1 - Type", "E-mail 1 - Value"}, LayoutGoogleLegacy},
		{"outlook minimal", []string{"First Name", "Last Name", "E-mail Address", "Mobile Phone"}, LayoutOutlook},
		{"hubspot minimal", []string{"First Name", "Last Name", "Email", "Contact owner"}, LayoutHubSpot},
		{"rapport", headerOf(DefaultColumns("tier")), LayoutRapport},
		{"rapport subset", []string{"Display name", "Emails", "Tags"}, LayoutRapport},
		{"rapport-like spreadsheet", []string{"Email", "Company", "Tags"}, LayoutSpreadsheet},
		{"spreadsheet", []string{"Name", "E-mail", "Tel", "Organisation"}, LayoutSpreadsheet},
		{"empty", nil, LayoutSpreadsheet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if file, ok := strings.CutSuffix(tt.name, " fixture"); ok {
				h = header(t, file+".csv")
			}
			if got := Detect(h); got != tt.want {
				t.Errorf("Detect = %s, want %s", got, tt.want)
			}
		})
	}
}

func headerOf(cols []Column) []string {
	var b strings.Builder
	w, err := NewWriter(&b, WriterOptions{Columns: cols})
	if err != nil {
		panic(err)
	}
	w.Flush()
	r, err := Open(strings.NewReader(b.String()), ReadOptions{})
	if err != nil {
		panic(err)
	}
	return r.Header()
}

// suggested returns the non-ignored mappings as "Column=field[/group][/label]".
func suggested(m Mapping) map[string]string {
	out := map[string]string{}
	for _, c := range m.Columns {
		if c.Field == FieldIgnore {
			continue
		}
		s := string(c.Field)
		if c.Group != "" {
			s += "/" + c.Group
		}
		if c.Label != "" {
			s += "/" + c.Label
		}
		if c.Primary {
			s += "/primary"
		}
		if len(c.Split) > 0 {
			s += "/split" + strings.Join(c.Split, "")
		}
		out[c.Column] = s
	}
	return out
}

func TestSuggestFixtures(t *testing.T) {
	tests := []struct {
		file string
		want map[string]string // a selection of what the mapping must say
	}{
		{"google.csv", map[string]string{
			"First Name": "given_name", "Middle Name": "given_name", "Last Name": "family_name",
			"Organization Name": "company", "Organization Title": "job_title", "Labels": "tags/split:::",
			"E-mail 1 - Label": "email_label/e-mail 1/split:::", "E-mail 1 - Value": "email/e-mail 1/split:::",
			"Phone 2 - Value": "phone/phone 2/split:::", "Address 1 - Street": "address_street/address 1",
			"Address 1 - Extended Address": "address_street/address 1", "Address 1 - Postal Code": "address_postal_code/address 1",
			"Website 1 - Value": "social_profile/website 1/split:::", "Notes": "about", "Birthday": "birthday",
		}},
		{"google_legacy.csv", map[string]string{
			"Name": "display_name", "Given Name": "given_name", "Family Name": "family_name", "Group Membership": "tags/split:::",
			"E-mail 1 - Type": "email_label/e-mail 1/split:::", "Organization 1 - Name": "company", "Organization 1 - Title": "job_title",
		}},
		{"outlook.csv", map[string]string{
			"First Name": "given_name", "Middle Name": "given_name", "E-mail Address": "email/e-mail address",
			"E-mail 2 Address": "email/e-mail 2 address", "Business Phone": "phone/business phone/work", "Mobile Phone": "phone/mobile phone/mobile",
			"Home Fax": "phone/home fax/home fax", "Business Street 2": "address_street/work/work", "Business Country/Region": "address_country/work/work",
			"Home City": "address_city/home/home", "Categories": "tags/split;", "Web Page": "social_profile", "Job Title": "job_title",
		}},
		{"linkedin.csv", map[string]string{
			"First Name": "given_name", "Last Name": "family_name", "URL": "social_profile", "Email Address": "email",
			"Company": "company", "Position": "job_title",
		}},
		{"hubspot.csv", map[string]string{
			"Email": "email", "Phone Number": "phone/phone", "Mobile Phone Number": "phone/mobile/mobile", "Company Name": "company",
			"Contact owner": "owner", "Lifecycle Stage": "tags", "Last Contacted": "last_contacted", "State/Region": "address_region",
		}},
		{"plain_semicolon.csv", map[string]string{
			"Vorname": "given_name", "Name": "family_name", "E-Mail": "email/E-Mail", "Telefon": "phone/Telefon",
			"Handy": "phone/Handy/mobile", "Firma": "company", "Position": "job_title", "Geburtstag": "birthday",
			"Notizen": "about", "Tags": "tags/split,;",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := Suggest(header(t, tt.file))
			got := suggested(m)
			for col, want := range tt.want {
				if got[col] != want {
					t.Errorf("%q maps to %q, want %q", col, got[col], want)
				}
			}
			if m.Layout == LayoutLinkedIn && len(got) != len(tt.want) {
				t.Errorf("LinkedIn maps %v", got)
			}
			if m.Layout == LayoutOutlook && m.DateOrder != MonthDayYear {
				t.Errorf("Outlook date order %q", m.DateOrder)
			}
		})
	}
	// Columns that hold nothing of the contact's are ignored.
	for file, cols := range map[string][]string{
		"google.csv":  {"Phonetic First Name", "Name Prefix", "File As", "Photo", "Address 1 - Formatted", "Website 1 - Label"},
		"outlook.csv": {"Title", "Suffix", "Department", "E-mail Type", "E-mail Display Name", "Gender", "Priority", "Anniversary"},
		"hubspot.csv": {"Record ID", "Create Date", "Last Activity Date", "Lead Status", "Associated Company"},
	} {
		got := suggested(Suggest(header(t, file)))
		for _, c := range cols {
			if got[c] != "" {
				t.Errorf("%s: %q maps to %q, want ignored", file, c, got[c])
			}
		}
	}
}

func TestSuggestSpreadsheetHeaders(t *testing.T) {
	tests := map[string]string{
		"Name": "display_name", "Full name": "display_name", "First name": "given_name", "first_name": "given_name",
		"Prénom": "given_name", "Nachname": "family_name", "Surname": "family_name", "Last Name": "family_name",
		"E-mail": "email/E-mail", "Email address": "email/Email address", "E-Mail-Adresse": "email/E-Mail-Adresse",
		"Courriel": "email/Courriel", "Adresse électronique": "email/Adresse électronique", "Work email": "email/Work email/work", "Private E-Mail": "email/Private E-Mail/home",
		"Phone": "phone/Phone", "Tel.": "phone/Tel.", "Téléphone portable": "phone/Téléphone portable/mobile",
		"Mobile": "phone/Mobile/mobile", "Cell phone": "phone/Cell phone/mobile", "Work phone": "phone/Work phone/work",
		"Telefonnummer": "phone/Telefonnummer", "Fax (office)": "phone/Fax (office)/work fax",
		"Company": "company", "Organisation": "company", "Société": "company", "Company name": "company",
		"Title": "job_title", "Job title": "job_title", "Position": "job_title", "Fonction": "job_title",
		"Tags": "tags/split,;", "Groups": "tags/split,;", "Notes": "about", "Comments": "about", "Bemerkungen": "about",
		"Birthday": "birthday", "Date of birth": "birthday", "Geburtsdatum": "birthday", "DOB": "birthday",
		"Street": "address_street", "Address": "address_street", "Straße": "address_street", "City": "address_city",
		"Ville": "address_city", "Zip": "address_postal_code", "Postal code": "address_postal_code", "PLZ": "address_postal_code",
		"State": "address_region", "Country": "address_country", "Pays": "address_country",
		"Home city": "address_city/home/home", "Work street": "address_street/work/work",
		"LinkedIn": "social_profile/LinkedIn", "Website": "social_profile/Website", "LinkedIn URL": "social_profile/LinkedIn URL",
		"Owner": "owner", "Last contacted": "last_contacted", "Mailing address": "address_street", "Contact tags": "tags/split,;",
		"Email type": "", "Favourite colour": "", "ID": "",
	}
	for h, want := range tests {
		got := suggested(Mapping{Columns: []ColumnMapping{func() ColumnMapping {
			c := suggestSpreadsheetColumn(h)
			c.Column = h
			return c
		}()}})[h]
		if got != want {
			t.Errorf("%q maps to %q, want %q", h, got, want)
		}
	}
}

func TestSuggestFromSample(t *testing.T) {
	h := []string{"Kontakt", "Champ 2", "Numéro", "Site", "Kennzahl"}
	sample := [][]string{
		{"Ada", "ada@example.com", "+44 20 7946 0958", "https://ada.example", "12"},
		{"Bob", "bob@example.com", "+1 (650) 253-0000", "https://bob.example", "13"},
		{"Cid", "", "'+33 1 42 68 53 00", "", "x"},
	}
	got := suggested(SuggestFromSample(h, sample))
	want := map[string]string{"Kontakt": "", "Champ 2": "email/Champ 2", "Numéro": "phone/Numéro",
		"Site": "social_profile/Site", "Kennzahl": ""}
	for col, w := range want {
		if got[col] != w {
			t.Errorf("%q maps to %q, want %q", col, got[col], w)
		}
	}
}

func TestMappingJSON(t *testing.T) {
	m := Suggest(header(t, "google.csv"))
	m.Name = "Google, from my phone"
	m.PhoneRegion = "GB"
	m.DateOrder = DayMonthYear
	m.Owners = map[string]int64{"sam": 1}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "sam") {
		t.Errorf("owners were saved: %s", data)
	}
	var back Mapping
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	m.Owners = nil
	if !reflect.DeepEqual(back, m) {
		t.Errorf("JSON round trip changed the mapping:\n%+v\n%+v", back, m)
	}
	if err := back.Validate(); err != nil {
		t.Error(err)
	}
	back.Columns[0].Field = "shoe_size"
	if err := back.Validate(); err == nil {
		t.Error("an unknown field passed Validate")
	}
	if err := (Mapping{DateOrder: "ymd"}).Validate(); err == nil {
		t.Error("an unknown date order passed Validate")
	}
	if got := m.MissingColumns([]string{"First Name", "last name"}); len(got) == 0 || got[0] != "Middle Name" {
		t.Errorf("MissingColumns = %q", got)
	}
	if c, ok := m.For("e-mail 1 - value"); !ok || c.Field != FieldEmail {
		t.Errorf("For = %+v %v", c, ok)
	}
}

func TestFieldValid(t *testing.T) {
	for f, want := range map[Field]bool{
		FieldEmail: true, FieldIgnore: true, CustomField("tier"): true, "custom:Tier": false, "custom:": false, "notes": false,
	} {
		if f.Valid() != want {
			t.Errorf("%q.Valid() = %v", f, !want)
		}
	}
	if len(Fields()) != len(fields) {
		t.Error("Fields")
	}
}
