package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// newNoteUser creates a user who can be @mentioned and returns them with
// their handle.
func newNoteUser(t testing.TB, db *models.DB, role models.Role, depts ...int64) (models.Actor, string) {
	t.Helper()
	handle := uniqueLabel("nu.")
	u, err := db.CreateUser(context.Background(), models.UserRequest{
		Email: strings.ToUpper(handle) + "@example.com", Name: "Note " + handle, Role: role,
		Password: "correct horse battery", DepartmentIDs: depts,
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u.Actor("session"), handle
}

func mustCreateNote(t testing.TB, db *models.DB, actor models.Actor, req models.NoteRequest) *models.Note {
	t.Helper()
	n, err := db.CreateNote(context.Background(), actor, req)
	if err != nil {
		t.Fatalf("CreateNote(%+v): %v", req, err)
	}
	return n
}

// noteItems keeps the timeline items of one note.
func noteItems(items []models.TimelineItem, id int64) []models.TimelineItem {
	var out []models.TimelineItem
	for _, it := range items {
		if it.Ref != nil && it.Ref.Type == "note" && it.Ref.ID == id {
			out = append(out, it)
		}
	}
	return out
}

func noteIDs(ns []models.Note) []int64 {
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return ids
}

func hasNote(ns []models.Note, id int64) bool {
	for _, n := range ns {
		if n.ID == id {
			return true
		}
	}
	return false
}

func notificationsOf(t testing.TB, db *models.DB, actor models.Actor, unreadOnly bool) []models.Notification {
	t.Helper()
	page, err := db.Notifications(context.Background(), actor, unreadOnly, "", 200)
	if err != nil {
		t.Fatalf("Notifications: %v", err)
	}
	return page.Notifications
}

func TestNoteEditRevisionsDiffRestore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		support := newTestDepartment(t, db, "Support")
		ann := newTestActor(t, db, models.RoleMember, sales)
		bob := newTestActor(t, db, models.RoleMember, support)
		c := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Nora", FamilyName: uniqueLabel("Note")})

		n := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: c.ID, Body: "Renewal in **May**\nBudget: 10k\n"})
		if n.Version != 1 || n.Visibility() != models.NoteEveryone || n.AuthorName != ann.Name || n.AuthorDepartmentID == nil || *n.AuthorDepartmentID != sales {
			t.Fatalf("created %+v", n)
		}
		items := noteItems(contactTimeline(t, db, bob, c.ID), n.ID)
		if len(items) != 1 || items[0].Kind != models.TimelineNote || items[0].Summary != "Renewal in **May**" {
			t.Fatalf("timeline items %+v", items)
		}

		// Another department edits; the revision credits them.
		body := "Renewal in **June**\nBudget: 10k\nChampion: Ines"
		n2, err := db.UpdateNote(ctx, bob, n.ID, models.NotePatch{Version: 1, Body: &body})
		if err != nil {
			t.Fatal(err)
		}
		if n2.Version != 2 || n2.Body != body || n2.AuthorName != ann.Name {
			t.Fatalf("updated %+v", n2)
		}
		// Saving the same text again writes nothing.
		if n3, err := db.UpdateNote(ctx, bob, n.ID, models.NotePatch{Version: 2, Body: &body}); err != nil || n3.Version != 2 {
			t.Fatalf("no-op update: %+v, %v", n3, err)
		}
		revs, err := db.NoteRevisions(ctx, bob, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 2 || revs[0].Version != 2 || revs[0].AuthorName != bob.Name || revs[0].DepartmentID == nil || *revs[0].DepartmentID != support ||
			revs[1].Version != 1 || revs[1].Body != "Renewal in **May**\nBudget: 10k" {
			t.Fatalf("revisions %+v", revs)
		}
		diff, err := db.NoteRevisionDiff(ctx, bob, n.ID, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		want := []models.DiffLine{{Op: models.DiffDelete, Text: "Renewal in **May**"}, {Op: models.DiffInsert, Text: "Renewal in **June**"},
			{Op: models.DiffSame, Text: "Budget: 10k"}, {Op: models.DiffInsert, Text: "Champion: Ines"}}
		if !equalDiff(diff, want) {
			t.Fatalf("diff = %+v, want %+v", diff, want)
		}
		items = noteItems(contactTimeline(t, db, ann, c.ID), n.ID)
		if len(items) != 1 || items[0].Summary != "Renewal in **June**" || !items[0].OccurredAt.Equal(n.CreatedAt) {
			t.Fatalf("timeline after edit %+v", items)
		}

		// Restoring version 1 is a new revision with its body.
		restored, err := db.RestoreNoteRevision(ctx, ann, n.ID, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		if restored.Version != 3 || restored.Body != revs[1].Body {
			t.Fatalf("restored %+v", restored)
		}
		if revs, _ := db.NoteRevisions(ctx, ann, n.ID); len(revs) != 3 {
			t.Fatalf("revisions after restore: %d", len(revs))
		}

		// Delete hides the note and its timeline item.
		if err := db.DeleteNote(ctx, bob, n.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Note(ctx, ann, n.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleted note: %v", err)
		}
		if items := noteItems(contactTimeline(t, db, ann, c.ID), n.ID); len(items) != 0 {
			t.Errorf("deleted note still on the timeline: %+v", items)
		}
		evs, err := db.AuditEvents(ctx, models.System, models.AuditListOptions{Action: "note.delete", Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range evs {
			found = found || (e.SubjectID != nil && *e.SubjectID == n.ID)
		}
		if !found {
			t.Error("delete not audited")
		}
	})
}

func equalDiff(a, b []models.DiffLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNoteConcurrentEditConflicts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		ann := newTestActor(t, db, models.RoleMember)
		bob := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Conflict", FamilyName: uniqueLabel("Note")})
		n := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: c.ID, Body: "first line"})

		annBody, bobBody := "first line\nann's addition", "first line\nbob's addition"
		if _, err := db.UpdateNote(ctx, ann, n.ID, models.NotePatch{Version: 1, Body: &annBody}); err != nil {
			t.Fatal(err)
		}
		_, err := db.UpdateNote(ctx, bob, n.ID, models.NotePatch{Version: 1, Body: &bobBody})
		var ce *models.ConflictError[models.Note]
		if !errors.As(err, &ce) || !errors.Is(err, models.ErrConflict) {
			t.Fatalf("stale update: %v, want a ConflictError", err)
		}
		if ce.Current.Version != 2 || ce.Current.Body != annBody {
			t.Fatalf("conflict carries %+v", ce.Current)
		}
		// Nothing was overwritten; bob merges and saves on top.
		if got, _ := db.Note(ctx, bob, n.ID); got.Body != annBody {
			t.Fatalf("body after conflict %q", got.Body)
		}
		merged := "first line\nann's addition\nbob's addition"
		got, err := db.UpdateNote(ctx, bob, n.ID, models.NotePatch{Version: ce.Current.Version, Body: &merged})
		if err != nil || got.Version != 3 {
			t.Fatalf("merged save: %+v, %v", got, err)
		}
		if _, err := db.UpdateNote(ctx, bob, n.ID, models.NotePatch{Body: &merged}); err == nil {
			t.Error("an update without a version was accepted")
		}
	})
}

func TestNoteValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		ann := newTestActor(t, db, models.RoleMember)
		viewer := newTestActor(t, db, models.RoleViewer)
		c := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Valid", FamilyName: uniqueLabel("Note")})
		for name, tc := range map[string]struct {
			req   models.NoteRequest
			field string
		}{
			"too long":      {models.NoteRequest{ContactID: c.ID, Body: strings.Repeat("é", models.MaxNoteBody+1)}, "body"},
			"empty":         {models.NoteRequest{ContactID: c.ID, Body: " \n\t "}, "body"},
			"no subject":    {models.NoteRequest{Body: "hello"}, "contact_id"},
			"two subjects":  {models.NoteRequest{ContactID: c.ID, CompanyID: 1, Body: "hello"}, "contact_id"},
			"bad visibilty": {models.NoteRequest{ContactID: c.ID, Body: "hello", Visibility: "friends"}, "visibility"},
			"no department": {models.NoteRequest{ContactID: c.ID, Body: "hello", Visibility: models.NoteDepartment}, "visibility"},
		} {
			_, err := db.CreateNote(ctx, ann, tc.req)
			if f := validationFields(t, err); f[tc.field] == "" {
				t.Errorf("%s: fields %v, want %s", name, f, tc.field)
			}
		}
		_, err := db.CreateNote(ctx, ann, models.NoteRequest{ContactID: c.ID, Body: strings.Repeat("x", models.MaxNoteBody+5)})
		if f := validationFields(t, err); !strings.Contains(f["body"], "20000") {
			t.Errorf("too-long message %q should name the limit", f["body"])
		}
		if _, err := db.CreateNote(ctx, ann, models.NoteRequest{ContactID: c.ID, Body: strings.Repeat("x", models.MaxNoteBody)}); err != nil {
			t.Errorf("a note at the limit: %v", err)
		}
		if _, err := db.CreateNote(ctx, viewer, models.NoteRequest{ContactID: c.ID, Body: "hi"}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer: %v", err)
		}
		if _, err := db.CreateNote(ctx, ann, models.NoteRequest{ContactID: -1, Body: "hi"}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("missing contact: %v", err)
		}
	})
}

func TestNoteRestrictedToDepartment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		support := newTestDepartment(t, db, "Support")
		ann, _ := newNoteUser(t, db, models.RoleMember, sales)
		colleague, colleagueHandle := newNoteUser(t, db, models.RoleMember, sales)
		outsider, outsiderHandle := newNoteUser(t, db, models.RoleMember, support)
		admin, adminHandle := newNoteUser(t, db, models.RoleAdmin, support)
		supportSlug := mustDepartmentSlug(t, db, support)
		c := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Secret", FamilyName: uniqueLabel("Keeper")})

		word := uniqueLabel("zebrafish")
		body := "Discount " + word + " agreed @" + colleagueHandle + " @" + outsiderHandle + " @" + adminHandle + " @" + supportSlug
		n := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: c.ID, Body: body, Visibility: models.NoteDepartment})
		if n.RestrictedDepartmentID == nil || *n.RestrictedDepartmentID != sales {
			t.Fatalf("restriction %v", n.RestrictedDepartmentID)
		}
		open := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: c.ID, Body: "Shared " + word})

		for name, who := range map[string]models.Actor{"outsider": outsider, "admin of another department": admin} {
			if _, err := db.Note(ctx, who, n.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s: Note = %v", name, err)
			}
			page, err := db.Notes(ctx, who, models.NoteListOptions{ContactID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			if hasNote(page.Notes, n.ID) || !hasNote(page.Notes, open.ID) {
				t.Errorf("%s: Notes = %v", name, noteIDs(page.Notes))
			}
			if items := noteItems(contactTimeline(t, db, who, c.ID), n.ID); len(items) != 0 {
				t.Errorf("%s: timeline shows the note", name)
			}
			counts, err := db.TimelineCounts(ctx, who, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if counts[models.TimelineNote] != 1 {
				t.Errorf("%s: note count %d, want 1", name, counts[models.TimelineNote])
			}
			res, err := db.SearchNotes(ctx, who, word, "", 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Results) != 1 || res.Results[0].ID != open.ID {
				t.Errorf("%s: search found %+v", name, res.Results)
			}
			if got := notificationsOf(t, db, who, false); len(got) != 0 {
				t.Errorf("%s: notified %+v", name, got)
			}
			if n, _ := db.UnreadCount(ctx, who); n != 0 {
				t.Errorf("%s: unread %d", name, n)
			}
			if _, err := db.NoteRevisions(ctx, who, n.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s: revisions %v", name, err)
			}
			if _, err := db.ReplyToNote(ctx, who, n.ID, "let me in"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s: reply %v", name, err)
			}
		}

		// The colleague sees all of it, and was notified.
		if counts, _ := db.TimelineCounts(ctx, colleague, c.ID); counts[models.TimelineNote] != 2 {
			t.Errorf("colleague note count %d", counts[models.TimelineNote])
		}
		if res, _ := db.SearchNotes(ctx, colleague, word, "", 50); len(res.Results) != 2 || res.Results[0].SubjectName != c.Name() {
			t.Errorf("colleague search %+v", res.Results)
		}
		if got := notificationsOf(t, db, colleague, true); len(got) != 1 || got[0].NoteID != n.ID {
			t.Errorf("colleague notifications %+v", got)
		}

		// Made public later, the note reaches the others; restricting it
		// again hides it (and the notifications about it) once more.
		everyone := models.NoteEveryone
		n2, err := db.UpdateNote(ctx, ann, n.ID, models.NotePatch{Version: n.Version, Visibility: &everyone})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Note(ctx, outsider, n.ID); err != nil {
			t.Errorf("public note: %v", err)
		}
		dept := models.NoteDepartment
		if _, err := db.UpdateNote(ctx, outsider, n.ID, models.NotePatch{Version: n2.Version, Visibility: &dept}); err == nil {
			t.Error("an outsider restricted the note to a department they are not in")
		}
		if _, err := db.UpdateNote(ctx, colleague, n.ID, models.NotePatch{Version: n2.Version, Visibility: &dept}); err != nil {
			t.Fatal(err)
		}
		if items := noteItems(contactTimeline(t, db, outsider, c.ID), n.ID); len(items) != 0 {
			t.Error("restricted again, the note is still on the outsider's timeline")
		}
	})
}

func mustDepartmentSlug(t testing.TB, db *models.DB, id int64) string {
	t.Helper()
	ds, err := db.DepartmentsByID(context.Background(), []int64{id})
	if err != nil || len(ds) != 1 {
		t.Fatalf("department %d: %v", id, err)
	}
	return ds[0].Slug
}

func TestCompanyNoteOnPeopleTimelines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		ann := newTestActor(t, db, models.RoleMember)
		co, err := db.CreateCompany(ctx, ann, models.CompanyRequest{Name: uniqueLabel("Acme ")})
		if err != nil {
			t.Fatal(err)
		}
		p1 := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "One", FamilyName: uniqueLabel("Acme"), CompanyID: &co.ID})
		p2 := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Two", FamilyName: uniqueLabel("Acme"), CompanyID: &co.ID})
		n := mustCreateNote(t, db, ann, models.NoteRequest{CompanyID: co.ID, Body: "Acme is moving offices"})
		for _, p := range []*models.Contact{p1, p2} {
			if items := noteItems(contactTimeline(t, db, ann, p.ID), n.ID); len(items) != 1 {
				t.Errorf("contact %d has %d items of the company note", p.ID, len(items))
			}
		}
		page, err := db.Notes(ctx, ann, models.NoteListOptions{CompanyID: co.ID})
		if err != nil || len(page.Notes) != 1 || page.Notes[0].ID != n.ID {
			t.Fatalf("company notes %+v, %v", page, err)
		}
		body := "Acme moved offices"
		if _, err := db.UpdateNote(ctx, ann, n.ID, models.NotePatch{Version: 1, Body: &body}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*models.Contact{p1, p2} {
			if items := noteItems(contactTimeline(t, db, ann, p.ID), n.ID); len(items) != 1 || items[0].Summary != body {
				t.Errorf("contact %d after edit: %+v", p.ID, items)
			}
		}
		// The company timeline merges its people's items; the note may show
		// once per person there.
		if items := noteItems(timelineOf(t, db, ann, models.TimelineOptions{CompanyID: co.ID}), n.ID); len(items) == 0 {
			t.Error("company timeline lacks the note")
		}
	})
}

func TestNoteMentionsNotifyOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		billing := newTestDepartment(t, db, "Billing")
		slug := mustDepartmentSlug(t, db, billing)
		author, authorHandle := newNoteUser(t, db, models.RoleMember, billing)
		both, bothHandle := newNoteUser(t, db, models.RoleMember, billing) // mentioned and a member
		member, _ := newNoteUser(t, db, models.RoleViewer, billing)
		bystander, _ := newNoteUser(t, db, models.RoleMember)
		c := mustCreateContact(t, db, author, models.ContactRequest{GivenName: "Mention", FamilyName: uniqueLabel("Target")})

		body := "Ping @" + bothHandle + " and @" + slug + ", cc @" + authorHandle + " and @" + bothHandle + ". " +
			"Not bystander@example.com nor `@" + slug + "`."
		n := mustCreateNote(t, db, author, models.NoteRequest{ContactID: c.ID, Body: body})
		for name, tc := range map[string]struct {
			who  models.Actor
			want int
		}{"mentioned member": {both, 1}, "member": {member, 1}, "author": {author, 0}, "bystander": {bystander, 0}} {
			got := notificationsOf(t, db, tc.who, true)
			if len(got) != tc.want {
				t.Errorf("%s: %d notifications, want %d: %+v", name, len(got), tc.want, got)
				continue
			}
			if tc.want == 1 {
				if g := got[0]; g.Kind != models.NotificationMention || g.NoteID != n.ID || g.ContactID == nil || *g.ContactID != c.ID ||
					g.ActorName != author.Name || g.SubjectName != c.Name() || g.ReadAt != nil {
					t.Errorf("%s: %+v", name, g)
				}
			}
		}
		// An edit does not notify again.
		more := body + "\nupdated"
		if _, err := db.UpdateNote(ctx, author, n.ID, models.NotePatch{Version: 1, Body: &more}); err != nil {
			t.Fatal(err)
		}
		if got := notificationsOf(t, db, both, false); len(got) != 1 {
			t.Errorf("after edit: %d notifications", len(got))
		}
		if n, _ := db.UnreadCount(ctx, member); n != 1 {
			t.Errorf("unread %d", n)
		}
		// Naming more ids than a statement may bind is refused, not a
		// failed query; nothing is marked.
		if err := db.MarkRead(ctx, member, make([]int64, 40000)); validationFields(t, err)["ids"] == "" {
			t.Errorf("MarkRead of 40,000 ids: %v", err)
		}
		if n, _ := db.UnreadCount(ctx, member); n != 1 {
			t.Errorf("unread after a refused MarkRead %d", n)
		}
		if err := db.MarkRead(ctx, member, nil); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.UnreadCount(ctx, member); n != 0 {
			t.Errorf("unread after MarkRead %d", n)
		}
		if got := notificationsOf(t, db, member, false); len(got) != 1 || got[0].ReadAt == nil {
			t.Errorf("read notifications %+v", got)
		}
		// MarkRead touches only the actor's own.
		if n, _ := db.UnreadCount(ctx, both); n != 1 {
			t.Errorf("someone else's unread %d", n)
		}
	})
}

func TestNoteNeedsReply(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		ann := newTestActor(t, db, models.RoleMember)
		bob := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Question", FamilyName: uniqueLabel("Asker")})
		q := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: c.ID, Body: "Can anyone confirm the invoice address?", NeedsReply: true})
		openIDs := func(who models.Actor) []int64 {
			page, err := db.OpenNotes(ctx, who, models.OpenNoteOptions{ContactID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			return noteIDs(page.Notes)
		}
		if got := openIDs(bob); len(got) != 1 || got[0] != q.ID {
			t.Fatalf("open notes %v", got)
		}
		// The author adding to their question leaves it open.
		if _, err := db.ReplyToNote(ctx, ann, q.ID, "It is urgent."); err != nil {
			t.Fatal(err)
		}
		if got := openIDs(bob); len(got) != 1 {
			t.Fatalf("open after the author's reply %v", got)
		}
		r, err := db.ReplyToNote(ctx, bob, q.ID, "Confirmed: Rua Augusta 1.")
		if err != nil {
			t.Fatal(err)
		}
		if r.ParentID == nil || *r.ParentID != q.ID || r.ContactID == nil || *r.ContactID != c.ID {
			t.Fatalf("reply %+v", r)
		}
		if got := openIDs(bob); len(got) != 0 {
			t.Fatalf("open after a reply %v", got)
		}
		got, err := db.Note(ctx, ann, q.ID)
		if err != nil || got.Open() || got.RepliedBy == nil || *got.RepliedBy != bob.UserID || got.Version != 1 {
			t.Fatalf("answered note %+v, %v", got, err)
		}
		replies, err := db.NoteReplies(ctx, bob, q.ID)
		if err != nil || len(replies) != 2 || replies[1].ID != r.ID {
			t.Fatalf("replies %v, %v", noteIDs(replies), err)
		}
		notes := notificationsOf(t, db, ann, true)
		if len(notes) != 1 || notes[0].Kind != models.NotificationReply || notes[0].NoteID != r.ID {
			t.Errorf("author's notifications %+v", notes)
		}
		// Replies are not listed as notes of the contact.
		page, _ := db.Notes(ctx, ann, models.NoteListOptions{ContactID: c.ID})
		if len(page.Notes) != 1 {
			t.Errorf("notes list %v", noteIDs(page.Notes))
		}
	})
}

func TestMergeMovesNotes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		ann := newTestActor(t, db, models.RoleMember)
		survivor := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Keep", FamilyName: uniqueLabel("Merge")})
		loser := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Lose", FamilyName: uniqueLabel("Merge")})
		n := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: loser.ID, Body: "Met at the fair"})
		m, err := db.MergeContacts(ctx, ann, models.MergeRequest{SurvivorID: survivor.ID, LoserID: loser.ID,
			SurvivorVersion: survivor.Version, LoserVersion: loser.Version})
		if err != nil {
			t.Fatal(err)
		}
		page, err := db.Notes(ctx, ann, models.NoteListOptions{ContactID: survivor.ID})
		if err != nil || !hasNote(page.Notes, n.ID) {
			t.Fatalf("survivor's notes %v, %v", page, err)
		}
		if items := noteItems(contactTimeline(t, db, ann, survivor.ID), n.ID); len(items) != 1 {
			t.Errorf("survivor's timeline has %d items of the note", len(items))
		}
		if _, err := db.UndoMerge(ctx, ann, m.ID); err != nil {
			t.Fatal(err)
		}
		if page, _ := db.Notes(ctx, ann, models.NoteListOptions{ContactID: loser.ID}); !hasNote(page.Notes, n.ID) {
			t.Error("undo did not move the note back")
		}
	})
}

func TestSearchNotes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		ann := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Search", FamilyName: uniqueLabel("Notes")})
		word := uniqueLabel("quokka")
		a := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: c.ID, Body: "Prefers **Açaí** " + word})
		b := mustCreateNote(t, db, ann, models.NoteRequest{ContactID: c.ID, Body: "Likes tea " + word + " zz"})
		for q, want := range map[string][]int64{
			word:                   {b.ID, a.ID},
			strings.ToUpper(word):  {b.ID, a.ID},
			"acai " + word:         {a.ID},
			word + " zz":           {b.ID},
			word + " nothingmatch": nil,
		} {
			res, err := db.SearchNotes(ctx, ann, q, "", 50)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			var got []int64
			for _, r := range res.Results {
				got = append(got, r.ID)
			}
			if len(got) != len(want) || (len(want) > 0 && (got[0] != want[0] || got[len(got)-1] != want[len(want)-1])) {
				t.Errorf("SearchNotes(%q) = %v, want %v", q, got, want)
			}
		}
		// Paging.
		page, err := db.SearchNotes(ctx, ann, word, "", 1)
		if err != nil || len(page.Results) != 1 || page.NextCursor == "" {
			t.Fatalf("page 1 %+v, %v", page, err)
		}
		page2, err := db.SearchNotes(ctx, ann, word, page.NextCursor, 1)
		if err != nil || len(page2.Results) != 1 || page2.Results[0].ID != a.ID {
			t.Fatalf("page 2 %+v, %v", page2, err)
		}
		if _, err := db.SearchNotes(ctx, ann, "ab", "", 10); err == nil {
			t.Error("a two-letter search was accepted")
		}
		// Deleted notes are not found.
		if err := db.DeleteNote(ctx, ann, a.ID); err != nil {
			t.Fatal(err)
		}
		if res, _ := db.SearchNotes(ctx, ann, "acai "+word, "", 10); len(res.Results) != 0 {
			t.Errorf("deleted note found %+v", res.Results)
		}
	})
}
