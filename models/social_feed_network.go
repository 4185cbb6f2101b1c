package models

import (
	"context"
	"fmt"
)

// FeedNetwork is the network a polled feed's posts belong to: the network
// of the oldest live profile naming the feed (a feed row does not carry
// one, since several profiles may name it), or "website" when none does
// any more. The poller sets it on every post of the feed.
func (db *DB) FeedNetwork(ctx context.Context, feedID int64) (string, error) {
	var networks []string
	err := db.with(ctx).Table("social_profiles").
		Joins("JOIN social_feeds ON social_feeds.url = social_profiles.feed_url AND social_profiles.feed_url <> ''").
		Joins("JOIN contacts ON contacts.id = social_profiles.contact_id").
		Where("social_feeds.id = ? AND contacts.deleted_at IS NULL", feedID).
		Order("social_profiles.id").Limit(1).Pluck("social_profiles.network", &networks).Error
	if err != nil {
		return "", fmt.Errorf("models: network of feed %d: %w", feedID, err)
	}
	if len(networks) == 0 || networks[0] == "" {
		return NetworkWebsite, nil
	}
	return networks[0], nil
}
