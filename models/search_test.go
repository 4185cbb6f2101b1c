package models_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestContactSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		tag := uniqueLabel("search")
		company := uniqueLabel("Acme Widgets ")
		create := func(req models.ContactRequest) int64 {
			req.Tags = append(req.Tags, tag)
			return mustCreateContact(t, db, actor, req).ID
		}
		jose := create(models.ContactRequest{GivenName: "José", FamilyName: "Álvarez", JobTitle: "Chief Cartographer",
			Emails: []models.EmailInput{{Address: "jose.alvarez@example.org"}}, CompanyName: company})
		zoe := create(models.ContactRequest{GivenName: "Zoë", FamilyName: "Müller", Tags: []string{"Gold Customer"},
			Phones: []models.PhoneInput{{Number: "(650) 253-0000"}}})
		wang := create(models.ContactRequest{DisplayName: "王小明", FamilyName: "王", GivenName: "小明"})
		mohammed := create(models.ContactRequest{DisplayName: "محمد", Emails: []models.EmailInput{{Address: "m.100@example.net"}}})
		straße := create(models.ContactRequest{GivenName: "Jörg", FamilyName: "Straße", Phones: []models.PhoneInput{{Number: "+44 20 7946 0958"}}})
		ext := create(models.ContactRequest{GivenName: "Extension", FamilyName: "Owner", Phones: []models.PhoneInput{{Number: "+1 212 555 0123 ext. 77"}}})

		cases := []struct {
			query string
			want  []int64
		}{
			{"alvarez", []int64{jose}},
			{"ÁLVAREZ", []int64{jose}},
			{"alva", []int64{jose}},
			{"jose alv", []int64{jose}},
			{"josé álvarez", []int64{jose}},
			{"zoe", []int64{zoe}},
			{"muller", []int64{zoe}},
			{"müll", []int64{zoe}},
			{"jose.alvarez@", []int64{jose}},
			{"example.org", []int64{jose}},
			{"EXAMPLE.NET", []int64{mohammed}},
			{"2530000", []int64{zoe}},
			{"650-253-0000", []int64{zoe}},
			{"650 253", []int64{zoe}},
			{"+16502530000", []int64{zoe}},
			{"7946 0958", []int64{straße}},
			{"020 7946 0958", []int64{straße}},
			// As typed, though the search text holds only the digit forms.
			{"(650) 253-0000", []int64{zoe}},
			{"+44 20 7946 0958", []int64{straße}},
			{"+44 (0)20 7946-0958", []int64{straße}},
			// What is more than digits stays as typed.
			{"ext. 77", []int64{ext}},
			{company, []int64{jose}},
			{"acme widg", []int64{jose}},
			{"gold cust", []int64{zoe}},
			{tag, []int64{jose, zoe, wang, mohammed, straße, ext}},
			{"cartographer", []int64{jose}},
			{"王小明", []int64{wang}},
			{"محمد", []int64{mohammed}},
			{"strasse", []int64{straße}},
			{"jorg", []int64{straße}},
			// Short queries match the start of the name key (family first).
			{"al", []int64{jose}},
			{"王", []int64{wang}},
			{"mü", []int64{zoe}},
			// A short word beside a long one filters what the long one found.
			{"zoe mu", []int64{zoe}},
			{"zoe al", nil},
			{"nobody-by-this-name", nil},
			{`"; DROP TABLE contacts; --`, nil},
			{`50% _off_ \`, nil},
		}
		for _, tc := range cases {
			t.Run(tc.query, func(t *testing.T) {
				page, err := db.Contacts(ctx, actor, models.ContactListOptions{Query: tc.query, Tag: tag, Limit: 200})
				if err != nil {
					t.Fatalf("Contacts: %v", err)
				}
				var got []int64
				for _, c := range page.Contacts {
					got = append(got, c.ID)
				}
				slices.Sort(got)
				want := slices.Clone(tc.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("found %v, want %v", got, want)
				}
				n, err := db.CountContacts(ctx, actor, models.ContactListOptions{Query: tc.query, Tag: tag})
				if err != nil || n != int64(len(want)) {
					t.Errorf("count = %d, %v; want %d", n, err, len(want))
				}
			})
		}

		t.Run("exact lookups", func(t *testing.T) {
			for _, opts := range []models.ContactListOptions{
				{Email: " JOSE.Alvarez@example.org ", Tag: tag},
				{Phone: "650.253.0000", Tag: tag},
				{Phone: "+44 20 7946 0958", Tag: tag},
				{Phone: "020 7946 0958", PhoneRegion: "GB", Tag: tag},
			} {
				n, err := db.CountContacts(ctx, actor, opts)
				if err != nil || n != 1 {
					t.Errorf("%+v: %d, %v; want 1", opts, n, err)
				}
			}
			_, err := db.Contacts(ctx, actor, models.ContactListOptions{Phone: "12"})
			if validationFields(t, err)["phone"] == "" {
				t.Errorf("bad phone lookup: %v", err)
			}
		})

		t.Run("edits reach the index", func(t *testing.T) {
			c, err := db.Contact(ctx, actor, wang)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.UpdateContact(ctx, actor, wang, models.ContactPatch{Version: c.Version, JobTitle: ptrTo("Lighthouse keeper")}); err != nil {
				t.Fatal(err)
			}
			if n, _ := db.CountContacts(ctx, actor, models.ContactListOptions{Query: "lighthouse", Tag: tag}); n != 1 {
				t.Errorf("new title not found: %d", n)
			}
			// A company's new name reaches its contacts' search text.
			co, err := db.CompanyByNameOrDomain(ctx, actor, company)
			if err != nil {
				t.Fatal(err)
			}
			renamed := uniqueLabel("Globex ")
			if _, err := db.UpdateCompany(ctx, actor, co.ID, models.CompanyPatch{Version: co.Version, Name: &renamed}); err != nil {
				t.Fatal(err)
			}
			if n, _ := db.CountContacts(ctx, actor, models.ContactListOptions{Query: renamed, Tag: tag}); n != 1 {
				t.Errorf("contact not found by the company's new name")
			}
			if n, _ := db.CountContacts(ctx, actor, models.ContactListOptions{Query: company, Tag: tag}); n != 0 {
				t.Errorf("contact still found by the company's old name")
			}
			// Deleted contacts drop out of search.
			if err := db.DeleteContact(ctx, actor, mohammed); err != nil {
				t.Fatal(err)
			}
			if n, _ := db.CountContacts(ctx, actor, models.ContactListOptions{Query: "محمد", Tag: tag}); n != 0 {
				t.Errorf("deleted contact found")
			}
		})
	})
}

// TestContactSearchPastTheWalk pages a search over a list longer than the
// stretch a search walks in order before it asks the index (2,000 rows):
// matches inside that stretch and after it come in one order, each once,
// across pages and sort orders, and contacts the person may not see stay
// out whichever way a row was found.
func TestContactSearchPastTheWalk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		finance := newTestDepartment(t, db, "Finance")
		a := newTestActor(t, db, models.RoleMember, sales)
		creator := newTestActor(t, db, models.RoleMember, sales, finance)
		tag := uniqueLabel("walk")
		var early, late, hidden []int64
		err := db.BulkTx(ctx, func(tx *models.DB) error {
			b := models.NewContactBatch(creator, "Imported from walk.csv")
			add := func(given, family, title string, dept *int64) error {
				return b.Add(ctx, tx, models.ContactRequest{GivenName: given, FamilyName: family, JobTitle: title,
					Tags: []string{tag}, RestrictedDepartmentID: dept, Source: models.SourceImport})
			}
			// In name order (family name first): 3 matches, 2,050 rows
			// that do not match, 60 matches; hidden matches among both.
			for i := range 3 {
				if err := add("Quokka", fmt.Sprintf("Aa%d", i), "", nil); err != nil {
					return err
				}
			}
			if err := add("Quokka", "Ab hidden", "", &finance); err != nil {
				return err
			}
			for i := range 2050 {
				if err := add("Filler", fmt.Sprintf("B%04d", i), "", nil); err != nil {
					return err
				}
			}
			for i := range 60 {
				given := "Quokka"
				if i < 10 {
					given += " Xq"
				}
				if err := add(given, fmt.Sprintf("C%03d", i), "Late riser", nil); err != nil {
					return err
				}
			}
			if err := add("Quokka", "Cz hidden", "Late riser", &finance); err != nil {
				return err
			}
			ids, err := b.Flush(ctx, tx)
			if err != nil {
				return err
			}
			early, hidden, late = ids[:3], []int64{ids[3], ids[len(ids)-1]}, ids[2054:2114]
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		all := func(opts models.ContactListOptions) []int64 {
			t.Helper()
			var got []int64
			for pages := 0; ; pages++ {
				page, err := db.Contacts(ctx, a, opts)
				if err != nil {
					t.Fatalf("%+v: %v", opts, err)
				}
				for _, c := range page.Contacts {
					got = append(got, c.ID)
				}
				if page.NextCursor == "" || pages > 10 {
					return got
				}
				opts.Cursor = page.NextCursor
			}
		}
		reversed := func(ids []int64) []int64 {
			r := slices.Clone(ids)
			slices.Reverse(r)
			return r
		}
		cases := []struct {
			name string
			opts models.ContactListOptions
			want []int64
		}{
			{"by name, found by walking and through the index", models.ContactListOptions{Query: "quokka", Tag: tag},
				append(slices.Clone(early), late...)},
			{"nothing in the walk", models.ContactListOptions{Query: "quokka riser", Tag: tag}, late},
			{"a short word filters both", models.ContactListOptions{Query: "quokka xq", Tag: tag}, late[:10]},
			{"newest first", models.ContactListOptions{Query: "quokka", Tag: tag, Sort: models.ContactSortCreated},
				reversed(append(slices.Clone(early), late...))},
			{"pages of 7", models.ContactListOptions{Query: "quokka", Tag: tag, Limit: 7}, nil}, // only length checked
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := all(tc.opts)
				for _, id := range hidden {
					if slices.Contains(got, id) {
						t.Fatalf("hidden contact %d listed", id)
					}
				}
				if tc.want == nil {
					if len(got) != 63 || len(got) != len(slices.Compact(slices.Sorted(slices.Values(got)))) {
						t.Fatalf("%d contacts (want 63, each once)", len(got))
					}
					return
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("got %d contacts %v\nwant %d %v", len(got), got, len(tc.want), tc.want)
				}
			})
		}
	})
}

// BenchmarkContactSearch measures a search over a few thousand contacts on
// SQLite, where the FTS5 trigram table does the work.
func BenchmarkContactSearch(b *testing.B) {
	db, _ := dbtest.Fresh(b, "sqlite")
	ctx := context.Background()
	u, err := db.CreateUser(ctx, models.UserRequest{Email: "bench@example.com", Name: "Bench", Role: models.RoleMember, Password: "correct horse battery"})
	if err != nil {
		b.Fatal(err)
	}
	actor := u.Actor("session")
	given := []string{"José", "Zoë", "Ana", "Björn", "Chloé", "Dmitri", "Émile", "Fatima", "Grace", "Hiro"}
	family := []string{"Álvarez", "Müller", "Smith", "Øberg", "Nguyễn", "Kowalski", "O'Brien", "Tanaka", "Haddad", "Dubois"}
	const rows = 3000
	for i := range rows {
		_, err := db.CreateContact(ctx, actor, models.ContactRequest{
			GivenName: given[i%len(given)], FamilyName: fmt.Sprintf("%s%d", family[(i/10)%len(family)], i),
			Emails:      []models.EmailInput{{Address: fmt.Sprintf("person%d@example%d.com", i, i%50)}},
			Phones:      []models.PhoneInput{{Number: fmt.Sprintf("+1 650 253 %04d", i)}},
			CompanyName: fmt.Sprintf("Company %d", i%100),
			Tags:        []string{fmt.Sprintf("tag%d", i%20)},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{"alvarez", "example7.com", "253 01", "company 42", "sm"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				page, err := db.Contacts(ctx, actor, models.ContactListOptions{Query: q, Limit: 50})
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Contacts) == 0 {
					b.Fatalf("%q found nothing", q)
				}
			}
		})
	}
}

// TestSearchIgnoresControlCharacters searches with NULs and other control
// characters, as a URL can carry them (%00): they separate words as spaces
// do, so a search neither fails (FTS5 read a NUL as the end of its query,
// Postgres refuses NUL in text) nor misses what the rest of it names.
func TestSearchIgnoresControlCharacters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		tag := uniqueLabel("ctl")
		family := uniqueLabel("Quillfeather")
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ada", FamilyName: family, Tags: []string{tag}})
		for _, q := range []string{"\x00" + family, family + "\x00", "\x00\x00\x00", "ab\x00", "\x00ada\x01 " + family,
			"qu\x00", "\x1f" + family[:6] + "\x7f", "\x00\"" + family + "\"\x00"} {
			page, err := db.Contacts(ctx, actor, models.ContactListOptions{Query: q, Tag: tag})
			if err != nil {
				t.Errorf("Contacts(%q): %v", q, err)
				continue
			}
			wantFound := q != "ab\x00" && q != "\x00\""+family+"\"\x00"
			if got := len(page.Contacts) == 1 && page.Contacts[0].ID == c.ID; got != wantFound {
				t.Errorf("Contacts(%q) found %d contacts, want our contact: %v", q, len(page.Contacts), wantFound)
			}
		}

		word := uniqueLabel("wombat")
		n := mustCreateNote(t, db, actor, models.NoteRequest{ContactID: c.ID, Body: "Met at the " + word + " fair"})
		for _, q := range []string{"\x00" + word, word + "\x00", "\x00" + word + " fa\x00ir"} {
			res, err := db.SearchNotes(ctx, actor, q, "", 10)
			if err != nil {
				t.Errorf("SearchNotes(%q): %v", q, err)
				continue
			}
			if len(res.Results) != 1 || res.Results[0].ID != n.ID {
				t.Errorf("SearchNotes(%q) = %+v, want the note", q, res.Results)
			}
		}
		// Only NULs leave no word to search for: the person is told so.
		_, err := db.SearchNotes(ctx, actor, "\x00\x00\x00", "", 10)
		if validationFields(t, err)["q"] == "" {
			t.Errorf("SearchNotes of NULs: %v, want a message on q", err)
		}

		// The filters a caller names (the CLI's export --tag, a direct
		// call) are compared as the text they would be stored as, so
		// Postgres never refuses them (error 22021) and a tag written
		// with a stray NUL still finds its contacts.
		for _, opts := range []models.ContactListOptions{{Tag: "\xff"}, {Tag: "a\x00b"}, {Email: "a\x00b@example.com"}, {Email: "\xfe@example.com"}} {
			if page, err := db.Contacts(ctx, actor, opts); err != nil || len(page.Contacts) != 0 {
				t.Errorf("Contacts(%+v): %v, %d contacts", opts, err, len(page.Contacts))
			}
		}
		if page, err := db.Contacts(ctx, actor, models.ContactListOptions{Tag: tag + "\x00"}); err != nil || len(page.Contacts) != 1 {
			t.Errorf("Contacts(tag with a NUL): %v %+v", err, page)
		}
		for _, q := range []string{"a\x00", "\xff\xfe", "www.\x00"} {
			if _, err := db.Companies(ctx, actor, models.CompanyListOptions{Query: q}); err != nil {
				t.Errorf("Companies(%q): %v", q, err)
			}
		}
		im, err := db.CreateImport(ctx, actor, models.ImportRequest{Filename: "caf\xe9\x00.csv"})
		if err != nil || im.Filename != "caf\uFFFD.csv" {
			t.Errorf("an import of a file named in Latin-1: %v %+v", err, im)
		}
	})
}
