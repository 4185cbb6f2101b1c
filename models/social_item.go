package models

import (
	"context"
	"errors"
	"time"
)

// Social items are posts from the public streams Rapport listens to: polled
// feeds and posts pushed by integrations. Both paths end in
// IngestSocialPosts, so dedup, timeline items, watch-term matching and the
// Inbox behave the same whichever way a post arrived. See docs/SOCIAL.md.

// errNotYet marks the parts of the social data layer still being written.
var errNotYet = errors.New("models: social streams: not implemented yet")

// SocialItem is one stored post.
type SocialItem struct {
	ID          int64         `json:"id"`
	Network     string        `json:"network"`
	ExternalID  string        `json:"external_id"`
	FeedID      *int64        `json:"feed_id,omitempty"`
	Source      string        `json:"source"` // feed or push
	Handle      string        `json:"handle,omitempty"`
	AuthorName  string        `json:"author_name,omitempty"`
	ProfileURL  string        `json:"profile_url,omitempty"`
	URL         string        `json:"url,omitempty"`
	Title       string        `json:"title,omitempty"`
	Text        string        `json:"text"`
	HTML        string        `json:"html,omitempty"`
	Media       []SocialMedia `json:"media" gorm:"serializer:json"`
	PublishedAt time.Time     `json:"published_at"`
	ReceivedAt  time.Time     `json:"received_at"`
}

// TableName maps SocialItem to social_items.
func (SocialItem) TableName() string { return "social_items" }

// SocialPost is a post on its way in. actor is System for the poller, the
// token's user for a push.
type SocialPost struct {
	Network, ExternalID            string // ExternalID empty: derived (link, else hash of link+date+title)
	Handle, ProfileURL, AuthorName string
	URL, Title, Text, HTML         string // HTML is sanitised again on the way in
	Media                          []SocialMedia
	PublishedAt                    time.Time // zero: now
}

// SocialMedia is a picture, video or other attachment of a post, kept as a
// link.
type SocialMedia struct {
	URL   string `json:"url"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// IngestOptions say where a batch of posts came from.
type IngestOptions struct {
	FeedID       int64          // posts of a polled feed: land on every contact whose profile names the feed
	Source       TimelineSource // feed or api
	AttentionTag string         // config.AttentionTag
}

// IngestResult is what became of one post.
type IngestResult struct {
	Item       SocialItem
	Created    bool    // false: (network, external_id) was already stored; nothing else happened
	ContactIDs []int64 // whose timelines it is on
	Inbox      *InboxItem
}

// IngestSocialPosts stores posts, puts each new one on the timelines of the
// contacts it belongs to and opens an Inbox item when it needs an answer.
func (db *DB) IngestSocialPosts(ctx context.Context, actor Actor, posts []SocialPost, opts IngestOptions) ([]IngestResult, error) {
	return nil, errNotYet
}

// SocialItem loads one stored post.
func (db *DB) SocialItem(ctx context.Context, actor Actor, id int64) (*SocialItem, error) {
	return nil, errNotYet
}
