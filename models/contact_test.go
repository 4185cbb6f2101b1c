package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// seq makes names unique within a run; the time makes them unique across
// runs of the same shared database under -count.
var seq atomic.Int64

func uniqueLabel(prefix string) string {
	return fmt.Sprintf("%s%d%d", prefix, time.Now().UnixNano()%1e9, seq.Add(1))
}

// newActor creates a user with role in the given departments and returns
// them as an actor.
func newTestActor(t testing.TB, db *models.DB, role models.Role, depts ...int64) models.Actor {
	t.Helper()
	u, err := db.CreateUser(context.Background(), models.UserRequest{
		Email: uniqueLabel("user") + "@example.com", Name: "Test " + string(role), Role: role,
		Password: "correct horse battery", DepartmentIDs: depts,
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u.Actor("session")
}

func newTestDepartment(t testing.TB, db *models.DB, name string) int64 {
	t.Helper()
	d, err := db.CreateDepartment(context.Background(), uniqueLabel(name))
	if err != nil {
		t.Fatalf("CreateDepartment: %v", err)
	}
	return d.ID
}

func mustCreateContact(t testing.TB, db *models.DB, actor models.Actor, req models.ContactRequest) *models.Contact {
	t.Helper()
	c, err := db.CreateContact(context.Background(), actor, req)
	if err != nil {
		t.Fatalf("CreateContact(%+v): %v", req, err)
	}
	return c
}

// validationFields returns the fields of a *ValidationError, or fails.
func validationFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *ValidationError", err)
	}
	return ve.Fields
}

func ptrTo[T any](v T) *T { return &v }

func TestContactRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		tag := uniqueLabel("roundtrip")
		company := uniqueLabel("Société Générale ")
		names := []struct{ given, family, display string }{
			{"José", "Álvarez", ""},
			{"Zoë", "Müller", ""},
			{"小明", "王", "王小明"},
			{"", "", "محمد"},
		}
		for _, n := range names {
			req := models.ContactRequest{
				GivenName: n.given, FamilyName: n.family, DisplayName: n.display,
				JobTitle:    "Head of <b>Sales</b> & Ops",
				CompanyName: company,
				Birthday:    "1984-07-21",
				About:       "Met at the fair.\n<script>alert(1)</script>",
				Emails: []models.EmailInput{
					{Address: "Work." + uniqueLabel("x") + "@Example.com", Label: "work"},
					{Address: uniqueLabel("home") + "@example.org", Label: "home", Primary: true},
				},
				Phones: []models.PhoneInput{
					{Number: "(650) 253-0000", Label: "office"},
					{Number: "+44 20 7946 0958", Label: "London"},
				},
				Addresses:      []models.AddressInput{{Label: "Office", Street: "1 Rue de Rivoli", City: "Paris", PostalCode: "75001", Country: "France"}, {}},
				Tags:           []string{" VIP ", "vip", tag, "Kunde"},
				SocialProfiles: []models.SocialProfileInput{{URL: "https://mastodon.social/@zoe"}, {URL: "https://example.com/blog", FeedURL: "https://example.com/feed.xml"}},
			}
			created := mustCreateContact(t, db, actor, req)
			got, err := db.Contact(ctx, actor, created.ID)
			if err != nil {
				t.Fatalf("Contact(%d): %v", created.ID, err)
			}
			if got.GivenName != n.given || got.FamilyName != n.family || got.DisplayName != n.display {
				t.Errorf("names = %q %q %q, want %q %q %q", got.GivenName, got.FamilyName, got.DisplayName, n.given, n.family, n.display)
			}
			if got.JobTitle != req.JobTitle || got.About != req.About {
				t.Errorf("HTML not kept as plain text: title %q, about %q", got.JobTitle, got.About)
			}
			if got.Version != 1 || got.Source != models.SourceManual || got.OwnerID == nil || *got.OwnerID != actor.UserID {
				t.Errorf("version, source, owner = %d, %s, %v", got.Version, got.Source, got.OwnerID)
			}
			if got.Birthday != "1984-07-21" {
				t.Errorf("birthday = %q", got.Birthday)
			}
			if got.Company == nil || got.Company.Name != company {
				t.Errorf("company = %+v, want %q", got.Company, company)
			}
			if len(got.Emails) != 2 || got.Emails[0].IsPrimary || !got.Emails[1].IsPrimary || got.Emails[0].Address != req.Emails[0].Address {
				t.Errorf("emails = %+v", got.Emails)
			}
			if len(got.Phones) != 2 || got.Phones[0].E164 != "+16502530000" || got.Phones[1].E164 != "+442079460958" ||
				!got.Phones[0].IsPrimary || got.Phones[0].Number != "(650) 253-0000" {
				t.Errorf("phones = %+v", got.Phones)
			}
			if len(got.Addresses) != 1 || got.Addresses[0].City != "Paris" {
				t.Errorf("addresses = %+v", got.Addresses)
			}
			if strings.Join(got.Tags, ",") != "Kunde,"+tag+",VIP" {
				t.Errorf("tags = %q, want Kunde, %s, VIP", got.Tags, tag)
			}
			if len(got.SocialProfiles) != 2 {
				t.Fatalf("profiles = %+v", got.SocialProfiles)
			}
			if p := got.SocialProfiles[0]; p.Network != "mastodon" || p.Handle != "@zoe@mastodon.social" || p.FeedURL != "https://mastodon.social/@zoe.rss" {
				t.Errorf("mastodon profile = %+v", p)
			}
			if p := got.SocialProfiles[1]; p.Network != "website" || p.FeedURL != "https://example.com/feed.xml" {
				t.Errorf("website profile = %+v", p)
			}
		}
		// The company was created once, then found by name.
		page, err := db.Contacts(ctx, actor, models.ContactListOptions{Tag: tag})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Contacts) != len(names) {
			t.Fatalf("listed %d contacts, want %d", len(page.Contacts), len(names))
		}
		for _, c := range page.Contacts {
			if c.CompanyID == nil || *c.CompanyID != *page.Contacts[0].CompanyID {
				t.Errorf("contact %d has company %v, want one shared company", c.ID, c.CompanyID)
			}
		}
	})
}

func TestContactValidation(t *testing.T) {
	long := strings.Repeat("x", 10000)
	cases := []struct {
		name  string
		req   models.ContactRequest
		field string
	}{
		{"no name, email or phone", models.ContactRequest{JobTitle: "CEO"}, "name"},
		{"only an unreadable phone", models.ContactRequest{Phones: []models.PhoneInput{{Number: "12"}}}, "name"},
		{"10,000-character name", models.ContactRequest{GivenName: long}, "given_name"},
		{"long family name", models.ContactRequest{FamilyName: long}, "family_name"},
		{"long about", models.ContactRequest{GivenName: "A", About: strings.Repeat("y", 10001)}, "about"},
		{"bad email", models.ContactRequest{GivenName: "A", Emails: []models.EmailInput{{Address: "not an email"}}}, "emails[0]"},
		{"display name in email", models.ContactRequest{GivenName: "A", Emails: []models.EmailInput{{Address: "Bob <bob@example.com>"}}}, "emails[0]"},
		{"two primary emails", models.ContactRequest{GivenName: "A", Emails: []models.EmailInput{
			{Address: "a@example.com", Primary: true}, {Address: "b@example.com", Primary: true}}}, "emails"},
		{"bad phone", models.ContactRequest{GivenName: "A", Phones: []models.PhoneInput{{Number: "12"}}}, "phones[0]"},
		{"letters for phone", models.ContactRequest{GivenName: "A", Phones: []models.PhoneInput{{Number: "call me"}}}, "phones[0]"},
		{"two primary phones", models.ContactRequest{GivenName: "A", Phones: []models.PhoneInput{
			{Number: "+16502530000", Primary: true}, {Number: "+442079460958", Primary: true}}}, "phones"},
		{"unknown phone region", models.ContactRequest{GivenName: "A", PhoneRegion: "XX", Phones: []models.PhoneInput{{Number: "650 253 0000"}}}, "phone_region"},
		{"javascript profile", models.ContactRequest{GivenName: "A", SocialProfiles: []models.SocialProfileInput{{URL: "javascript:alert(1)"}}}, "social_profiles[0]"},
		{"ftp profile", models.ContactRequest{GivenName: "A", SocialProfiles: []models.SocialProfileInput{{URL: "ftp://example.com/me"}}}, "social_profiles[0]"},
		{"bad birthday", models.ContactRequest{GivenName: "A", Birthday: "21/07/1984"}, "birthday"},
		{"future birthday", models.ContactRequest{GivenName: "A", Birthday: "2999-01-01"}, "birthday"},
		{"birthday without year, no such day", models.ContactRequest{GivenName: "A", Birthday: "--02-30"}, "birthday"},
		{"birthday without year, basic form", models.ContactRequest{GivenName: "A", Birthday: "--1225"}, "birthday"},
		{"long tag", models.ContactRequest{GivenName: "A", Tags: []string{strings.Repeat("t", 51)}}, "tags"},
		{"bad source", models.ContactRequest{GivenName: "A", Source: "carrier pigeon"}, "source"},
		{"unknown custom field", models.ContactRequest{GivenName: "A", CustomFields: map[string]string{"shoe_size_zz": "44"}}, "custom_fields.shoe_size_zz"},
		{"missing owner", models.ContactRequest{GivenName: "A", OwnerID: ptrTo(int64(1 << 40))}, "owner_id"},
		{"missing company", models.ContactRequest{GivenName: "A", CompanyID: ptrTo(int64(1 << 40))}, "company_id"},
	}
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.CreateContact(ctx, actor, tc.req)
				fields := validationFields(t, err)
				if fields[tc.field] == "" {
					t.Errorf("problems = %v, want one for %q", fields, tc.field)
				}
				if strings.Contains(tc.field, "custom_fields.") && !strings.Contains(fields[tc.field], "shoe_size_zz") {
					t.Errorf("message %q does not name the unknown field", fields[tc.field])
				}
			})
		}

		t.Run("accepted", func(t *testing.T) {
			accepted := []models.ContactRequest{
				{Emails: []models.EmailInput{{Address: uniqueLabel("only") + "@example.com"}}},
				{DisplayName: "محمد"},
				{GivenName: "王小明"},
				{FamilyName: "O'Brien-Łukasiewicz"},
				{GivenName: "A", Phones: []models.PhoneInput{{Number: "020 7946 0958"}}, PhoneRegion: "gb"},
				{GivenName: "A", Tags: []string{"  ", ""}, Addresses: []models.AddressInput{{}}},
			}
			for _, req := range accepted {
				if _, err := db.CreateContact(ctx, actor, req); err != nil {
					t.Errorf("CreateContact(%+v): %v", req, err)
				}
			}
		})
		t.Run("control characters", func(t *testing.T) {
			c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ann\x00a\u0007 ", FamilyName: "Line\nBreak"})
			if c.GivenName != "Anna" || c.FamilyName != "Line Break" {
				t.Errorf("names = %q, %q; want control characters removed", c.GivenName, c.FamilyName)
			}
		})
	})
}

// A contact known only by a phone number, as Android phone exports are
// full of, is saved and shown by its number wherever contacts are named.
func TestContactKnownOnlyByPhone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		company := uniqueLabel("Phone Co")
		c, err := db.CreateContact(ctx, actor, models.ContactRequest{CompanyName: company,
			Phones: []models.PhoneInput{{Number: "(415) 555-0123", Label: "mobile"}}})
		if err != nil {
			t.Fatalf("create phone-only contact: %v", err)
		}
		const shown = "(415) 555-0123"
		if c.Name() != shown {
			t.Errorf("Name() = %q, want the number %q", c.Name(), shown)
		}
		page, err := db.Contacts(ctx, actor, models.ContactListOptions{Query: "4155550123"})
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(page.Contacts, func(x models.Contact) bool { return x.ID == c.ID }); i < 0 {
			t.Errorf("search by the digits did not find the contact")
		} else if page.Contacts[i].Name() != shown {
			t.Errorf("listed as %q, want %q", page.Contacts[i].Name(), shown)
		}
		task, err := db.CreateTask(ctx, actor, models.TaskRequest{ContactID: c.ID, Title: "Call back"})
		if err != nil {
			t.Fatal(err)
		}
		if task, err = db.Task(ctx, actor, task.ID); err != nil || task.ContactName != shown {
			t.Errorf("task names its contact %q (%v), want %q", task.ContactName, err, shown)
		}
		// The company's timeline names each item's person, read apart
		// from the items.
		tl, err := db.Timeline(ctx, actor, models.TimelineOptions{CompanyID: *c.CompanyID})
		if err != nil {
			t.Fatal(err)
		}
		if len(tl.Items) == 0 {
			t.Fatal("the company's timeline is empty")
		}
		for _, it := range tl.Items {
			if it.ContactName != shown {
				t.Errorf("timeline item %d (%s) names its contact %q, want %q", it.ID, it.Kind, it.ContactName, shown)
			}
		}
	})
}

func TestContactUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		email := uniqueLabel("patch") + "@example.com"
		c := mustCreateContact(t, db, actor, models.ContactRequest{
			GivenName: "Zoë", FamilyName: "Müller", JobTitle: "Engineer",
			Emails: []models.EmailInput{{Address: email}}, Tags: []string{"a"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/zoe"}},
		})
		last := time.Date(2024, 3, 1, 12, 30, 0, 123456000, time.UTC)
		got, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{
			Version: c.Version, JobTitle: ptrTo("CTO"), LastContactedAt: &last,
			Phones:         &[]models.PhoneInput{{Number: "+1 650 253 0000"}},
			SocialProfiles: &[]models.SocialProfileInput{{URL: "https://github.com/zoe"}, {URL: "https://bsky.app/profile/zoe.bsky.social"}},
		})
		if err != nil {
			t.Fatalf("UpdateContact: %v", err)
		}
		if got.JobTitle != "CTO" || got.GivenName != "Zoë" || got.Version != 2 {
			t.Errorf("after patch: title %q, given %q, version %d", got.JobTitle, got.GivenName, got.Version)
		}
		if len(got.Emails) != 1 || len(got.Tags) != 1 || len(got.Phones) != 1 {
			t.Errorf("lists not in the patch changed: %d emails, %d tags, %d phones", len(got.Emails), len(got.Tags), len(got.Phones))
		}
		if got.LastContactedAt == nil || !got.LastContactedAt.Equal(last) {
			t.Errorf("last contacted = %v, want %v", got.LastContactedAt, last)
		}
		if len(got.SocialProfiles) != 2 || got.SocialProfiles[0].ID != c.SocialProfiles[0].ID || got.SocialProfiles[1].Network != "bluesky" {
			t.Errorf("profiles = %+v; want the GitHub row kept and Bluesky added", got.SocialProfiles)
		}

		// One audit event names the changed fields, old and new.
		admin := newTestActor(t, db, models.RoleAdmin)
		evs, err := db.AuditEvents(ctx, admin, models.AuditListOptions{Action: "contact.update", ActorID: actor.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 {
			t.Fatalf("%d contact.update events, want 1", len(evs))
		}
		var detail map[string]struct{ Old, New any }
		if err := json.Unmarshal([]byte(evs[0].Detail), &detail); err != nil {
			t.Fatal(err)
		}
		if d := detail["job_title"]; d.Old != "Engineer" || d.New != "CTO" {
			t.Errorf("audit job_title = %+v", d)
		}
		if _, ok := detail["given_name"]; ok || detail["phones"].New == nil || detail["last_contacted_at"].New == nil {
			t.Errorf("audit detail = %s; want job title, phones, last contacted and profiles only", evs[0].Detail)
		}

		// A patch that changes nothing saves nothing.
		same, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: got.Version, JobTitle: ptrTo(" CTO ")})
		if err != nil || same.Version != got.Version {
			t.Errorf("no-op patch: version %d, err %v; want version %d kept", same.Version, err, got.Version)
		}

		// Clearing.
		cleared, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: got.Version,
			LastContactedAt: &time.Time{}, Tags: &[]string{}, OwnerID: ptrTo(int64(0))})
		if err != nil {
			t.Fatal(err)
		}
		if cleared.LastContactedAt != nil || len(cleared.Tags) != 0 || cleared.OwnerID != nil {
			t.Errorf("not cleared: %v %v %v", cleared.LastContactedAt, cleared.Tags, cleared.OwnerID)
		}

		// The last name-bearing field cannot go when there is no email or
		// phone number; a phone number alone is enough.
		if _, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: cleared.Version,
			GivenName: ptrTo(""), FamilyName: ptrTo(""), Emails: &[]models.EmailInput{}, Phones: &[]models.PhoneInput{}}); validationFields(t, err)["name"] == "" {
			t.Errorf("removing every name, email and phone: %v", err)
		}
		if len(cleared.Phones) == 0 {
			t.Fatal("the contact has no phone to be known by")
		}
		byPhone, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: cleared.Version,
			GivenName: ptrTo(""), FamilyName: ptrTo(""), DisplayName: ptrTo(""), Emails: &[]models.EmailInput{}})
		if err != nil {
			t.Fatalf("a contact left with its phone number: %v", err)
		}
		if byPhone.Name() != cleared.Phones[0].Number {
			t.Errorf("a contact left with its phone number goes by %q, want %q", byPhone.Name(), cleared.Phones[0].Number)
		}
		if _, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{GivenName: ptrTo("x")}); validationFields(t, err)["version"] == "" {
			t.Errorf("patch without version: %v", err)
		}
		if _, err := db.UpdateContact(ctx, actor, 1<<40, models.ContactPatch{Version: 1, GivenName: ptrTo("x")}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("patching a missing contact: %v, want ErrNotFound", err)
		}
	})
}

func TestContactOptimisticConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ada", FamilyName: "Lovelace"})
		if _, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, JobTitle: ptrTo("first")}); err != nil {
			t.Fatalf("first patch: %v", err)
		}
		_, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, JobTitle: ptrTo("second")})
		if !errors.Is(err, models.ErrConflict) {
			t.Fatalf("second patch with the same version: %v, want ErrConflict", err)
		}
		var ce *models.ConflictError[models.Contact]
		if !errors.As(err, &ce) || ce.Current == nil {
			t.Fatalf("error %T does not carry the current contact", err)
		}
		if ce.Current.JobTitle != "first" || ce.Current.Version != c.Version+1 {
			t.Errorf("conflict carries title %q version %d, want first, %d", ce.Current.JobTitle, ce.Current.Version, c.Version+1)
		}
		stored, err := db.Contact(ctx, actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.JobTitle != "first" {
			t.Errorf("stored title = %q, want first", stored.JobTitle)
		}

		// Racing writers: exactly one of several patches at one version wins.
		const writers = 6
		errs := make(chan error, writers)
		for i := range writers {
			go func() {
				_, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: stored.Version, JobTitle: ptrTo(fmt.Sprint("racer ", i))})
				errs <- err
			}()
		}
		wins := 0
		for range writers {
			err := <-errs
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, models.ErrConflict):
				t.Errorf("racing patch: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d racing patches won, want exactly 1", wins)
		}
	})
}

func TestContactViewerCannotWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		member := newTestActor(t, db, models.RoleMember)
		viewer := newTestActor(t, db, models.RoleViewer)
		c := mustCreateContact(t, db, member, models.ContactRequest{GivenName: "Grace"})
		if _, err := db.CreateContact(ctx, viewer, models.ContactRequest{GivenName: "Nope"}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer create: %v", err)
		}
		if _, err := db.UpdateContact(ctx, viewer, c.ID, models.ContactPatch{Version: c.Version, GivenName: ptrTo("Nope")}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer update: %v", err)
		}
		if err := db.DeleteContact(ctx, viewer, c.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer delete: %v", err)
		}
		if _, err := db.CreateCompany(ctx, viewer, models.CompanyRequest{Name: "Nope"}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer create company: %v", err)
		}
		if _, err := db.Contact(ctx, viewer, c.ID); err != nil {
			t.Errorf("viewer read: %v", err)
		}
		stored, _ := db.Contact(ctx, member, c.ID)
		if stored.GivenName != "Grace" || stored.Version != c.Version {
			t.Errorf("contact changed by a viewer: %+v", stored)
		}
	})
}

func TestContactFailedSaveLeavesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		email := uniqueLabel("half") + "@example.com"
		company := uniqueLabel("Half Saved Ltd ")
		_, err := db.CreateContact(ctx, actor, models.ContactRequest{
			GivenName: "Half", CompanyName: company,
			Emails: []models.EmailInput{{Address: email}},
			Phones: []models.PhoneInput{{Number: "+1 650 253 0000"}, {Number: "not a phone"}},
		})
		if validationFields(t, err)["phones[1]"] == "" {
			t.Fatalf("err = %v, want a problem with phones[1]", err)
		}
		if n, err := db.CountContacts(ctx, actor, models.ContactListOptions{Email: email}); err != nil || n != 0 {
			t.Errorf("contacts with %s after a failed save: %d, %v", email, n, err)
		}
		if _, err := db.CompanyByNameOrDomain(ctx, actor, company); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("company of a failed save exists: %v", err)
		}

		// A contact whose company would be new but whose custom field is
		// unknown: the company is not created either.
		_, err = db.CreateContact(ctx, actor, models.ContactRequest{GivenName: "Half", CompanyName: company,
			CustomFields: map[string]string{"no_such_field_q": "1"}})
		if validationFields(t, err)["custom_fields.no_such_field_q"] == "" {
			t.Fatalf("err = %v", err)
		}
		if _, err := db.CompanyByNameOrDomain(ctx, actor, company); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("company of a failed save exists: %v", err)
		}

		// A failed update changes nothing, not even the fields that were valid.
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Whole", Emails: []models.EmailInput{{Address: email}}})
		_, err = db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, GivenName: ptrTo("Changed"),
			Emails: &[]models.EmailInput{{Address: "new-" + email}}, Phones: &[]models.PhoneInput{{Number: "555"}}})
		if validationFields(t, err)["phones[0]"] == "" {
			t.Fatalf("err = %v", err)
		}
		stored, err := db.Contact(ctx, actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.GivenName != "Whole" || stored.Version != c.Version || len(stored.Emails) != 1 || stored.Emails[0].Address != email {
			t.Errorf("failed update left changes: %+v", stored)
		}
	})
}

func TestContactDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		tag := uniqueLabel("del")
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Gone", Tags: []string{tag}})
		if err := db.DeleteContact(ctx, actor, c.ID); err != nil {
			t.Fatalf("DeleteContact: %v", err)
		}
		if _, err := db.Contact(ctx, actor, c.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleted contact by id: %v", err)
		}
		if n, _ := db.CountContacts(ctx, actor, models.ContactListOptions{Tag: tag}); n != 0 {
			t.Errorf("deleted contact counted")
		}
		if err := db.DeleteContact(ctx, actor, c.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
		admin := newTestActor(t, db, models.RoleAdmin)
		evs, _ := db.AuditEvents(ctx, admin, models.AuditListOptions{Action: "contact.delete", ActorID: actor.UserID})
		if len(evs) != 1 || evs[0].SubjectID == nil || *evs[0].SubjectID != c.ID {
			t.Errorf("audit = %+v", evs)
		}
	})
}

func TestContactDepartmentRestriction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		billing := newTestDepartment(t, db, "Billing")
		sales := newTestDepartment(t, db, "Sales")
		biller := newTestActor(t, db, models.RoleMember, billing)
		seller := newTestActor(t, db, models.RoleMember, sales)
		admin := newTestActor(t, db, models.RoleAdmin, sales)
		tag := uniqueLabel("secret")
		family := uniqueLabel("Restrictedson")
		hidden := mustCreateContact(t, db, biller, models.ContactRequest{GivenName: "Hidden", FamilyName: family,
			Tags: []string{tag}, RestrictedDepartmentID: &billing})
		mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "Open", FamilyName: family, Tags: []string{tag}})

		for _, tc := range []struct {
			name  string
			actor models.Actor
			sees  bool
		}{{"billing member", biller, true}, {"sales member", seller, false}, {"admin outside billing", admin, false}} {
			t.Run(tc.name, func(t *testing.T) {
				want := 1
				if tc.sees {
					want = 2
				}
				for _, opts := range []models.ContactListOptions{{Tag: tag}, {Query: family}, {Query: "hidden " + family}, {Query: family[:2], Tag: tag}} {
					page, err := db.Contacts(ctx, tc.actor, opts)
					if err != nil {
						t.Fatal(err)
					}
					n, err := db.CountContacts(ctx, tc.actor, opts)
					if err != nil {
						t.Fatal(err)
					}
					wantHere := want
					if strings.HasPrefix(opts.Query, "hidden") {
						wantHere = want - 1
					}
					if len(page.Contacts) != wantHere || n != int64(wantHere) {
						t.Errorf("%+v: listed %d, counted %d, want %d", opts, len(page.Contacts), n, wantHere)
					}
				}
				_, err := db.Contact(ctx, tc.actor, hidden.ID)
				if tc.sees && err != nil {
					t.Errorf("by id: %v", err)
				}
				if !tc.sees {
					if !errors.Is(err, models.ErrNotFound) {
						t.Errorf("by id: %v, want ErrNotFound", err)
					}
					if _, err := db.UpdateContact(ctx, tc.actor, hidden.ID, models.ContactPatch{Version: 1, GivenName: ptrTo("x")}); !errors.Is(err, models.ErrNotFound) {
						t.Errorf("update: %v, want ErrNotFound", err)
					}
					if err := db.DeleteContact(ctx, tc.actor, hidden.ID); !errors.Is(err, models.ErrNotFound) {
						t.Errorf("delete: %v, want ErrNotFound", err)
					}
				}
			})
		}

		// Nobody restricts a contact to a department they are not in.
		_, err := db.CreateContact(ctx, seller, models.ContactRequest{GivenName: "Sneaky", RestrictedDepartmentID: &billing})
		if validationFields(t, err)["restricted_department_id"] == "" {
			t.Errorf("restricting outside one's department: %v", err)
		}
		// Lifting the restriction makes the contact visible to all.
		open, err := db.UpdateContact(ctx, biller, hidden.ID, models.ContactPatch{Version: hidden.Version, RestrictedDepartmentID: ptrTo(int64(0))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Contact(ctx, seller, open.ID); err != nil {
			t.Errorf("after lifting the restriction: %v", err)
		}
	})
}
