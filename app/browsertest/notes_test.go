package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// Two people in different departments edit the same note at once, each in
// a browser of their own: the first save wins, the second gets the
// conflict with both versions and a diff instead of overwriting, merges,
// and the history shows both revisions. The key facts behave the same.
func TestNoteConflictJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		support := apptest.User(t, db, models.RoleMember, "Support")
		billing := apptest.User(t, db, models.RoleMember, "Billing")
		ct, err := db.CreateContact(ctx, support.Actor("session"), models.ContactRequest{GivenName: "Zoë", FamilyName: "Müller", CompanyName: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.CreateNote(ctx, support.Actor("session"), models.NoteRequest{ContactID: ct.ID, Body: "Prefers email.\nRenews in March."})
		if err != nil {
			t.Fatal(err)
		}
		contactPage := fmt.Sprintf("/contacts/%d", ct.ID)
		note := fmt.Sprintf("#note-%d", n.ID)
		editor := fmt.Sprintf("#edit-%d", n.ID)

		sp := b.Open(t, srv.URL, browsertest.Desktop)
		sp.SignIn(support.Email, apptest.Password)
		bp := b.Open(t, srv.URL, browsertest.Desktop)
		bp.SignIn(billing.Email, apptest.Password)

		// Both open the edit form before either saves.
		for _, p := range []*browsertest.Page{sp, bp} {
			p.Go(contactPage)
			p.Click(note + " a[href$='/edit']")
			waitFor(t, p, func() bool { return p.Visible(editor) })
		}
		sp.Fill(editor, "Prefers email.\nRenews in March.\nRefund approved by Support.")
		sp.Click(note + " form.note-edit button[type=submit]")
		waitFor(t, sp, func() bool {
			return strings.Contains(textOf(sp, note), "Refund approved by Support.") && !sp.Visible(editor)
		})

		bp.Fill(editor, "Prefers phone calls.\nRenews in March.")
		bp.Click(note + " form.note-edit button[type=submit]")
		waitFor(t, bp, func() bool { return bp.Visible(note + " .conflict") })
		conflict := bp.Text(note + " .conflict")
		for _, want := range []string{support.Name + " · Support saved this note", "Your text", "Prefers phone calls.",
			"Saved now (version 2)", "Refund approved by Support."} {
			if !strings.Contains(conflict, want) {
				t.Errorf("the conflict box does not say %q: %q", want, conflict)
			}
		}
		if ins := textOf(bp, note+" .diff ins"); ins != "Prefers phone calls." {
			t.Errorf("the diff's first added line = %q, want the billing text", ins)
		}
		if del := textOf(bp, note+" .diff del"); del != "Prefers email." {
			t.Errorf("the diff's first removed line = %q, want the saved text", del)
		}
		if got := bp.Value(editor); got != "Prefers phone calls.\nRenews in March." {
			t.Errorf("the billing text was not kept in the form: %q", got)
		}
		bp.CheckFits()
		bp.Screenshot("billing-note-conflict")

		merged := "Prefers phone calls.\nRenews in March.\nRefund approved by Support."
		bp.Fill(editor, merged)
		if label := bp.Text(note + " form.note-edit button[type=submit]"); label != "Save merged note" {
			t.Errorf("the save button reads %q after a conflict", label)
		}
		bp.Click(note + " form.note-edit button[type=submit]")
		waitFor(t, bp, func() bool {
			return strings.Contains(textOf(bp, note), "Prefers phone calls.") && !bp.Visible(editor)
		})
		if got := bp.Text(note + " .markdown"); !strings.Contains(got, "Refund approved by Support.") {
			t.Errorf("the merged note lost the support text: %q", got)
		}
		bp.Screenshot("billing-note-merged")

		// The history lists the original and both saves, each attributed.
		sp.Go(fmt.Sprintf("/notes/%d/history", n.ID))
		// Version and author cells of each row, newest first.
		rows := browsertest.Eval[[]string](sp, `[...document.querySelectorAll("table.revisions tbody tr")]
			.map(tr => [...tr.cells].slice(2, 4).map(td => td.textContent.trim().replace(/\s+/g, " ")).join(" | "))`)
		if len(rows) != 3 {
			t.Fatalf("history rows = %q, want 3 revisions", rows)
		}
		for i, want := range []string{"3 current | " + billing.Name + " · Billing", "2 | " + support.Name + " · Support", "1 | " + support.Name + " · Support"} {
			if rows[i] != want {
				t.Errorf("history row %d = %q, want %q", i, rows[i], want)
			}
		}
		if diff := sp.Text(".diff"); !strings.Contains(diff, "Prefers phone calls.") || !strings.Contains(diff, "Prefers email.") {
			t.Errorf("the history's diff of the last two versions = %q", diff)
		}
		sp.Screenshot("support-note-history")

		// Key facts: the same race on the pinned card.
		for _, p := range []*browsertest.Page{sp, bp} {
			p.Go(contactPage)
			p.Click("#key-facts a[href$='/key-facts/edit']")
			waitFor(t, p, func() bool { return p.Visible("#f-key-facts") })
		}
		sp.Fill("#f-key-facts", "Open billing dispute: talk to Billing first.")
		sp.Click("#key-facts button[type=submit]")
		waitFor(t, sp, func() bool {
			return !sp.Visible("#f-key-facts") && strings.Contains(textOf(sp, "#key-facts"), "talk to Billing first")
		})
		bp.Fill("#f-key-facts", "Contract renews in March.")
		bp.Click("#key-facts button[type=submit]")
		waitFor(t, bp, func() bool { return bp.Visible("#key-facts .conflict") })
		if got := bp.Text("#key-facts .conflict"); !strings.Contains(got, support.Name+" · Support saved the key facts") ||
			!strings.Contains(got, "talk to Billing first") || !strings.Contains(got, "Contract renews in March.") {
			t.Errorf("the key facts conflict = %q", got)
		}
		bp.Screenshot("billing-key-facts-conflict")
		bp.Fill("#f-key-facts", "Open billing dispute: talk to Billing first.\nContract renews in March.")
		bp.Click("#key-facts button[type=submit]")
		waitFor(t, bp, func() bool { return !bp.Visible("#f-key-facts") })
		if got := bp.Text("#key-facts .markdown"); !strings.Contains(got, "talk to Billing first") || !strings.Contains(got, "renews in March") {
			t.Errorf("the merged key facts = %q", got)
		}
		bp.Go(contactPage + "/key-facts/history")
		if got := bp.VisibleTexts(".revision > p.small strong"); len(got) != 2 || got[0] != "Version 2" {
			t.Errorf("key facts history versions = %q, want versions 2 and 1", got)
		}
		if got := bp.Text("main"); !strings.Contains(got, billing.Name+" · Billing") || !strings.Contains(got, support.Name+" · Support") {
			t.Errorf("the key facts history does not name both editors: %q", got)
		}
		bp.Screenshot("billing-key-facts-history")
	})
}
