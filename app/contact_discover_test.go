package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// A pasted blog address that Rapport does not recognise gets the feed its
// page names, through the API and the contact form; a page that names none
// still saves; an edit does not fetch the page of a profile it keeps.
func TestProfileFeedDiscovery(t *testing.T) {
	var fetches atomic.Int64
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if strings.HasPrefix(r.URL.Path, "/plain") {
			fmt.Fprint(w, `<html><head><title>No feed</title></head></html>`)
			return
		}
		fmt.Fprint(w, `<html><head><link rel="alternate" type="application/atom+xml" href="/feeds/atom.xml"></head></html>`)
	}))
	defer site.Close()
	host := strings.TrimPrefix(site.URL, "http://")

	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db, "RAPPORT_FEED_DISCOVERY", "true", "RAPPORT_FEED_ALLOW_HOSTS", host)
		client, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		blog := site.URL + "/blog/" + apptest.Unique("b")
		var got apiContact
		res := client.JSON(http.MethodPost, "/api/v1/contacts", map[string]any{"given_name": "Blogger",
			"social_profiles": []map[string]string{{"url": blog}, {"url": site.URL + "/plain"}}})
		if res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		res.Decode(t, &got)
		if len(got.SocialProfiles) != 2 || got.SocialProfiles[0].FeedURL != site.URL+"/feeds/atom.xml" ||
			got.SocialProfiles[1].FeedURL != "" {
			t.Fatalf("profiles = %+v", got.SocialProfiles)
		}

		// An edit through the form keeps the feed and fetches nothing for
		// the profiles the contact already has.
		before := fetches.Load()
		form := url.Values{"version": {fmt.Sprint(got.Version)}, "given_name": {"Blogger"},
			"profile_url": {blog, site.URL + "/plain"}}
		if res := client.PostForm(fmt.Sprintf("/contacts/%d", got.ID), form); res.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", res.Status, res.Body)
		}
		if n := fetches.Load() - before; n != 0 {
			t.Fatalf("the edit fetched %d pages", n)
		}
		ct, err := db.Contact(t.Context(), models.System, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ct.SocialProfiles[0].FeedURL != site.URL+"/feeds/atom.xml" {
			t.Fatalf("after the edit: %+v", ct.SocialProfiles)
		}

		// The form's new contact finds its feed too.
		res = client.PostForm("/contacts", url.Values{"given_name": {"Second"}, "profile_url": {site.URL + "/other"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("form create: %d %s", res.Status, res.Body)
		}
		var id int64
		fmt.Sscanf(res.Location(), "/contacts/%d", &id)
		ct, err = db.Contact(t.Context(), models.System, id)
		if err != nil || len(ct.SocialProfiles) != 1 || ct.SocialProfiles[0].FeedURL != site.URL+"/feeds/atom.xml" {
			t.Fatalf("form-created contact = %+v, %v", ct, err)
		}
	})
}
