package feeds_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rapport/app/feeds"
)

// serve starts a local server; the fetchers the tests make allow exactly
// its host:port past the address guard, as RAPPORT_FEED_ALLOW_HOSTS would.
func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func fetcherFor(t *testing.T, srv *httptest.Server, opts feeds.FetchOptions) *feeds.Fetcher {
	t.Helper()
	opts.AllowHosts = append(opts.AllowHosts, srv.Listener.Addr().String())
	f := feeds.NewFetcher(opts)
	t.Cleanup(f.Close)
	return f
}

func fetchErr(t *testing.T, f *feeds.Fetcher, url string) error {
	t.Helper()
	resp, err := f.Fetch(context.Background(), feeds.Request{URL: url})
	if err == nil {
		t.Fatalf("fetch %s: status %d, want an error", url, resp.Status)
	}
	return err
}

// Without the allow-list, loopback, metadata and names resolving to
// loopback are refused before any request is sent, with a sentence.
func TestFetchRefusesInternalAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	f := feeds.NewFetcher(feeds.FetchOptions{Timeout: 5 * time.Second})
	t.Cleanup(f.Close)

	tests := []struct{ url, want string }{
		{srv.URL + "/feed", "refused: 127.0.0.1 is a loopback address"},
		{"http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is the cloud metadata address"},
		{"http://localhost:" + port + "/feed", "refused: localhost resolves to "},
		{"http://[::ffff:10.0.0.5]/", "refused: ::ffff:10.0.0.5 is a private address"},
		{"ftp://example.test/feed", `refused: "ftp://example.test/feed" is not an http or https address`},
	}
	for _, tt := range tests {
		err := fetchErr(t, f, tt.url)
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("fetch %s: %q, want it to start %q", tt.url, err, tt.want)
		}
		var refused *feeds.RefusedError
		if strings.Contains(tt.want, "resolves to") && (!errors.As(err, &refused) || refused.Kind != "a loopback address") {
			t.Errorf("fetch %s: %v, want a refusal naming a loopback address", tt.url, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the local server got %d requests, want none", n)
	}
}

// A redirect is dialled afresh, so an allowed server cannot bounce a fetch
// to an address the guard refuses.
func TestFetchRefusesRedirectToInternalAddress(t *testing.T) {
	var innerHits atomic.Int32
	inner := serve(t, func(w http.ResponseWriter, r *http.Request) { innerHits.Add(1) })
	_, port, _ := net.SplitHostPort(inner.Listener.Addr().String())
	outer := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+port+"/secret", http.StatusFound)
	})
	err := fetchErr(t, fetcherFor(t, outer, feeds.FetchOptions{}), outer.URL)
	if !strings.HasPrefix(err.Error(), "refused: localhost resolves to") {
		t.Errorf("error %q, want a refusal of localhost", err)
	}
	if innerHits.Load() != 0 {
		t.Error("the redirect reached the refused server")
	}
}

// The allow-list lets a listed host:port through, and no other port.
func TestFetchAllowListIsExact(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	f := fetcherFor(t, srv, feeds.FetchOptions{})
	if resp, err := f.Fetch(context.Background(), feeds.Request{URL: srv.URL}); err != nil || string(resp.Body) != "ok" {
		t.Fatalf("allowed host: %v", err)
	}
	if err := fetchErr(t, f, other.URL); !strings.HasPrefix(err.Error(), "refused: 127.0.0.1 is a loopback address") {
		t.Errorf("another port: %q", err)
	}
}

// A repeat fetch sends the validators of the last one and a 304 is
// reported as not modified, with our User-Agent on every request.
func TestFetchConditionalGet(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Thu, 03 Dec 2026 09:30:00 GMT")
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write(readFixture(t, "mastodon.rss"))
	})
	f := fetcherFor(t, srv, feeds.FetchOptions{UserAgent: "Rapport/1.2.3 (+https://crm.example)"})
	ctx := context.Background()
	first, err := f.Fetch(ctx, feeds.Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified() || first.ETag != `"v1"` || len(first.Body) == 0 || first.ContentType != "application/rss+xml" {
		t.Fatalf("first fetch: %+v", first)
	}
	second, err := f.Fetch(ctx, feeds.Request{URL: srv.URL, ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified() || len(second.Body) != 0 {
		t.Errorf("second fetch: status %d, %d bytes; want 304 and nothing", second.Status, len(second.Body))
	}
	if len(seen) != 2 {
		t.Fatalf("%d requests", len(seen))
	}
	if seen[0].Get("If-None-Match") != "" {
		t.Errorf("first fetch sent If-None-Match %q", seen[0].Get("If-None-Match"))
	}
	if seen[1].Get("If-None-Match") != `"v1"` || seen[1].Get("If-Modified-Since") != "Thu, 03 Dec 2026 09:30:00 GMT" {
		t.Errorf("second fetch sent If-None-Match %q, If-Modified-Since %q", seen[1].Get("If-None-Match"), seen[1].Get("If-Modified-Since"))
	}
	for _, h := range seen {
		if h.Get("User-Agent") != "Rapport/1.2.3 (+https://crm.example)" {
			t.Errorf("User-Agent %q", h.Get("User-Agent"))
		}
	}
}

// A body over the cap is an error naming the cap, whether the server
// announces its length or streams it.
func TestFetchRefusesHugeFeed(t *testing.T) {
	const limit = 64 << 10
	huge := strings.Repeat("<item><title>x</title></item>\n", 2*limit/30)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("streamed") {
			// Written in pieces with flushes: no Content-Length.
			for i := 0; i < len(huge); i += 4096 {
				_, _ = w.Write([]byte(huge[i:min(i+4096, len(huge))]))
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(huge)))
		_, _ = w.Write([]byte(huge))
	})
	f := fetcherFor(t, srv, feeds.FetchOptions{MaxBytes: limit})
	for _, u := range []string{srv.URL, srv.URL + "?streamed"} {
		err := fetchErr(t, f, u)
		var tooLarge *feeds.TooLargeError
		if err.Error() != "feed is larger than 64 KiB" || !errors.As(err, &tooLarge) {
			t.Errorf("%s: %q", u, err)
		}
	}
	// Exactly at the cap is fine.
	exact := serve(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(huge[:limit])) })
	if resp, err := fetcherFor(t, exact, feeds.FetchOptions{MaxBytes: limit}).Fetch(context.Background(), feeds.Request{URL: exact.URL}); err != nil || len(resp.Body) != limit {
		t.Errorf("a body of exactly the cap: %v", err)
	}
}

// A server that never answers costs the timeout, and the error says so.
func TestFetchTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	f := fetcherFor(t, srv, feeds.FetchOptions{Timeout: 300 * time.Millisecond})
	if err := fetchErr(t, f, srv.URL); err.Error() != "timed out after 300ms" {
		t.Errorf("error %q", err)
	}
	// The caller cancelling is not a timeout: it is the caller's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Fetch(ctx, feeds.Request{URL: srv.URL}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fetch: %v", err)
	}
}

// Redirects: a loop is named as one, five hops are followed, a sixth is
// refused.
func TestFetchRedirects(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
		case p == "/b":
			http.Redirect(w, r, "/a", http.StatusMovedPermanently)
		case strings.HasPrefix(p, "/hop/"):
			var n int
			fmt.Sscanf(p, "/hop/%d", &n)
			if n == 0 {
				fmt.Fprint(w, "arrived")
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
		}
	})
	f := fetcherFor(t, srv, feeds.FetchOptions{})
	if err := fetchErr(t, f, srv.URL+"/a"); !strings.HasPrefix(err.Error(), "redirect loop: ") {
		t.Errorf("loop: %q", err)
	}
	resp, err := f.Fetch(context.Background(), feeds.Request{URL: srv.URL + "/hop/5"})
	if err != nil || string(resp.Body) != "arrived" || !strings.HasSuffix(resp.URL, "/hop/0") {
		t.Fatalf("five redirects: %v", err)
	}
	if err := fetchErr(t, f, srv.URL+"/hop/6"); err.Error() != "more than 5 redirects" {
		t.Errorf("six redirects: %q", err)
	}
}

// 429 and 503 carry the server's Retry-After, in seconds or as a date.
func TestFetchRetryAfter(t *testing.T) {
	at := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/busy" {
			w.Header().Set("Retry-After", at.Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	f := fetcherFor(t, srv, feeds.FetchOptions{})
	before := time.Now()
	var se *feeds.StatusError
	err := fetchErr(t, f, srv.URL+"/limited")
	if !errors.As(err, &se) || se.Status != 429 || err.Error() != "the server answered 429 Too Many Requests" {
		t.Fatalf("429: %v", err)
	}
	if se.RetryAfter.Before(before.Add(119*time.Second)) || se.RetryAfter.After(time.Now().Add(121*time.Second)) {
		t.Errorf("Retry-After 120 read as %v from %v", se.RetryAfter, before)
	}
	err = fetchErr(t, f, srv.URL+"/busy")
	if !errors.As(err, &se) || se.Status != 503 || !se.RetryAfter.Equal(at) {
		t.Errorf("503: %v, retry after %v, want %v", err, se.RetryAfter, at)
	}
}

// However many fetches a host gets at once, it serves at most two at a
// time, and it does serve two.
func TestFetchPerHostLimit(t *testing.T) {
	var inflight, peak atomic.Int32
	gate := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-gate
		inflight.Add(-1)
		fmt.Fprint(w, "ok")
	})
	f := fetcherFor(t, srv, feeds.FetchOptions{})
	const fetches = 6
	var wg sync.WaitGroup
	errs := make(chan error, fetches)
	for range fetches {
		wg.Go(func() {
			_, err := f.Fetch(context.Background(), feeds.Request{URL: srv.URL})
			errs <- err
		})
	}
	// Let the requests through one at a time, each once the server holds
	// as many as the limit allows.
	for left := fetches; left > 0; left-- {
		want := int32(min(left, feeds.DefaultPerHost))
		waitFor(t, func() bool { return inflight.Load() >= want })
		gate <- struct{}{}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p != feeds.DefaultPerHost {
		t.Errorf("the server saw %d requests at once, want %d", p, feeds.DefaultPerHost)
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
