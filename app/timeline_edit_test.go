package app_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

var (
	editLink     = regexp.MustCompile(`href="(/interactions/\d+/edit\?item=\d+&amp;contact=\d+)"`)
	editFormPost = regexp.MustCompile(`action="(/interactions/\d+\?item=(\d+)&amp;contact=\d+)"`)
	deleteAction = regexp.MustCompile(`action="(/interactions/\d+/delete\?item=\d+&amp;contact=\d+)"`)
)

// unescapeURL turns an href read from HTML back into a path.
func unescapeURL(s string) string { return html.UnescapeString(s) }

// A call logged with two people is edited from one person's timeline and
// shows changed on both at once; a save against a version someone else
// replaced comes back as a readable conflict; deleting it takes it off
// both timelines, softly and with an audit entry.
func TestEditAndDeleteAnInteractionFromTheTimeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Support")
		a := u.Actor("session")
		ana, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ana", FamilyName: apptest.Unique("Edit")})
		ben, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ben", FamilyName: apptest.Unique("Edit")})
		call, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "call", Direction: "outbound", Channel: "phone",
			OccurredAt: time.Now().Add(-2 * time.Hour), DurationSeconds: 600, ContactIDs: []int64{ana.ID, ben.ID},
			Subject: "Renewal terms", Body: "Asked for a discount."})
		if err != nil {
			t.Fatal(err)
		}
		anaPage, benPage := fmt.Sprintf("/contacts/%d", ana.ID), fmt.Sprintf("/contacts/%d", ben.ID)

		m := editLink.FindStringSubmatch(c.Get(anaPage).Body)
		if m == nil {
			t.Fatal("no Edit link on the call in the timeline")
		}
		form := htmxGet(t, c, srv.URL, unescapeURL(m[1]))
		post := editFormPost.FindStringSubmatch(form.Body)
		if form.Status != http.StatusOK || post == nil || !strings.HasPrefix(strings.TrimSpace(form.Body), `<li class="item item-interaction item-editing" id="item-`+post[2]+`"`) ||
			!strings.Contains(form.Body, `value="Renewal terms"`) || !strings.Contains(form.Body, `value="10"`) {
			t.Fatalf("the edit form should replace the item, filled in: %d %.600s", form.Status, form.Body)
		}
		target := unescapeURL(post[1])
		edit := func(version int64, subject string) url.Values {
			return url.Values{"version": {fmt.Sprint(version)}, "kind": {"call"}, "direction": {"inbound"}, "channel": {"phone"},
				"occurred_at": {call.OccurredAt.In(time.UTC).Format("2006-01-02T15:04")}, "duration_minutes": {"25"},
				"subject": {subject}, "body": {"Agreed 5% off."}, "outcome": {"Send the contract"}}
		}

		// Saving shows the refreshed timeline; both people's timelines show the change.
		r := htmxPost(t, c, srv.URL, target, edit(call.Version, "Renewal agreed"))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="timeline"`) || !strings.Contains(r.Body, "Renewal agreed") ||
			strings.Contains(r.Body, "Renewal terms") || !strings.Contains(r.Body, "25 min") {
			t.Fatalf("save should answer the refreshed timeline: %d %.400s", r.Status, r.Body)
		}
		if b := c.Get(benPage).Body; !strings.Contains(b, "Renewal agreed") || !strings.Contains(b, "Send the contract") {
			t.Error("the other participant's timeline does not show the edit")
		}

		// A save made against the version before that one is refused with both versions.
		r = htmxPost(t, c, srv.URL, target, edit(call.Version, "Renewal postponed"))
		if r.Status != http.StatusOK || r.Header.Get("HX-Retarget") != "#item-"+post[2] || r.Header.Get("HX-Reswap") != "outerHTML" {
			t.Fatalf("a stale save should swap the item for the conflict: %d %v", r.Status, r.Header)
		}
		for _, want := range []string{"Someone saved this call while you were editing it", "Saved now (version 2)",
			"<td>Renewal postponed</td><td>Renewal agreed</td>", `value="Renewal postponed"`, `name="version" value="2"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the conflict lacks %q: %.1200s", want, r.Body)
			}
		}
		if strings.Contains(r.Body, "<th scope=\"row\">Outcome</th>") {
			t.Error("the conflict lists a field that is the same on both sides")
		}
		if got, _ := db.Interaction(ctx, a, call.ID); got.Subject != "Renewal agreed" {
			t.Fatalf("a stale save overwrote the interaction: %q", got.Subject)
		}
		// Without JavaScript the same refusal is a 409 page.
		if r := c.PostForm(target, edit(call.Version, "Renewal postponed")); r.Status != http.StatusConflict || !strings.Contains(r.Body, "Someone saved this call") {
			t.Errorf("a stale save without htmx: %d", r.Status)
		}
		// Invalid input keeps the form, in place of the item.
		bad := edit(2, "x")
		bad.Set("duration_minutes", "ten")
		if r := htmxPost(t, c, srv.URL, target, bad); r.Header.Get("HX-Retarget") != "#item-"+post[2] || !strings.Contains(r.Body, "Enter the length in whole minutes.") {
			t.Errorf("an invalid length: %v %.300s", r.Header, r.Body)
		}

		// Delete: gone from both timelines at once, soft and audited.
		d := deleteAction.FindStringSubmatch(c.Get(anaPage).Body)
		if d == nil {
			t.Fatal("no delete form on the call")
		}
		r = htmxPost(t, c, srv.URL, unescapeURL(d[1]), url.Values{})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="timeline"`) || strings.Contains(r.Body, "Renewal agreed") {
			t.Fatalf("delete should answer the timeline without the call: %d %.300s", r.Status, r.Body)
		}
		if strings.Contains(c.Get(benPage).Body, "Renewal agreed") {
			t.Error("the deleted call is still on the other participant's timeline")
		}
		if _, err := db.Interaction(ctx, a, call.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("the deleted interaction still reads: %v", err)
		}
		admin := apptest.User(t, db, models.RoleAdmin, "Support").Actor("session")
		audit, err := db.AuditEvents(ctx, admin, models.AuditListOptions{Action: "interaction.delete", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) == 0 || audit[0].SubjectID == nil || *audit[0].SubjectID != call.ID || audit[0].ActorID == nil || *audit[0].ActorID != u.ID {
			t.Errorf("the delete is not in the audit log as done by %d: %+v", u.ID, audit)
		}
		// A second delete finds nothing.
		if r := c.PostForm(unescapeURL(d[1]), url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("deleting twice: %d", r.Status)
		}
	})
}

// Viewers see no Edit or Delete and may not use them.
func TestViewerCannotEditInteractions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		_, u := srv.SignedIn(t, models.RoleMember, "Support")
		viewer, _ := srv.SignedIn(t, models.RoleViewer, "Support")
		ct, _ := db.CreateContact(ctx, u.Actor("session"), models.ContactRequest{GivenName: "Vi", FamilyName: apptest.Unique("Ewer")})
		call, err := db.LogInteraction(ctx, u.Actor("session"), models.InteractionRequest{Kind: "call", Direction: "inbound", ContactIDs: []int64{ct.ID}, Subject: "Hello"})
		if err != nil {
			t.Fatal(err)
		}
		if b := viewer.Get(fmt.Sprintf("/contacts/%d", ct.ID)).Body; !strings.Contains(b, "Hello") || editLink.MatchString(b) || deleteAction.MatchString(b) {
			t.Error("a viewer is offered Edit or Delete")
		}
		if r := viewer.PostForm(fmt.Sprintf("/interactions/%d/delete?contact=%d", call.ID, ct.ID), url.Values{}); r.Status != http.StatusForbidden {
			t.Errorf("a viewer deleting: %d", r.Status)
		}
	})
}
