package timeline

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"rapport/models"
)

// A social item shows its text and links, and nothing hostile survives,
// even in data that did not come through IngestSocialPosts.
func TestSocialItemRenders(t *testing.T) {
	it := models.TimelineItem{ID: 7, Kind: models.TimelineSocial, ContactID: 1, OccurredAt: time.Now(), Source: models.TimelineSourceFeed,
		Channel: "mastodon", Summary: "Our new release",
		Data: []byte(`{"network":"mastodon","handle":"@ann@example.social","author_name":"Ann","url":"javascript:alert(1)",
			"html":"<p>Hello <b>world</b><script>alert(2)</script><img src=x onerror=alert(3)><a href=\"https://example.com\" onclick=\"x()\">link</a></p>",
			"media":[{"url":"https://example.social/m/1.png","type":"image/png"},{"url":"javascript:alert(4)","title":"bad"}]}`)}
	var buf bytes.Buffer
	if err := Item(Data{}, it).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script", "onerror", "onclick", "<img", "javascript:"} {
		if strings.Contains(out, bad) {
			t.Errorf("rendered item contains %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"<b>world</b>", `href="https://example.social/m/1.png"`, `rel="noopener nofollow ugc"`,
		"image/png", "Ann (@ann@example.social)", "View on mastodon", "Social feed"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered item lacks %q:\n%s", want, out)
		}
	}
	// Without HTML the plain text shows, escaped.
	it.Data = []byte(`{"network":"x","text":"<b>not bold</b>","url":"https://x.com/a/1"}`)
	buf.Reset()
	if err := Item(Data{}, it).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "&lt;b&gt;not bold&lt;/b&gt;") || !strings.Contains(out, `href="https://x.com/a/1"`) {
		t.Errorf("plain item:\n%s", out)
	}
}
