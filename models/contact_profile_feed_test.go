package models_test

import (
	"context"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// A feed given explicitly wins over the derived one, and an edit that
// sends only links (the contact form) keeps each kept profile's feed and
// network: the poller must not lose a feed because someone fixed a typo in
// the contact's title.
func TestProfileFeedsSurviveEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		user := uniqueLabel("dev")
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Feeds", SocialProfiles: []models.SocialProfileInput{
			{URL: "https://github.com/" + user, FeedURL: "https://github.com/" + user + "/project/releases.atom"},
			{URL: "https://blog.example/" + user, Network: "blog", FeedURL: "https://blog.example/" + user + "/feed.xml"},
		}})
		if got := c.SocialProfiles[0].FeedURL; got != "https://github.com/"+user+"/project/releases.atom" {
			t.Fatalf("explicit feed on a recognised profile = %q", got)
		}
		links := []models.SocialProfileInput{{URL: "https://github.com/" + user}, {URL: "https://blog.example/" + user},
			{URL: "https://other.example/" + user}}
		got, err := db.UpdateContact(ctx, a, c.ID, models.ContactPatch{Version: c.Version, SocialProfiles: &links})
		if err != nil {
			t.Fatal(err)
		}
		reread, err := db.Contact(ctx, a, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ct := range []*models.Contact{got, reread} {
			ps := ct.SocialProfiles
			if len(ps) != 3 || ps[0].FeedURL != c.SocialProfiles[0].FeedURL ||
				ps[1].FeedURL != "https://blog.example/"+user+"/feed.xml" || ps[1].Network != "blog" ||
				ps[2].FeedURL != "" || ps[2].Network != models.NetworkWebsite {
				t.Fatalf("profiles after a links-only edit = %+v", ps)
			}
		}
	})
}
