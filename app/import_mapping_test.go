package app_test

import (
	"context"
	"encoding/json"
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

func TestSavedImportMappings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		token := func(role models.Role) *apptest.Client {
			u := apptest.User(t, db, role, "Sales")
			_, secret, err := db.CreateAPIToken(ctx, u.ID, "m", time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			c := srv.NewClient(t)
			c.Bearer = secret
			return c
		}
		ann, bob := token(models.RoleMember), token(models.RoleMember)
		name := apptest.Unique("Company ignored")

		// Saved over the API: the Company column is not wanted.
		r := ann.JSON(http.MethodPost, "/api/v1/import-mappings", map[string]any{"name": name, "mapping": map[string]string{"company": "ignore"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var saved struct {
			ID        int64             `json:"id"`
			Mapping   map[string]string `json:"mapping"`
			CanDelete bool              `json:"can_delete"`
		}
		r.Decode(t, &saved)
		if saved.Mapping["company"] != "ignore" || !saved.CanDelete {
			t.Fatalf("created: %s", r.Body)
		}
		if r := ann.JSON(http.MethodPost, "/api/v1/import-mappings", map[string]any{"name": strings.ToUpper(name), "mapping": map[string]string{"Email": "email"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "already have") {
			t.Fatalf("same name in another case: %d %s", r.Status, r.Body)
		}
		if r := ann.JSON(http.MethodPost, "/api/v1/import-mappings", map[string]any{"name": "bad", "mapping": map[string]string{"Email": "nope"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown field: %d %s", r.Status, r.Body)
		}
		list := bob.Get("/api/v1/import-mappings")
		if list.Status != http.StatusOK || !strings.Contains(list.Body, name) || strings.Contains(list.Body, `"can_delete":true`) {
			t.Fatalf("Bob's list: %d %s", list.Status, list.Body)
		}

		// An API import with mapping_id: Company is ignored, the other
		// columns keep the suggested mapping.
		tag := strings.ToLower(apptest.Unique("map"))
		up := uploadImport(t, srv, ann, "/api/v1/imports", "people.csv", importCSV(tag), map[string]string{"mapping_id": fmt.Sprint(saved.ID)})
		var im struct {
			ID      int64  `json:"id"`
			Mapping string `json:"mapping"`
		}
		up.Decode(t, &im)
		if up.Status != http.StatusAccepted {
			t.Fatalf("import with mapping_id: %d %s", up.Status, up.Body)
		}
		done := runImportJobs(t, db, im.ID)
		var m struct {
			Columns []struct{ Column, Field string }
		}
		if err := json.Unmarshal([]byte(done.Mapping), &m); err != nil {
			t.Fatal(err)
		}
		fields := map[string]string{}
		for _, c := range m.Columns {
			fields[c.Column] = c.Field
		}
		if fields["Company"] != "ignore" || fields["Email"] != "email" || fields["First Name"] != "given_name" {
			t.Fatalf("mapping used: %v", fields)
		}
		if r := uploadImport(t, srv, ann, "/api/v1/imports", "people.csv", importCSV(tag), map[string]string{"mapping_id": "999999"}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown mapping_id: %d %s", r.Status, r.Body)
		}

		// In the pages: save the step's columns under a name, apply it to
		// the next file.
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		loc := uploadImport(t, srv, c, "/imports", "people.csv", importCSV(tag), nil).Location()
		uiName := apptest.Unique("Emails only")
		r = c.PostForm(loc+"/mappings", url.Values{"mapping_name": {uiName}, "col_0": {"ignore"}, "col_1": {"family_name"}, "col_2": {"email"}, "col_3": {"company"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save from the page: %d %.1000s", r.Status, r.Body)
		}
		loc2 := uploadImport(t, srv, c, "/imports", "people.csv", importCSV(tag), nil).Location()
		page := c.Get(loc2)
		if !strings.Contains(page.Body, uiName) || !strings.Contains(page.Body, `value="given_name" selected`) {
			t.Fatalf("second file's step: %.3000s", page.Body)
		}
		var uiID int64
		for _, sm := range mustMappings(t, db) {
			if sm.Name == uiName {
				uiID = sm.ID
			}
		}
		if r := c.PostForm(loc2+"/mappings/apply", url.Values{"mapping_id": {fmt.Sprint(uiID)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("apply: %d", r.Status)
		}
		if page := c.Get(loc2); strings.Contains(page.Body, `value="given_name" selected`) {
			t.Fatalf("the applied mapping did not set First Name to ignore")
		}

		// Only the creator or an admin deletes.
		if r := bob.JSON(http.MethodDelete, fmt.Sprintf("/api/v1/import-mappings/%d", saved.ID), nil); r.Status != http.StatusForbidden {
			t.Fatalf("Bob deletes Ann's: %d %s", r.Status, r.Body)
		}
		if r := ann.JSON(http.MethodDelete, fmt.Sprintf("/api/v1/import-mappings/%d", saved.ID), nil); r.Status != http.StatusNoContent {
			t.Fatalf("Ann deletes hers: %d %s", r.Status, r.Body)
		}
		if r := ann.JSON(http.MethodDelete, fmt.Sprintf("/api/v1/import-mappings/%d", saved.ID), nil); r.Status != http.StatusNotFound {
			t.Fatalf("deleted twice: %d", r.Status)
		}
	})
}

func mustMappings(t *testing.T, db *models.DB) []models.ImportMapping {
	ms, err := db.ImportMappings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
