package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"rapport/app/csvio"
	"rapport/models"
	"rapport/models/dbtest"
)

// demoUsers returns a fresh database of dialect d holding the demo's
// users and no contacts.
func demoUsers(t *testing.T, d string) string {
	t.Helper()
	url := dbtest.FreshURL(t, d)
	if r := run(t, url, "", "demo", "--contacts", "0", "--interactions", "0"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	return url
}

// contactsOf opens url and returns, keyed by primary email, what each
// contact the user may see would be recreated from.
func contactsOf(t *testing.T, url, email string) map[string]string {
	t.Helper()
	ctx := context.Background()
	db, err := models.Open(ctx, url, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err = db.EachContact(ctx, u.Actor("cli"), models.ContactListOptions{}, func(cs []models.Contact) error {
		for _, c := range cs {
			r := csvio.RequestFor(c)
			r.OwnerID = nil // user IDs differ between the databases
			slices.Sort(r.Tags)
			b, _ := json.Marshal(r)
			key := c.Name()
			if e := c.PrimaryEmail(); e != nil {
				key = e.Address
			}
			out[key] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportCommandRoundTrip exports a database's contacts and imports
// them into another with the suggested mapping: every contact and field
// comes back, non-ASCII names and multi-line notes included.
func TestImportCommandRoundTrip(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			src, dst := dbtest.FreshURL(t, d), dbtest.FreshURL(t, d)
			if r := run(t, src, "", "demo", "--contacts", "30", "--interactions", "0"); r.code != 0 {
				t.Fatalf("demo: %+v", r)
			}
			ctx := context.Background()
			db, err := models.Open(ctx, src, models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := db.UserByEmail(ctx, "dana.demo@example.com")
			if _, err := db.CreateContact(ctx, u.Actor("cli"), models.ContactRequest{GivenName: "Zoë", FamilyName: "Ångström-Núñez",
				About: "Line one,\n\"quoted\" line two\n\n=SUM(A1)", Emails: []models.EmailInput{{Address: "zoe@example.org"}},
				Tags: []string{"Café", "vip"}, CustomFields: nil}); err != nil {
				t.Fatal(err)
			}
			db.Close()
			r := run(t, src, "", "export", "--as", "dana.demo@example.com")
			if r.code != 0 {
				t.Fatalf("export: %+v", r)
			}
			file := filepath.Join(t.TempDir(), "contacts.csv")
			if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			// The same users in the target, so owners resolve.
			if r := run(t, dst, "", "demo", "--contacts", "0", "--interactions", "0"); r.code != 0 {
				t.Fatalf("demo users: %+v", r)
			}
			dstDB, _ := models.Open(ctx, dst, models.Options{})
			n, _ := dstDB.CountContacts(ctx, models.Actor{Role: models.RoleAdmin}, models.ContactListOptions{})
			dstDB.Close()
			want := contactsOf(t, src, "dana.demo@example.com")
			if len(want) < 2 || want["zoe@example.org"] == "" {
				t.Fatalf("source holds %d contacts", len(want))
			}

			dry := run(t, dst, "", "import", "--as", "dana.demo@example.com", "--dry-run", file)
			if dry.code != 0 || !strings.Contains(dry.stderr, "dry run") {
				t.Fatalf("dry run: %+v", dry)
			}
			imp := run(t, dst, "", "import", "--as", "dana.demo@example.com", file)
			if imp.code != 0 || strings.Contains(imp.stderr, "rejected rows") {
				t.Fatalf("import: %+v", imp)
			}
			got := contactsOf(t, dst, "dana.demo@example.com")
			if int64(len(got)) != int64(len(want))+n {
				t.Errorf("%d contacts after import, want %d", len(got), int64(len(want))+n)
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("contact %s:\n got %s\nwant %s", k, got[k], w)
				}
			}
		})
	}
}

func TestImportCommandRejectsRows(t *testing.T) {
	url := demoUsers(t, "sqlite")
	file := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(file, []byte("Name,Email,Notes\n,,just a note\n"), 0o600)
	r := run(t, url, "", "import", "--as", "dana.demo@example.com", file)
	if r.code == 0 || !strings.Contains(r.stderr, "nothing could be imported") {
		t.Fatalf("all rows rejected must fail: %+v", r)
	}
	b, err := os.ReadFile(file + ".rejected.csv")
	if err != nil || !strings.HasPrefix(string(b), "Name,Email,Notes,error\n,,just a note,") {
		t.Fatalf("rejected file: %q %v", b, err)
	}
	// A row imported with a value left out is listed in the problems file.
	os.WriteFile(file, []byte("Name,Email,Birthday\nAda,ada@example.test,31/02/1990\n"), 0o600)
	r = run(t, url, "", "import", "--as", "dana.demo@example.com", file)
	p, err := os.ReadFile(file + ".problems.csv")
	if r.code != 0 || !strings.Contains(r.stderr, "values left out of imported rows: 1;") || !strings.Contains(string(p), `""31/02/1990"" is not a real date`) {
		t.Fatalf("values left out: %+v %q %v", r, p, err)
	}
	if r := run(t, url, "", "import", file); r.code != 2 {
		t.Fatalf("import without --as: %+v", r)
	}
}

// TestImportCommandPhoneRegion imports a German list whose numbers have no
// country code with --phone-region DE: the numbers are kept.
func TestImportCommandPhoneRegion(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := demoUsers(t, d)
			file := filepath.Join(t.TempDir(), "de.csv")
			os.WriteFile(file, []byte("Vorname;Nachname;E-Mail;Telefon\r\nGünther;Maß;g@example.de;0171 2345678\r\n"), 0o600)
			if r := run(t, url, "", "import", "--as", "dana.demo@example.com", "--phone-region", "Germany", file); r.code == 0 || !strings.Contains(r.stderr, "two-letter code") {
				t.Fatalf("unknown region: %+v", r)
			}
			if r := run(t, url, "", "import", "--as", "dana.demo@example.com", "--phone-region", "de", file); r.code != 0 || strings.Contains(r.stderr, "left out") {
				t.Fatalf("import: %+v", r)
			}
			got := contactsOf(t, url, "dana.demo@example.com")["g@example.de"]
			if !strings.Contains(got, `"number":"+49 171 2345678"`) {
				t.Errorf("contact: %s", got)
			}
		})
	}
}
