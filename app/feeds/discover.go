package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"rapport/app/config"
)

// ErrDiscoveryOff is Discover's answer when RAPPORT_FEED_DISCOVERY is off.
var ErrDiscoveryOff = errors.New("feed discovery is turned off (RAPPORT_FEED_DISCOVERY); enter the feed address instead")

// feedTypes are the link types a page names its feeds with, and the only
// ones Discover follows.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
}

// Discover finds the feed of a profile page that models.RecognizeProfile
// does not know, for the contact form: it fetches pageURL through a
// one-off guarded Fetcher built from cfg and returns the feed the page
// names. It answers ErrDiscoveryOff when cfg.FeedDiscovery is false.
func Discover(ctx context.Context, cfg *config.Config, version, pageURL string) (string, error) {
	if !cfg.FeedDiscovery {
		return "", ErrDiscoveryOff
	}
	f := NewFetcher(FetchOptionsFrom(cfg, version))
	defer f.Close()
	return f.Discover(ctx, pageURL)
}

// Discover fetches pageURL and returns the absolute URL of the first feed
// it names in <link rel="alternate" type="application/rss+xml|atom+xml|
// feed+json" href=…>, resolved against the page's address after redirects
// (and its <base href>). A pageURL that is itself a feed is returned as is.
// Errors are sentences fit for the form.
func (f *Fetcher) Discover(ctx context.Context, pageURL string) (string, error) {
	resp, err := f.Fetch(ctx, Request{URL: pageURL, Accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"})
	if err != nil {
		var tooLarge *TooLargeError
		if errors.As(err, &tooLarge) {
			return "", fmt.Errorf("the page is larger than %s", formatBytes(tooLarge.Limit))
		}
		return "", err
	}
	if !isHTML(resp.ContentType) && gofeed.DetectFeedType(bytes.NewReader(resp.Body)) != gofeed.FeedTypeUnknown {
		return resp.URL, nil
	}
	href, base := feedLink(bytes.NewReader(resp.Body))
	if href == "" {
		return "", errors.New("no feed found: the page names none in <link rel=\"alternate\">; enter the feed address instead")
	}
	page, err := url.Parse(resp.URL)
	if err != nil {
		return "", fmt.Errorf("feeds: discover: page address %q: %w", resp.URL, err)
	}
	if base != "" {
		if b, err := page.Parse(base); err == nil {
			page = b
		}
	}
	u, err := page.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("no feed found: the page names %q, which is not an http or https address", href)
	}
	return u.String(), nil
}

// feedLink returns the href of the first feed <link> in an HTML document
// and the document's <base href>, if any. It stops at <body>: feed links
// belong in the head, and a long page need not be read to its end.
func feedLink(r io.Reader) (href, base string) {
	z := html.NewTokenizer(r)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", base
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.DataAtom {
			case atom.Body:
				return "", base
			case atom.Base:
				if base == "" {
					base = attr(t, "href")
				}
			case atom.Link:
				if hasWord(attr(t, "rel"), "alternate") && feedTypes[mediaType(attr(t, "type"))] {
					if h := strings.TrimSpace(attr(t, "href")); h != "" {
						return h, base
					}
				}
			}
		}
	}
}

func attr(t html.Token, name string) string {
	for _, a := range t.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// hasWord reports whether a space-separated list (an HTML rel) holds
// word, case-insensitively.
func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

// mediaType is a Content-Type without its parameters, lower case.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

func isHTML(ct string) bool {
	mt := mediaType(ct)
	return mt == "text/html" || mt == "application/xhtml+xml"
}
