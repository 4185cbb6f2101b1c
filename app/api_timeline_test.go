package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/app"
	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// apiNamed is an {id, name} member as a client reads it.
type apiNamed struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// apiTimelineItem is a timeline item as a client reads it.
type apiTimelineItem struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	OccurredAt  time.Time `json:"occurred_at"`
	ContactID   int64     `json:"contact_id"`
	ContactName string    `json:"contact_name"`
	Actor       *apiNamed `json:"actor"`
	Department  *apiNamed `json:"department"`
	Source      string    `json:"source"`
	Summary     string    `json:"summary"`
	Channel     string    `json:"channel"`
	Ref         *struct {
		Type string `json:"type"`
		ID   int64  `json:"id"`
	} `json:"ref"`
	Data                   map[string]any `json:"data"`
	RestrictedDepartmentID *int64         `json:"restricted_department_id"`
}

type apiTimelinePage struct {
	Items      []apiTimelineItem `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

// readTimeline reads one page of a timeline or the activity feed.
func readTimeline(t *testing.T, c *apptest.Client, path string, q url.Values) apiTimelinePage {
	t.Helper()
	r := c.Get(path + "?" + q.Encode())
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s?%s: %d %.500s", path, q.Encode(), r.Status, r.Body)
	}
	var p apiTimelinePage
	r.Decode(t, &p)
	return p
}

// walkTimeline reads every page, failing on an item seen twice or out of
// order (newest first, the id breaking ties).
func walkTimeline(t *testing.T, c *apptest.Client, path string, q url.Values) (items []apiTimelineItem, pages int) {
	t.Helper()
	q = maps(q)
	seen := map[int64]bool{}
	for {
		page := readTimeline(t, c, path, q)
		pages++
		for _, it := range page.Items {
			if seen[it.ID] {
				t.Fatalf("%s: item %d on two pages", path, it.ID)
			}
			seen[it.ID] = true
			if n := len(items); n > 0 {
				prev := items[n-1]
				if it.OccurredAt.After(prev.OccurredAt) || (it.OccurredAt.Equal(prev.OccurredAt) && it.ID > prev.ID) {
					t.Fatalf("%s: item %d (%s) after %d (%s)", path, it.ID, it.OccurredAt, prev.ID, prev.OccurredAt)
				}
			}
			items = append(items, it)
		}
		if page.NextCursor == nil {
			return items, pages
		}
		if pages > 100 {
			t.Fatalf("%s: more than 100 pages", path)
		}
		q.Set("cursor", *page.NextCursor)
	}
}

// maps copies query values, so a walk does not leave its cursor behind.
func maps(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

func summaries(items []apiTimelineItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Summary
	}
	return out
}

// refsOf lists the interaction ids items show, in order.
func refsOf(items []apiTimelineItem) []int64 {
	var out []int64
	for _, it := range items {
		if it.Ref != nil {
			out = append(out, it.Ref.ID)
		}
	}
	return out
}

func contactTimeline(id int64) string { return fmt.Sprintf("/api/v1/contacts/%d/timeline", id) }

func companyTimeline(id int64) string { return fmt.Sprintf("/api/v1/companies/%d/timeline", id) }

func timelineCounts(t *testing.T, c *apptest.Client, contactID int64) map[string]int64 {
	t.Helper()
	r := c.Get(contactTimeline(contactID) + "/counts")
	if r.Status != http.StatusOK {
		t.Fatalf("counts of %d: %d %.300s", contactID, r.Status, r.Body)
	}
	var counts map[string]int64
	r.Decode(t, &counts)
	return counts
}

var kindOnly = url.Values{"kind": {"interaction"}}

// The flow: a call with two people logged through the API shows on
// both their timelines, and their company's, with who logged it for which
// department; a colleague's meeting and a profile edit join it there.
func TestTimelineAPILogCallOnBothTimelines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		sales, support := apptest.Unique("Sales "), apptest.Unique("Support ")
		ann, annUser := apiClient(t, srv, "bearer", models.RoleMember, sales)
		bob, bobUser := apiClient(t, srv, "bearer", models.RoleMember, support)
		company := apptest.Unique("Timeline Co ")
		ada := createContact(t, ann, map[string]any{"given_name": "Ada", "family_name": "Byron", "company": company})
		bo := createContact(t, ann, map[string]any{"given_name": "Bo", "family_name": "Diddley", "company": company})

		callAt := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		call := logInteraction(t, ann, map[string]any{"kind": "call", "direction": "outbound", "occurred_at": callAt.Format(time.RFC3339),
			"duration_seconds": 600, "contact_ids": []int64{ada.ID, bo.ID}, "subject": "Renewal",
			"body": "Walked through\nthe new pricing.", "outcome": "Sending a quote"})
		if call.Version != 1 || call.Kind != "call" || call.Direction != "outbound" || call.Channel != "phone" ||
			!call.OccurredAt.Equal(callAt) || call.DurationSeconds != 600 || call.Subject != "Renewal" ||
			call.Body != "Walked through\nthe new pricing." || call.Outcome != "Sending a quote" || call.Source != "api" ||
			call.RestrictedDepartmentID != nil || len(call.Users) != 0 {
			t.Fatalf("logged call: %+v", call)
		}
		if want := []apiNamed{{ada.ID, "Ada Byron"}, {bo.ID, "Bo Diddley"}}; !slices.Equal(call.Contacts, want) {
			t.Fatalf("participants %+v, want %+v", call.Contacts, want)
		}
		annDept := apiNamed{annUser.Departments[0].ID, sales}
		if call.Actor == nil || *call.Actor != (apiNamed{annUser.ID, annUser.Name}) || call.Department == nil || *call.Department != annDept {
			t.Fatalf("credit: actor %+v department %+v", call.Actor, call.Department)
		}
		if got := getInteraction(t, bob, call.ID); mustMarshal(t, got) != mustMarshal(t, call) {
			t.Fatalf("GET differs from POST:\n%s\n%s", mustMarshal(t, got), mustMarshal(t, call))
		}

		// Another item: Bob's meeting with Ada, with Ann along.
		meetAt := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
		meeting := logInteraction(t, bob, map[string]any{"kind": "meeting", "channel": "video", "occurred_at": meetAt.Format(time.RFC3339),
			"contact_ids": []int64{ada.ID}, "user_ids": []int64{annUser.ID}, "subject": "Onboarding"})
		if meeting.Direction != "" || meeting.Channel != "video" || !slices.Equal(meeting.Users, []apiNamed{{annUser.ID, annUser.Name}}) {
			t.Fatalf("meeting: %+v", meeting)
		}

		adaItems := readTimeline(t, ann, contactTimeline(ada.ID), kindOnly).Items
		if got := summaries(adaItems); !slices.Equal(got, []string{"Meeting: Onboarding", "Outbound call: Renewal"}) {
			t.Fatalf("Ada's timeline: %q", got)
		}
		m, c := adaItems[0], adaItems[1]
		if m.Actor == nil || *m.Actor != (apiNamed{bobUser.ID, bobUser.Name}) || m.Department == nil ||
			*m.Department != (apiNamed{bobUser.Departments[0].ID, support}) || m.Channel != "video" {
			t.Fatalf("meeting item credit: %+v", m)
		}
		checkCallItem := func(it apiTimelineItem, contact apiContact) {
			t.Helper()
			if it.Kind != "interaction" || it.ContactID != contact.ID || it.ContactName != contact.Name || !it.OccurredAt.Equal(callAt) ||
				it.Actor == nil || *it.Actor != (apiNamed{annUser.ID, annUser.Name}) || it.Department == nil || *it.Department != annDept ||
				it.Source != "api" || it.Channel != "phone" || it.Ref == nil || it.Ref.Type != "interaction" || it.Ref.ID != call.ID ||
				it.RestrictedDepartmentID != nil {
				t.Errorf("call item on %s's timeline: %+v", contact.Name, it)
			}
			if it.Data["interaction_kind"] != "call" || it.Data["direction"] != "outbound" || it.Data["duration_seconds"] != 600.0 ||
				it.Data["subject"] != "Renewal" || it.Data["outcome"] != "Sending a quote" ||
				it.Data["excerpt"] != "Walked through the new pricing." || it.Data["version"] != 1.0 {
				t.Errorf("call item data: %v", it.Data)
			}
		}
		checkCallItem(c, ada)
		boItems := readTimeline(t, bob, contactTimeline(bo.ID), kindOnly).Items
		if len(boItems) != 1 {
			t.Fatalf("Bo's timeline: %q", summaries(boItems))
		}
		checkCallItem(boItems[0], bo)
		if boItems[0].ID == c.ID {
			t.Fatal("the call has one item for both contacts; want one each")
		}

		// A profile edit is an item too, newest of all, with the API as
		// its source.
		r := ann.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", ada.ID), map[string]any{"version": ada.Version, "title": "CTO"})
		if r.Status != http.StatusOK {
			t.Fatalf("edit Ada: %d %s", r.Status, r.Body)
		}
		all := readTimeline(t, bob, contactTimeline(ada.ID), nil).Items
		if len(all) != 4 || all[0].Kind != "change" || all[0].Ref != nil || all[0].Actor == nil || all[0].Actor.ID != annUser.ID ||
			!strings.Contains(all[0].Summary, "CTO") || all[0].Data["action"] != "update" {
			t.Fatalf("Ada's whole timeline: %+v", all)
		}

		// The company's timeline merges its people's, saying whose each is.
		co := readTimeline(t, ann, companyTimeline(*ada.CompanyID), kindOnly).Items
		var whose []string
		for _, it := range co {
			whose = append(whose, it.Summary+" / "+it.ContactName)
		}
		if want := []string{"Meeting: Onboarding / Ada Byron", "Outbound call: Renewal / Bo Diddley", "Outbound call: Renewal / Ada Byron"}; !slices.Equal(whose, want) &&
			!slices.Equal(whose, []string{want[0], want[2], want[1]}) {
			t.Fatalf("company timeline: %q", whose)
		}

		// Logging moved last contacted forward, without a profile version.
		if got := getContact(t, ann, bo.ID); got.LastContactedAt == nil || !got.LastContactedAt.Equal(callAt) || got.Version != 1 {
			t.Fatalf("Bo after the call: last contacted %v, version %d", got.LastContactedAt, got.Version)
		}
	})
}

// Each filter keeps what it says, alone and together, on a contact's and
// a company's timeline.
func TestTimelineAPIFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		sales, support := apptest.Unique("Sales "), apptest.Unique("Support ")
		ann, annUser := apiClient(t, srv, "bearer", models.RoleMember, sales)
		bob, bobUser := apiClient(t, srv, "bearer", models.RoleMember, support)
		ct := createContact(t, ann, map[string]any{"given_name": "Fil", "family_name": "Ter", "company": apptest.Unique("Filter Co ")})
		for _, in := range []map[string]any{
			{"kind": "call", "direction": "outbound", "occurred_at": "2024-03-05T10:00:00Z", "subject": "A"},
			{"kind": "meeting", "channel": "Video", "occurred_at": "2024-03-20T15:00:00Z", "subject": "B", "by": "bob"},
			{"kind": "email", "direction": "inbound", "occurred_at": "2024-04-02T09:00:00+02:00", "subject": "C"},
			{"kind": "message", "direction": "outbound", "occurred_at": "2024-02-29T23:30:00Z", "subject": "D", "by": "bob"},
			{"kind": "meeting", "channel": "in_person", "occurred_at": "2024-03-31T23:59:59.5Z", "subject": "E"},
		} {
			c := ann
			if in["by"] == "bob" {
				c = bob
			}
			delete(in, "by")
			in["contact_ids"] = []int64{ct.ID}
			logInteraction(t, c, in)
		}
		salesID, supportID := annUser.Departments[0].ID, bobUser.Departments[0].ID
		for _, tc := range []struct {
			query url.Values
			want  []string // subjects, newest first; "+" is the contact's creation
		}{
			{url.Values{}, []string{"+", "C", "E", "B", "A", "D"}},
			{url.Values{"kind": {"interaction"}}, []string{"C", "E", "B", "A", "D"}},
			{url.Values{"kind": {"change"}}, []string{"+"}},
			{url.Values{"kind": {"interaction,change"}}, []string{"+", "C", "E", "B", "A", "D"}},
			{url.Values{"kind": {"interaction", "change"}}, []string{"+", "C", "E", "B", "A", "D"}},
			{url.Values{"kind": {" note , task "}}, nil},
			{url.Values{"department_id": {fmt.Sprint(supportID)}}, []string{"B", "D"}},
			{url.Values{"department_id": {fmt.Sprint(salesID)}, "kind": {"interaction"}}, []string{"C", "E", "A"}},
			{url.Values{"channel": {"video"}}, []string{"B"}},
			{url.Values{"channel": {"In Person"}}, []string{"E"}},
			{url.Values{"channel": {"PHONE"}}, []string{"A"}},
			{url.Values{"channel": {"letter"}}, nil},
			{url.Values{"from": {"2024-03-01"}, "to": {"2024-03-31"}}, []string{"E", "B", "A"}},
			{url.Values{"from": {"2024-03-01"}, "to": {"2024-03-01"}}, nil},
			{url.Values{"from": {"2024-02-29"}, "to": {"2024-02-29"}}, []string{"D"}},
			{url.Values{"from": {"2024-03-05T10:00:00Z"}, "to": {"2024-03-20T15:00:00Z"}}, []string{"A"}},
			{url.Values{"from": {"2024-03-05T11:00:00+01:00"}, "to": {"2024-03-05T10:00:00.000001Z"}}, []string{"A"}},
			{url.Values{"from": {"2024-04-02T07:00:00Z"}}, []string{"+", "C"}},
			{url.Values{"to": {"2024-03-01"}}, []string{"D"}},
			{url.Values{"kind": {"interaction"}, "department_id": {fmt.Sprint(supportID)}, "from": {"2024-03-01"}}, []string{"B"}},
		} {
			check := func(path string) {
				t.Helper()
				items, _ := walkTimeline(t, ann, path, tc.query)
				var got []string
				for _, it := range items {
					if it.Kind == "change" {
						got = append(got, "+")
					} else {
						got = append(got, it.Data["subject"].(string))
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s?%s: %q, want %q", path, tc.query.Encode(), got, tc.want)
				}
			}
			check(contactTimeline(ct.ID))
			check(companyTimeline(*ct.CompanyID))
		}
		// A + left unescaped arrives as a space, and still reads as an offset.
		r := ann.Get(contactTimeline(ct.ID) + "?kind=interaction&from=2024-03-05T11:00:00+01:00&to=2024-03-06")
		var page apiTimelinePage
		r.Decode(t, &page)
		if r.Status != http.StatusOK || len(page.Items) != 1 || page.Items[0].Data["subject"] != "A" {
			t.Fatalf("unescaped offset: %d %s", r.Status, r.Body)
		}
	})
}

// Walking a timeline of 120 items, many at the same moment, a page at a
// time returns each exactly once, newest first; so does the company's.
func TestTimelineAPIPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		ct := createContact(t, c, map[string]any{"given_name": "Paige", "family_name": "Turner", "company": apptest.Unique("Pages Co ")})
		colleague := createContact(t, c, map[string]any{"given_name": "Colin", "company_id": *ct.CompanyID})
		base := time.Date(2023, 5, 1, 9, 0, 0, 0, time.UTC)
		for i := range 120 {
			contacts := []int64{ct.ID}
			if i%10 == 0 {
				contacts = append(contacts, colleague.ID)
			}
			// Runs of three at the same moment, so that ties fall across
			// page boundaries.
			_, err := db.LogInteraction(ctx, u.Actor("token"), models.InteractionRequest{Kind: models.InteractionCall,
				Direction: models.DirectionInbound, OccurredAt: base.Add(time.Duration(i/3) * time.Minute),
				ContactIDs: contacts, Subject: fmt.Sprint(i)})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			path  string
			limit string
			want  int
			pages int
		}{
			{contactTimeline(ct.ID), "25", 120, 5},
			{contactTimeline(ct.ID), "7", 120, 18},
			{contactTimeline(ct.ID), "200", 120, 1},
			{companyTimeline(*ct.CompanyID), "25", 132, 6},
		} {
			items, pages := walkTimeline(t, c, tc.path, url.Values{"kind": {"interaction"}, "limit": {tc.limit}})
			if len(items) != tc.want || pages != tc.pages {
				t.Errorf("%s limit %s: %d items in %d pages, want %d in %d", tc.path, tc.limit, len(items), pages, tc.want, tc.pages)
			}
		}
		// The default page is 50.
		if p := readTimeline(t, c, contactTimeline(ct.ID), nil); len(p.Items) != 50 || p.NextCursor == nil {
			t.Fatalf("default page: %d items", len(p.Items))
		}
		// A cursor belongs to its listing.
		first := readTimeline(t, c, contactTimeline(ct.ID), url.Values{"limit": {"10"}})
		p := problem(t, c.Get("/api/v1/activity?"+url.Values{"cursor": {*first.NextCursor}}.Encode()), http.StatusUnprocessableEntity)
		if p.Errors["cursor"] == "" {
			t.Fatalf("timeline cursor on the activity feed: %+v", p)
		}
	})
}

// Counts cover every kind, and only what the caller may see.
func TestTimelineAPICounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		legal := apptest.Unique("Legal ")
		insider, insiderUser := apiClient(t, srv, "bearer", models.RoleMember, legal)
		outsider, _ := apiClient(t, srv, "bearer", models.RoleMember, apptest.Unique("Other "))
		ct := createContact(t, insider, map[string]any{"given_name": "Count", "family_name": "Basie"})
		for range 3 {
			logInteraction(t, insider, map[string]any{"kind": "email", "direction": "inbound", "contact_ids": []int64{ct.ID}})
		}
		logInteraction(t, insider, map[string]any{"kind": "meeting", "contact_ids": []int64{ct.ID},
			"restricted_department_id": insiderUser.Departments[0].ID})
		gone := logInteraction(t, insider, map[string]any{"kind": "call", "direction": "inbound", "contact_ids": []int64{ct.ID}})
		if r := insider.JSON(http.MethodDelete, fmt.Sprintf("/api/v1/interactions/%d", gone.ID), nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := insider.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", ct.ID), map[string]any{"version": 1, "title": "Count"}); r.Status != http.StatusOK {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		want := map[string]int64{"interaction": 4, "note": 0, "task": 0, "social": 0, "change": 2, "owner": 0, "merge": 0, "import": 0}
		if got := timelineCounts(t, insider, ct.ID); mustMarshal(t, got) != mustMarshal(t, want) {
			t.Fatalf("insider's counts %v, want %v", got, want)
		}
		want["interaction"] = 3
		if got := timelineCounts(t, outsider, ct.ID); mustMarshal(t, got) != mustMarshal(t, want) {
			t.Fatalf("outsider's counts %v, want %v", got, want)
		}
		problem(t, insider.Get(contactTimeline(ct.ID)+"/counts?kind=interaction"), http.StatusUnprocessableEntity)
		problem(t, insider.Get(contactTimeline(999999999)+"/counts"), http.StatusNotFound)
	})
}

// The activity feed is every visible contact's timeline merged; mine keeps
// the contacts the caller owns. A fresh database, so the feed holds only
// what this test wrote.
func TestActivityAPI(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		ann, annUser := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		bob, _ := apiClient(t, srv, "bearer", models.RoleMember, "Support")
		mine := createContact(t, ann, map[string]any{"given_name": "Mine"})
		theirs := createContact(t, bob, map[string]any{"given_name": "Theirs"})
		if mine.OwnerID == nil || *mine.OwnerID != annUser.ID {
			t.Fatalf("owner %v", mine.OwnerID)
		}
		now := time.Now().UTC().Truncate(time.Second)
		call := logInteraction(t, ann, map[string]any{"kind": "call", "direction": "outbound", "contact_ids": []int64{mine.ID},
			"occurred_at": now.Add(-3 * time.Hour).Format(time.RFC3339)})
		meeting := logInteraction(t, bob, map[string]any{"kind": "meeting", "contact_ids": []int64{theirs.ID},
			"occurred_at": now.Add(-2 * time.Hour).Format(time.RFC3339)})
		both := logInteraction(t, bob, map[string]any{"kind": "email", "direction": "inbound", "contact_ids": []int64{mine.ID, theirs.ID},
			"occurred_at": now.Add(-1 * time.Hour).Format(time.RFC3339)})

		items, _ := walkTimeline(t, ann, "/api/v1/activity", url.Values{"kind": {"interaction"}, "limit": {"2"}})
		if got := refsOf(items); !slices.Equal(got, []int64{both.ID, both.ID, meeting.ID, call.ID}) {
			t.Fatalf("feed: %v", got)
		}
		items, _ = walkTimeline(t, ann, "/api/v1/activity", url.Values{"mine": {"true"}, "kind": {"interaction"}})
		if got := refsOf(items); !slices.Equal(got, []int64{both.ID, call.ID}) || items[0].ContactID != mine.ID {
			t.Fatalf("mine: %v", got)
		}
		items, _ = walkTimeline(t, bob, "/api/v1/activity", url.Values{"mine": {"true"}})
		if len(items) != 3 || items[0].Kind != "change" || items[0].ContactID != theirs.ID || refsOf(items)[0] != both.ID {
			t.Fatalf("Bob's own: %+v", items)
		}
		items, _ = walkTimeline(t, ann, "/api/v1/activity", url.Values{"mine": {"false"}, "kind": {"interaction"},
			"since": {now.Add(-2 * time.Hour).Format(time.RFC3339)}})
		if got := refsOf(items); !slices.Equal(got, []int64{both.ID, both.ID, meeting.ID}) {
			t.Fatalf("since: %v", got)
		}
		items, _ = walkTimeline(t, ann, "/api/v1/activity", url.Values{"kind": {"change"}})
		if len(items) != 2 || items[0].Actor == nil {
			t.Fatalf("changes: %+v", items)
		}
	})
}

// A timeline item, its page, the counts and an interaction carry exactly
// the members openapi.json documents.
func TestTimelineAPIShapeMatchesOpenAPI(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas map[string]schemaDoc `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(app.OpenAPISpec(), &spec); err != nil {
		t.Fatal(err)
	}
	var specRaw struct {
		Components struct {
			Schemas map[string]struct {
				Required []string `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(app.OpenAPISpec(), &specRaw); err != nil {
		t.Fatal(err)
	}
	srv := apptest.Start(t, dbtest.Shared(t, "sqlite"))
	c, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
	ct := createContact(t, c, map[string]any{"given_name": "Shape", "family_name": "Timeline"})
	r := c.JSON(http.MethodPost, "/api/v1/interactions", map[string]any{"kind": "call", "direction": "inbound", "contact_ids": []int64{ct.ID}})
	var interaction map[string]json.RawMessage
	r.Decode(t, &interaction)
	var page map[string]json.RawMessage
	c.Get(contactTimeline(ct.ID)+"?kind=interaction").Decode(t, &page)
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(page["items"], &items); err != nil || len(items) != 1 {
		t.Fatalf("items: %s", page["items"])
	}
	var counts map[string]json.RawMessage
	c.Get(contactTimeline(ct.ID)+"/counts").Decode(t, &counts)
	object := func(raw json.RawMessage) map[string]json.RawMessage {
		var out map[string]json.RawMessage
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return out
	}
	var contacts []json.RawMessage
	if err := json.Unmarshal(interaction["contacts"], &contacts); err != nil || len(contacts) != 1 {
		t.Fatalf("contacts: %s", interaction["contacts"])
	}
	for _, tc := range []struct {
		schema string
		obj    map[string]json.RawMessage
	}{
		{"TimelinePage", page}, {"TimelineItem", items[0]}, {"TimelineRef", object(items[0]["ref"])},
		{"NamedRecord", object(items[0]["actor"])}, {"NamedRecord", object(items[0]["department"])},
		{"Interaction", interaction}, {"NamedRecord", object(contacts[0])}, {"TimelineCounts", counts},
	} {
		var got []string
		for k := range tc.obj {
			got = append(got, k)
		}
		slices.Sort(got)
		want := spec.Components.Schemas[tc.schema].members(spec.Components.Schemas)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s members %v, documented %v", tc.schema, got, want)
		}
		required := slices.Clone(specRaw.Components.Schemas[tc.schema].Required)
		slices.Sort(required)
		if !slices.Equal(required, want) {
			t.Errorf("%s: required %v, but responses always carry %v", tc.schema, required, want)
		}
	}
}
