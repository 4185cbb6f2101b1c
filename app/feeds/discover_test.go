package feeds_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"rapport/app/config"
	"rapport/app/feeds"
)

// A blog's page names its feed in the head; Discover returns it absolute,
// skipping stylesheets, other-language alternates and links in the body.
func TestDiscoverFindsTheFeedLink(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/dana":
			http.Redirect(w, r, "/blog/", http.StatusMovedPermanently)
		case "/blog/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(readFixture(t, "profile.html"))
		case "/feed.json":
			w.Header().Set("Content-Type", "application/feed+json")
			_, _ = w.Write(readFixture(t, "feed.json"))
		case "/plain":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><head><title>No feed</title></head><body>` +
				`<link rel="alternate" type="application/rss+xml" href="/late.rss"></body></html>`))
		case "/based":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><head><base href="https://cdn.example/site/">` +
				`<link rel="alternate" type="application/rss+xml" href="feed.xml"></head></html>`))
		}
	})
	f := fetcherFor(t, srv, feeds.FetchOptions{})
	ctx := context.Background()
	tests := []struct{ page, want string }{
		// Relative to the page after its redirect.
		{"/dana", srv.URL + "/blog/posts/atom.xml"},
		{"/based", "https://cdn.example/site/feed.xml"},
		// A feed pasted as the profile is its own feed.
		{"/feed.json", srv.URL + "/feed.json"},
	}
	for _, tt := range tests {
		got, err := f.Discover(ctx, srv.URL+tt.page)
		if err != nil || got != tt.want {
			t.Errorf("Discover(%s) = %q, %v; want %q", tt.page, got, err, tt.want)
		}
	}
	if _, err := f.Discover(ctx, srv.URL+"/plain"); err == nil || !strings.HasPrefix(err.Error(), "no feed found") {
		t.Errorf("a page naming no feed in its head: %v", err)
	}
}

// Discovery goes through the same guard as polling, and is off when the
// setting says so.
func TestDiscoverGuardAndSetting(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(readFixture(t, "profile.html"))
	})
	cfg := &config.Config{FeedDiscovery: true, FeedTimeout: 5 * time.Second, FeedMaxBytes: 1 << 20, BaseURL: "http://crm.test"}
	_, err := feeds.Discover(context.Background(), cfg, "test", srv.URL+"/blog/")
	if err == nil || !strings.HasPrefix(err.Error(), "refused: 127.0.0.1 is a loopback address") {
		t.Errorf("loopback page without the allow-list: %v", err)
	}
	cfg.FeedAllowHosts = []string{srv.Listener.Addr().String()}
	if got, err := feeds.Discover(context.Background(), cfg, "test", srv.URL+"/blog/"); err != nil || got != srv.URL+"/blog/posts/atom.xml" {
		t.Errorf("allowed: %q, %v", got, err)
	}
	cfg.FeedDiscovery = false
	if _, err := feeds.Discover(context.Background(), cfg, "test", srv.URL+"/blog/"); !errors.Is(err, feeds.ErrDiscoveryOff) {
		t.Errorf("discovery off: %v", err)
	}
}
