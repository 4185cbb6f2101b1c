package models

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Social networks RecognizeProfile knows. Profiles on other sites are
// stored with the network their owner gave, or "website".
const (
	NetworkMastodon = "mastodon"
	NetworkBluesky  = "bluesky"
	NetworkGitHub   = "github"
	NetworkYouTube  = "youtube"
	NetworkLinkedIn = "linkedin"
	NetworkX        = "x"
	NetworkMedium   = "medium"
	NetworkWebsite  = "website"
)

var (
	githubUser     = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	blueskyHandle  = regexp.MustCompile(`^(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+$|^did:[a-z]+:[A-Za-z0-9._:-]+$`)
	youtubeChannel = regexp.MustCompile(`^[A-Za-z0-9_-]{10,40}$`)
	xUser          = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)
	linkedInName   = regexp.MustCompile(`^[\p{L}\p{N}_%.-]{1,100}$`)
	atUser         = regexp.MustCompile(`^@[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)
)

// githubReserved are GitHub paths that look like user names but are pages.
var githubReserved = map[string]bool{
	"about": true, "orgs": true, "settings": true, "features": true, "topics": true, "explore": true,
	"marketplace": true, "sponsors": true, "login": true, "join": true, "pricing": true, "enterprise": true,
	"collections": true, "trending": true, "notifications": true, "issues": true, "pulls": true,
	"new": true, "search": true, "security": true, "site": true, "contact": true,
}

// xReserved are x.com paths that are pages rather than accounts.
var xReserved = map[string]bool{
	"home": true, "explore": true, "search": true, "i": true, "intent": true, "share": true,
	"settings": true, "messages": true, "notifications": true, "login": true, "signup": true, "tos": true, "privacy": true,
}

// RecognizeProfile works out which network a profile address belongs to,
// the account's handle there and, where the network publishes one, the
// address of the account's public feed. ok is false for addresses that are
// not a profile Rapport recognises (including posts and repositories on
// networks it knows).
//
// Mastodon is recognised by shape, https://any.host/@user, since it runs
// on thousands of hosts; sites known to share that shape (YouTube, Medium,
// TikTok, Threads) are matched first.
func RecognizeProfile(rawURL string) (network, handle, feedURL string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return "", "", "", false
	}
	host := strings.ToLower(u.Hostname())
	site := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(host, "www."), "m."), "mobile.")
	var segs []string
	for s := range strings.SplitSeq(u.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	switch {
	case site == "github.com":
		if len(segs) == 1 && githubUser.MatchString(segs[0]) && !githubReserved[strings.ToLower(segs[0])] {
			return NetworkGitHub, segs[0], "https://github.com/" + segs[0] + ".atom", true
		}
	case site == "bsky.app":
		if len(segs) == 2 && segs[0] == "profile" && blueskyHandle.MatchString(segs[1]) {
			return NetworkBluesky, segs[1], "https://bsky.app/profile/" + segs[1] + "/rss", true
		}
	case site == "youtube.com":
		switch {
		case len(segs) == 2 && segs[0] == "channel" && youtubeChannel.MatchString(segs[1]):
			return NetworkYouTube, segs[1], "https://www.youtube.com/feeds/videos.xml?channel_id=" + url.QueryEscape(segs[1]), true
		case len(segs) == 1 && atUser.MatchString(segs[0]):
			// A handle's feed needs its channel id, which only YouTube knows.
			return NetworkYouTube, segs[0], "", true
		case len(segs) == 2 && (segs[0] == "c" || segs[0] == "user"):
			return NetworkYouTube, segs[1], "", true
		}
	case site == "linkedin.com" || strings.HasSuffix(site, ".linkedin.com"):
		if len(segs) == 2 && (segs[0] == "in" || segs[0] == "company") && linkedInName.MatchString(segs[1]) {
			return NetworkLinkedIn, segs[1], "", true
		}
	case site == "x.com" || site == "twitter.com":
		if len(segs) == 1 && xUser.MatchString(segs[0]) && !xReserved[strings.ToLower(segs[0])] {
			return NetworkX, segs[0], "", true
		}
	case site == "medium.com":
		if len(segs) == 1 && atUser.MatchString(segs[0]) {
			return NetworkMedium, segs[0], "https://medium.com/feed/" + segs[0], true
		}
	case site == "tiktok.com" || site == "threads.net" || site == "threads.com":
		// Profiles shaped like Mastodon's, but not Mastodon, and no feed.
	default:
		if len(segs) == 1 && atUser.MatchString(segs[0]) {
			user := strings.TrimPrefix(segs[0], "@")
			return NetworkMastodon, "@" + user + "@" + host, "https://" + host + "/@" + user + ".rss", true
		}
	}
	return "", "", "", false
}

// isWebURL reports whether s is an absolute http or https address.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" && u.User == nil
}

func socialProfiles(in []SocialProfileInput, v *ValidationError) []SocialProfile {
	if len(in) > maxSocial {
		v.Add("social_profiles", fmt.Sprintf("A contact can have up to %d profiles.", maxSocial))
		return nil
	}
	out := []SocialProfile{}
	seen := map[string]bool{}
	for i, p := range in {
		field := fmt.Sprintf("social_profiles[%d]", i)
		raw := cleanLine(p.URL)
		if raw == "" {
			continue
		}
		if len(raw) > maxURLLength || !isWebURL(raw) {
			v.Add(field, "Enter the profile's web address, starting with https://.")
			continue
		}
		if seen[raw] {
			continue
		}
		seen[raw] = true
		network, handle, feed, ok := RecognizeProfile(raw)
		if !ok {
			network = strings.ToLower(cleanLine(p.Network))
			if network == "" {
				network = NetworkWebsite
			}
			if utf8.RuneCountInString(network) > maxLabelLength {
				v.Add(field, fmt.Sprintf("Keep the network name under %d characters.", maxLabelLength))
			}
		}
		// A feed address given explicitly wins over the derived one: the
		// person may know a better feed (a tag's, a channel playlist's).
		if given := cleanLine(p.FeedURL); given != "" {
			if len(given) > maxURLLength || !isWebURL(given) {
				v.Add(field, "Enter the feed's web address, starting with https://.")
			}
			feed = given
		}
		out = append(out, SocialProfile{Network: network, Handle: handle, URL: raw, FeedURL: feed, Position: len(out)})
	}
	return out
}

// keepProfileFeeds returns in with the profiles an edit keeps (same link)
// keeping the feed and network they had — set through the API or found by
// discovery — when the edit names none: the edit form sends links only.
func keepProfileFeeds(in []SocialProfileInput, old []SocialProfile) []SocialProfileInput {
	had := make(map[string]SocialProfile, len(old))
	for _, p := range old {
		had[p.URL] = p
	}
	out := slices.Clone(in)
	for i := range out {
		was, ok := had[cleanLine(out[i].URL)]
		if !ok {
			continue
		}
		if cleanLine(out[i].FeedURL) == "" {
			out[i].FeedURL = was.FeedURL
		}
		if cleanLine(out[i].Network) == "" {
			out[i].Network = was.Network
		}
	}
	return out
}
