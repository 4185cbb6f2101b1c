package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Feeds are polled by app/feeds: each poll cycle syncs social_feeds from
// the profiles (SyncSocialFeeds), leases the due ones (ClaimDueFeeds),
// fetches them and records what it found (RecordFeedPoll). Leases let
// several instances share one Postgres without polling a feed twice at
// once, and a crashed poller's lease simply runs out.

// maxFeedError bounds the error kept for a feed's health display.
const maxFeedError = 1000

// SocialFeed is one distinct feed URL some profile names, with its polling
// state. Several profiles naming one URL share one row, so the feed is
// fetched once.
type SocialFeed struct {
	ID              int64      `json:"id"`
	URL             string     `json:"url"`
	ETag            string     `json:"-" gorm:"column:etag"`
	LastModified    string     `json:"-"`
	IntervalSeconds int        `json:"interval_seconds"`
	NextPollAt      time.Time  `json:"next_poll_at"`
	LastPolledAt    *time.Time `json:"last_polled_at,omitempty"`
	LastSuccessAt   *time.Time `json:"last_success_at,omitempty"`
	LastError       string     `json:"last_error,omitempty"`
	ErrorCount      int        `json:"error_count"`
	ItemsTotal      int64      `json:"items_total"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// TableName maps SocialFeed to social_feeds.
func (SocialFeed) TableName() string { return "social_feeds" }

func (f *SocialFeed) utc() {
	f.NextPollAt, f.CreatedAt, f.UpdatedAt = f.NextPollAt.UTC(), f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	f.LastPolledAt, f.LastSuccessAt = utcPtr(f.LastPolledAt), utcPtr(f.LastSuccessAt)
}

// FeedPoll is what one fetch of a feed found.
type FeedPoll struct {
	Status             int // HTTP status; 304 not modified
	ETag, LastModified string
	Err                string // "" on success
	NextPollAt         time.Time
	NewItems           int
}

// ProfileFeed is a contact's social profile with the health of its feed;
// Feed is nil when the profile names no feed or it is not synced yet.
type ProfileFeed struct {
	Profile SocialProfile `json:"profile"`
	Feed    *SocialFeed   `json:"feed,omitempty"`
}

// liveFeedProfile is a condition on social_feeds: some live contact's
// profile names the feed. Every lookup by feed_url also requires it to be
// non-empty: social_profiles_feed_idx is partial on that condition, and
// SQLite only uses a partial index when the query repeats the condition
// (without it, each lookup scanned every profile).
const liveFeedProfile = `EXISTS (SELECT 1 FROM social_profiles JOIN contacts ON contacts.id = social_profiles.contact_id
	WHERE social_profiles.feed_url = social_feeds.url AND social_profiles.feed_url <> '' AND contacts.deleted_at IS NULL)`

// SyncSocialFeeds adds a feed, due at once, for every feed URL a live
// contact's profile names, and prunes feeds no such profile names any
// more. It is cheap when nothing changed and safe to run from several
// instances at once.
func (db *DB) SyncSocialFeeds(ctx context.Context) (added, pruned int, err error) {
	var urls []string
	if err := db.with(ctx).Table("social_profiles").Distinct("social_profiles.feed_url").
		Joins("JOIN contacts ON contacts.id = social_profiles.contact_id").
		Where("social_profiles.feed_url <> '' AND contacts.deleted_at IS NULL").
		Where("NOT EXISTS (SELECT 1 FROM social_feeds WHERE social_feeds.url = social_profiles.feed_url)").
		Order("social_profiles.feed_url").Pluck("social_profiles.feed_url", &urls).Error; err != nil {
		return 0, 0, fmt.Errorf("models: find new social feeds: %w", err)
	}
	t := now()
	for _, chunk := range chunks(urls, 500) {
		feeds := make([]SocialFeed, len(chunk))
		for i, u := range chunk {
			feeds[i] = SocialFeed{URL: u, NextPollAt: t, CreatedAt: t, UpdatedAt: t}
		}
		// Another instance may add the same feed meanwhile.
		res := db.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "url"}}, DoNothing: true}).Create(&feeds)
		if res.Error != nil {
			return added, 0, fmt.Errorf("models: add social feeds: %w", res.Error)
		}
		added += int(res.RowsAffected)
	}
	del := db.with(ctx).Exec(`DELETE FROM social_feeds WHERE NOT ` + liveFeedProfile)
	if del.Error != nil {
		return added, 0, fmt.Errorf("models: prune social feeds: %w", del.Error)
	}
	return added, int(del.RowsAffected), nil
}

// ClaimDueFeeds leases up to limit feeds due at now (next_poll_at <= now)
// to owner until now+lease, oldest due first. A feed whose lease has not
// run out is not due, whoever holds it; one no live profile names is left
// alone. Like ClaimJob it is one statement, so two instances never get the
// same feed: on Postgres the subquery locks the rows it picks and skips
// rows another claim holds; SQLite runs one writer at a time.
func (db *DB) ClaimDueFeeds(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]SocialFeed, error) {
	if owner == "" {
		return nil, errors.New("models: claim due feeds: owner is empty")
	}
	if limit <= 0 {
		return nil, nil
	}
	now = now.UTC().Truncate(time.Microsecond)
	var feeds []SocialFeed
	err := db.with(ctx).Raw(`UPDATE social_feeds SET lease_owner = ?, lease_until = ?, updated_at = ?
		WHERE id IN (
			SELECT id FROM social_feeds
			WHERE next_poll_at <= ? AND (lease_until IS NULL OR lease_until < ?) AND `+liveFeedProfile+`
			ORDER BY next_poll_at, id
			LIMIT ?`+db.dialect.skipLocked()+`
		)
		RETURNING *`, owner, now.Add(lease), now, now, now, limit).Scan(&feeds).Error
	if err != nil {
		return nil, fmt.Errorf("models: claim due feeds for %s: %w", owner, err)
	}
	for i := range feeds {
		feeds[i].utc()
	}
	return feeds, nil
}

// RecordFeedPoll stores what a fetch of a feed found, sets when it is due
// next and ends owner's lease. It is fenced by the lease: when owner no
// longer holds the feed (its lease ran out and another instance claimed
// it, or the feed was pruned) nothing is written and the error is
// ErrLeaseLost. A 304 or an error keeps the validators of the last
// success.
func (db *DB) RecordFeedPoll(ctx context.Context, feedID int64, owner string, p FeedPoll) error {
	t := now()
	next := p.NextPollAt.UTC().Truncate(time.Microsecond)
	if p.NextPollAt.IsZero() {
		next = t
	}
	set := map[string]any{"next_poll_at": next, "last_polled_at": t, "lease_owner": "", "lease_until": nil, "updated_at": t,
		"items_total": gorm.Expr("items_total + ?", max(p.NewItems, 0))}
	if p.Err == "" {
		set["last_success_at"], set["last_error"], set["error_count"] = t, "", 0
		if p.Status != 304 || p.ETag != "" || p.LastModified != "" {
			set["etag"], set["last_modified"] = shorten(p.ETag, 500), shorten(p.LastModified, 100)
		}
	} else {
		set["last_error"], set["error_count"] = shorten(cleanLine(p.Err), maxFeedError), gorm.Expr("error_count + 1")
	}
	res := db.with(ctx).Model(&SocialFeed{}).Where("id = ? AND lease_owner = ?", feedID, owner).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("models: record poll of feed %d: %w", feedID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("models: record poll of feed %d by %s: %w", feedID, owner, ErrLeaseLost)
	}
	return nil
}

// FeedsOfContact lists a contact's profiles, in their order, with their
// feeds' health.
func (db *DB) FeedsOfContact(ctx context.Context, actor Actor, contactID int64) ([]ProfileFeed, error) {
	if err := db.checkVisibleContacts(ctx, actor, []int64{contactID}); err != nil {
		return nil, err
	}
	var profiles []SocialProfile
	if err := db.with(ctx).Where("contact_id = ?", contactID).Order("position, id").Find(&profiles).Error; err != nil {
		return nil, fmt.Errorf("models: profiles of contact %d: %w", contactID, err)
	}
	var urls []string
	for _, p := range profiles {
		if p.FeedURL != "" {
			urls = append(urls, p.FeedURL)
		}
	}
	feeds := map[string]*SocialFeed{}
	if len(urls) > 0 {
		var fs []SocialFeed
		if err := db.with(ctx).Where("url IN ?", urls).Find(&fs).Error; err != nil {
			return nil, fmt.Errorf("models: feeds of contact %d: %w", contactID, err)
		}
		for i := range fs {
			fs[i].utc()
			feeds[fs[i].URL] = &fs[i]
		}
	}
	out := make([]ProfileFeed, len(profiles))
	for i, p := range profiles {
		p.CreatedAt = p.CreatedAt.UTC()
		out[i] = ProfileFeed{Profile: p}
		if p.FeedURL != "" {
			out[i].Feed = feeds[p.FeedURL]
		}
	}
	return out, nil
}

// PollFeedNow makes a feed due at once ("poll now" on a profile). The
// actor must be allowed to write and see a contact whose profile names the
// feed; otherwise the feed does not exist for them.
func (db *DB) PollFeedNow(ctx context.Context, actor Actor, feedID int64) error {
	if !actor.CanWrite() {
		return fmt.Errorf("models: poll feed %d: %w", feedID, ErrForbidden)
	}
	named := db.with(ctx).Table("social_profiles").Select("1").
		Joins("JOIN contacts ON contacts.id = social_profiles.contact_id").
		Where("social_profiles.feed_url = social_feeds.url AND social_profiles.feed_url <> ''").Scopes(visibleContacts(actor))
	t := now()
	res := db.with(ctx).Model(&SocialFeed{}).Where("id = ? AND EXISTS (?)", feedID, named).
		Updates(map[string]any{"next_poll_at": t, "updated_at": t})
	if res.Error != nil {
		return fmt.Errorf("models: poll feed %d now: %w", feedID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("models: feed %d: %w", feedID, ErrNotFound)
	}
	return nil
}
