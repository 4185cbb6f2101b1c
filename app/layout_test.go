package app_test

import (
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestNavigationShowsUnreadNotifications(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		author, _ := srv.SignedIn(t, models.RoleMember, "Support")
		reader, ru := srv.SignedIn(t, models.RoleMember, "Billing")
		if r := reader.Get("/"); !strings.Contains(r.Body, "Notifications, none unread") {
			t.Fatal("the navigation should link notifications with none unread")
		}
		loc := createContactUI(t, author, url.Values{"given_name": {"Nav"}, "family_name": {apptest.Unique("Badge")}})
		handle := strings.SplitN(ru.Email, "@", 2)[0]
		author.Get(loc)
		author.PostForm(loc+"/notes", url.Values{"body": {"@" + handle + " please confirm the refund"}, "visibility": {"everyone"}})
		if r := reader.Get("/"); !strings.Contains(r.Body, "Notifications, 1 unread") {
			t.Fatalf("the mention should show as 1 unread in the navigation")
		}
	})
}
