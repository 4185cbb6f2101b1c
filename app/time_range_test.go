package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// Times that are within RFC 3339's years as written but not in UTC, or
// before the range: each must be refused, never stored.
var timesOutOfRange = []string{
	"0000-01-01T00:00:00+14:00", // year -1 in UTC
	"9999-12-31T23:59:59-23:59", // year 10000 in UTC
	"0001-01-01T00:00:00Z",      // the zero time, which the models read as "none"
	"1899-12-31T23:59:59Z",
}

// TestAPIRefusesTimesOutOfRange sends each such time to every API member
// that takes one: 422 naming the member, nothing stored, and the lists
// that read those rows still answer.
func TestAPIRefusesTimesOutOfRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newSocialFixture(t, db, "Sales")
		c := f.writer
		tag := strings.ToLower(apptest.Unique("range"))
		good := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		ct := createContact(t, c, map[string]any{"given_name": "Kept", "family_name": tag, "last_contacted_at": good})
		r := c.JSON(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "Soon", "contact_id": ct.ID, "due_at": good})
		if r.Status != http.StatusCreated {
			t.Fatalf("create task: %d %s", r.Status, r.Body)
		}
		var task struct {
			ID      int64     `json:"id"`
			Version int64     `json:"version"`
			DueAt   time.Time `json:"due_at"`
		}
		r.Decode(t, &task)
		for _, bad := range timesOutOfRange {
			t.Run(bad, func(t *testing.T) {
				refused := func(what string, r *apptest.Response, field string) {
					t.Helper()
					p := problem(t, r, http.StatusUnprocessableEntity)
					if msg := p.Errors[field]; !strings.Contains(msg, "1900-01-01") || !strings.Contains(msg, "9999-12-31") {
						t.Errorf("%s: errors %v, want %s to say what is allowed", what, p.Errors, field)
					}
				}
				refused("create contact", c.JSON(http.MethodPost, "/api/v1/contacts",
					map[string]any{"given_name": "Refused", "family_name": tag, "last_contacted_at": bad}), "last_contacted_at")
				refused("patch contact", c.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", ct.ID),
					map[string]any{"version": ct.Version, "last_contacted_at": bad}), "last_contacted_at")
				if got := getContact(t, c, ct.ID); got.Version != ct.Version || got.LastContactedAt == nil || !got.LastContactedAt.Equal(good) {
					t.Errorf("the refused patch changed the contact: version %d, last contacted %v", got.Version, got.LastContactedAt)
				}
				if page := listContacts(t, c, url.Values{"q": {tag}}); len(page.Items) != 1 {
					t.Errorf("contacts named %s: %v, want only the one kept", tag, names(page.Items))
				}

				refused("create task", c.JSON(http.MethodPost, "/api/v1/tasks",
					map[string]any{"title": "Far off", "contact_id": ct.ID, "due_at": bad}), "due_at")
				refused("patch task", c.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/tasks/%d", task.ID),
					map[string]any{"version": task.Version, "due_at": bad}), "due_at")
				r := c.JSON(http.MethodGet, "/api/v1/tasks?status=open", nil)
				if r.Status != http.StatusOK || strings.Count(r.Body, `"title":`) != 1 || !strings.Contains(r.Body, good.Format(time.RFC3339)) {
					t.Errorf("open tasks after the refusals: %d %s", r.Status, r.Body)
				}

				refused("log interaction", c.JSON(http.MethodPost, "/api/v1/interactions", map[string]any{"kind": "call",
					"direction": "outbound", "contact_ids": []int64{ct.ID}, "occurred_at": bad}), "occurred_at")
				if n := timelineCounts(t, c, ct.ID)["interaction"]; n != 0 {
					t.Errorf("%d interactions logged", n)
				}

				post := f.post("hello "+f.term, time.Hour)
				post["published_at"] = bad
				refused("push post", c.JSON(http.MethodPost, "/api/v1/social/items", post), "published_at")
				post["published_at"] = good
				if res := push(t, c, post, http.StatusCreated); !res.Created {
					t.Errorf("the refused post was stored: %+v", res)
				}
			})
		}
	})
}

// TestTaskFormRefusesDateOutOfRange types the last minute of 9999 into
// the task forms of someone in Pago Pago (UTC−11), which is in the year
// 10000 in UTC: the form says why, and nothing is stored.
func TestTaskFormRefusesDateOutOfRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("test")
		if err := db.UpdateProfile(ctx, a, models.ProfileRequest{Name: u.Name, TimeZone: "Pacific/Pago_Pago"}); err != nil {
			t.Fatal(err)
		}
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Far", FamilyName: apptest.Unique("Future")})
		if err != nil {
			t.Fatal(err)
		}
		const last = "9999-12-31T23:59"
		const allowed = "from 1900-01-01 to 9999-12-31 (UTC)"
		r := c.PostForm("/tasks", url.Values{"contact_id": {fmt.Sprint(ct.ID)}, "title": {"At the end of time"},
			"due_at": {last}, "priority": {"normal"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, allowed) {
			t.Errorf("new task due %s in Pago Pago: %d %.3000s", last, r.Status, r.Body)
		}
		if page, err := db.MyTasks(ctx, a, models.TaskListOptions{}); err != nil || len(page.Tasks) != 0 {
			t.Fatalf("the refused task was stored: %v %v", page, err)
		}

		due := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Minute)
		task, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: "Tomorrow", DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"version": {fmt.Sprint(task.Version)}, "due_at": {last}}
		r = htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d", task.ID), form)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, allowed) || !strings.Contains(r.Body, `role="alert"`) {
			t.Errorf("edit (htmx): %d %.500s", r.Status, r.Body)
		}
		r = c.PostForm(fmt.Sprintf("/tasks/%d", task.ID), form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %.300s", r.Status, r.Body)
		}
		if p := c.Get(r.Location()); p.Status != http.StatusOK || !strings.Contains(p.Body, allowed) {
			t.Errorf("without script the refusal should be the next page's message: %d", p.Status)
		}
		if got, err := db.Task(ctx, a, task.ID); err != nil || got.Version != task.Version || !got.DueAt.Equal(due) {
			t.Fatalf("the refused edit changed the task: %+v %v", got, err)
		}
		for _, path := range []string{"/", "/tasks"} {
			if p := c.Get(path); p.Status != http.StatusOK {
				t.Errorf("%s: %d", path, p.Status)
			}
		}
	})
}

// TestImportLeavesOutTimesOutOfRange imports rows whose "Last contacted"
// Rapport cannot keep: the rows are imported without it, and the import
// says why for each.
func TestImportLeavesOutTimesOutOfRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		tag := strings.ToLower(apptest.Unique("when"))
		srv, c, api, u := pagesAndAPI(t, db)
		file := "Name,Email,Last contacted\n" +
			"Ada " + tag + ",ada." + tag + "@example.test,0000-01-01T00:00:00+14:00\n" +
			"Bob " + tag + ",bob." + tag + "@example.test,9999-12-31T23:59:59-23:59\n" +
			"Cy " + tag + ",cy." + tag + "@example.test,1850-06-01\n" +
			"Di " + tag + ",di." + tag + "@example.test,2024-03-31T14:05:00Z\n"
		out := importByAPI(t, srv, api, db, "people.csv", file)
		if out.RowsCreated != 4 || out.RowsFailed != 0 || out.ValuesLeftOut != 3 {
			t.Fatalf("import: %+v", out)
		}
		p := c.Get(fmt.Sprintf("/imports/%d/problems.csv", out.ID))
		recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if p.Status != http.StatusOK || err != nil || len(recs) != 4 {
			t.Fatalf("problems.csv: %d %v %s", p.Status, err, p.Body)
		}
		for i, rec := range recs[1:] {
			reason := rec[len(rec)-1]
			if !strings.HasPrefix(reason, fmt.Sprintf(`line %d: column "Last contacted": `, i+2)) ||
				!strings.Contains(reason, "from 1900-01-01 to 9999-12-31 (UTC)") || !strings.Contains(reason, "left out") {
				t.Errorf("reason for line %d: %q", i+2, reason)
			}
		}
		a := u.Actor("session")
		for _, who := range []string{"ada", "bob", "cy"} {
			if got := byEmailIn(t, db, a, who+"."+tag+"@example.test"); got.LastContactedAt != nil {
				t.Errorf("%s: last contacted %v, want none", who, got.LastContactedAt)
			}
		}
		if di := byEmailIn(t, db, a, "di."+tag+"@example.test"); di.LastContactedAt == nil || di.LastContactedAt.Year() != 2024 {
			t.Errorf("di: last contacted %v", di.LastContactedAt)
		}
		// The contacts lists read them all, in every order.
		for _, sort := range []string{"name", "updated", "created", "last_contacted"} {
			if r := api.Get("/api/v1/contacts?sort=" + sort + "&q=" + tag); r.Status != http.StatusOK || strings.Count(r.Body, "."+tag+"@example.test") != 4 {
				t.Errorf("contacts by %s: %d %.500s", sort, r.Status, r.Body)
			}
		}
	})
}
