package feeds_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rapport/app/feeds"
	"rapport/models"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var parsedAt = time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)

// Each fixture format becomes posts with the id, link, plain text, media,
// author and time a timeline and the watch terms need.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file  string
		count int
		first models.SocialPost
		// second's external id: a fallback rule at work
		secondID   string
		secondURL  string
		secondTime time.Time
	}{{
		file: "mastodon.rss", count: 2,
		first: models.SocialPost{
			ExternalID:  "https://mastodon.example/@alice/113000000000000002",
			URL:         "https://mastodon.example/@alice/113000000000000002",
			ProfileURL:  "https://mastodon.example/@alice",
			Text:        "Still waiting for my refund from @acme & nobody answers.\nDay three.",
			Media:       []models.SocialMedia{{URL: "https://files.mastodon.example/media_attachments/receipt.jpg", Type: "image/jpeg"}},
			PublishedAt: time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC),
		},
		secondID:   "https://mastodon.example/@alice/113000000000000001",
		secondURL:  "https://mastodon.example/@alice/113000000000000001",
		secondTime: time.Date(2026, 12, 2, 18, 5, 0, 0, time.UTC),
	}, {
		file: "github.atom", count: 2,
		first: models.SocialPost{
			ExternalID:  "tag:github.com,2008:IssuesEvent/45000000002",
			URL:         "https://github.com/acme/widget/issues/42",
			ProfileURL:  "https://github.com/bob",
			AuthorName:  "bob",
			Title:       "bob opened an issue in acme/widget",
			Text:        "Widget crashes on start\nSteps: open it. Expected: no crash.",
			Media:       []models.SocialMedia{{URL: "https://avatars.githubusercontent.example/u/1?s=30&v=4", Type: "image"}},
			PublishedAt: time.Date(2026, 12, 3, 10, 15, 0, 0, time.UTC),
		},
		// No <published>: the update time; a relative link: resolved.
		secondID:   "tag:github.com,2008:WatchEvent/45000000001",
		secondURL:  "https://github.com/acme/gadget",
		secondTime: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC),
	}, {
		file: "feed.json", count: 2,
		first: models.SocialPost{
			ExternalID: "https://carol.example/2026/12/podcast-7",
			URL:        "https://carol.example/2026/12/podcast-7",
			ProfileURL: "https://carol.example/",
			AuthorName: "Carol Writer",
			Title:      "Episode 7: support queues",
			Text:       "How long should a customer wait? We talk response times.",
			Media: []models.SocialMedia{
				{URL: "https://carol.example/audio/ep7.mp3", Type: "audio/mpeg"},
				{URL: "https://carol.example/img/ep7.png", Type: "image"},
			},
			PublishedAt: time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC),
		},
		// No link, no date: the id as given, dated when it was read.
		secondID:   "note-6",
		secondTime: parsedAt,
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			posts, err := feeds.Parse(readFixture(t, tt.file), "application/xml", parsedAt)
			if err != nil {
				t.Fatal(err)
			}
			if len(posts) != tt.count {
				t.Fatalf("%d posts, want %d", len(posts), tt.count)
			}
			got, want := posts[0], tt.first
			got.HTML = "" // checked below
			if !equalPost(got, want) {
				t.Errorf("first post\n got %+v\nwant %+v", got, want)
			}
			if posts[0].HTML == "" {
				t.Error("first post has no HTML")
			}
			second := posts[1]
			if second.ExternalID != tt.secondID || second.URL != tt.secondURL || !second.PublishedAt.Equal(tt.secondTime) {
				t.Errorf("second post: id %q url %q at %v, want %q %q %v",
					second.ExternalID, second.URL, second.PublishedAt, tt.secondID, tt.secondURL, tt.secondTime)
			}
		})
	}
}

func equalPost(a, b models.SocialPost) bool {
	if len(a.Media) != len(b.Media) {
		return false
	}
	for i := range a.Media {
		if a.Media[i] != b.Media[i] {
			return false
		}
	}
	a.Media, b.Media = nil, nil
	return a.PublishedAt.Equal(b.PublishedAt) && func() bool {
		a.PublishedAt, b.PublishedAt = time.Time{}, time.Time{}
		return a.Network == b.Network && a.ExternalID == b.ExternalID && a.Handle == b.Handle &&
			a.ProfileURL == b.ProfileURL && a.AuthorName == b.AuthorName && a.URL == b.URL &&
			a.Title == b.Title && a.Text == b.Text
	}()
}

// A script in a post is not text to match or search; items with nothing
// to show are skipped, and links that are not web addresses dropped.
func TestParseDropsWhatCannotBeShown(t *testing.T) {
	posts, err := feeds.Parse(readFixture(t, "mastodon.rss"), "application/rss+xml", parsedAt)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(posts[0].Text, "alert") {
		t.Errorf("script kept in the text: %q", posts[0].Text)
	}
	rss := `<rss version="2.0"><channel><title>t</title><link>javascript:alert(1)</link>
		<item><guid>empty</guid><description>  </description></item>
		<item><guid>odd-link</guid><link>javascript:alert(1)</link><description>hello</description></item>
	</channel></rss>`
	posts, err = feeds.Parse([]byte(rss), "application/rss+xml", parsedAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 || posts[0].ExternalID != "odd-link" || posts[0].URL != "" || posts[0].ProfileURL != "" {
		t.Errorf("posts %+v, want only odd-link with no links", posts)
	}
}

// What is not a feed is refused with a sentence saying what it was.
func TestParseRefusals(t *testing.T) {
	tests := []struct {
		name, body, contentType, want string
	}{
		{"broken", string(readFixture(t, "broken.xml")), "application/rss+xml", "the feed is broken: XML syntax error on line 9"},
		{"html page", string(readFixture(t, "profile.html")), "text/html; charset=utf-8", "not a feed: the server sent text/html (an HTML page)"},
		{"plain text", "hello", "text/plain", "not a feed: the server sent text/plain, which is not RSS, Atom or JSON Feed"},
		{"empty", "", "", "not a feed: the answer is not RSS, Atom or JSON Feed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := feeds.Parse([]byte(tt.body), tt.contentType, parsedAt)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to start %q", err, tt.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"<p>refund</p><p>now</p>", "refund\nnow"},
		{"a<br>b", "a\nb"},
		{"Fish &amp; chips &lt;3", "Fish & chips <3"},
		{"<style>p{}</style><p>kept</p><script>x()</script>", "kept"},
		{"  spaced   out \n\n  lines ", "spaced out\nlines"},
		{"<a href='x'>link</a> text", "link text"},
	}
	for _, tt := range tests {
		if got := feeds.PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
