package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Social items are posts from the public streams Rapport listens to: polled
// feeds and posts pushed by integrations. Both paths end in
// IngestSocialPosts, so dedup, timeline items, watch-term matching and the
// Inbox behave the same whichever way a post arrived. See docs/SOCIAL.md.

// Limits on one post, so that a hostile or broken feed cannot fill the
// database or a timeline page.
const (
	maxSocialText        = 10000
	maxSocialHTML        = 64 << 10
	maxSocialTitle       = 500
	maxSocialMedia       = 20
	maxExternalID        = 500
	maxSocialBatch       = 500
	maxSocialItemData    = 12 << 10 // html larger than this stays off the timeline item (maxTimelineData)
	maxSocialExcerpt     = 1000
	socialItemRefType    = "social_item"
	socialSourceFeed     = "feed"
	socialSourcePush     = "push"
	inboxReasonTerm      = "term"
	inboxReasonAttention = "attention"
)

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

func (s *SocialItem) utc() {
	s.PublishedAt, s.ReceivedAt = s.PublishedAt.UTC(), s.ReceivedAt.UTC()
	if s.Media == nil {
		s.Media = []SocialMedia{}
	}
}

// Summary is the one line a timeline or the Inbox shows: the title, else
// the first line of the text, else the link.
func (s *SocialItem) Summary() string {
	line := s.Title
	if line == "" {
		line, _, _ = strings.Cut(s.Text, "\n")
	}
	if line = cleanLine(line); line == "" {
		line = s.URL
	}
	if line == "" {
		line = "Post on " + s.Network
	}
	return shorten(line, maxTimelineSummary)
}

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
// link: posts never load third-party images into Rapport's pages.
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
	// Withheld: the post was stored before and the actor may not see it
	// (visibleSocialItems). Item then carries only the network and
	// external id the actor pushed; nothing of the stored post.
	Withheld bool
}

// feedHTMLPolicy keeps the text structure and links of a post and nothing
// else: notes' rules for links (markdownPolicy's, through safeLinks), but
// no images, tables or embeds, since a feed's HTML is written by strangers
// and a remote image would tell them who reads it and when.
var feedHTMLPolicy = func() *bluemonday.Policy {
	p := safeLinks(bluemonday.NewPolicy())
	p.AllowElements("p", "br", "hr", "div", "span", "em", "strong", "b", "i", "u", "s", "del", "ins", "code", "pre",
		"sub", "sup", "small", "mark", "abbr", "cite", "q", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("cite").OnElements("blockquote")
	p.AllowElements("blockquote")
	p.AllowLists()
	return p
}()

// plainTextPolicy strips every tag, leaving a space where one was so words
// either side stay apart.
var plainTextPolicy = bluemonday.StrictPolicy().AddSpaceWhenStrippingTag(true)

// SanitizeSocialHTML makes a post's HTML safe to put in a page as it is.
// Posts are sanitised when stored; views call it again on what they show,
// so HTML that reached the database another way is never trusted.
func SanitizeSocialHTML(s string) string { return sanitizeFeedHTML(s) }

// sanitizeFeedHTML makes a post's HTML safe to show as it is.
func sanitizeFeedHTML(s string) string {
	return strings.TrimSpace(feedHTMLPolicy.Sanitize(strings.ToValidUTF8(s, "\uFFFD")))
}

// htmlToText is the plain text of a post's HTML, for matching and search.
func htmlToText(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(plainTextPolicy.Sanitize(s))), " ")
}

// cleanPost checks and normalises a post; field names the problems.
// Overlong text is cut rather than refused, so one long post does not stop
// a feed.
func cleanPost(p SocialPost, at time.Time, prefix string, v *ValidationError) SocialItem {
	it := SocialItem{Network: socialNetwork(p.Network), Handle: socialHandleDisplay(p.Handle),
		AuthorName: shorten(cleanLine(p.AuthorName), maxLabelLength*4), Title: shorten(cleanLine(p.Title), maxSocialTitle),
		Media: []SocialMedia{}, ReceivedAt: at}
	switch {
	case it.Network == "":
		v.Add(prefix+"network", "Name the network the post is from, such as mastodon.")
	case utf8.RuneCountInString(it.Network) > maxChannelLength:
		v.Add(prefix+"network", fmt.Sprintf("Keep the network name under %d characters.", maxChannelLength))
	}
	if u := cleanLine(p.URL); u != "" {
		if len(u) > maxURLLength || !isWebURL(u) {
			v.Add(prefix+"url", "Give the post's web address, starting with https://.")
		}
		it.URL = u
	}
	if u := cleanLine(p.ProfileURL); u != "" {
		if len(u) > maxURLLength || !isWebURL(u) {
			v.Add(prefix+"profile_url", "Give the profile's web address, starting with https://.")
		}
		it.ProfileURL = u
	}
	if len(p.HTML) > 0 {
		if it.HTML = sanitizeFeedHTML(p.HTML); len(it.HTML) > maxSocialHTML {
			// Cut HTML is broken HTML; the text below still says it all.
			it.HTML = ""
		}
	}
	it.Text = cleanText(p.Text)
	if it.Text == "" && p.HTML != "" {
		it.Text = htmlToText(p.HTML)
	}
	it.Text = shorten(it.Text, maxSocialText)
	if it.Text == "" && it.Title == "" && it.URL == "" {
		v.Add(prefix+"text", "Give the post's text or its web address.")
	}
	for _, m := range p.Media {
		if u := cleanLine(m.URL); isWebURL(u) && len(u) <= maxURLLength && len(it.Media) < maxSocialMedia {
			it.Media = append(it.Media, SocialMedia{URL: u, Type: shorten(cleanLine(m.Type), maxLabelLength),
				Title: shorten(cleanLine(m.Title), maxSocialTitle)})
		}
	}
	it.PublishedAt = p.PublishedAt.UTC().Truncate(time.Microsecond)
	if p.PublishedAt.IsZero() {
		it.PublishedAt = at
	} else {
		checkTime(v, prefix+"published_at", it.PublishedAt)
	}
	it.ExternalID = cleanLine(p.ExternalID)
	if it.ExternalID == "" {
		it.ExternalID = it.URL
	}
	if it.ExternalID == "" {
		it.ExternalID = "sha256:" + hashOf(p.URL, it.PublishedAt.Format(time.RFC3339Nano), it.Title, it.Text)
	}
	if len(it.ExternalID) > maxExternalID {
		it.ExternalID = "sha256:" + hashOf(it.ExternalID)
	}
	return it
}

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// networkAliases are other names integrations use for a network.
var networkAliases = map[string]string{"twitter": NetworkX, "x.com": NetworkX, "bsky": NetworkBluesky, "youtu.be": NetworkYouTube}

// socialNetwork is the form networks are stored in, the one
// RecognizeProfile gives profiles.
func socialNetwork(s string) string {
	n := strings.ToLower(cleanLine(s))
	if a, ok := networkAliases[n]; ok {
		return a
	}
	return n
}

// socialHandleDisplay tidies a handle as given, for showing.
func socialHandleDisplay(s string) string { return shorten(cleanLine(s), maxLabelLength*4) }

// handleKeys are the lower-case forms a stored handle may have for a
// handle pushed as h: with and without a leading @, since RecognizeProfile
// stores YouTube and Medium handles with one and GitHub and X handles
// without. A Mastodon handle is @user@host, so user@host gets its @ too.
func handleKeys(h string) []string {
	h = strings.TrimPrefix(strings.ToLower(cleanLine(h)), "@")
	if h == "" {
		return nil
	}
	return []string{h, "@" + h}
}

// profileURLKeys are the lower-case forms a stored profile address may
// have for u: scheme and host are case-insensitive and a trailing slash
// means nothing. Paths are compared case-insensitively too, as every
// network Rapport knows treats user names so.
func profileURLKeys(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil
	}
	u.Scheme, u.Host, u.Fragment, u.RawFragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), "", ""
	s := strings.ToLower(strings.TrimRight(u.String(), "/"))
	return []string{s, s + "/"}
}

// IngestSocialPosts stores posts and, for each one not stored before, puts
// it on the timeline of every contact it belongs to (the contacts whose
// profile names opts.FeedID's feed; for a push, those with the network's
// handle or the profile address) and opens an Inbox item when it matches a
// watch term or one of those contacts carries opts.AttentionTag.
//
// Posts are deduplicated by (network, external_id), also against a
// concurrent ingest of the same post by another instance: each post is
// inserted with ON CONFLICT DO NOTHING in a transaction of its own, and the
// loser of a race reads the winner's row back. A post stored before comes
// back with Created false and nothing else is done; when actor may not see
// it, it comes back Withheld, without its content.
//
// A post is public and belongs to its author's contacts, so it lands on
// every such contact's timeline, credited to the source rather than to the
// person pushing it; the result names only the contacts actor may see. A
// person pushing must be allowed to write. A problem with any post refuses
// the batch before anything is stored.
func (db *DB) IngestSocialPosts(ctx context.Context, actor Actor, posts []SocialPost, opts IngestOptions) ([]IngestResult, error) {
	if actor.UserID != 0 && !actor.CanWrite() {
		return nil, fmt.Errorf("models: ingest social posts: %w", ErrForbidden)
	}
	var v ValidationError
	if len(posts) > maxSocialBatch {
		v.Add("posts", fmt.Sprintf("Send at most %d posts at once.", maxSocialBatch))
		return nil, &v
	}
	if opts.Source == "" {
		opts.Source = TimelineSourceAPI
		if opts.FeedID != 0 {
			opts.Source = TimelineSourceFeed
		}
	} else if !opts.Source.Valid() {
		v.Add("source", "Choose user, api, import, feed or system.")
	}
	at := now()
	items := make([]SocialItem, len(posts))
	for i, p := range posts {
		prefix := ""
		if len(posts) > 1 {
			prefix = fmt.Sprintf("posts[%d].", i)
		}
		items[i] = cleanPost(p, at, prefix, &v)
		if opts.FeedID != 0 {
			items[i].FeedID, items[i].Source = &opts.FeedID, socialSourceFeed
		} else {
			items[i].Source = socialSourcePush
		}
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	in, err := db.ingestContext(ctx, opts)
	if err != nil {
		return nil, err
	}
	stored, err := db.storedPosts(ctx, items)
	if err != nil {
		return nil, err
	}
	results := make([]IngestResult, len(items))
	for i := range items {
		if s, ok := stored[[2]string{items[i].Network, items[i].ExternalID}]; ok {
			// A re-polled feed repeats mostly known posts: no transaction for them.
			items[i] = s
			results[i], err = db.ingestResult(ctx, actor, &items[i], IngestResult{})
		} else {
			results[i], err = db.ingestOne(ctx, actor, &items[i], in)
		}
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// storedPosts finds which of items are stored already, in one query.
func (db *DB) storedPosts(ctx context.Context, items []SocialItem) (map[[2]string]SocialItem, error) {
	out := map[[2]string]SocialItem{}
	if len(items) == 0 {
		return out, nil
	}
	networks, ids := map[string]bool{}, make([]string, len(items))
	for i, it := range items {
		networks[it.Network], ids[i] = true, it.ExternalID
	}
	var found []SocialItem
	if err := db.with(ctx).Where("network IN ? AND external_id IN ?", slices.Collect(maps.Keys(networks)), ids).
		Find(&found).Error; err != nil {
		return nil, fmt.Errorf("models: find stored posts: %w", err)
	}
	for _, f := range found {
		out[[2]string{f.Network, f.ExternalID}] = f
	}
	return out, nil
}

// ingestion is what every post of one batch is matched against.
type ingestion struct {
	opts     IngestOptions
	terms    []WatchTerm
	feedURL  string // opts.FeedID's URL
	feedGone bool   // opts.FeedID names no feed any more
}

func (db *DB) ingestContext(ctx context.Context, opts IngestOptions) (*ingestion, error) {
	in := &ingestion{opts: opts}
	var err error
	if in.terms, err = db.WatchTerms(ctx); err != nil {
		return nil, err
	}
	if opts.FeedID != 0 {
		var urls []string
		if err := db.with(ctx).Model(&SocialFeed{}).Where("id = ?", opts.FeedID).Pluck("url", &urls).Error; err != nil {
			return nil, fmt.Errorf("models: feed %d: %w", opts.FeedID, err)
		}
		if len(urls) == 0 {
			return nil, fmt.Errorf("models: ingest posts of feed %d: %w", opts.FeedID, ErrNotFound)
		}
		in.feedURL = urls[0]
	}
	return in, nil
}

// ingestOne stores one cleaned post with everything that follows from it,
// in one transaction.
func (db *DB) ingestOne(ctx context.Context, actor Actor, it *SocialItem, in *ingestion) (IngestResult, error) {
	res := IngestResult{}
	err := db.Tx(ctx, func(tx *DB) error {
		ins := tx.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "network"}, {Name: "external_id"}}, DoNothing: true}).Create(it)
		if ins.Error != nil {
			return fmt.Errorf("models: store %s post %q: %w", it.Network, it.ExternalID, ins.Error)
		}
		if ins.RowsAffected == 0 {
			return nil // stored before, or by a concurrent ingest that committed first
		}
		res.Created = true
		contactIDs, err := tx.postContacts(ctx, it, in)
		if err != nil {
			return err
		}
		res.ContactIDs = contactIDs
		if len(contactIDs) > 0 {
			if err := tx.AddTimelineItem(ctx, ingestActor(actor), it.timelineEntry(contactIDs, in.opts.Source)); err != nil {
				return err
			}
		}
		return tx.openInboxItem(ctx, it, contactIDs, in)
	})
	if err != nil {
		return res, err
	}
	if !res.Created {
		var stored SocialItem
		if err := db.with(ctx).Where("network = ? AND external_id = ?", it.Network, it.ExternalID).First(&stored).Error; err != nil {
			return res, notFound(err, fmt.Sprintf("%s post %q", it.Network, it.ExternalID))
		}
		*it = stored
	}
	return db.ingestResult(ctx, actor, it, res)
}

// ingestResult completes res for a post stored now (res.Created) or
// before: the post, the contacts whose timelines it is on that the actor
// may see, and its Inbox item.
func (db *DB) ingestResult(ctx context.Context, actor Actor, it *SocialItem, res IngestResult) (IngestResult, error) {
	if !res.Created && actor.UserID != 0 {
		// A push of a post stored before answers that post, so it must be
		// one the pusher may see: a post only on restricted contacts'
		// timelines would otherwise show its text, author and profile to
		// anyone who guesses its network and id. Such a push answers
		// Withheld and nothing of the post. That it is stored cannot be
		// hidden without lying: (network, external_id) is unique, so the
		// push cannot store a second copy, and answering "created" would
		// hand out an id that does not exist. What it tells is only that a
		// post the pusher already knows of (they named it) is kept where
		// they cannot see it. The stored post is left as it was: ingesting
		// never changes a stored post (ON CONFLICT DO NOTHING above).
		var n int64
		if err := db.with(ctx).Model(&SocialItem{}).Scopes(visibleSocialItems(actor)).
			Where("social_items.id = ?", it.ID).Count(&n).Error; err != nil {
			return res, fmt.Errorf("models: social item %d: %w", it.ID, err)
		}
		if n == 0 {
			return IngestResult{Item: SocialItem{Network: it.Network, ExternalID: it.ExternalID}, Withheld: true}, nil
		}
	}
	it.utc()
	res.Item = *it
	if !res.Created {
		if err := db.with(ctx).Model(&timelineRecord{}).Where("ref_type = ? AND ref_id = ? AND deleted_at IS NULL", socialItemRefType, it.ID).
			Order("contact_id").Pluck("contact_id", &res.ContactIDs).Error; err != nil {
			return res, fmt.Errorf("models: contacts of social item %d: %w", it.ID, err)
		}
	}
	if actor.UserID != 0 && len(res.ContactIDs) > 0 {
		var seen []int64
		if err := db.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor)).Where("contacts.id IN ?", res.ContactIDs).
			Order("contacts.id").Pluck("contacts.id", &seen).Error; err != nil {
			return res, fmt.Errorf("models: contacts of social item %d: %w", it.ID, err)
		}
		res.ContactIDs = seen
	}
	items, err := db.inboxItems(ctx, actor, func(q *gorm.DB) *gorm.DB { return q.Where("inbox_items.social_item_id = ?", it.ID) })
	if err != nil {
		return res, err
	}
	if len(items) > 0 {
		res.Inbox = &items[0]
	}
	return res, nil
}

// ingestActor writes a post's timeline items: the post is the contact's
// own public words, so no colleague is credited with them, whoever pushed
// them.
func ingestActor(actor Actor) Actor {
	return Actor{Name: actor.Name, Role: RoleAdmin, Via: "system"}
}

// postContacts are the live contacts a post belongs to, at most
// maxTimelineContacts, in id order.
func (tx *DB) postContacts(ctx context.Context, it *SocialItem, in *ingestion) ([]int64, error) {
	q := tx.with(ctx).Table("social_profiles").Distinct("social_profiles.contact_id").
		Joins("JOIN contacts ON contacts.id = social_profiles.contact_id").Where("contacts.deleted_at IS NULL")
	switch {
	case in.feedURL != "":
		q = q.Where("social_profiles.feed_url = ? AND social_profiles.feed_url <> ''", in.feedURL) // the partial index's condition
	default:
		hk := handleKeys(it.Handle)
		uk := profileURLKeys(it.ProfileURL)
		if it.ProfileURL != "" && len(hk) == 0 {
			if network, handle, _, ok := RecognizeProfile(it.ProfileURL); ok && network == it.Network {
				hk = handleKeys(handle)
			}
		}
		switch {
		case len(hk) > 0 && len(uk) > 0:
			q = q.Where("(social_profiles.network = ? AND lower(social_profiles.handle) IN ?) OR lower(social_profiles.url) IN ?", it.Network, hk, uk)
		case len(hk) > 0:
			q = q.Where("social_profiles.network = ? AND lower(social_profiles.handle) IN ?", it.Network, hk)
		case len(uk) > 0:
			q = q.Where("lower(social_profiles.url) IN ?", uk)
		default:
			return nil, nil
		}
	}
	var ids []int64
	if err := q.Order("social_profiles.contact_id").Limit(maxTimelineContacts).Pluck("social_profiles.contact_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: contacts of %s post %q: %w", it.Network, it.ExternalID, err)
	}
	return ids, nil
}

// socialItemData is the data of a post's timeline items: what the
// timeline shows without loading the post. HTML too long for an item is
// left out; the view then shows the text.
type socialItemData struct {
	Network    string        `json:"network"`
	Handle     string        `json:"handle,omitempty"`
	AuthorName string        `json:"author_name,omitempty"`
	URL        string        `json:"url,omitempty"`
	Title      string        `json:"title,omitempty"`
	Text       string        `json:"text,omitempty"`
	HTML       string        `json:"html,omitempty"`
	Media      []SocialMedia `json:"media,omitempty"`
}

func (s *SocialItem) timelineEntry(contactIDs []int64, source TimelineSource) TimelineEntry {
	d := socialItemData{Network: s.Network, Handle: s.Handle, AuthorName: s.AuthorName, URL: s.URL, Title: s.Title,
		Text: shorten(s.Text, maxSocialExcerpt), Media: s.Media}
	if len(s.HTML) <= maxSocialItemData {
		d.HTML = s.HTML
	}
	if len(d.Media) > 5 {
		d.Media = d.Media[:5]
	}
	return TimelineEntry{Kind: TimelineSocial, ContactIDs: contactIDs, OccurredAt: s.PublishedAt, Source: source,
		Ref: TimelineRef{Type: socialItemRefType, ID: s.ID}, Channel: s.Network, Summary: s.Summary(), Data: d}
}

// openInboxItem opens the post's Inbox item when it needs an answer: it
// matches a watch term, or one of its contacts carries the attention tag.
// The item belongs to the first contact with the tag, else the first
// contact; a post by no contact still reaches the Inbox through a term.
func (tx *DB) openInboxItem(ctx context.Context, it *SocialItem, contactIDs []int64, in *ingestion) error {
	matched := MatchWatchTerms(in.terms, it.Title+"\n"+it.Text)
	var attention []int64
	if key := tagKey(cleanLine(in.opts.AttentionTag)); key != "" && len(contactIDs) > 0 {
		if err := tx.with(ctx).Model(&contactTag{}).Where("tag_key = ? AND contact_id IN ?", key, contactIDs).
			Order("contact_id").Pluck("contact_id", &attention).Error; err != nil {
			return fmt.Errorf("models: attention tags of %v: %w", contactIDs, err)
		}
	}
	reason := []string{}
	if len(matched) > 0 {
		reason = append(reason, inboxReasonTerm)
	}
	if len(attention) > 0 {
		reason = append(reason, inboxReasonAttention)
	}
	if len(reason) == 0 {
		return nil
	}
	rec := inboxRecord{SocialItemID: it.ID, Reason: reason, MatchedTerms: matched, Status: InboxOpen,
		PublishedAt: it.PublishedAt, Version: 1, CreatedAt: it.ReceivedAt, UpdatedAt: it.ReceivedAt}
	if rec.MatchedTerms == nil {
		rec.MatchedTerms = []string{}
	}
	switch {
	case len(attention) > 0:
		rec.ContactID = &attention[0]
	case len(contactIDs) > 0:
		rec.ContactID = &contactIDs[0]
	}
	if err := tx.with(ctx).Create(&rec).Error; err != nil {
		return fmt.Errorf("models: open inbox item for social item %d: %w", it.ID, err)
	}
	return nil
}

// visibleSocialItems limits a query on social_items to posts the actor may
// see: posts on no timeline (no contact's), and posts on the timeline of a
// contact the actor may see. A post only on restricted contacts' timelines
// would tell an outsider whom the department follows.
func visibleSocialItems(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		onAny := q.Session(&gorm.Session{NewDB: true}).Table("timeline_items").Select("1").
			Where("timeline_items.ref_type = ? AND timeline_items.ref_id = social_items.id AND timeline_items.deleted_at IS NULL", socialItemRefType)
		onVisible := q.Session(&gorm.Session{NewDB: true}).Table("timeline_items").Select("1").
			Joins("JOIN contacts ON contacts.id = timeline_items.contact_id").
			Where("timeline_items.ref_type = ? AND timeline_items.ref_id = social_items.id", socialItemRefType).
			Scopes(visibleTimelineItems(actor), visibleContacts(actor))
		return q.Where("NOT EXISTS (?) OR EXISTS (?)", onAny, onVisible)
	}
}

// SocialItem loads one stored post the actor may see.
func (db *DB) SocialItem(ctx context.Context, actor Actor, id int64) (*SocialItem, error) {
	var it SocialItem
	if err := db.with(ctx).Scopes(visibleSocialItems(actor)).First(&it, "social_items.id = ?", id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("social item %d", id))
	}
	it.utc()
	return &it, nil
}
