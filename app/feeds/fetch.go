package feeds

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"rapport/app/config"
)

// MaxRedirects is how many redirects one fetch follows.
const MaxRedirects = 5

// DefaultPerHost is how many fetches may talk to one host at once, across
// the whole poller: polite to a server that hosts many of our feeds (one
// Mastodon instance, GitHub).
const DefaultPerHost = 2

// feedAccept asks for a feed first; servers that negotiate would otherwise
// hand a browser's HTML page to us.
const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// FetchOptions configure a Fetcher. Zero values pick the defaults.
type FetchOptions struct {
	// AllowHosts may be reached although they resolve to loopback or
	// private addresses: "host" or "host:port", case-insensitive.
	AllowHosts []string
	Timeout    time.Duration // one fetch, connect to last byte; default 20s
	MaxBytes   int64         // largest body read; default 5 MiB
	UserAgent  string        // default "Rapport"
	PerHost    int           // concurrent fetches per host; default DefaultPerHost
}

// FetchOptionsFrom reads the fetch settings from the configuration; the
// User-Agent names this version and where the Rapport is, so a feed's
// operator knows whom to ask about our requests.
func FetchOptionsFrom(cfg *config.Config, version string) FetchOptions {
	return FetchOptions{
		AllowHosts: cfg.FeedAllowHosts,
		Timeout:    cfg.FeedTimeout,
		MaxBytes:   cfg.FeedMaxBytes,
		UserAgent:  fmt.Sprintf("Rapport/%s (+%s)", version, cfg.BaseURL),
	}
}

// Fetcher fetches feeds and pages over HTTP safely: through the address
// guard, with a timeout, a body cap, bounded redirects and at most PerHost
// fetches per host at once. It is safe for concurrent use; share one.
type Fetcher struct {
	opts   FetchOptions
	allow  allowList
	client *http.Client
	hosts  *hostLimiter
}

// NewFetcher returns a fetcher with opts.
func NewFetcher(opts FetchOptions) *Fetcher {
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 5 << 20
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "Rapport"
	}
	if opts.PerHost <= 0 {
		opts.PerHost = DefaultPerHost
	}
	f := &Fetcher{opts: opts, allow: newAllowList(opts.AllowHosts), hosts: newHostLimiter(opts.PerHost)}
	transport := &http.Transport{
		// No proxy from the environment: a proxy would connect for us, past
		// the guard.
		Proxy:               nil,
		DialContext:         f.dial,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: opts.PerHost,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// The fetch's context carries the one timeout, connect to last byte.
	}
	f.client = &http.Client{
		Transport:     &limitedTransport{next: transport, hosts: f.hosts},
		CheckRedirect: checkRedirect,
	}
	return f
}

// Close releases idle connections.
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

// dial connects through the guard unless the host is allowed.
func (f *Fetcher) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: f.opts.Timeout, KeepAlive: 30 * time.Second}
	if !f.allow.allows(addr) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		d.Control = guardControl(host)
	}
	return d.DialContext(ctx, network, addr)
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &fetchError{msg: fmt.Sprintf("refused: a redirect to a %s: address (only http and https are fetched)", req.URL.Scheme)}
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return &fetchError{msg: fmt.Sprintf("redirect loop: %s redirects back to itself", via[0].URL.Redacted())}
		}
	}
	if len(via) > MaxRedirects {
		return &fetchError{msg: fmt.Sprintf("more than %d redirects", MaxRedirects)}
	}
	return nil
}

// Request is one fetch.
type Request struct {
	URL string
	// ETag and LastModified come from the previous successful fetch; they
	// make the GET conditional, so an unchanged feed costs a 304.
	ETag, LastModified string
	// Accept overrides the feed-first Accept header.
	Accept string
}

// Response is what a fetch brought back: a 2xx with its body, or a 304.
type Response struct {
	Status             int
	URL                string // after redirects
	ContentType        string
	ETag, LastModified string
	Body               []byte
}

// NotModified reports a 304: the feed is as it was.
func (r *Response) NotModified() bool { return r.Status == http.StatusNotModified }

// fetchError is a failure worded for a person: it is stored as a feed's
// last error and shown on the contact's profile.
type fetchError struct {
	msg   string
	cause error
}

func (e *fetchError) Error() string { return e.msg }
func (e *fetchError) Unwrap() error { return e.cause }

// StatusError is an answer that was neither a success nor a 304.
type StatusError struct {
	Status int
	Text   string // the reason phrase
	// RetryAfter is when a 429 or 503 asked us to come back; zero when it
	// did not say.
	RetryAfter time.Time
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("the server answered %d %s", e.Status, e.Text)
}

// TooLargeError is a body over the cap. A truncated feed would parse as a
// shorter feed, silently dropping posts, so it is refused whole.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string { return "feed is larger than " + formatBytes(e.Limit) }

// errTimedOut is the cause of a fetch's own deadline, told apart from the
// caller cancelling.
var errTimedOut = errors.New("feed fetch timed out")

// Fetch GETs req.URL. Errors are short sentences fit to show a person; a
// cancelled ctx returns ctx's error.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(req.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &fetchError{msg: fmt.Sprintf("refused: %q is not an http or https address", req.URL), cause: err}
	}
	// Waiting for a turn on a busy host is not the feed's slowness, so the
	// slot is taken before the fetch's own clock starts.
	release, err := f.hosts.acquire(ctx, u.Hostname())
	if err != nil {
		return nil, err
	}
	defer release()
	ctx = context.WithValue(ctx, heldHostKey{}, strings.ToLower(u.Hostname()))
	ctx, cancel := context.WithTimeoutCause(ctx, f.opts.Timeout, errTimedOut)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("feeds: build request for %s: %w", u.Redacted(), err)
	}
	hr.Header.Set("User-Agent", f.opts.UserAgent)
	hr.Header.Set("Accept", feedAccept)
	if req.Accept != "" {
		hr.Header.Set("Accept", req.Accept)
	}
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	resp, err := f.client.Do(hr)
	if err != nil {
		return nil, f.describe(ctx, err)
	}
	defer resp.Body.Close()
	out := &Response{
		Status: resp.StatusCode, URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		se := &StatusError{Status: resp.StatusCode, Text: http.StatusText(resp.StatusCode)}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			se.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return nil, se
	case resp.ContentLength > f.opts.MaxBytes:
		return nil, &TooLargeError{Limit: f.opts.MaxBytes}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxBytes+1))
	if err != nil {
		return nil, f.describe(ctx, err)
	}
	if int64(len(body)) > f.opts.MaxBytes {
		return nil, &TooLargeError{Limit: f.opts.MaxBytes}
	}
	out.Body = body
	return out, nil
}

// describe turns a transport error into a sentence.
func (f *Fetcher) describe(ctx context.Context, err error) error {
	var fe *fetchError
	var refused *RefusedError
	var dnsErr *net.DNSError
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.As(err, &refused):
		return refused
	case context.Cause(ctx) == errTimedOut:
		return &fetchError{msg: "timed out after " + f.opts.Timeout.String(), cause: err}
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return &fetchError{msg: "no such host: " + dnsErr.Name, cause: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &fetchError{msg: "the server refused the connection", cause: err}
	case errors.As(err, &certErr) || errors.As(err, &hostErr) || errors.As(err, &invalidErr):
		return &fetchError{msg: "the server's certificate is not valid: " + err.Error(), cause: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &fetchError{msg: "fetch failed: " + err.Error(), cause: err}
}

// formatBytes writes n for a person: 5 MiB, 64 KiB, 1000 bytes.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// hostLimiter bounds concurrent fetches per host name.
type hostLimiter struct {
	per   int
	mu    sync.Mutex
	slots map[string]*hostSlots
}

type hostSlots struct {
	sem   chan struct{}
	users int // holders and waiters; the entry goes when it drops to 0
}

func newHostLimiter(per int) *hostLimiter {
	return &hostLimiter{per: per, slots: map[string]*hostSlots{}}
}

// acquire waits for a slot on host and returns its release.
func (l *hostLimiter) acquire(ctx context.Context, host string) (func(), error) {
	host = strings.ToLower(host)
	l.mu.Lock()
	s := l.slots[host]
	if s == nil {
		s = &hostSlots{sem: make(chan struct{}, l.per)}
		l.slots[host] = s
	}
	s.users++
	l.mu.Unlock()
	leave := func() {
		l.mu.Lock()
		if s.users--; s.users == 0 {
			delete(l.slots, host)
		}
		l.mu.Unlock()
	}
	select {
	case s.sem <- struct{}{}:
		return sync.OnceFunc(func() { <-s.sem; leave() }), nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}

// heldHostKey marks a request context whose Fetch already holds a slot on
// the host it names.
type heldHostKey struct{}

// limitedTransport gives a redirect hop to another host a slot there,
// held until the hop's body is closed, so a slow body counts against the
// host as much as slow headers. The first host's slot is Fetch's.
type limitedTransport struct {
	next  http.RoundTripper
	hosts *hostLimiter
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Hostname())
	if held, _ := req.Context().Value(heldHostKey{}).(string); held == host {
		return t.next.RoundTrip(req)
	}
	release, err := t.hosts.acquire(req.Context(), host)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
