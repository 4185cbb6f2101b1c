package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"rapport/models"
)

// maxText bounds a post's plain text, as social_items.text does.
const maxText = 10000

// maxURL is the longest address the models store; a longer one is
// dropped rather than failing the post.
const maxURL = 2048

// Parse reads a feed (RSS 0.9x/1.0/2.0, Atom or JSON Feed) into posts for
// models.IngestSocialPosts. contentType is the server's Content-Type, for
// a clear error when the answer is a web page; now dates undated items.
//
// A post's external id is the item's GUID, else its link; an item with
// neither is left for the models to name by a hash of link, date and
// title. HTML is passed as the feed wrote it: the models sanitise it on
// the way in, with the same link rules as notes. Network is left empty: a
// polled post belongs to the network of the profiles naming its feed,
// which the poller sets (models.FeedNetwork).
func Parse(body []byte, contentType string, now time.Time) ([]models.SocialPost, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		mt := mediaType(contentType)
		switch {
		case isHTML(contentType):
			return nil, fmt.Errorf("not a feed: the server sent %s (an HTML page)", mt)
		case mt != "":
			return nil, fmt.Errorf("not a feed: the server sent %s, which is not RSS, Atom or JSON Feed", mt)
		}
		return nil, errors.New("not a feed: the answer is not RSS, Atom or JSON Feed")
	}
	if err != nil {
		return nil, fmt.Errorf("the feed is broken: %s", firstLine(err.Error(), 200))
	}
	home, _ := url.Parse(absolute(nil, feed.Link))
	posts := make([]models.SocialPost, 0, len(feed.Items))
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		body := it.Content
		if strings.TrimSpace(body) == "" {
			body = it.Description
		}
		p := models.SocialPost{
			ExternalID:  strings.TrimSpace(it.GUID),
			ProfileURL:  absolute(nil, feed.Link),
			AuthorName:  authorName(it, feed),
			URL:         absolute(home, it.Link),
			Title:       strings.TrimSpace(PlainText(it.Title)),
			Text:        truncateRunes(PlainText(body), maxText),
			HTML:        body, // sanitised by the models on the way in, with the notes' link rules
			Media:       media(home, it),
			PublishedAt: published(it, now),
		}
		if p.ExternalID == "" {
			p.ExternalID = p.URL
		}
		if p.Text == "" && p.Title == "" && p.URL == "" {
			continue // nothing to show or match
		}
		posts = append(posts, p)
	}
	return posts, nil
}

// published is when the item was published, else updated, else now. A
// date Rapport cannot store (models.StorableTime: a feed's zero date, a
// year past 9999 once in UTC) counts as no date, so one odd item neither
// stops the feed nor stores a time that cannot be read back.
func published(it *gofeed.Item, now time.Time) time.Time {
	for _, t := range []*time.Time{it.PublishedParsed, it.UpdatedParsed} {
		if t != nil && models.StorableTime(*t) {
			return t.UTC()
		}
	}
	return now.UTC()
}

func authorName(it *gofeed.Item, feed *gofeed.Feed) string {
	for _, list := range [][]*gofeed.Person{it.Authors, feed.Authors} {
		for _, a := range list {
			if a != nil && strings.TrimSpace(a.Name) != "" {
				return strings.TrimSpace(a.Name)
			}
		}
	}
	return ""
}

// media collects an item's attachments: enclosures (RSS, JSON Feed
// attachments), its image, and Media RSS content and thumbnails (YouTube,
// Mastodon), each once.
func media(home *url.URL, it *gofeed.Item) []models.SocialMedia {
	var out []models.SocialMedia
	seen := map[string]bool{}
	add := func(raw, typ, title string) {
		u := absolute(home, raw)
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		out = append(out, models.SocialMedia{URL: u, Type: typ, Title: strings.TrimSpace(title)})
	}
	for _, e := range it.Enclosures {
		if e != nil {
			add(e.URL, e.Type, "")
		}
	}
	var walk func(m map[string][]ext.Extension)
	walk = func(m map[string][]ext.Extension) {
		for _, c := range m["content"] {
			typ := c.Attrs["type"]
			if typ == "" {
				typ = c.Attrs["medium"]
			}
			add(c.Attrs["url"], typ, extText(c.Children, "title"))
		}
		for _, t := range m["thumbnail"] {
			add(t.Attrs["url"], "image", "")
		}
		for _, g := range m["group"] {
			walk(g.Children)
		}
	}
	walk(it.Extensions["media"])
	// Last: gofeed fills the image from the media elements too, and those
	// carry the precise type.
	if it.Image != nil {
		add(it.Image.URL, "image", it.Image.Title)
	}
	return out
}

func extText(m map[string][]ext.Extension, name string) string {
	if v := m[name]; len(v) > 0 {
		return v[0].Value
	}
	return ""
}

// absolute resolves raw against the feed's home page and keeps it only
// when it is an http or https address: a javascript: link must not reach
// a page.
func absolute(home *url.URL, raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if home != nil && !u.IsAbs() {
		u = home.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(u.String()) > maxURL {
		return ""
	}
	return u.String()
}

// blockElements end a line of plain text, so "<p>refund</p><p>now</p>"
// reads "refund\nnow", not "refundnow".
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Tr: true, atom.Hr: true, atom.Section: true,
	atom.Article: true, atom.Figure: true, atom.Figcaption: true, atom.Table: true,
}

// PlainText is the text of an HTML fragment, entities decoded, scripts and
// styles dropped, one line per block, spaces collapsed: what watch terms
// are matched against and what search finds.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return tidyLines(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyLines(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Script || a == atom.Style {
				switch {
				case tt == html.StartTagToken:
					skip++
				case tt == html.EndTagToken && skip > 0:
					skip--
				}
			}
			if blockElements[a] {
				b.WriteByte('\n')
			}
		}
	}
}

// tidyLines collapses runs of spaces within lines and drops empty lines.
func tidyLines(s string) string {
	var lines []string
	for line := range strings.SplitSeq(s, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			lines = append(lines, strings.Join(f, " "))
		}
	}
	return strings.Join(lines, "\n")
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// firstLine is s up to its first line break, at most n bytes, for an
// error message stored on the feed.
func firstLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
