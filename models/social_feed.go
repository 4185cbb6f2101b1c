package models

import (
	"context"
	"time"
)

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

// SyncSocialFeeds adds a feed row for every feed URL a live profile names
// and prunes rows no profile names any more.
func (db *DB) SyncSocialFeeds(ctx context.Context) (added, pruned int, err error) {
	return 0, 0, errNotYet
}

// ClaimDueFeeds leases up to limit due feeds to owner.
func (db *DB) ClaimDueFeeds(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]SocialFeed, error) {
	return nil, errNotYet
}

// RecordFeedPoll stores what a fetch found and releases owner's lease.
func (db *DB) RecordFeedPoll(ctx context.Context, feedID int64, owner string, p FeedPoll) error {
	return errNotYet
}

// FeedsOfContact lists a contact's profiles with their feeds' health.
func (db *DB) FeedsOfContact(ctx context.Context, actor Actor, contactID int64) ([]ProfileFeed, error) {
	return nil, errNotYet
}

// PollFeedNow makes a feed due at once.
func (db *DB) PollFeedNow(ctx context.Context, actor Actor, feedID int64) error {
	return errNotYet
}
