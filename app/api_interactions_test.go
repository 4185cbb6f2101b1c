package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// apiInteraction is an interaction response as a client reads it.
type apiInteraction struct {
	ID                     int64      `json:"id"`
	Version                int64      `json:"version"`
	Kind                   string     `json:"kind"`
	Direction              string     `json:"direction"`
	Channel                string     `json:"channel"`
	OccurredAt             time.Time  `json:"occurred_at"`
	DurationSeconds        int        `json:"duration_seconds"`
	Subject                string     `json:"subject"`
	Body                   string     `json:"body"`
	Outcome                string     `json:"outcome"`
	Contacts               []apiNamed `json:"contacts"`
	Users                  []apiNamed `json:"users"`
	Source                 string     `json:"source"`
	Actor                  *apiNamed  `json:"actor"`
	Department             *apiNamed  `json:"department"`
	RestrictedDepartmentID *int64     `json:"restricted_department_id"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
}

func logInteraction(t *testing.T, c *apptest.Client, body map[string]any) apiInteraction {
	t.Helper()
	r := c.JSON(http.MethodPost, "/api/v1/interactions", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("log interaction: %d %.800s", r.Status, r.Body)
	}
	var i apiInteraction
	r.Decode(t, &i)
	if want := fmt.Sprintf("/api/v1/interactions/%d", i.ID); r.Location() != want {
		t.Fatalf("Location %q, want %q", r.Location(), want)
	}
	return i
}

func getInteraction(t *testing.T, c *apptest.Client, id int64) apiInteraction {
	t.Helper()
	r := c.Get(fmt.Sprintf("/api/v1/interactions/%d", id))
	if r.Status != http.StatusOK {
		t.Fatalf("get interaction %d: %d %.500s", id, r.Status, r.Body)
	}
	var i apiInteraction
	r.Decode(t, &i)
	return i
}

func patchInteraction(t *testing.T, c *apptest.Client, id int64, body map[string]any) apiInteraction {
	t.Helper()
	r := c.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/interactions/%d", id), body)
	if r.Status != http.StatusOK {
		t.Fatalf("patch interaction %d: %d %.800s", id, r.Status, r.Body)
	}
	var i apiInteraction
	r.Decode(t, &i)
	return i
}

// An edit shows at once on every timeline the interaction is on, moves it
// when its contacts change, and keeps its author's credit; a delete takes
// it off them all.
func TestInteractionAPIEditAndDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		sales := apptest.Unique("Sales ")
		ann, annUser := apiClient(t, srv, "bearer", models.RoleMember, sales)
		bob, _ := apiClient(t, srv, "bearer", models.RoleMember, apptest.Unique("Support "))
		a := createContact(t, ann, map[string]any{"given_name": "Amy"})
		b := createContact(t, ann, map[string]any{"given_name": "Ben"})
		c := createContact(t, ann, map[string]any{"given_name": "Cal"})
		at := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
		call := logInteraction(t, ann, map[string]any{"kind": "call", "direction": "outbound", "contact_ids": []int64{a.ID, b.ID},
			"subject": "First", "occurred_at": at.Format(time.RFC3339)})

		later := at.Add(24 * time.Hour)
		edited := patchInteraction(t, bob, call.ID, map[string]any{"version": 1, "subject": "Second", "kind": "email",
			"channel": nil, "occurred_at": later.Format(time.RFC3339), "body": "Body text"})
		if edited.Version != 2 || edited.Kind != "email" || edited.Channel != "email" || edited.Subject != "Second" ||
			!edited.OccurredAt.Equal(later) || edited.Actor == nil || edited.Actor.ID != annUser.ID ||
			edited.Department == nil || edited.Department.Name != sales || edited.Direction != "outbound" {
			t.Fatalf("edited: %+v", edited)
		}
		for _, who := range []apiContact{a, b} {
			items := readTimeline(t, ann, contactTimeline(who.ID), kindOnly).Items
			if len(items) != 1 || items[0].Summary != "Email sent: Second" || !items[0].OccurredAt.Equal(later) ||
				items[0].Channel != "email" || items[0].Data["version"] != 2.0 || items[0].Data["excerpt"] != "Body text" ||
				items[0].Actor == nil || items[0].Actor.ID != annUser.ID || items[0].Department.Name != sales {
				t.Errorf("%s's timeline after the edit: %+v", who.Name, items)
			}
		}

		// Contacts given replace the contacts: the item leaves Amy's
		// timeline and joins Cal's, still credited to Ann.
		moved := patchInteraction(t, bob, call.ID, map[string]any{"version": 2, "contact_ids": []int64{b.ID, c.ID}})
		if got := moved.Contacts; len(got) != 2 || got[0].ID != b.ID || got[1].ID != c.ID || moved.Version != 3 {
			t.Fatalf("moved: %+v", moved)
		}
		if items := readTimeline(t, ann, contactTimeline(a.ID), kindOnly).Items; len(items) != 0 {
			t.Fatalf("Amy still has it: %+v", items)
		}
		for _, who := range []apiContact{b, c} {
			items := readTimeline(t, bob, contactTimeline(who.ID), kindOnly).Items
			if len(items) != 1 || items[0].Ref.ID != call.ID || items[0].Actor.ID != annUser.ID || items[0].Data["version"] != 3.0 {
				t.Errorf("%s's timeline after the move: %+v", who.Name, items)
			}
		}
		if got := getContact(t, ann, a.ID); got.LastContactedAt != nil {
			t.Errorf("Amy's last contact should go with the interaction: %v", got.LastContactedAt)
		}

		// Nothing changed, no new version.
		if same := patchInteraction(t, ann, call.ID, map[string]any{"version": 3, "subject": "Second"}); same.Version != 3 {
			t.Fatalf("no-op patch: version %d", same.Version)
		}

		path := fmt.Sprintf("/api/v1/interactions/%d", call.ID)
		if r := ann.JSON(http.MethodDelete, path, nil); r.Status != http.StatusNoContent || r.Body != "" {
			t.Fatalf("delete: %d %q", r.Status, r.Body)
		}
		for _, who := range []apiContact{a, b, c} {
			if items := readTimeline(t, ann, contactTimeline(who.ID), kindOnly).Items; len(items) != 0 {
				t.Errorf("%s's timeline still has the deleted interaction: %+v", who.Name, items)
			}
			if n := timelineCounts(t, ann, who.ID)["interaction"]; n != 0 {
				t.Errorf("%s's counts: %d interactions", who.Name, n)
			}
		}
		problem(t, ann.Get(path), http.StatusNotFound)
		problem(t, ann.JSON(http.MethodDelete, path, nil), http.StatusNotFound)
		problem(t, ann.JSON(http.MethodPatch, path, map[string]any{"version": 4, "subject": "Back"}), http.StatusNotFound)
		problem(t, ann.Get("/api/v1/interactions/not-an-id"), http.StatusNotFound)
	})
}

// Two people edit the same interaction: the second is told, shown the
// current interaction as the API shows it, and redoes the change on top.
func TestInteractionAPIConflict(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		alice, aliceUser := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		bob, _ := apiClient(t, srv, "session", models.RoleMember, "Sales")
		ct := createContact(t, alice, map[string]any{"given_name": "Zoë", "family_name": "Ng"})
		i := logInteraction(t, alice, map[string]any{"kind": "message", "direction": "inbound", "contact_ids": []int64{ct.ID}})
		path := fmt.Sprintf("/api/v1/interactions/%d", i.ID)

		byAlice, byBob := getInteraction(t, alice, i.ID), getInteraction(t, bob, i.ID)
		patchInteraction(t, alice, i.ID, map[string]any{"version": byAlice.Version, "subject": "Pricing"})
		r := bob.JSON(http.MethodPatch, path, map[string]any{"version": byBob.Version, "outcome": "Call back"})
		p := problem(t, r, http.StatusConflict)
		var conflict struct {
			Current apiInteraction `json:"current"`
		}
		r.Decode(t, &conflict)
		cur := conflict.Current
		if cur.ID != i.ID || cur.Version != 2 || cur.Subject != "Pricing" || cur.Outcome != "" || len(cur.Contacts) != 1 ||
			cur.Contacts[0].Name != "Zoë Ng" || cur.Actor == nil || cur.Actor.Name != aliceUser.Name || !strings.Contains(p.Detail, "current") {
			t.Fatalf("409 current: %+v (%s)", cur, p.Detail)
		}
		redone := patchInteraction(t, bob, i.ID, map[string]any{"version": cur.Version, "outcome": "Call back"})
		if redone.Version != 3 || redone.Subject != "Pricing" || redone.Outcome != "Call back" {
			t.Fatalf("after both edits: %+v", redone)
		}
		items := readTimeline(t, alice, contactTimeline(ct.ID), kindOnly).Items
		if len(items) != 1 || items[0].Summary != "Message received: Pricing" || items[0].Data["outcome"] != "Call back" {
			t.Fatalf("timeline after both edits: %+v", items)
		}
	})
}

// Viewers read timelines and interactions but never write, whatever they
// send.
func TestInteractionAPIViewerCannotWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		member, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		ct := createContact(t, member, map[string]any{"given_name": "Read", "family_name": "Only"})
		i := logInteraction(t, member, map[string]any{"kind": "call", "direction": "inbound", "contact_ids": []int64{ct.ID}})
		for _, mode := range authModes {
			t.Run(mode, func(t *testing.T) {
				viewer, _ := apiClient(t, srv, mode, models.RoleViewer, "Sales")
				if got := getInteraction(t, viewer, i.ID); got.ID != i.ID {
					t.Fatalf("viewer reading: %+v", got)
				}
				if items := readTimeline(t, viewer, contactTimeline(ct.ID), kindOnly).Items; len(items) != 1 {
					t.Fatalf("viewer's timeline: %+v", items)
				}
				readTimeline(t, viewer, "/api/v1/activity", url.Values{"limit": {"1"}})
				timelineCounts(t, viewer, ct.ID)
				for _, w := range []struct {
					method, path string
					body         any
				}{
					{http.MethodPost, "/api/v1/interactions", map[string]any{"kind": "call", "direction": "inbound", "contact_ids": []int64{ct.ID}}},
					{http.MethodPost, "/api/v1/interactions", map[string]any{"nonsense": true}},
					{http.MethodPatch, fmt.Sprintf("/api/v1/interactions/%d", i.ID), map[string]any{"version": 1, "subject": "Nope"}},
					{http.MethodDelete, fmt.Sprintf("/api/v1/interactions/%d", i.ID), nil},
				} {
					p := problem(t, viewer.JSON(w.method, w.path, w.body), http.StatusForbidden)
					if !strings.Contains(p.Detail, "can read but not change") {
						t.Errorf("%s %s: %q", w.method, w.path, p.Detail)
					}
				}
				if got := getInteraction(t, member, i.ID); got.Version != 1 {
					t.Fatalf("a viewer changed the interaction: %+v", got)
				}
				if n := timelineCounts(t, member, ct.ID)["interaction"]; n != 1 {
					t.Fatalf("a viewer logged an interaction: %d", n)
				}
			})
		}
	})
}

// An interaction restricted to a department does not exist for anyone
// outside it, admins included: not on timelines, in counts, in the feed or
// by id. A contact restricted away is a 404 for its timeline and a 422 for
// an interaction naming it, answered exactly as a contact that does not
// exist.
func TestTimelineAPIDepartmentRestriction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		legal := apptest.Unique("Legal ")
		insider, insiderUser := apiClient(t, srv, "bearer", models.RoleMember, legal)
		outsider, _ := apiClient(t, srv, "bearer", models.RoleMember, apptest.Unique("Outside "))
		admin, _ := apiClient(t, srv, "bearer", models.RoleAdmin, apptest.Unique("Board "))
		legalID := insiderUser.Departments[0].ID
		start := time.Now().UTC().Add(-time.Minute)
		company := apptest.Unique("Secret Co ")
		open := createContact(t, insider, map[string]any{"given_name": "Olga", "family_name": "Open", "company": company})
		hidden := createContact(t, insider, map[string]any{"given_name": "Quentin", "family_name": "Quiet", "company": company,
			"restricted_department_id": legalID})

		secret := logInteraction(t, insider, map[string]any{"kind": "meeting", "contact_ids": []int64{open.ID}, "subject": "Litigation",
			"restricted_department_id": legalID})
		if secret.RestrictedDepartmentID == nil || *secret.RestrictedDepartmentID != legalID {
			t.Fatalf("restriction not saved: %+v", secret)
		}
		public := logInteraction(t, insider, map[string]any{"kind": "call", "direction": "inbound", "contact_ids": []int64{open.ID, hidden.ID},
			"subject": "Hello"})
		items := readTimeline(t, insider, contactTimeline(open.ID), kindOnly).Items
		if got := refsOf(items); !slices.Equal(got, []int64{public.ID, secret.ID}) || items[1].RestrictedDepartmentID == nil ||
			*items[1].RestrictedDepartmentID != legalID {
			t.Fatalf("insider's timeline: %+v", items)
		}

		secretPath := fmt.Sprintf("/api/v1/interactions/%d", secret.ID)
		missing := problem(t, outsider.Get("/api/v1/interactions/999999999"), http.StatusNotFound)
		for name, c := range map[string]*apptest.Client{"outsider": outsider, "admin": admin} {
			if got := refsOf(readTimeline(t, c, contactTimeline(open.ID), kindOnly).Items); !slices.Equal(got, []int64{public.ID}) {
				t.Errorf("%s sees on Olga's timeline: %v", name, got)
			}
			if got := refsOf(readTimeline(t, c, companyTimeline(*open.CompanyID), nil).Items); !slices.Equal(got, []int64{public.ID}) {
				t.Errorf("%s sees on the company's timeline: %v", name, got)
			}
			if n := timelineCounts(t, c, open.ID)["interaction"]; n != 1 {
				t.Errorf("%s counts %d interactions", name, n)
			}
			feed, _ := walkTimeline(t, c, "/api/v1/activity", url.Values{"since": {start.Format(time.RFC3339)}, "kind": {"interaction"}})
			if slices.Contains(refsOf(feed), secret.ID) || slices.ContainsFunc(feed, func(it apiTimelineItem) bool { return it.ContactID == hidden.ID }) {
				t.Errorf("%s's feed shows what they may not see: %+v", name, feed)
			}
			if p := problem(t, c.Get(secretPath), http.StatusNotFound); p.Detail != missing.Detail {
				t.Errorf("a hidden interaction answers differently from a missing one: %q vs %q", p.Detail, missing.Detail)
			}
			problem(t, c.JSON(http.MethodPatch, secretPath, map[string]any{"version": 1, "subject": "Found you"}), http.StatusNotFound)
			problem(t, c.JSON(http.MethodDelete, secretPath, nil), http.StatusNotFound)
			// The hidden contact's timeline does not exist for them.
			problem(t, c.Get(contactTimeline(hidden.ID)), http.StatusNotFound)
			problem(t, c.Get(contactTimeline(hidden.ID)+"/counts"), http.StatusNotFound)
			// The call they share shows only Olga.
			if got := getInteraction(t, c, public.ID).Contacts; len(got) != 1 || got[0].ID != open.ID {
				t.Errorf("%s sees participants %+v", name, got)
			}
		}

		// Naming the hidden contact is answered as naming none, and
		// writes nothing.
		before := timelineCounts(t, outsider, open.ID)["interaction"]
		var details []string
		for _, id := range []int64{hidden.ID, 999999999} {
			r := outsider.JSON(http.MethodPost, "/api/v1/interactions", map[string]any{"kind": "call", "direction": "outbound",
				"contact_ids": []int64{open.ID, id}})
			p := problem(t, r, http.StatusUnprocessableEntity)
			msg := p.Errors["contact_ids[1]"]
			if len(p.Errors) != 1 || !strings.Contains(msg, fmt.Sprint(id)) {
				t.Fatalf("contact %d: %v", id, p.Errors)
			}
			details = append(details, strings.ReplaceAll(msg, fmt.Sprint(id), "N"))
		}
		if details[0] != details[1] {
			t.Errorf("a hidden contact answers differently from a missing one: %q", details)
		}
		if after := timelineCounts(t, outsider, open.ID)["interaction"]; after != before {
			t.Fatalf("a refused interaction was written: %d, then %d", before, after)
		}

		// An outsider's edit of the participants keeps the one they cannot
		// see; restricting to a department not theirs is refused.
		other := createContact(t, outsider, map[string]any{"given_name": "Otto"})
		patchInteraction(t, outsider, public.ID, map[string]any{"version": 1, "contact_ids": []int64{other.ID}})
		if got := getInteraction(t, insider, public.ID).Contacts; len(got) != 2 ||
			!slices.ContainsFunc(got, func(p apiNamed) bool { return p.ID == hidden.ID }) {
			t.Fatalf("participants after the outsider's edit: %+v", got)
		}
		r := outsider.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/interactions/%d", public.ID), map[string]any{"version": 2, "restricted_department_id": legalID})
		if p := problem(t, r, http.StatusUnprocessableEntity); p.Errors["restricted_department_id"] == "" {
			t.Fatalf("restricting to another's department: %v", p.Errors)
		}
		r = outsider.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/interactions/%d", public.ID), map[string]any{"version": 2, "contact_ids": []int64{hidden.ID}})
		if p := problem(t, r, http.StatusUnprocessableEntity); p.Errors["contact_ids[0]"] == "" {
			t.Fatalf("adding a hidden contact: %v", p.Errors)
		}
		// The insider lifts the restriction, and everyone sees it.
		patchInteraction(t, insider, secret.ID, map[string]any{"version": 1, "restricted_department_id": nil})
		if got := getInteraction(t, admin, secret.ID); got.RestrictedDepartmentID != nil {
			t.Fatalf("unrestricted: %+v", got)
		}
	})
}

// Bad input is refused with a message that says what to fix, and writes
// nothing.
func TestInteractionAPIRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db, "RAPPORT_MAX_BODY_BYTES", "65536")
		c, u := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		other, err := db.CreateDepartment(ctx, apptest.Unique("Elsewhere"))
		if err != nil {
			t.Fatal(err)
		}
		ct := createContact(t, c, map[string]any{"given_name": "Bad", "family_name": "Input"})
		ok := func(extra string) string {
			return fmt.Sprintf(`{"kind": "call", "direction": "outbound", "contact_ids": [%d]%s}`, ct.ID, extra)
		}
		future := time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339)
		const jsonType = "application/json"
		// Without a valid kind the models also say the channel (which
		// defaults from the kind) is missing.
		alsoChannel := map[string]bool{"no kind": true, "unknown kind": true}
		for _, tc := range []struct {
			name        string
			contentType string
			body        string
			status      int
			field       string // the member errors must name, for 422s
			detail      string // part of the message, for 400s and hints
		}{
			{"syntax", jsonType, `{"kind": "call",}`, 400, "", "line 1, column 17"},
			{"truncated", jsonType, `{"kind": "call"`, 400, "", "ends before"},
			{"empty", jsonType, ``, 400, "", "empty"},
			{"not an object", jsonType, `["call"]`, 400, "", "must be a JSON object"},
			{"kind of the wrong type", jsonType, `{"kind": 1}`, 400, "", "kind must be text (a JSON string), not a number"},
			{"contact id as text", jsonType, `{"kind": "call", "contact_ids": ["12"]}`, 400, "", "contact_ids must be a whole number, not text"},
			{"contact ids not a list", jsonType, `{"kind": "call", "contact_ids": 12}`, 400, "", "contact_ids must be a list"},
			{"fractional duration", jsonType, ok(`, "duration_seconds": 1.5`), 400, "", "duration_seconds must be a whole number, not 1.5"},
			{"time as a number", jsonType, ok(`, "occurred_at": 1711893900`), 400, "", "occurred_at must be text"},
			{"form body", "application/x-www-form-urlencoded", `kind=call`, 415, "", "Content-Type: application/json"},
			{"unknown field", jsonType, ok(`, "notes": "x"`), 422, "notes", "does not know this field"},
			{"field in the wrong case", jsonType, ok(`, "Subject": "x"`), 422, "Subject", ""},
			{"read-only field", jsonType, ok(`, "id": 7`), 422, "id", "sets this field itself"},
			{"version on create", jsonType, ok(`, "version": 1`), 422, "version", ""},
			{"source", jsonType, ok(`, "source": "import"`), 422, "source", ""},
			{"contacts echoed back", jsonType, ok(`, "contacts": [{"id": 1, "name": "x"}]`), 422, "contacts", "contact_ids"},
			{"no kind", jsonType, fmt.Sprintf(`{"direction": "outbound", "contact_ids": [%d]}`, ct.ID), 422, "kind", ""},
			{"unknown kind", jsonType, fmt.Sprintf(`{"kind": "visit", "contact_ids": [%d]}`, ct.ID), 422, "kind", "call, meeting, email or message"},
			{"no direction", jsonType, fmt.Sprintf(`{"kind": "call", "contact_ids": [%d]}`, ct.ID), 422, "direction", ""},
			{"unknown direction", jsonType, fmt.Sprintf(`{"kind": "call", "direction": "sideways", "contact_ids": [%d]}`, ct.ID), 422, "direction", "inbound or outbound"},
			{"unknown channel", jsonType, ok(`, "channel": "pigeon"`), 422, "channel", ""},
			{"time in words", jsonType, ok(`, "occurred_at": "yesterday"`), 422, "occurred_at", "RFC 3339"},
			{"time without offset", jsonType, ok(`, "occurred_at": "2024-03-31T14:05:00"`), 422, "occurred_at", ""},
			{"date only", jsonType, ok(`, "occurred_at": "2024-03-31"`), 422, "occurred_at", ""},
			{"more than a day ahead", jsonType, ok(`, "occurred_at": "` + future + `"`), 422, "occurred_at", "more than a day"},
			{"before 1900", jsonType, ok(`, "occurred_at": "1899-12-31T23:00:00Z"`), 422, "occurred_at", ""},
			{"negative duration", jsonType, ok(`, "duration_seconds": -1`), 422, "duration_seconds", ""},
			{"duration over a week", jsonType, ok(`, "duration_seconds": 604801`), 422, "duration_seconds", ""},
			{"no contacts", jsonType, `{"kind": "call", "direction": "inbound"}`, 422, "contact_ids", ""},
			{"empty contacts", jsonType, `{"kind": "call", "direction": "inbound", "contact_ids": []}`, 422, "contact_ids", ""},
			{"contact id 0", jsonType, `{"kind": "call", "direction": "inbound", "contact_ids": [0]}`, 422, "contact_ids[0]", ""},
			{"no such contact", jsonType, fmt.Sprintf(`{"kind": "call", "direction": "inbound", "contact_ids": [%d, 999999999]}`, ct.ID), 422, "contact_ids[1]", "999999999"},
			{"no such user", jsonType, ok(`, "user_ids": [999999999]`), 422, "user_ids", ""},
			{"long subject", jsonType, ok(`, "subject": "` + strings.Repeat("é", 301) + `"`), 422, "subject", ""},
			{"someone else's department", jsonType, ok(fmt.Sprintf(`, "restricted_department_id": %d`, other.ID)), 422, "restricted_department_id", ""},
			{"credit to someone else's department", jsonType, ok(fmt.Sprintf(`, "department_id": %d`, other.ID)), 422, "department_id", ""},
			{"too large", jsonType, ok(`, "body": "` + strings.Repeat("a", 70000) + `"`), 413, "", "larger than this server accepts"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := timelineCounts(t, c, ct.ID)["interaction"]
				p := problem(t, sendRaw(t, srv, c, http.MethodPost, "/api/v1/interactions", tc.contentType, tc.body), tc.status)
				want := 1
				if alsoChannel[tc.name] {
					want = 2
				}
				if tc.field != "" && (p.Errors[tc.field] == "" || len(p.Errors) != want) {
					t.Errorf("errors %v, want one for %s", p.Errors, tc.field)
				}
				if msg := p.Detail + " " + p.Errors[tc.field]; !strings.Contains(msg, tc.detail) {
					t.Errorf("problem %q, want it to say %q", msg, tc.detail)
				}
				if strings.Contains(p.Detail, "Go struct") || strings.Contains(p.Detail, "json:") || strings.Contains(p.Detail, "2006") {
					t.Errorf("detail leaks the decoder's words: %q", p.Detail)
				}
				if after := timelineCounts(t, c, ct.ID)["interaction"]; after != before {
					t.Errorf("a refused interaction was written: %d, then %d", before, after)
				}
			})
		}

		// Within a day ahead is fine (clocks and time zones differ), and
		// so is a meeting without a direction.
		soon := time.Now().Add(12 * time.Hour).Truncate(time.Second)
		i := logInteraction(t, c, map[string]any{"kind": "MEETING", "contact_ids": []int64{ct.ID, ct.ID},
			"occurred_at": soon.Format(time.RFC3339), "department_id": u.Departments[0].ID, "subject": "<b>HTML</b> & text"})
		if i.Kind != "meeting" || !i.OccurredAt.Equal(soon) || len(i.Contacts) != 1 || i.Subject != "<b>HTML</b> & text" {
			t.Fatalf("meeting: %+v", i)
		}

		// A refused PATCH changes nothing, not even its valid fields.
		path := fmt.Sprintf("/api/v1/interactions/%d", i.ID)
		for _, tc := range []struct {
			name   string
			body   string
			status int
			field  string
		}{
			{"no version", `{"subject": "x"}`, 422, "version"},
			{"null version", `{"version": null, "subject": "x"}`, 422, "version"},
			{"zero version", `{"version": 0, "subject": "x"}`, 422, "version"},
			{"version as text", `{"version": "1", "subject": "x"}`, 400, ""},
			{"unknown field", `{"version": 1, "subject": "x", "topic": "y"}`, 422, "topic"},
			{"read-only field", `{"version": 1, "subject": "x", "created_at": "2020-01-01T00:00:00Z"}`, 422, "created_at"},
			{"users echoed back", `{"version": 1, "subject": "x", "users": []}`, 422, "users"},
			{"department", fmt.Sprintf(`{"version": 1, "subject": "x", "department_id": %d}`, u.Departments[0].ID), 422, "department_id"},
			{"unknown kind", `{"version": 1, "subject": "x", "kind": "visit"}`, 422, "kind"},
			{"call without direction", `{"version": 1, "subject": "x", "kind": "call"}`, 422, "direction"},
			{"null contacts", `{"version": 1, "subject": "x", "contact_ids": null}`, 422, "contact_ids"},
			{"null time", `{"version": 1, "subject": "x", "occurred_at": null}`, 422, "occurred_at"},
			{"bad time", `{"version": 1, "subject": "x", "occurred_at": "31/03/2024"}`, 422, "occurred_at"},
			{"future time", `{"version": 1, "subject": "x", "occurred_at": "` + future + `"}`, 422, "occurred_at"},
			{"no such contact", `{"version": 1, "subject": "x", "contact_ids": [999999999]}`, 422, "contact_ids[0]"},
		} {
			t.Run("patch "+tc.name, func(t *testing.T) {
				p := problem(t, sendRaw(t, srv, c, http.MethodPatch, path, jsonType, tc.body), tc.status)
				if tc.field != "" && p.Errors[tc.field] == "" {
					t.Errorf("errors %v, want one for %s", p.Errors, tc.field)
				}
				if got := getInteraction(t, c, i.ID); got.Version != 1 || got.Subject != i.Subject {
					t.Errorf("refused patch changed the interaction: %+v", got)
				}
			})
		}
	})
}

// Query parameters are checked as strictly as bodies.
func TestTimelineAPIRefusesBadParameters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		ct := createContact(t, c, map[string]any{"given_name": "Query", "company": apptest.Unique("Query Co ")})
		for _, tc := range []struct {
			path   string
			query  string
			status int
			field  string
		}{
			{contactTimeline(ct.ID), "kind=calls", 422, "kind"},
			{contactTimeline(ct.ID), "kind=interaction,calls", 422, "kind"},
			{contactTimeline(ct.ID), "kinds=interaction", 422, "kinds"},
			{contactTimeline(ct.ID), "from=yesterday", 422, "from"},
			{contactTimeline(ct.ID), "to=2024-13-01", 422, "to"},
			{contactTimeline(ct.ID), "from=2024-03-02&to=2024-03-01", 422, "to"},
			{contactTimeline(ct.ID), "from=2024-03-01T00:00:00Z&to=2024-03-01T00:00:00Z", 422, "to"},
			{contactTimeline(ct.ID), "department_id=sales", 400, ""},
			{contactTimeline(ct.ID), "limit=0", 422, "limit"},
			{contactTimeline(ct.ID), "limit=201", 422, "limit"},
			{contactTimeline(ct.ID), "limit=ten", 400, ""},
			{contactTimeline(ct.ID), "cursor=garbage", 422, "cursor"},
			{contactTimeline(ct.ID), "channel=phone&channel=video", 422, "channel"},
			{contactTimeline(ct.ID), "since=2024-01-01", 422, "since"},
			{companyTimeline(*ct.CompanyID), "kind=calls", 422, "kind"},
			{companyTimeline(*ct.CompanyID), "mine=true", 422, "mine"},
			{"/api/v1/activity", "mine=yes", 400, ""},
			{"/api/v1/activity", "since=last+week", 422, "since"},
			{"/api/v1/activity", "from=2024-01-01", 422, "from"},
			{"/api/v1/activity", "kind=note&kind=bogus", 422, "kind"},
			{contactTimeline(999999999), "", 404, ""},
			{"/api/v1/contacts/abc/timeline", "", 404, ""},
			{companyTimeline(999999999), "", 404, ""},
		} {
			p := problem(t, c.Get(tc.path+"?"+tc.query), tc.status)
			if tc.field != "" && (p.Errors[tc.field] == "" || len(p.Errors) != 1) {
				t.Errorf("%s?%s: errors %v, want one for %s", tc.path, tc.query, p.Errors, tc.field)
			}
		}
		p := problem(t, c.Get(contactTimeline(ct.ID)+"?kind=calls"), http.StatusUnprocessableEntity)
		if !strings.Contains(p.Errors["kind"], "interaction, note") {
			t.Errorf("kind problem does not list the kinds: %q", p.Errors["kind"])
		}
		// Every problem with what the parameters say comes back at once.
		p = problem(t, c.Get(contactTimeline(ct.ID)+"?kind=calls&from=soon&to=later&sort=new"), http.StatusUnprocessableEntity)
		if len(p.Errors) != 4 {
			t.Errorf("errors %v, want kind, from, to and sort", p.Errors)
		}
	})
}
