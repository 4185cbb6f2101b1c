package csvio

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"rapport/models"
)

// A Layout is the program a file was exported from, as far as its header
// tells.
type Layout string

// Layouts Detect recognises.
const (
	LayoutRapport      Layout = "rapport"       // Rapport's own export
	LayoutGoogle       Layout = "google"        // Google Contacts, "Google CSV" (2023 onwards)
	LayoutGoogleLegacy Layout = "google_legacy" // Google Contacts before 2023: Given Name, Group Membership
	LayoutOutlook      Layout = "outlook"       // Outlook and Outlook.com, "Outlook CSV"
	LayoutLinkedIn     Layout = "linkedin"      // LinkedIn's Connections.csv
	LayoutHubSpot      Layout = "hubspot"       // HubSpot's contacts export
	LayoutSpreadsheet  Layout = "spreadsheet"   // anything else: matched column by column
)

// Title names the layout for a person.
func (l Layout) Title() string {
	switch l {
	case LayoutRapport:
		return "Rapport export"
	case LayoutGoogle:
		return "Google Contacts"
	case LayoutGoogleLegacy:
		return "Google Contacts (older format)"
	case LayoutOutlook:
		return "Outlook"
	case LayoutLinkedIn:
		return "LinkedIn connections"
	case LayoutHubSpot:
		return "HubSpot"
	}
	return "Spreadsheet"
}

var (
	googleNumbered = regexp.MustCompile(`^(e-mail|phone|address|website|organization|relation|event|im|custom field|external id) (\d+) - (.+)$`)
	rapportAddress = regexp.MustCompile(`^address (\d+) (label|street|city|region|postal code|country)$`)
)

// Detect recognises the exporter of a file from its header.
func Detect(header []string) Layout {
	has := map[string]bool{}
	for _, h := range header {
		has[foldName(h)] = true
	}
	anyOf := func(names ...string) bool {
		for _, n := range names {
			if has[n] {
				return true
			}
		}
		return false
	}
	google, googleLegacy := false, anyOf("given name", "family name", "group membership")
	for h := range has {
		if m := googleNumbered.FindStringSubmatch(h); m != nil {
			google = true
			googleLegacy = googleLegacy || m[3] == "type"
		}
	}
	switch {
	case isRapportHeader(header):
		return LayoutRapport
	case has["connected on"] && has["url"] && anyOf("position", "company"):
		return LayoutLinkedIn
	case google && googleLegacy:
		return LayoutGoogleLegacy
	case google:
		return LayoutGoogle
	case has["e-mail address"] && anyOf("business phone", "mobile phone", "home phone", "e-mail 2 address", "business street", "e-mail display name"):
		return LayoutOutlook
	case anyOf("record id", "contact owner", "lifecycle stage", "hubspot score") && anyOf("email", "first name"):
		return LayoutHubSpot
	}
	return LayoutSpreadsheet
}

// isRapportHeader reports whether every column is one Rapport's export
// writes, and one at least is not a header any spreadsheet might have
// ("Email", "Company"): the multi-line ones, "Display name", addresses,
// custom fields.
func isRapportHeader(header []string) bool {
	distinct := false
	for _, h := range header {
		c, ok := rapportColumn(h)
		if !ok {
			return false
		}
		distinct = distinct || len(c.Split) > 0 && c.Field != FieldTags || c.Group != "" && c.Field.kind() == "address" ||
			c.Field == FieldDisplayName || c.Field == FieldOwner || strings.HasPrefix(string(c.Field), customPrefix)
	}
	return distinct
}

// Suggest proposes a mapping for a file with this header, by its layout.
func Suggest(header []string) Mapping { return SuggestFromSample(header, nil) }

// SuggestFromSample is Suggest that also looks at the first rows of the
// file: in a spreadsheet, a column whose header says nothing Rapport knows
// but whose values are nearly all email addresses, phone numbers or web
// addresses is mapped to those, whatever language its header is in.
func SuggestFromSample(header []string, sample [][]string) Mapping {
	layout := Detect(header)
	m := Mapping{Layout: layout}
	if layout == LayoutOutlook {
		m.DateOrder = MonthDayYear // Outlook writes dates as the US does, 7/21/1984
	}
	for i, h := range header {
		var c ColumnMapping
		switch layout {
		case LayoutRapport:
			c, _ = rapportColumn(h)
		case LayoutGoogle, LayoutGoogleLegacy:
			c = suggestGoogleColumn(foldName(h))
		case LayoutOutlook:
			c = suggestOutlookColumn(foldName(h))
		case LayoutLinkedIn:
			c = suggestLinkedInColumn(foldName(h))
		case LayoutHubSpot:
			c = suggestHubSpotColumn(foldName(h))
		default:
			c = suggestSpreadsheetColumn(h)
		}
		if c.Field == "" {
			c.Field = FieldIgnore
		}
		if c.Field == FieldIgnore && (layout == LayoutSpreadsheet || layout == LayoutHubSpot) {
			c = suggestFromValues(h, column(sample, i))
		}
		c.Column = h
		m.Columns = append(m.Columns, c)
	}
	if layout == LayoutSpreadsheet {
		nameColumnIsFamily(&m)
	}
	return m
}

func column(rows [][]string, i int) []string {
	var out []string
	for _, r := range rows {
		if i < len(r) {
			out = append(out, r[i])
		}
	}
	return out
}

// nameColumnIsFamily handles "Name" next to "First name" (or "Vorname",
// "Prénom"), as German and French sheets have it: there, Name is the
// family name.
func nameColumnIsFamily(m *Mapping) {
	given, family := false, false
	for _, c := range m.Columns {
		given = given || c.Field == FieldGivenName
		family = family || c.Field == FieldFamilyName
	}
	if !given || family {
		return
	}
	for i, c := range m.Columns {
		if c.Field == FieldDisplayName {
			switch normalizeHeader(c.Column) {
			case "name", "nom", "naam", "nombre", "nome":
				m.Columns[i].Field = FieldFamilyName
				return
			}
		}
	}
}

var (
	googleSplit = []string{":::"}
	// spreadsheetTagSplit: people type tags as "a, b" or "a; b".
	spreadsheetTagSplit = []string{",", ";"}
)

func suggestGoogleColumn(h string) ColumnMapping {
	switch h {
	case "first name", "given name", "middle name", "additional name":
		return ColumnMapping{Field: FieldGivenName}
	case "last name", "family name":
		return ColumnMapping{Field: FieldFamilyName}
	case "name":
		return ColumnMapping{Field: FieldDisplayName}
	case "organization name":
		return ColumnMapping{Field: FieldCompany}
	case "organization title":
		return ColumnMapping{Field: FieldJobTitle}
	case "birthday":
		return ColumnMapping{Field: FieldBirthday}
	case "notes":
		return ColumnMapping{Field: FieldAbout}
	case "labels", "group membership":
		return ColumnMapping{Field: FieldTags, Split: googleSplit}
	}
	m := googleNumbered.FindStringSubmatch(h)
	if m == nil {
		return ColumnMapping{Field: FieldIgnore}
	}
	what, n, part := m[1], m[2], m[3]
	group := what + " " + n
	switch what + " - " + part {
	case "e-mail - label", "e-mail - type":
		return ColumnMapping{Field: FieldEmailLabel, Group: group, Split: googleSplit}
	case "e-mail - value":
		return ColumnMapping{Field: FieldEmail, Group: group, Split: googleSplit}
	case "phone - label", "phone - type":
		return ColumnMapping{Field: FieldPhoneLabel, Group: group, Split: googleSplit}
	case "phone - value":
		return ColumnMapping{Field: FieldPhone, Group: group, Split: googleSplit}
	case "address - label", "address - type":
		return ColumnMapping{Field: FieldAddressLabel, Group: group}
	case "address - street", "address - po box", "address - extended address":
		return ColumnMapping{Field: FieldStreet, Group: group}
	case "address - city":
		return ColumnMapping{Field: FieldCity, Group: group}
	case "address - region":
		return ColumnMapping{Field: FieldRegion, Group: group}
	case "address - postal code":
		return ColumnMapping{Field: FieldPostalCode, Group: group}
	case "address - country":
		return ColumnMapping{Field: FieldCountry, Group: group}
	case "website - value":
		return ColumnMapping{Field: FieldSocialProfile, Group: group, Split: googleSplit}
	case "custom field - label", "custom field - type":
		return ColumnMapping{Field: FieldCustomLabel, Group: group}
	case "custom field - value":
		return ColumnMapping{Field: FieldCustomValue, Group: group}
	case "organization - name":
		if n == "1" {
			return ColumnMapping{Field: FieldCompany}
		}
	case "organization - title":
		if n == "1" {
			return ColumnMapping{Field: FieldJobTitle}
		}
	}
	return ColumnMapping{Field: FieldIgnore}
}

// outlookPhones are Outlook's phone columns and the label each gets.
var outlookPhones = map[string]string{
	"business phone": "work", "business phone 2": "work", "company main phone": "work", "home phone": "home",
	"home phone 2": "home", "mobile phone": "mobile", "other phone": "other", "primary phone": "main",
	"business fax": "work fax", "home fax": "home fax", "other fax": "fax", "pager": "pager", "car phone": "car",
	"assistant's phone": "assistant", "callback": "callback", "isdn": "isdn", "radio phone": "radio",
	"tty/tdd phone": "tty", "telex": "telex",
}

var outlookAddressParts = map[string]Field{
	"street": FieldStreet, "street 2": FieldStreet, "street 3": FieldStreet, "address po box": FieldStreet,
	"city": FieldCity, "state": FieldRegion, "postal code": FieldPostalCode, "country/region": FieldCountry, "country": FieldCountry,
}

func suggestOutlookColumn(h string) ColumnMapping {
	switch h {
	case "first name", "middle name":
		return ColumnMapping{Field: FieldGivenName}
	case "last name":
		return ColumnMapping{Field: FieldFamilyName}
	case "company":
		return ColumnMapping{Field: FieldCompany}
	case "job title":
		return ColumnMapping{Field: FieldJobTitle}
	case "e-mail address", "e-mail 2 address", "e-mail 3 address":
		return ColumnMapping{Field: FieldEmail, Group: h}
	case "categories":
		return ColumnMapping{Field: FieldTags, Split: []string{";"}}
	case "notes":
		return ColumnMapping{Field: FieldAbout}
	case "birthday":
		return ColumnMapping{Field: FieldBirthday}
	case "web page":
		return ColumnMapping{Field: FieldSocialProfile}
	}
	if label, ok := outlookPhones[h]; ok {
		return ColumnMapping{Field: FieldPhone, Group: h, Label: label}
	}
	for prefix, label := range map[string]string{"business ": "work", "home ": "home", "other ": "other"} {
		if part, ok := strings.CutPrefix(h, prefix); ok {
			if f, ok := outlookAddressParts[part]; ok {
				return ColumnMapping{Field: f, Group: label, Label: label}
			}
		}
	}
	return ColumnMapping{Field: FieldIgnore}
}

func suggestLinkedInColumn(h string) ColumnMapping {
	switch h {
	case "first name":
		return ColumnMapping{Field: FieldGivenName}
	case "last name":
		return ColumnMapping{Field: FieldFamilyName}
	case "url":
		return ColumnMapping{Field: FieldSocialProfile}
	case "email address":
		return ColumnMapping{Field: FieldEmail}
	case "company":
		return ColumnMapping{Field: FieldCompany}
	case "position":
		return ColumnMapping{Field: FieldJobTitle}
	}
	return ColumnMapping{Field: FieldIgnore}
}

// hubSpotIgnored are HubSpot columns that would otherwise match a field by
// their words but do not hold the contact's own data.
var hubSpotIgnored = map[string]bool{
	"record id": true, "contact id": true, "associated company": true, "associated company id": true,
	"create date": true, "last activity date": true, "last modified date": true, "lead status": true,
	"marketing contact status": true, "email domain": true, "hubspot team": true,
}

func suggestHubSpotColumn(h string) ColumnMapping {
	switch h {
	case "first name":
		return ColumnMapping{Field: FieldGivenName}
	case "last name":
		return ColumnMapping{Field: FieldFamilyName}
	case "email":
		return ColumnMapping{Field: FieldEmail}
	case "phone number":
		return ColumnMapping{Field: FieldPhone, Group: "phone"}
	case "mobile phone number":
		return ColumnMapping{Field: FieldPhone, Group: "mobile", Label: "mobile"}
	case "company name":
		return ColumnMapping{Field: FieldCompany}
	case "job title":
		return ColumnMapping{Field: FieldJobTitle}
	case "contact owner":
		return ColumnMapping{Field: FieldOwner}
	case "lifecycle stage":
		return ColumnMapping{Field: FieldTags}
	case "last contacted":
		return ColumnMapping{Field: FieldLastContacted}
	case "street address":
		return ColumnMapping{Field: FieldStreet}
	case "city":
		return ColumnMapping{Field: FieldCity}
	case "state/region":
		return ColumnMapping{Field: FieldRegion}
	case "postal code", "zip":
		return ColumnMapping{Field: FieldPostalCode}
	case "country/region", "country":
		return ColumnMapping{Field: FieldCountry}
	case "website url", "linkedin url", "twitter username":
		return ColumnMapping{Field: FieldSocialProfile, Group: h}
	}
	if hubSpotIgnored[h] {
		return ColumnMapping{Field: FieldIgnore}
	}
	return suggestSpreadsheetColumn(h)
}

// spreadsheetNames maps whole headers, normalised (see normalizeHeader),
// to fields, in the languages sheets come in most.
var spreadsheetNames = func() map[string]Field {
	lists := map[Field]string{
		FieldGivenName:     "first name|firstname|first|first names|given name|givenname|given|forename|fname|prenom|prenoms|vorname|nombre de pila|primeiro nome|voornaam",
		FieldFamilyName:    "last name|lastname|last|surname|family name|familyname|lname|nom de famille|nachname|familienname|apellido|apellidos|cognome|sobrenome|achternaam",
		FieldDisplayName:   "name|full name|fullname|display name|contact|contact name|person|nom|nom complet|vollstandiger name|nombre|nombre completo|nome|nome completo|naam|volledige naam",
		FieldCompany:       "company|company name|organization|organisation|organization name|organisation name|org|employer|firm|account|account name|firma|unternehmen|societe|entreprise|empresa|azienda|bedrijf|organisme",
		FieldJobTitle:      "title|job title|jobtitle|position|role|job|occupation|function|designation|poste|fonction|titre|beruf|berufsbezeichnung|cargo|puesto|ruolo|functie",
		FieldTags:          "tags|tag|labels|label|groups|group|categories|category|keywords|lists|segment|segments|etiquettes|etiquette|schlagworter|stichworter|etiketten|gruppen|etiquetas|grupos|gruppi",
		FieldAbout:         "notes|note|about|comments|comment|description|remarks|bio|memo|notizen|notiz|bemerkung|bemerkungen|kommentar|anmerkungen|remarques|commentaire|commentaires|notas|nota|comentarios|opmerkingen",
		FieldBirthday:      "birthday|birth date|date of birth|dob|birthdate|born|geburtstag|geburtsdatum|anniversaire|date de naissance|cumpleanos|fecha de nacimiento|compleanno|data di nascita|aniversario|verjaardag|geboortedatum",
		FieldOwner:         "owner|contact owner|account owner|assigned to|sales rep|responsable",
		FieldLastContacted: "last contacted|last contact|last contact date|last contacted at|dernier contact|letzter kontakt",
	}
	m := map[string]Field{}
	for f, list := range lists {
		for _, n := range strings.Split(list, "|") {
			m[n] = f
		}
	}
	return m
}()

// Words that, anywhere in a header, say what it holds.
var (
	emailWords  = wordSet("email mail courriel correo emailadresse mailadresse electronique elettronica")
	phoneWords  = wordSet("phone phones telephone tel telefon telefono telefone fon tlf telefonnummer rufnummer")
	mobileWords = wordSet("mobile cell cellphone handy handynummer portable movil celular cellulare gsm mobil mobiel")
	faxWords    = wordSet("fax telefax")
	webWords    = wordSet("linkedin twitter github mastodon bluesky website web homepage url site blog profile xing instagram facebook")
	workWords   = wordSet("work business office bureau arbeit dienstlich geschaftlich trabajo lavoro pro professionnel professional")
	homeWords   = wordSet("home private personal privat perso personnel casa maison domicile privado")
	otherWords  = wordSet("other autre andere otro altro")
	streetWords = wordSet("street address adresse strasse rue calle via direccion indirizzo straat line1 line2")
	cityWords   = wordSet("city town locality ville stadt ort ciudad citta cidade plaats woonplaats localite")
	regionWords = wordSet("state region province county bundesland etat provincia estado regione")
	postalWords = wordSet("zip zipcode postcode postal plz postleitzahl cp cap")
	countryWord = wordSet("country pays land pais paese nation")
	givenWords  = wordSet("first given forename vorname prenom")
	familyWords = wordSet("last surname family nachname")
	nameWord    = wordSet("name")
	labelWords  = wordSet("label labels type kind")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// suggestSpreadsheetColumn maps a header by its meaning, in several
// languages: first the whole header ("E-mail", "Vorname"), then the words
// in it ("Work email", "Téléphone portable", "Home city").
func suggestSpreadsheetColumn(header string) ColumnMapping {
	h := normalizeHeader(header)
	if f, ok := spreadsheetNames[h]; ok {
		return spreadsheetField(f)
	}
	words := strings.Fields(h)
	has := func(set map[string]bool) bool {
		for _, w := range words {
			if set[w] {
				return true
			}
		}
		return false
	}
	qualifier := ""
	switch {
	case has(workWords):
		qualifier = "work"
	case has(homeWords):
		qualifier = "home"
	case has(otherWords):
		qualifier = "other"
	}
	postal := has(postalWords) || strings.Contains(h, "postal code") || strings.Contains(h, "code postal")
	if has(labelWords) && (has(emailWords) || has(phoneWords) || has(mobileWords)) {
		// "Email type": a label, but for which value is not clear.
		return ColumnMapping{Field: FieldIgnore}
	}
	switch {
	case (has(emailWords) || strings.Contains(h, "e mail")) && !postal:
		return ColumnMapping{Field: FieldEmail, Group: header, Label: qualifier}
	case has(mobileWords):
		return ColumnMapping{Field: FieldPhone, Group: header, Label: "mobile"}
	case has(faxWords):
		return ColumnMapping{Field: FieldPhone, Group: header, Label: strings.TrimSpace(qualifier + " fax")}
	case has(phoneWords) && !postal:
		return ColumnMapping{Field: FieldPhone, Group: header, Label: qualifier}
	case has(webWords):
		return ColumnMapping{Field: FieldSocialProfile, Group: header}
	}
	// Address parts group by qualifier alone: the 2 in "Street 2" is the
	// street's second line, not a second address.
	group := qualifier
	switch {
	case postal:
		return ColumnMapping{Field: FieldPostalCode, Group: group, Label: qualifier}
	case has(cityWords):
		return ColumnMapping{Field: FieldCity, Group: group, Label: qualifier}
	case has(regionWords):
		return ColumnMapping{Field: FieldRegion, Group: group, Label: qualifier}
	case has(countryWord):
		return ColumnMapping{Field: FieldCountry, Group: group, Label: qualifier}
	case has(streetWords):
		return ColumnMapping{Field: FieldStreet, Group: group, Label: qualifier}
	case has(givenWords):
		return ColumnMapping{Field: FieldGivenName}
	case has(familyWords) && has(nameWord):
		return ColumnMapping{Field: FieldFamilyName}
	}
	// A qualified field: "Company name", "Work title", "Private notes".
	for _, w := range words {
		if f, ok := spreadsheetNames[w]; ok && f != FieldDisplayName && f != FieldGivenName && f != FieldFamilyName {
			return spreadsheetField(f)
		}
	}
	return ColumnMapping{Field: FieldIgnore}
}

func spreadsheetField(f Field) ColumnMapping {
	if f == FieldTags {
		return ColumnMapping{Field: f, Split: spreadsheetTagSplit}
	}
	return ColumnMapping{Field: f}
}

// normalizeHeader lower-cases a header, strips accents and turns
// punctuation into spaces: "E-Mail-Adresse" is "e mail adresse",
// "Prénom" "prenom", "Straße" "strasse".
func normalizeHeader(h string) string {
	// A chain of transformers keeps state, so each call makes its own.
	stripMarks := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	h, _, _ = transform.String(stripMarks, strings.ToLower(h))
	h = strings.ReplaceAll(h, "ß", "ss")
	h = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, h)
	return strings.Join(strings.Fields(h), " ")
}

var phoneLike = regexp.MustCompile(`^\+?[0-9 ().\-/]{7,25}$`)

// suggestFromValues maps a column by what its values look like, when at
// least four in five of them (and two or more) are the same kind of thing.
func suggestFromValues(header string, values []string) ColumnMapping {
	var emails, urls, phones, n int
	for _, v := range values {
		v = strings.TrimSpace(UnguardFormula(v))
		if v == "" {
			continue
		}
		n++
		switch {
		case models.ValidateEmail(v) == "":
			emails++
		case webURL(v):
			urls++
		case phoneLike.MatchString(v) && digitCount(v) >= 7:
			phones++
		}
	}
	enough := func(k int) bool { return n >= 2 && k*5 >= n*4 }
	switch {
	case enough(emails):
		return ColumnMapping{Field: FieldEmail, Group: header}
	case enough(phones):
		return ColumnMapping{Field: FieldPhone, Group: header}
	case enough(urls):
		return ColumnMapping{Field: FieldSocialProfile, Group: header}
	}
	return ColumnMapping{Field: FieldIgnore}
}

func digitCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// rapportColumn maps a column of Rapport's own export back to its field.
func rapportColumn(header string) (ColumnMapping, bool) {
	h := foldName(header)
	for _, c := range rapportColumns {
		if foldName(c.header) == h {
			return c.mapping, true
		}
	}
	if m := rapportAddress.FindStringSubmatch(h); m != nil {
		f := map[string]Field{"label": FieldAddressLabel, "street": FieldStreet, "city": FieldCity,
			"region": FieldRegion, "postal code": FieldPostalCode, "country": FieldCountry}[m[2]]
		return ColumnMapping{Field: f, Group: "address " + m[1]}, true
	}
	if key, ok := strings.CutPrefix(h, customPrefix); ok && customKey.MatchString(key) {
		return ColumnMapping{Field: CustomField(key)}, true
	}
	return ColumnMapping{}, false
}
