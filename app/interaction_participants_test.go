package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// interactionRefs lists, through the API, the interactions on a contact's
// timeline, one entry per item.
func interactionRefs(t *testing.T, c *apptest.Client, contactID int64) []int64 {
	t.Helper()
	return refsOf(readTimeline(t, c, contactTimeline(contactID), kindOnly).Items)
}

// A call logged with Amy and Ben is edited, from Amy's timeline, to have
// been with Amy and Cal, and another colleague: Amy's timeline still shows
// it once, Ben's no longer does and Cal's does, at once. Ben's last
// contact goes back to what it was before, as a delete would have it.
// Removing everyone, or naming a contact the editor may not see, is said
// in the form and changes nothing.
func TestEditInteractionParticipantsInTheUI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		sales := apptest.Unique("Sales ")
		c, u := srv.SignedIn(t, models.RoleMember, sales)
		a := u.Actor("session")
		colleague := apptest.User(t, db, models.RoleMember, sales)
		newcomer := apptest.User(t, db, models.RoleMember, sales)
		family := apptest.Unique("Party")
		amy, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Amy", FamilyName: family})
		ben, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ben", FamilyName: family})
		cal, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Cal", FamilyName: family})
		outsider := apptest.User(t, db, models.RoleMember, apptest.Unique("Legal "))
		hidden, err := db.CreateContact(ctx, outsider.Actor("session"), models.ContactRequest{GivenName: "Hal", FamilyName: family,
			RestrictedDepartmentID: &outsider.Departments[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Minute)
		call, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "call", Direction: "outbound", Channel: "phone",
			OccurredAt: at, ContactIDs: []int64{amy.ID, ben.ID}, UserIDs: []int64{colleague.ID}, Subject: "Kick-off"})
		if err != nil {
			t.Fatal(err)
		}

		// The form lists who took part, and its picker adds to its own list.
		m := editLink.FindStringSubmatch(c.Get(fmt.Sprintf("/contacts/%d", amy.ID)).Body)
		if m == nil {
			t.Fatal("no Edit link on the call")
		}
		form := htmxGet(t, c, srv.URL, unescapeURL(m[1]))
		post := editFormPost.FindStringSubmatch(form.Body)
		if form.Status != http.StatusOK || post == nil {
			t.Fatalf("edit form: %d %.500s", form.Status, form.Body)
		}
		chips, colleagues := "e"+post[2]+"-contacts", "e"+post[2]+"-users"
		for _, want := range []string{
			fmt.Sprintf(`name="contact_ids" value="%d"`, amy.ID), fmt.Sprintf(`name="contact_ids" value="%d"`, ben.ID),
			fmt.Sprintf(`name="user_ids" value="%d" checked`, colleague.ID),
			`id="` + chips + `"`, `hx-get="/contacts/picker?into=` + chips + `"`, `name="_csrf"`,
			`id="` + colleagues + `"`, `hx-get="/colleagues/picker?into=` + colleagues + `"`,
		} {
			if !strings.Contains(form.Body, want) {
				t.Errorf("the edit form lacks %q", want)
			}
		}
		pick := htmxGet(t, c, srv.URL, "/contacts/picker?into="+chips+"&q="+url.QueryEscape("Cal "+family))
		if !strings.Contains(pick.Body, fmt.Sprintf("/contacts/picker/chip?id=%d", cal.ID)) || !strings.Contains(pick.Body, `hx-target="#`+chips+`"`) {
			t.Fatalf("the picker should add Cal to the edit form's list: %s", pick.Body)
		}
		if p := htmxGet(t, c, srv.URL, "/contacts/picker?into=x%22onclick&q="+url.QueryEscape(family)); !strings.Contains(p.Body, `hx-target="#also-with"`) {
			t.Errorf("an unknown list should fall back to the composer's: %s", p.Body)
		}
		// The colleague search adds the newcomer, ticked, to the form's list.
		pick = htmxGet(t, c, srv.URL, "/colleagues/picker?into="+colleagues+"&colleague_q="+url.QueryEscape(newcomer.Email))
		chip := fmt.Sprintf("/colleagues/picker/chip?id=%d", newcomer.ID)
		if !strings.Contains(pick.Body, chip) || !strings.Contains(pick.Body, `hx-target="#`+colleagues+`"`) {
			t.Fatalf("the colleague search should offer the newcomer: %s", pick.Body)
		}
		if r := htmxGet(t, c, srv.URL, chip); !strings.Contains(r.Body, fmt.Sprintf(`name="user_ids" value="%d" checked`, newcomer.ID)) {
			t.Fatalf("the picked colleague's box: %s", r.Body)
		}
		if p := htmxGet(t, c, srv.URL, "/colleagues/picker?into=x%22onclick&colleague_q=Test"); p.Status != http.StatusBadRequest {
			t.Errorf("a colleague search into an unknown list: %d %s", p.Status, p.Body)
		}

		target := unescapeURL(post[1])
		edit := func(version int64, contacts []int64, users ...string) url.Values {
			v := url.Values{"version": {fmt.Sprint(version)}, "kind": {"call"}, "direction": {"outbound"}, "channel": {"phone"},
				"occurred_at": {at.Format("2006-01-02T15:04")}, "subject": {"Kick-off"}, "participants": {"1"}, "user_ids": users}
			for _, id := range contacts {
				v.Add("contact_ids", fmt.Sprint(id))
			}
			return v
		}
		unchanged := func(when string) {
			t.Helper()
			got, err := db.Interaction(ctx, a, call.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != call.Version || len(got.Contacts) != 2 || got.Contacts[1].ID != ben.ID {
				t.Errorf("%s changed the call: %+v", when, got)
			}
			if refs := interactionRefs(t, c, ben.ID); !slices.Equal(refs, []int64{call.ID}) {
				t.Errorf("%s: Ben's timeline shows %v", when, refs)
			}
		}

		// Everyone removed: said beside the contacts, nothing saved.
		r := htmxPost(t, c, srv.URL, target, edit(call.Version, nil, ""))
		if r.Header.Get("HX-Retarget") != "#item-"+post[2] || !strings.Contains(r.Body, "Choose at least one contact it was with.") {
			t.Errorf("no contacts: %v %.600s", r.Header, r.Body)
		}
		unchanged("removing everyone")
		// A contact the editor may not see: said, and the chip is gone.
		r = htmxPost(t, c, srv.URL, target, edit(call.Version, []int64{amy.ID, hidden.ID}, ""))
		if !strings.Contains(r.Body, "A contact you chose has been deleted or hidden from you") ||
			strings.Contains(r.Body, fmt.Sprintf(`name="contact_ids" value="%d"`, hidden.ID)) || !strings.Contains(r.Body, fmt.Sprintf(`name="contact_ids" value="%d"`, amy.ID)) {
			t.Errorf("a hidden contact: %.800s", r.Body)
		}
		unchanged("a hidden contact")

		// Amy and Ben become Amy and Cal; the colleague is swapped too.
		r = htmxPost(t, c, srv.URL, target, edit(call.Version, []int64{amy.ID, cal.ID}, fmt.Sprint(newcomer.ID)))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="timeline"`) || strings.Count(r.Body, "Outbound call: Kick-off") != 1 {
			t.Fatalf("save should answer Amy's timeline with the call once: %d %.400s", r.Status, r.Body)
		}
		for _, tc := range []struct {
			who  *models.Contact
			want []int64
		}{{amy, []int64{call.ID}}, {ben, nil}, {cal, []int64{call.ID}}} {
			if got := interactionRefs(t, c, tc.who.ID); !slices.Equal(got, tc.want) {
				t.Errorf("%s's timeline shows %v, want %v", tc.who.GivenName, got, tc.want)
			}
			if n := timelineCounts(t, c, tc.who.ID)["interaction"]; n != int64(len(tc.want)) {
				t.Errorf("%s's count of interactions: %d", tc.who.GivenName, n)
			}
		}
		if strings.Contains(c.Get(fmt.Sprintf("/contacts/%d", ben.ID)).Body, "Kick-off") {
			t.Error("Ben's page still shows the call")
		}
		if !strings.Contains(c.Get(fmt.Sprintf("/contacts/%d", cal.ID)).Body, "Kick-off") {
			t.Error("Cal's page does not show the call")
		}
		got, err := db.Interaction(ctx, a, call.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != call.Version+1 || len(got.Users) != 1 || got.Users[0].ID != newcomer.ID {
			t.Errorf("after the save: %+v", got)
		}
		for _, tc := range []struct {
			who  *models.Contact
			want *time.Time
		}{{amy, &at}, {ben, nil}, {cal, &at}} {
			lc := getContact(t, c, tc.who.ID).LastContactedAt
			if (lc == nil) != (tc.want == nil) || (lc != nil && !lc.Equal(*tc.want)) {
				t.Errorf("%s's last contact: %v, want %v", tc.who.GivenName, lc, tc.want)
			}
		}
		admin := apptest.User(t, db, models.RoleAdmin, sales).Actor("session")
		audit, err := db.AuditEvents(ctx, admin, models.AuditListOptions{Action: "interaction.update", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) == 0 || *audit[0].SubjectID != call.ID || !strings.Contains(audit[0].Detail, "contact_ids") ||
			!strings.Contains(audit[0].Detail, "user_ids") {
			t.Errorf("the change of participants is not audited: %+v", audit)
		}

		// A save against the old version is refused and names the
		// participants that differ.
		r = htmxPost(t, c, srv.URL, target, edit(call.Version, []int64{amy.ID, ben.ID}, fmt.Sprint(colleague.ID)))
		row := regexp.MustCompile(`<th scope="row">Contacts</th><td>Amy [^<]*, Ben [^<]*</td><td>Amy [^<]*, Cal [^<]*</td>`)
		if !strings.Contains(r.Body, "Someone saved this call") || !row.MatchString(r.Body) {
			t.Errorf("a stale save: %.1500s", r.Body)
		}
		if refs := interactionRefs(t, c, ben.ID); len(refs) != 0 {
			t.Errorf("a stale save put the call back on Ben's timeline: %v", refs)
		}
		// Without JavaScript a stale save is a 409 page.
		if r := c.PostForm(target, edit(call.Version, []int64{ben.ID})); r.Status != http.StatusConflict {
			t.Errorf("a stale save without htmx: %d", r.Status)
		}
	})
}

// Without JavaScript the edit form still changes who took part: Find sends
// the form back with the contacts that match its search as boxes to tick,
// saving nothing; ticked boxes are saved and unticked ones left off; and
// Find with an empty search, the button Enter presses, saves.
func TestEditInteractionParticipantsWithoutScript(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, apptest.Unique("Sales "))
		a := u.Actor("session")
		family := apptest.Unique("Plain")
		amy, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Amy", FamilyName: family})
		cal, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Cal", FamilyName: family})
		at := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Minute)
		call, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "call", Direction: "inbound",
			OccurredAt: at, ContactIDs: []int64{amy.ID}, Subject: "Plain form"})
		if err != nil {
			t.Fatal(err)
		}
		m := editLink.FindStringSubmatch(c.Get(fmt.Sprintf("/contacts/%d", amy.ID)).Body)
		if m == nil {
			t.Fatal("no Edit link on the call")
		}
		page := c.Get(unescapeURL(m[1]))
		post := editFormPost.FindStringSubmatch(page.Body)
		if page.Status != http.StatusOK || post == nil || !strings.Contains(page.Body, `name="find_contacts"`) {
			t.Fatalf("the edit page without script: %d %.800s", page.Status, page.Body)
		}
		target := unescapeURL(post[1])
		form := func(extra url.Values, contacts ...int64) url.Values {
			v := url.Values{"version": {fmt.Sprint(call.Version)}, "kind": {"call"}, "direction": {"inbound"},
				"occurred_at": {at.Format("2006-01-02T15:04")}, "subject": {"Plain form"}, "participants": {"1"}, "user_ids": {""}}
			for _, id := range contacts {
				v.Add("contact_ids", fmt.Sprint(id))
			}
			for k, vs := range extra {
				v[k] = vs
			}
			return v
		}
		box := func(id int64, ticked bool) string {
			b := fmt.Sprintf(`<input type="checkbox" name="contact_ids" value="%d"`, id)
			if ticked {
				return b + " checked>"
			}
			return b + ">"
		}
		contactsOfCall := func() []int64 {
			t.Helper()
			got, err := db.Interaction(ctx, a, call.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range got.Contacts {
				ids = append(ids, p.ID)
			}
			return ids
		}

		r := c.PostForm(target, form(url.Values{"find_contacts": {"1"}, "q": {"Cal " + family}}, amy.ID))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, box(cal.ID, false)) || !strings.Contains(r.Body, box(amy.ID, true)) ||
			!strings.Contains(r.Body, "Tick who else it was with") {
			t.Fatalf("Find should list Cal to tick beside Amy ticked: %d %.3000s", r.Status, r.Body)
		}
		if ids := contactsOfCall(); !slices.Equal(ids, []int64{amy.ID}) {
			t.Errorf("Find saved the call with %v", ids)
		}
		if r := c.PostForm(target, form(url.Values{"find_contacts": {"1"}, "q": {"Nobody " + family}}, amy.ID)); !strings.Contains(r.Body, "No contact matches") {
			t.Errorf("a search that finds nobody: %.1500s", r.Body)
		}

		// Cal ticked, Amy unticked: saved with Cal alone.
		if r := c.PostForm(target, form(nil, cal.ID)); r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %.800s", r.Status, r.Body)
		}
		if ids := contactsOfCall(); !slices.Equal(ids, []int64{cal.ID}) {
			t.Errorf("after the save the call is with %v, want Cal", ids)
		}
		// Enter in a field presses Find; with no search it saves.
		call, _ = db.Interaction(ctx, a, call.ID)
		if r := c.PostForm(target, form(url.Values{"find_contacts": {"1"}, "q": {""}}, amy.ID, cal.ID)); r.Status != http.StatusSeeOther {
			t.Fatalf("Find with an empty search: %d %.800s", r.Status, r.Body)
		}
		if ids := contactsOfCall(); !slices.Equal(ids, []int64{amy.ID, cal.ID}) {
			t.Errorf("after Find with an empty search the call is with %v, want Amy and Cal", ids)
		}
	})
}

// However many colleagues there are, the edit form finds any of them: one
// who joined after 500 others is found by the search (a bounded list of
// matches) and added, with script and without.
func TestEditInteractionFindsAnyColleague(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("session")
		amy, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Amy", FamilyName: "Many"})
		at := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
		call, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "call", Direction: "inbound",
			OccurredAt: at, ContactIDs: []int64{amy.ID}})
		if err != nil {
			t.Fatal(err)
		}
		// 500 colleagues, then one more who joined last.
		apptest.ManyUsers(t, db, 500)
		late := apptest.User(t, db, models.RoleMember, "Sales")
		if _, err := db.SQL().ExecContext(ctx, `UPDATE users SET name = 'Zelda Latecomer' WHERE id = $1`, late.ID); err != nil {
			t.Fatal(err)
		}
		m499, err := db.Users(ctx, models.UserListOptions{Query: "many499@"})
		if err != nil || len(m499) != 1 {
			t.Fatalf("Many 499: %v %v", m499, err)
		}
		other := m499[0].ID
		usersOfCall := func() []int64 {
			t.Helper()
			got, err := db.Interaction(ctx, a, call.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range got.Users {
				ids = append(ids, p.ID)
			}
			slices.Sort(ids)
			return ids
		}

		m := editLink.FindStringSubmatch(c.Get(fmt.Sprintf("/contacts/%d", amy.ID)).Body)
		if m == nil {
			t.Fatal("no Edit link on the call")
		}
		form := htmxGet(t, c, srv.URL, unescapeURL(m[1]))
		post := editFormPost.FindStringSubmatch(form.Body)
		if post == nil {
			t.Fatalf("edit form: %d %.500s", form.Status, form.Body)
		}
		if n := strings.Count(form.Body, `name="user_ids"`); n != 0 {
			t.Errorf("the form lists %d colleagues before any search; it should list only those who took part", n)
		}
		list := "e" + post[2] + "-users"

		// A common word finds a bounded list, and says there are more.
		many := htmxGet(t, c, srv.URL, "/colleagues/picker?into="+list+"&colleague_q=many")
		if n := strings.Count(many.Body, "/colleagues/picker/chip?id="); n != 10 || !strings.Contains(many.Body, "More colleagues match") {
			t.Errorf("a search matching 500 colleagues offers %d and must say more match: %.300s", n, many.Body)
		}
		// With script: the search finds the latecomer by part of the name,
		// in any case, and the chip is a ticked box the form posts.
		found := htmxGet(t, c, srv.URL, "/colleagues/picker?into="+list+"&colleague_q=LATECOM")
		chip := fmt.Sprintf("/colleagues/picker/chip?id=%d", late.ID)
		if !strings.Contains(found.Body, chip) || !strings.Contains(found.Body, "Zelda Latecomer") || strings.Contains(found.Body, "More colleagues") {
			t.Fatalf("the search should find the latecomer alone: %s", found.Body)
		}
		box := htmxGet(t, c, srv.URL, chip)
		ticked := fmt.Sprintf(`<input type="checkbox" name="user_ids" value="%d" checked>`, late.ID)
		if !strings.Contains(box.Body, ticked) {
			t.Fatalf("the latecomer's chip: %s", box.Body)
		}
		target := unescapeURL(post[1])
		edit := func(version int64, extra url.Values, users ...int64) url.Values {
			v := url.Values{"version": {fmt.Sprint(version)}, "kind": {"call"}, "direction": {"inbound"},
				"occurred_at": {at.Format("2006-01-02T15:04")}, "participants": {"1"}, "contact_ids": {fmt.Sprint(amy.ID)}}
			for _, id := range users {
				v.Add("user_ids", fmt.Sprint(id))
			}
			for k, vs := range extra {
				v[k] = vs
			}
			return v
		}
		if r := htmxPost(t, c, srv.URL, target, edit(call.Version, nil, late.ID)); r.Status != http.StatusOK {
			t.Fatalf("save with the latecomer: %d %.600s", r.Status, r.Body)
		}
		if ids := usersOfCall(); !slices.Equal(ids, []int64{late.ID}) {
			t.Fatalf("the call's colleagues are %v, want the latecomer %d", ids, late.ID)
		}

		// Without script: Find sends the form back with the match as a box
		// to tick, saving nothing; ticked and saved, it is added.
		page := c.Get(unescapeURL(m[1]))
		post = editFormPost.FindStringSubmatch(page.Body)
		if post == nil || !strings.Contains(page.Body, `name="find_colleagues"`) || !strings.Contains(page.Body, ticked) {
			t.Fatalf("the edit page without script: %d %.800s", page.Status, page.Body)
		}
		target = unescapeURL(post[1])
		version := call.Version + 1
		r := c.PostForm(target, edit(version, url.Values{"find_colleagues": {"1"}, "colleague_q": {"many 499"}}, late.ID))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf(`<input type="checkbox" name="user_ids" value="%d">`, other)) || !strings.Contains(r.Body, ticked) ||
			!strings.Contains(r.Body, `value="many 499"`) {
			t.Fatalf("Find without script: %d %.1500s", r.Status, r.Body)
		}
		if ids := usersOfCall(); !slices.Equal(ids, []int64{late.ID}) {
			t.Fatalf("Find saved the colleagues: %v", ids)
		}
		if r := c.PostForm(target, edit(version, nil, late.ID, other)); r.Status != http.StatusSeeOther {
			t.Fatalf("save without script: %d %.600s", r.Status, r.Body)
		}
		if ids := usersOfCall(); !slices.Equal(ids, []int64{other, late.ID}) {
			t.Fatalf("the call's colleagues are %v, want Many 499 and the latecomer", ids)
		}
	})
}

// Through the API: contact_ids and user_ids replace the participants,
// left out they stay; an invisible contact or an empty list is a 422 and
// a stale version a 409, and none of them changes anything.
func TestInteractionAPIParticipants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		sales := apptest.Unique("Sales ")
		ann, _ := apiClient(t, srv, "bearer", models.RoleMember, sales)
		_, colleague := apiClient(t, srv, "bearer", models.RoleMember, sales)
		legal, legalUser := apiClient(t, srv, "bearer", models.RoleMember, apptest.Unique("Legal "))
		a := createContact(t, ann, map[string]any{"given_name": "Amy"})
		b := createContact(t, ann, map[string]any{"given_name": "Ben"})
		c := createContact(t, ann, map[string]any{"given_name": "Cal"})
		hidden := createContact(t, legal, map[string]any{"given_name": "Hal", "restricted_department_id": legalUser.Departments[0].ID})
		at := time.Now().UTC().Add(-5 * time.Hour).Truncate(time.Second)
		call := logInteraction(t, ann, map[string]any{"kind": "call", "direction": "inbound", "contact_ids": []int64{a.ID, b.ID},
			"subject": "Quote", "occurred_at": at.Format(time.RFC3339)})
		path := fmt.Sprintf("/api/v1/interactions/%d", call.ID)

		before := map[int64][]int64{a.ID: {call.ID}, b.ID: {call.ID}, c.ID: nil}
		same := func(when string, want map[int64][]int64, version int64) {
			t.Helper()
			if got := getInteraction(t, ann, call.ID); got.Version != version {
				t.Errorf("%s: version %d, want %d", when, got.Version, version)
			}
			for id, refs := range want {
				if got := interactionRefs(t, ann, id); !slices.Equal(got, refs) {
					t.Errorf("%s: contact %d's timeline shows %v, want %v", when, id, got, refs)
				}
			}
		}
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"a contact not visible", map[string]any{"version": 1, "contact_ids": []int64{a.ID, hidden.ID}}, "contact_ids[1]"},
			{"a contact that does not exist", map[string]any{"version": 1, "contact_ids": []int64{999999999}}, "contact_ids[0]"},
			{"an empty list", map[string]any{"version": 1, "contact_ids": []int64{}}, "contact_ids"},
			{"null", map[string]any{"version": 1, "contact_ids": nil}, "contact_ids"},
			{"a user that does not exist", map[string]any{"version": 1, "user_ids": []int64{999999999}}, "user_ids"},
		} {
			p := problem(t, ann.JSON(http.MethodPatch, path, tc.body), http.StatusUnprocessableEntity)
			if p.Errors[tc.field] == "" {
				t.Errorf("%s: errors %v, want one for %s", tc.name, p.Errors, tc.field)
			}
			same(tc.name, before, 1)
		}

		moved := patchInteraction(t, ann, call.ID, map[string]any{"version": 1, "contact_ids": []int64{a.ID, c.ID}, "user_ids": []int64{colleague.ID}})
		if ids := []int64{moved.Contacts[0].ID, moved.Contacts[1].ID}; len(moved.Contacts) != 2 || !slices.Equal(ids, []int64{a.ID, c.ID}) ||
			len(moved.Users) != 1 || moved.Users[0].ID != colleague.ID || moved.Version != 2 {
			t.Fatalf("moved: %+v", moved)
		}
		after := map[int64][]int64{a.ID: {call.ID}, b.ID: nil, c.ID: {call.ID}}
		same("after the move", after, 2)
		if lc := getContact(t, ann, b.ID).LastContactedAt; lc != nil {
			t.Errorf("Ben's last contact should leave with the call: %v", lc)
		}
		if lc := getContact(t, ann, c.ID).LastContactedAt; lc == nil || !lc.Equal(at) {
			t.Errorf("Cal's last contact: %v, want %v", lc, at)
		}

		// Left out, the participants stay.
		kept := patchInteraction(t, ann, call.ID, map[string]any{"version": 2, "subject": "Quote sent"})
		if len(kept.Contacts) != 2 || len(kept.Users) != 1 || kept.Version != 3 {
			t.Fatalf("a patch without participants changed them: %+v", kept)
		}

		// A stale version changes nothing and says what is current.
		r := ann.JSON(http.MethodPatch, path, map[string]any{"version": 2, "contact_ids": []int64{b.ID}})
		if p := problem(t, r, http.StatusConflict); !strings.Contains(r.Body, `"current"`) {
			t.Errorf("stale: %+v", p)
		}
		same("after a stale patch", after, 3)
	})
}
