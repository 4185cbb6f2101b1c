package models_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// auditOf is every event actor did, as reader reads the audit log, keyed
// by action and subject id.
func auditOf(t *testing.T, db *models.DB, reader, actor models.Actor) map[string]models.AuditEvent {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), reader, models.AuditListOptions{ActorID: actor.UserID, Limit: 200})
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	out := map[string]models.AuditEvent{}
	for _, e := range evs {
		k := e.Action
		if e.SubjectID != nil {
			k += "#" + itoa(*e.SubjectID)
		}
		out[k] = e
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The audit log lists every event to every admin, but the details of an
// event about a record the admin may not see — a restricted contact's name
// and changed fields, a department-only note's excerpt, an interaction or
// task on a restricted contact — are withheld, also once the record is
// deleted. Admins of the department, and everyone for unrestricted
// records, see them in full.
func TestAuditWithholdsRestrictedDetails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		support := newTestDepartment(t, db, "Support")
		alice := newTestActor(t, db, models.RoleMember, sales)
		insider := newTestActor(t, db, models.RoleAdmin, sales)
		outsider := newTestActor(t, db, models.RoleAdmin, support)
		secretName := uniqueLabel("Secretname")
		secretNote := uniqueLabel("the-merger-price-is")

		hidden := mustCreateContact(t, db, alice, models.ContactRequest{GivenName: secretName, RestrictedDepartmentID: &sales})
		if _, err := db.UpdateContact(ctx, alice, hidden.ID, models.ContactPatch{Version: hidden.Version, JobTitle: ptrTo("Chief " + secretName)}); err != nil {
			t.Fatal(err)
		}
		note, err := db.CreateNote(ctx, alice, models.NoteRequest{ContactID: hidden.ID, Body: secretNote, Visibility: models.NoteDepartment})
		if err != nil {
			t.Fatal(err)
		}
		call, err := db.LogInteraction(ctx, alice, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound,
			ContactIDs: []int64{hidden.ID}, Subject: secretNote})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteInteraction(ctx, alice, call.ID); err != nil {
			t.Fatal(err)
		}
		task, err := db.CreateTask(ctx, alice, models.TaskRequest{ContactID: hidden.ID, Title: "Call " + secretName})
		if err != nil {
			t.Fatal(err)
		}
		// A department-only note on an unrestricted contact: the contact is
		// anyone's, the note is not.
		open := mustCreateContact(t, db, alice, models.ContactRequest{GivenName: uniqueLabel("Openname")})
		openNote, err := db.CreateNote(ctx, alice, models.NoteRequest{ContactID: open.ID, Body: secretNote + " too", Visibility: models.NoteDepartment})
		if err != nil {
			t.Fatal(err)
		}
		// Deleted contacts: the restricted one stays withheld, the other
		// keeps its name in the log.
		gone := mustCreateContact(t, db, alice, models.ContactRequest{GivenName: secretName + "gone", RestrictedDepartmentID: &sales})
		if err := db.DeleteContact(ctx, alice, gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteContact(ctx, alice, open.ID); err != nil {
			t.Fatal(err)
		}

		withheld := []string{"contact.create#" + itoa(hidden.ID), "contact.update#" + itoa(hidden.ID), "note.create#" + itoa(note.ID),
			"interaction.create#" + itoa(call.ID), "interaction.delete#" + itoa(call.ID), "task.create#" + itoa(task.ID),
			"note.create#" + itoa(openNote.ID), "contact.create#" + itoa(gone.ID), "contact.delete#" + itoa(gone.ID)}
		out := auditOf(t, db, outsider, alice)
		for _, k := range withheld {
			e, ok := out[k]
			if !ok {
				t.Errorf("%s is not listed to the outsider: the log must list every event", k)
				continue
			}
			if !e.Withheld || e.Detail != "" || e.ActorLabel == "" {
				t.Errorf("%s to the outsider: %+v", k, e)
			}
		}
		for k, e := range out {
			if strings.Contains(e.Detail, secretName) || strings.Contains(e.Detail, secretNote) {
				t.Errorf("%s shows the outsider %s", k, e.Detail)
			}
		}
		if e := out["contact.delete#"+itoa(open.ID)]; e.Withheld || !strings.Contains(e.Detail, "Openname") {
			t.Errorf("deleting an unrestricted contact: %+v, want its name", e)
		}

		in := auditOf(t, db, insider, alice)
		for _, k := range withheld {
			if k == "note.create#"+itoa(openNote.ID) {
				continue // its contact is deleted since: judged live, it is withheld from all
			}
			if e := in[k]; e.Withheld || e.Detail == "" {
				t.Errorf("%s to the department's admin: %+v", k, e)
			}
		}
		if e := in["note.create#"+itoa(note.ID)]; !strings.Contains(e.Detail, secretNote) {
			t.Errorf("the department's admin does not see the note's excerpt: %+v", e)
		}
	})
}

// A merge's event names the contact merged away: once the merge is undone
// and the survivor is unrestricted again, an outsider still must not read
// the restricted loser's name in it.
func TestAuditWithholdsMergedAwayName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		alice := newTestActor(t, db, models.RoleMember, sales)
		outsider := newTestActor(t, db, models.RoleAdmin)
		secretName := uniqueLabel("Mergedname")
		survivor := mustCreateContact(t, db, alice, models.ContactRequest{GivenName: uniqueLabel("Plain")})
		loser := mustCreateContact(t, db, alice, models.ContactRequest{GivenName: secretName, RestrictedDepartmentID: &sales})
		m, err := db.MergeContacts(ctx, alice, models.MergeRequest{SurvivorID: survivor.ID, LoserID: loser.ID,
			SurvivorVersion: survivor.Version, LoserVersion: loser.Version})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UndoMerge(ctx, alice, m.ID); err != nil {
			t.Fatal(err)
		}
		e, ok := auditOf(t, db, outsider, alice)["contact.merge#"+itoa(survivor.ID)]
		if !ok || !e.Withheld || strings.Contains(e.Detail, secretName) {
			t.Errorf("merge event to the outsider: %+v", e)
		}
		insider := newTestActor(t, db, models.RoleAdmin, sales)
		if e := auditOf(t, db, insider, alice)["contact.merge#"+itoa(survivor.ID)]; e.Withheld || !strings.Contains(e.Detail, secretName) {
			t.Errorf("merge event to the department's admin: %+v", e)
		}
	})
}
