package models_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func inboxIDs(t testing.TB, db *models.DB, actor models.Actor, opts models.InboxOptions) []int64 {
	t.Helper()
	var ids []int64
	for range 50 {
		page, err := db.Inbox(context.Background(), actor, opts)
		if err != nil {
			t.Fatalf("Inbox(%+v): %v", opts, err)
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		opts.Cursor = page.NextCursor
	}
	t.Fatal("Inbox: too many pages")
	return nil
}

// Watch terms match whole words on folded text, so accents and case do
// not matter, and an exclusion keeps a post out of the Inbox.
func TestInboxWatchTermMatching(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		admin := newTestActor(t, db, models.RoleAdmin)
		member := newTestActor(t, db, models.RoleMember)
		word := uniqueLabel("refund")
		term := mustWatch(t, db, admin, strings.ToUpper(word[:1])+word[1:], "refund policy "+word)
		push := func(text string) models.IngestResult {
			return mustIngest(t, db, member, models.IngestOptions{}, models.SocialPost{Network: "mastodon",
				Handle: "@nobody@" + uniqueLabel("h") + ".example", ExternalID: uniqueLabel("m"), Text: text,
				PublishedAt: time.Now().Add(-time.Minute)})[0]
		}
		accented := strings.Replace(word, "e", "É", 1)
		hit := push("Where is my " + accented + "!!")
		if hit.Inbox == nil || hit.Inbox.ContactID != nil || !slices.Equal(hit.Inbox.MatchedTerms, []string{term.Term}) ||
			!slices.Equal(hit.Inbox.Reason, []string{"term"}) || hit.Inbox.Status != models.InboxOpen || hit.Inbox.Version != 1 {
			t.Fatalf("accented post: inbox %+v", hit.Inbox)
		}
		if miss := push("I was " + word + "ed yesterday"); miss.Inbox != nil {
			t.Fatalf("part of a word matched: %+v", miss.Inbox)
		}
		if excluded := push("Read the Refund Policy " + word + " first"); excluded.Inbox != nil {
			t.Fatalf("excluded post matched: %+v", excluded.Inbox)
		}
		// An unmatched post is visible to everyone signed in.
		viewer := newTestActor(t, db, models.RoleViewer)
		if got, err := db.InboxItemByID(ctx, viewer, hit.Inbox.ID); err != nil || got.Item.ID != hit.Item.ID {
			t.Fatalf("viewer InboxItemByID = %+v, %v", got, err)
		}
		if !slices.Contains(inboxIDs(t, db, viewer, models.InboxOptions{}), hit.Inbox.ID) {
			t.Fatal("viewer's Inbox misses the item")
		}
	})
}

func TestInboxAttentionTag(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		a := newTestActor(t, db, models.RoleMember)
		user := uniqueLabel("vip")
		tagged := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Tagged", Tags: []string{"Needs-Attention"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://bsky.app/profile/" + user + ".bsky.social"}}})
		res := mustIngest(t, db, a, models.IngestOptions{AttentionTag: "needs-attention"}, models.SocialPost{Network: "bluesky",
			Handle: user + ".bsky.social", ExternalID: uniqueLabel("b"), Text: "Nice weather today"})[0]
		if res.Inbox == nil || res.Inbox.ContactID == nil || *res.Inbox.ContactID != tagged.ID || res.Inbox.ContactName != "Tagged" ||
			!slices.Equal(res.Inbox.Reason, []string{"attention"}) || len(res.Inbox.MatchedTerms) != 0 {
			t.Fatalf("inbox = %+v", res.Inbox)
		}
		// The same contact without a configured tag: no Inbox item.
		res = mustIngest(t, db, a, models.IngestOptions{}, models.SocialPost{Network: "bluesky",
			Handle: user + ".bsky.social", ExternalID: uniqueLabel("b"), Text: "Nice weather today"})[0]
		if res.Inbox != nil || len(res.ContactIDs) != 1 {
			t.Fatalf("untagged ingest = %+v", res)
		}
	})
}

// A restricted contact's item is invisible outside its department: list,
// count, by id, statistics.
func TestInboxVisibility(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		legal := newTestDepartment(t, db, "Legal")
		sales := newTestDepartment(t, db, "Sales")
		insider := newTestActor(t, db, models.RoleMember, legal)
		outsider := newTestActor(t, db, models.RoleAdmin, sales)
		user := uniqueLabel("client")
		mustCreateContact(t, db, insider, models.ContactRequest{GivenName: "Client", RestrictedDepartmentID: &legal,
			Tags: []string{"attention"}, SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/" + user}}})
		res := mustIngest(t, db, models.System, models.IngestOptions{AttentionTag: "attention"},
			models.SocialPost{Network: "github", Handle: user, ExternalID: "1", Text: "hello", PublishedAt: time.Now().Add(-time.Hour)})[0]
		if res.Inbox == nil {
			t.Fatal("no inbox item")
		}
		id := res.Inbox.ID
		if ids := inboxIDs(t, db, insider, models.InboxOptions{}); !slices.Equal(ids, []int64{id}) {
			t.Fatalf("insider inbox = %v", ids)
		}
		if ids := inboxIDs(t, db, outsider, models.InboxOptions{Status: "all"}); len(ids) != 0 {
			t.Fatalf("outsider inbox = %v", ids)
		}
		if n, err := db.OpenInboxCount(ctx, outsider); err != nil || n != 0 {
			t.Fatalf("outsider count = %d, %v", n, err)
		}
		if n, err := db.OpenInboxCount(ctx, insider); err != nil || n != 1 {
			t.Fatalf("insider count = %d, %v", n, err)
		}
		if n, err := db.OpenInboxBadge(ctx, outsider); err != nil || n != 0 {
			t.Fatalf("outsider badge = %d, %v", n, err)
		}
		if n, err := db.OpenInboxBadge(ctx, insider); err != nil || n != 1 {
			t.Fatalf("insider badge = %d, %v", n, err)
		}
		if _, err := db.InboxItemByID(ctx, outsider, id); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outsider by id: %v", err)
		}
		if _, err := db.CloseInboxItem(ctx, outsider, id, 1, ""); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outsider close: %v", err)
		}
		from, to := time.Now().Add(-48*time.Hour), time.Now().Add(time.Hour)
		st, err := db.ListeningStats(ctx, outsider, from, to, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sumDays(st.Days); sum != (models.ListeningDay{}) || st.OpenCount != 0 {
			t.Fatalf("outsider stats: %+v, open %d", sum, st.OpenCount)
		}
		if st, err = db.ListeningStats(ctx, insider, from, to, time.UTC); err != nil {
			t.Fatal(err)
		}
		if sum := sumDays(st.Days); sum.Items != 1 || sum.InboxItems != 1 || st.OpenCount != 1 {
			t.Fatalf("insider stats: %+v, open %d", sum, st.OpenCount)
		}
	})
}

func sumDays(days []models.ListeningDay) models.ListeningDay {
	var s models.ListeningDay
	for _, d := range days {
		s.Items += d.Items
		s.InboxItems += d.InboxItems
		s.Replied += d.Replied
	}
	return s
}

// Assigning, replying, closing and reopening each check the version; the
// first reply fixes the response time, measured from the post, and is on
// the contact's timeline as an outbound social message.
func TestInboxWorkflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		support := newTestDepartment(t, db, "Support")
		admin := newTestActor(t, db, models.RoleAdmin, support)
		agent := newTestActor(t, db, models.RoleMember, support)
		viewer := newTestActor(t, db, models.RoleViewer, support)
		leaver := newTestActor(t, db, models.RoleMember, support)
		if err := db.UpdateUserAccess(ctx, admin, leaver.UserID, models.UserAccessRequest{Role: models.RoleMember,
			DepartmentIDs: []int64{support}, Disabled: true}); err != nil {
			t.Fatal(err)
		}
		word := uniqueLabel("broken")
		mustWatch(t, db, admin, word)
		user := uniqueLabel("cust")
		c := mustCreateContact(t, db, agent, models.ContactRequest{GivenName: "Customer",
			SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/" + user}}})
		published := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
		res := mustIngest(t, db, models.System, models.IngestOptions{}, models.SocialPost{Network: "github", Handle: user,
			ExternalID: uniqueLabel("w"), URL: "https://github.com/" + user + "/p/1", Text: "It is " + word, PublishedAt: published})[0]
		it := res.Inbox
		if it == nil || it.ContactID == nil || *it.ContactID != c.ID {
			t.Fatalf("inbox = %+v", it)
		}
		if _, err := db.AssignInboxItem(ctx, viewer, it.ID, models.InboxAssign{Version: it.Version, DepartmentID: &support}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer assign: %v", err)
		}
		_, err := db.AssignInboxItem(ctx, agent, it.ID, models.InboxAssign{Version: it.Version, UserID: &leaver.UserID})
		if f := validationFields(t, err); f["assignee"] == "" {
			t.Fatalf("assign to a disabled user: %v", f)
		}
		missing := int64(1 << 40)
		_, err = db.AssignInboxItem(ctx, agent, it.ID, models.InboxAssign{Version: it.Version, DepartmentID: &missing})
		if f := validationFields(t, err); f["assignee"] == "" {
			t.Fatalf("assign to a missing department: %v", f)
		}
		assigned, err := db.AssignInboxItem(ctx, agent, it.ID, models.InboxAssign{Version: it.Version, DepartmentID: &support})
		if err != nil || assigned.Version != 2 || assigned.AssigneeDepartmentID == nil || *assigned.AssigneeDepartmentID != support ||
			assigned.AssigneeDepartmentName == "" {
			t.Fatalf("assign = %+v, %v", assigned, err)
		}
		if ids := inboxIDs(t, db, agent, models.InboxOptions{Assignee: "department:" + strconv.FormatInt(support, 10)}); !slices.Contains(ids, it.ID) {
			t.Fatalf("department filter misses the item: %v", ids)
		}
		// A change made against the old version is refused with the current item.
		_, err = db.AssignInboxItem(ctx, admin, it.ID, models.InboxAssign{Version: 1, UserID: &admin.UserID})
		var ce *models.ConflictError[models.InboxItem]
		if !errors.As(err, &ce) || ce.Current.Version != 2 || !errors.Is(err, models.ErrConflict) {
			t.Fatalf("stale assign: %v", err)
		}
		mine, err := db.AssignInboxItem(ctx, agent, it.ID, models.InboxAssign{Version: 2, UserID: &agent.UserID})
		if err != nil || mine.AssigneeUserID == nil || *mine.AssigneeUserID != agent.UserID || mine.AssigneeDepartmentID != nil {
			t.Fatalf("assign to me = %+v, %v", mine, err)
		}
		if ids := inboxIDs(t, db, agent, models.InboxOptions{Assignee: "me"}); !slices.Equal(ids, []int64{it.ID}) {
			t.Fatalf("my inbox = %v", ids)
		}

		repliedAt := published.Add(25 * time.Minute)
		if _, err := db.ReplyInboxItem(ctx, agent, it.ID, models.InboxReply{Version: 2, Text: "Sorry!"}); !errors.As(err, &ce) {
			t.Fatalf("stale reply: %v", err)
		}
		replied, err := db.ReplyInboxItem(ctx, agent, it.ID, models.InboxReply{Version: mine.Version, Text: "Sorry, fixed now.",
			URL: "https://github.com/" + user + "/p/1#reply", RepliedAt: repliedAt})
		if err != nil {
			t.Fatal(err)
		}
		if replied.Status != models.InboxReplied || replied.ResponseSeconds == nil || *replied.ResponseSeconds != 25*60 ||
			replied.FirstReplyAt == nil || !replied.FirstReplyAt.Equal(repliedAt) || replied.ReplyInteractionID == nil ||
			replied.RepliedByName == "" || replied.Waiting(time.Now()) != 25*time.Minute {
			t.Fatalf("reply = %+v", replied)
		}
		i, err := db.Interaction(ctx, agent, *replied.ReplyInteractionID)
		if err != nil || i.Kind != models.InteractionMessage || i.Direction != models.DirectionOutbound || i.Channel != "social" ||
			i.Body != "Sorry, fixed now." || !strings.Contains(i.Outcome, "#reply") || !i.OccurredAt.Equal(repliedAt) {
			t.Fatalf("interaction = %+v, %v", i, err)
		}
		var onTimeline bool
		for _, ti := range contactTimeline(t, db, agent, c.ID) {
			onTimeline = onTimeline || (ti.Kind == models.TimelineInteraction && ti.Ref != nil && ti.Ref.ID == i.ID && ti.Channel == "social")
		}
		if !onTimeline {
			t.Fatal("reply not on the contact's timeline")
		}
		// A later reply does not move the response time.
		again, err := db.ReplyInboxItem(ctx, admin, it.ID, models.InboxReply{Version: replied.Version, Text: "Anything else?"})
		if err != nil || *again.ResponseSeconds != 25*60 || !again.FirstReplyAt.Equal(repliedAt) || again.ReplyText != "Anything else?" ||
			again.RepliedByName != replied.RepliedByName {
			t.Fatalf("second reply = %+v, %v", again, err)
		}
		closed, err := db.CloseInboxItem(ctx, agent, it.ID, again.Version, "Resolved")
		if err != nil || closed.Status != models.InboxClosed || closed.ClosedAt == nil || closed.CloseReason != "Resolved" {
			t.Fatalf("close = %+v, %v", closed, err)
		}
		if _, err := db.CloseInboxItem(ctx, agent, it.ID, again.Version, ""); !errors.As(err, &ce) {
			t.Fatalf("stale close: %v", err)
		}
		if ids := inboxIDs(t, db, agent, models.InboxOptions{Status: "closed"}); !slices.Contains(ids, it.ID) {
			t.Fatal("closed list misses the item")
		}
		reopened, err := db.ReopenInboxItem(ctx, agent, it.ID, closed.Version)
		if err != nil || reopened.Status != models.InboxOpen || reopened.ClosedAt != nil || *reopened.ResponseSeconds != 25*60 {
			t.Fatalf("reopen = %+v, %v", reopened, err)
		}
		for _, action := range []string{"inbox.assign", "inbox.reply", "inbox.close", "inbox.reopen"} {
			evs, err := db.AuditEvents(ctx, admin, models.AuditListOptions{Action: action})
			if err != nil || !slices.ContainsFunc(evs, func(e models.AuditEvent) bool { return e.SubjectID != nil && *e.SubjectID == it.ID }) {
				t.Errorf("no %s audit event for item %d (%v)", action, it.ID, err)
			}
		}
	})
}

// A reply on a post by no contact stays on the item; the open queue is
// oldest first and pages without repeats.
func TestInboxUnmatchedReplyAndPaging(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		admin := newTestActor(t, db, models.RoleAdmin)
		mustWatch(t, db, admin, "help")
		base := time.Now().Add(-10 * time.Hour).UTC().Truncate(time.Second)
		var want []int64
		for i := range 7 {
			// Published out of order; the queue sorts them.
			at := base.Add(time.Duration((i*3)%7) * time.Minute)
			res := mustIngest(t, db, models.System, models.IngestOptions{}, models.SocialPost{Network: "x", Handle: "stranger",
				ExternalID: strconv.Itoa(i), Text: "help me", PublishedAt: at})[0]
			want = append(want, res.Inbox.ID)
		}
		page, err := db.Inbox(ctx, admin, models.InboxOptions{Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(page.Items); i++ {
			if page.Items[i].PublishedAt.Before(page.Items[i-1].PublishedAt) {
				t.Fatalf("open queue not oldest first at %d", i)
			}
		}
		got := inboxIDs(t, db, admin, models.InboxOptions{Limit: 2})
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("paged ids = %v, want %v", got, want)
		}
		it := page.Items[0]
		replied, err := db.ReplyInboxItem(ctx, admin, it.ID, models.InboxReply{Version: it.Version, Text: "On it", URL: "https://x.com/us/1"})
		if err != nil || replied.ReplyInteractionID != nil || replied.ReplyText != "On it" || replied.Status != models.InboxReplied ||
			replied.ResponseSeconds == nil || *replied.ResponseSeconds < 10*3600-60 {
			t.Fatalf("reply = %+v, %v", replied, err)
		}
		if _, err := db.Inbox(ctx, admin, models.InboxOptions{Status: "archived"}); validationFields(t, err)["status"] == "" {
			t.Fatal("unknown status accepted")
		}
		if _, err := db.Inbox(ctx, admin, models.InboxOptions{Cursor: "garbage"}); validationFields(t, err)["cursor"] == "" {
			t.Fatal("bad cursor accepted")
		}
	})
}

// A merge moves the loser's Inbox items to the survivor; undoing it moves
// them back.
func TestInboxMergeMovesItems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		user := uniqueLabel("dup")
		survivor := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Dup", FamilyName: "One"})
		loser := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Dup", FamilyName: "Two", Tags: []string{"attention"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/" + user}}})
		res := mustIngest(t, db, models.System, models.IngestOptions{AttentionTag: "attention"},
			models.SocialPost{Network: "github", Handle: user, ExternalID: uniqueLabel("d"), Text: "hi"})[0]
		if res.Inbox == nil || *res.Inbox.ContactID != loser.ID {
			t.Fatalf("inbox = %+v", res.Inbox)
		}
		m, err := db.MergeContacts(ctx, a, models.MergeRequest{SurvivorID: survivor.ID, LoserID: loser.ID,
			SurvivorVersion: survivor.Version, LoserVersion: loser.Version})
		if err != nil {
			t.Fatal(err)
		}
		moved, err := db.InboxItemByID(ctx, a, res.Inbox.ID)
		if err != nil || moved.ContactID == nil || *moved.ContactID != survivor.ID {
			t.Fatalf("after merge = %+v, %v", moved, err)
		}
		if _, err := db.UndoMerge(ctx, a, m.ID); err != nil {
			t.Fatal(err)
		}
		back, err := db.InboxItemByID(ctx, a, res.Inbox.ID)
		if err != nil || back.ContactID == nil || *back.ContactID != loser.ID {
			t.Fatalf("after undo = %+v, %v", back, err)
		}
	})
}

// The navigation badge stops at NavCountCap; the dashboard's figure is exact.
func TestInboxBadgeIsBounded(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		admin := newTestActor(t, db, models.RoleAdmin)
		word := uniqueLabel("outage")
		mustWatch(t, db, admin, word)
		posts := make([]models.SocialPost, models.NavCountCap+5)
		for i := range posts {
			posts[i] = models.SocialPost{Network: "mastodon", Handle: "@x@" + word + ".example",
				ExternalID: strconv.Itoa(i), Text: "another " + word}
		}
		mustIngest(t, db, admin, models.IngestOptions{}, posts...)
		if n, err := db.OpenInboxBadge(ctx, admin); err != nil || n != models.NavCountCap {
			t.Fatalf("badge = %d, %v; want %d", n, err, models.NavCountCap)
		}
		if n, err := db.OpenInboxCount(ctx, admin); err != nil || n != int64(len(posts)) {
			t.Fatalf("count = %d, %v; want %d", n, err, len(posts))
		}
	})
}
