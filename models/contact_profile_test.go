package models_test

import (
	"testing"

	"rapport/models"
)

func TestRecognizeProfile(t *testing.T) {
	cases := []struct {
		url, network, handle, feed string
		ok                         bool
	}{
		{"https://mastodon.social/@Gargron", "mastodon", "@Gargron@mastodon.social", "https://mastodon.social/@Gargron.rss", true},
		{"https://hachyderm.io/@zoe/", "mastodon", "@zoe@hachyderm.io", "https://hachyderm.io/@zoe.rss", true},
		{"http://Fosstodon.org/@jo_bloggs", "mastodon", "@jo_bloggs@fosstodon.org", "https://fosstodon.org/@jo_bloggs.rss", true},
		{"https://mastodon.social/@Gargron/109288711546357421", "", "", "", false}, // a post
		{"https://bsky.app/profile/jay.bsky.team", "bluesky", "jay.bsky.team", "https://bsky.app/profile/jay.bsky.team/rss", true},
		{"https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur", "bluesky", "did:plc:z72i7hdynmk6r22z27h6tvur",
			"https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/rss", true},
		{"https://bsky.app/profile/jay.bsky.team/post/3k", "", "", "", false},
		{"https://github.com/torvalds", "github", "torvalds", "https://github.com/torvalds.atom", true},
		{"https://www.github.com/torvalds/", "github", "torvalds", "https://github.com/torvalds.atom", true},
		{"https://github.com/torvalds/linux", "", "", "", false}, // a repository
		{"https://github.com/settings", "", "", "", false},
		{"https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw", "youtube", "UC_x5XG1OV2P6uZZ5FSM9Ttw",
			"https://www.youtube.com/feeds/videos.xml?channel_id=UC_x5XG1OV2P6uZZ5FSM9Ttw", true},
		{"https://youtube.com/@GoogleDevelopers", "youtube", "@GoogleDevelopers", "", true},
		{"https://www.linkedin.com/in/williamhgates/", "linkedin", "williamhgates", "", true},
		{"https://uk.linkedin.com/in/jane-doe-123", "linkedin", "jane-doe-123", "", true},
		{"https://www.linkedin.com/company/microsoft", "linkedin", "microsoft", "", true},
		{"https://www.linkedin.com/feed/", "", "", "", false},
		{"https://x.com/golang", "x", "golang", "", true},
		{"https://twitter.com/golang?lang=en", "x", "golang", "", true},
		{"https://x.com/home", "", "", "", false},
		{"https://medium.com/@someone", "medium", "@someone", "https://medium.com/feed/@someone", true},
		{"https://www.tiktok.com/@someone", "", "", "", false},
		{"https://example.com/about", "", "", "", false},
		{"javascript:alert(1)", "", "", "", false},
		{"ftp://github.com/torvalds", "", "", "", false},
		{"github.com/torvalds", "", "", "", false}, // no scheme
		{"https://user:pw@github.com/torvalds", "", "", "", false},
		{"", "", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			network, handle, feed, ok := models.RecognizeProfile(tc.url)
			if network != tc.network || handle != tc.handle || feed != tc.feed || ok != tc.ok {
				t.Errorf("RecognizeProfile(%q) = %q, %q, %q, %v; want %q, %q, %q, %v",
					tc.url, network, handle, feed, ok, tc.network, tc.handle, tc.feed, tc.ok)
			}
		})
	}
}
