package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestDuplicatesOf(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Sales")
		a := newTestActor(t, db, models.RoleMember, dept)
		company := uniqueLabel("Dup Co ")
		email := uniqueLabel("jo") + "@example.com"
		phone := "+1 212 555 " + uniqueLabel("")[len(uniqueLabel(""))-4:]
		orig := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "John", FamilyName: "Smithson", CompanyName: company,
			Emails: []models.EmailInput{{Address: email}}, Phones: []models.PhoneInput{{Number: phone}}})
		byEmail := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "J.", FamilyName: "S.", Emails: []models.EmailInput{{Address: "  " + email}}})
		byPhone := mustCreateContact(t, db, a, models.ContactRequest{DisplayName: "Front desk", Phones: []models.PhoneInput{{Number: phone}}})
		byName := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Jon", FamilyName: "Smithson", CompanyName: company})
		unrelated := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ann", FamilyName: "Other", CompanyName: company})

		dups, err := db.DuplicatesOf(ctx, a, orig.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64][]string{}
		for _, d := range dups {
			got[d.Contact.ID] = d.Reasons
		}
		for id, want := range map[int64]string{byEmail.ID: models.DuplicateEmail, byPhone.ID: models.DuplicatePhone, byName.ID: models.DuplicateName} {
			if !slices.Contains(got[id], want) {
				t.Errorf("contact %d: reasons %v, want %s", id, got[id], want)
			}
		}
		if _, ok := got[unrelated.ID]; ok {
			t.Error("a colleague with a different name is not a duplicate")
		}

		// Colleagues known only by their numbers go by names that look
		// alike; they are not the same person for it.
		desk := mustCreateContact(t, db, a, models.ContactRequest{CompanyName: company, Phones: []models.PhoneInput{{Number: "+49 30 901820"}}})
		fax := mustCreateContact(t, db, a, models.ContactRequest{CompanyName: company, Phones: []models.PhoneInput{{Number: "+49 30 901821"}}})
		if dups, err := db.DuplicatesOf(ctx, a, desk.ID); err != nil || slices.ContainsFunc(dups, func(d models.Duplicate) bool { return d.Contact.ID == fax.ID }) {
			t.Errorf("numbers of one company are taken for one person: %+v %v", dups, err)
		}

		// The pair list shows the email pair.
		found := false
		cursor := ""
		for range 50 {
			page, err := db.DuplicatePairs(ctx, a, cursor, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.Pairs {
				if p.A.ID == orig.ID && p.B.ID == byEmail.ID && slices.Contains(p.Reasons, models.DuplicateEmail) {
					found = true
				}
			}
			if page.NextCursor == "" || found {
				break
			}
			cursor = page.NextCursor
		}
		if !found {
			t.Error("DuplicatePairs does not list the shared-email pair")
		}

		// An address shared by more than 20 contacts is a shared mailbox,
		// not one person: its 300 pairs are not listed.
		// So is a name 25 contacts at one company go by.
		shared := uniqueLabel("info") + "@example.com"
		crowd := uniqueLabel("Crowd ")
		var team []int64
		for i := range 25 {
			team = append(team, mustCreateContact(t, db, a, models.ContactRequest{GivenName: fmt.Sprintf("Staff %d", i),
				Emails: []models.EmailInput{{Address: shared}}}).ID)
			team = append(team, mustCreateContact(t, db, a, models.ContactRequest{DisplayName: "Accounts Payable", CompanyName: crowd}).ID)
		}
		for cursor := ""; ; {
			page, err := db.DuplicatePairs(ctx, a, cursor, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.Pairs {
				if slices.Contains(team, p.A.ID) && slices.Contains(team, p.B.ID) {
					t.Fatalf("a mailbox or name shared by 25 is listed as duplicates: %d-%d", p.A.ID, p.B.ID)
				}
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
	})
}

func TestMergeAndUndo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Support")
		a := newTestActor(t, db, models.RoleMember, dept)
		email := uniqueLabel("ana") + "@example.com"
		survivor := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ana", FamilyName: "Lima", JobTitle: "Buyer",
			Emails: []models.EmailInput{{Address: email, Primary: true}}, Tags: []string{"vip"}})
		loser := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ana Maria", FamilyName: "Lima", JobTitle: "Head of Buying",
			Emails: []models.EmailInput{{Address: email}, {Address: uniqueLabel("am") + "@example.org"}},
			Phones: []models.PhoneInput{{Number: "+351 21 123 4567"}}, Tags: []string{"VIP", "portugal"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/" + uniqueLabel("ana")}}})
		call, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "call", Direction: "outbound", Channel: "phone",
			ContactIDs: []int64{loser.ID}, Subject: "Pricing question"})
		if err != nil {
			t.Fatal(err)
		}
		meeting, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "meeting", Direction: "outbound", Channel: "in_person",
			ContactIDs: []int64{survivor.ID, loser.ID}, Subject: "Kick-off"})
		if err != nil {
			t.Fatal(err)
		}

		// A stale version is refused.
		_, err = db.MergeContacts(ctx, a, models.MergeRequest{SurvivorID: survivor.ID, LoserID: loser.ID,
			SurvivorVersion: survivor.Version + 1, LoserVersion: loser.Version})
		if !errors.Is(err, models.ErrConflict) {
			t.Fatalf("stale merge: %v", err)
		}
		m, err := db.MergeContacts(ctx, a, models.MergeRequest{SurvivorID: survivor.ID, LoserID: loser.ID,
			SurvivorVersion: survivor.Version, LoserVersion: loser.Version, Take: map[string]string{"job_title": "loser"}})
		if err != nil {
			t.Fatal(err)
		}
		merged, err := db.Contact(ctx, a, survivor.ID)
		if err != nil {
			t.Fatal(err)
		}
		if merged.GivenName != "Ana" || merged.JobTitle != "Head of Buying" {
			t.Errorf("chosen fields: %q %q", merged.GivenName, merged.JobTitle)
		}
		if len(merged.Emails) != 2 || len(merged.Phones) != 1 || len(merged.SocialProfiles) != 1 || len(merged.Tags) != 2 {
			t.Errorf("lists not combined: %d emails, %d phones, %d profiles, tags %v", len(merged.Emails), len(merged.Phones), len(merged.SocialProfiles), merged.Tags)
		}
		if merged.PrimaryEmail().Address != email {
			t.Error("the survivor's primary email must stay primary")
		}
		if _, err := db.Contact(ctx, a, loser.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("merged-away contact still visible: %v", err)
		}
		tl, err := db.Timeline(ctx, a, models.TimelineOptions{ContactID: survivor.ID, Kinds: []models.TimelineKind{models.TimelineInteraction}, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		refs := map[int64]int{}
		for _, it := range tl.Items {
			if it.Ref != nil {
				refs[it.Ref.ID]++
			}
		}
		if refs[call.ID] != 1 || refs[meeting.ID] != 1 {
			t.Fatalf("after the merge the survivor's timeline should hold the call once and the meeting once: %v", refs)
		}

		if _, err := db.UndoMerge(ctx, a, m.ID); err != nil {
			t.Fatal(err)
		}
		back, err := db.Contact(ctx, a, loser.ID)
		if err != nil || back.GivenName != "Ana Maria" || len(back.Emails) != 2 {
			t.Fatalf("undo did not bring the contact back: %+v %v", back, err)
		}
		restored, _ := db.Contact(ctx, a, survivor.ID)
		if restored.JobTitle != "Buyer" || len(restored.Emails) != 1 || len(restored.Phones) != 0 || len(restored.Tags) != 1 {
			t.Errorf("undo did not restore the survivor: %q %d emails %d phones %v", restored.JobTitle, len(restored.Emails), len(restored.Phones), restored.Tags)
		}
		tl, _ = db.Timeline(ctx, a, models.TimelineOptions{ContactID: loser.ID, Kinds: []models.TimelineKind{models.TimelineInteraction}, Limit: 50})
		refs = map[int64]int{}
		for _, it := range tl.Items {
			if it.Ref != nil {
				refs[it.Ref.ID]++
			}
		}
		if refs[call.ID] != 1 || refs[meeting.ID] != 1 {
			t.Fatalf("undo should give the call and meeting back: %v", refs)
		}
		if _, err := db.UndoMerge(ctx, a, m.ID); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("a second undo: %v", err)
		}
	})
}

func TestUndoRefusedAfterLaterEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		s := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Keep", FamilyName: uniqueLabel("K")})
		l := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Gone", FamilyName: uniqueLabel("G")})
		m, err := db.MergeContacts(ctx, a, models.MergeRequest{SurvivorID: s.ID, LoserID: l.ID, SurvivorVersion: s.Version, LoserVersion: l.Version})
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := db.Contact(ctx, a, s.ID)
		if _, err := db.UpdateContact(ctx, a, s.ID, models.ContactPatch{Version: cur.Version, JobTitle: ptrTo("Edited later")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UndoMerge(ctx, a, m.ID); !errors.Is(err, models.ErrMergeChangedSince) {
			t.Fatalf("undo after later edits: %v", err)
		}
		viewer := newTestActor(t, db, models.RoleViewer)
		if _, err := db.MergeContacts(ctx, viewer, models.MergeRequest{SurvivorID: s.ID, LoserID: l.ID}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer merging: %v", err)
		}
	})
}
