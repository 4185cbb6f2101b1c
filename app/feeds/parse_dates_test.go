package feeds_test

import (
	"testing"
	"time"

	"rapport/app/feeds"
	"rapport/models"
)

// A feed item dated where Rapport cannot store a time (a year past 9999
// once in UTC, before 1900, a zero date) counts as undated: its updated
// date, else the time it was fetched, and the rest of the feed is read as
// usual.
func TestParseTreatsDatesOutOfRangeAsUnknown(t *testing.T) {
	atom := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Odd dates</title>
  <link href="https://blog.example/"/>
  <id>https://blog.example/</id>
  <updated>2026-12-03T09:30:00Z</updated>
  <entry><id>a</id><title>Past the end</title><link href="https://blog.example/a"/>
    <published>9999-12-31T23:59:59-23:59</published><updated>2026-12-02T10:00:00Z</updated></entry>
  <entry><id>b</id><title>Before the start</title><link href="https://blog.example/b"/>
    <published>0000-01-01T00:00:00+14:00</published></entry>
  <entry><id>c</id><title>Long ago</title><link href="https://blog.example/c"/>
    <published>1850-01-01T00:00:00Z</published><updated>1851-01-01T00:00:00Z</updated></entry>
  <entry><id>d</id><title>Fine</title><link href="https://blog.example/d"/>
    <published>2026-12-01T08:00:00Z</published></entry>
</feed>`
	rss := `<?xml version="1.0"?><rss version="2.0"><channel><title>Zero</title><link>https://news.example/</link>
  <item><guid>z</guid><title>Zero date</title><link>https://news.example/z</link><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>
</channel></rss>`
	for _, tc := range []struct {
		name, body string
		want       map[string]time.Time // by external id
	}{
		{"atom", atom, map[string]time.Time{
			"a": time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC),
			"b": parsedAt,
			"c": parsedAt,
			"d": time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		}},
		{"rss", rss, map[string]time.Time{"z": parsedAt}},
	} {
		posts, err := feeds.Parse([]byte(tc.body), "", parsedAt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(posts) != len(tc.want) {
			t.Fatalf("%s: %d posts, want %d", tc.name, len(posts), len(tc.want))
		}
		for _, p := range posts {
			if want := tc.want[p.ExternalID]; !p.PublishedAt.Equal(want) || !models.StorableTime(p.PublishedAt) {
				t.Errorf("%s: %s published %v, want %v", tc.name, p.ExternalID, p.PublishedAt, want)
			}
		}
	}
}
