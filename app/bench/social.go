package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"rapport/app/config"
	"rapport/app/feeds"
	"rapport/models"
)

// SocialOptions size the social figures.
type SocialOptions struct {
	Pushes       int // posts pushed through the API, one at a time
	Feeds        int // feeds in the poll cycle
	PostsPerFeed int // new posts each feed serves
}

// pushTerm is the watch term every pushed post matches, so each push opens
// an Inbox item; feed posts never contain it.
const pushTerm = "slow refund"

// feedBenchTag marks the contacts whose feeds the poll figure creates, so
// a run removes those an interrupted run left behind.
const feedBenchTag = "feed-bench"

// Social measures listening: a post pushed through POST
// /api/v1/social/items until the Inbox lists it, and one poll cycle over
// many feeds served from loopback. base is the running Rapport's address.
func Social(ctx context.Context, cfg *config.Config, db *models.DB, base string, opts Options) ([]Result, error) {
	say := func(f string, a ...any) { fmt.Fprintf(opts.Log, f+"\n", a...) }
	say("pushing %d posts through the API…", opts.Social.Pushes)
	push, err := pushFigure(ctx, cfg, db, base, opts.Social.Pushes)
	if err != nil {
		return nil, fmt.Errorf("pushed posts: %w", err)
	}
	say("polling %d feeds…", opts.Social.Feeds)
	poll, err := pollFigure(ctx, cfg, db, opts.Social, say)
	if err != nil {
		return nil, fmt.Errorf("feed poll cycle: %w", err)
	}
	return []Result{push, poll}, nil
}

// pushFigure pushes n posts as an integration would, each matching a watch
// term, and times from each push's answer until GET /api/v1/inbox lists it.
// The baseline is models.IngestSocialPosts storing one post, interleaved
// with the pushes.
func pushFigure(ctx context.Context, cfg *config.Config, db *models.DB, base string, n int) (Result, error) {
	u, actor, err := benchUser(ctx, db)
	if err != nil {
		return Result{}, err
	}
	if err := ensureWatchTerm(ctx, db, pushTerm); err != nil {
		return Result{}, err
	}
	tok, secret, err := db.CreateAPIToken(ctx, u.ID, "bench pushes", time.Now().Add(time.Hour))
	if err != nil {
		return Result{}, err
	}
	defer func() { _, _ = db.RevokeAPIToken(context.WithoutCancel(ctx), actor, tok.ID) }()
	// The open Inbox lists the longest waiting first, so posts an
	// interrupted run left open would push ours off the first page.
	if err := closeBenchInbox(ctx, db, actor); err != nil {
		return Result{}, err
	}
	api := &apiClient{base: base + "/api/v1", token: secret, http: &http.Client{Timeout: 30 * time.Second}}
	run := time.Now().UnixNano()
	post := func(i int, kind string) models.SocialPost {
		return models.SocialPost{Network: "mastodon", ExternalID: fmt.Sprintf("bench-%s-%d-%d", kind, run, i),
			Handle: fmt.Sprintf("@customer%d@social.example", i), URL: fmt.Sprintf("https://social.example/@customer%d/%d", i, run),
			Text: fmt.Sprintf("Day %d of waiting for a slow refund on order %d. Anyone there?", i%9+2, i)}
	}
	ingestOpts := models.IngestOptions{Source: models.TimelineSourceAPI, AttentionTag: cfg.AttentionTag}
	apiActor := u.Actor("api")

	warm := min(n/10+1, 20)
	var visible, answered, ingest []time.Duration
	for i := range warm + n {
		t := time.Now()
		item, err := api.push(post(i, "api"))
		if err != nil {
			return Result{}, err
		}
		returned := time.Now()
		if err := api.awaitOpen(item.ID); err != nil {
			return Result{}, err
		}
		seen := time.Now()
		// Closed again so the open Inbox stays one page long.
		if _, err := db.CloseInboxItem(ctx, actor, item.ID, item.Version, "benchmark"); err != nil {
			return Result{}, err
		}

		t2 := time.Now()
		res, err := db.IngestSocialPosts(ctx, apiActor, []models.SocialPost{post(i, "model")}, ingestOpts)
		if err != nil {
			return Result{}, err
		}
		took := time.Since(t2)
		if res[0].Inbox == nil {
			return Result{}, fmt.Errorf("post %d stored by the models opened no Inbox item", i)
		}
		if _, err := db.CloseInboxItem(ctx, actor, res[0].Inbox.ID, res[0].Inbox.Version, "benchmark"); err != nil {
			return Result{}, err
		}
		if i >= warm {
			answered = append(answered, returned.Sub(t))
			visible = append(visible, seen.Sub(returned))
			ingest = append(ingest, took)
		}
	}
	v50, v99 := quantiles(visible)
	a50, a99 := quantiles(answered)
	i50, _ := quantiles(ingest)
	return Result{
		Name: fmt.Sprintf("pushed post listed by GET /api/v1/inbox?status=open after its POST /api/v1/social/items returns (%d pushes matching a "+
			"watch term; the push answered in p50 %s, p99 %s; ratio: push p50 ÷ model call)", n, ms(a50), ms(a99)),
		Target: "p99 ≤ 1 s", P50: v50, P99: v99, Baseline: i50, RatioOf: a50, Pass: v99 <= time.Second,
	}, nil
}

func ensureWatchTerm(ctx context.Context, db *models.DB, term string) error {
	terms, err := db.WatchTerms(ctx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(terms, func(t models.WatchTerm) bool { return t.TermKey == models.FoldText(term) }) {
		return nil
	}
	_, err = db.CreateWatchTerm(ctx, models.System, models.WatchTermInput{Term: term})
	return err
}

// closeBenchInbox closes the open Inbox items of posts the benchmark
// pushed or stored.
func closeBenchInbox(ctx context.Context, db *models.DB, actor models.Actor) error {
	cursor := ""
	for {
		page, err := db.Inbox(ctx, actor, models.InboxOptions{Status: models.InboxOpen, Cursor: cursor, Limit: 200})
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			if strings.HasPrefix(it.Item.ExternalID, "bench-") {
				if _, err := db.CloseInboxItem(ctx, actor, it.ID, it.Version, "benchmark"); err != nil {
					return err
				}
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		cursor = page.NextCursor
	}
}

// apiClient calls the JSON API with a bearer token, as an integration does.
type apiClient struct {
	base, token string
	http        *http.Client
}

type pushedInbox struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
}

func (c *apiClient) do(method, path string, body any, want int, out any) error {
	var r *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(b.String()))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// push sends one post and returns the Inbox item it opened.
func (c *apiClient) push(p models.SocialPost) (*pushedInbox, error) {
	var out struct {
		Inbox *pushedInbox `json:"inbox"`
	}
	if err := c.do(http.MethodPost, "/social/items", map[string]any{"network": p.Network, "external_id": p.ExternalID,
		"handle": p.Handle, "url": p.URL, "text": p.Text}, http.StatusCreated, &out); err != nil {
		return nil, err
	}
	if out.Inbox == nil {
		return nil, fmt.Errorf("push of %s opened no Inbox item", p.ExternalID)
	}
	return out.Inbox, nil
}

// awaitOpen reads the open Inbox until it lists item id, for at most 10 s.
func (c *apiClient) awaitOpen(id int64) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var page struct {
			Items []pushedInbox `json:"items"`
		}
		if err := c.do(http.MethodGet, "/inbox?status=open&limit=200", nil, http.StatusOK, &page); err != nil {
			return err
		}
		if slices.ContainsFunc(page.Items, func(it pushedInbox) bool { return it.ID == id }) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("inbox item %d not listed 10 s after its push returned", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pollFigure serves opts.Feeds feeds from a loopback server, each with
// opts.PostsPerFeed new posts, and runs one poll cycle over them as the
// job does. The baseline fetches and parses the same feeds with the same
// workers and per-host limit, storing nothing, so the ratio is the cost of
// storing.
func pollFigure(ctx context.Context, cfg *config.Config, db *models.DB, opts SocialOptions, say func(string, ...any)) (Result, error) {
	_, actor, err := benchUser(ctx, db)
	if err != nil {
		return Result{}, err
	}
	run := time.Now().UnixNano()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/f/"), ".rss")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[1]s</title><link>https://social.example/@%[1]s</link>`, name)
		for k := range opts.PostsPerFeed {
			fmt.Fprintf(w, `<item><guid>https://social.example/@%[1]s/%[2]d-%[3]d</guid><link>https://social.example/@%[1]s/%[2]d-%[3]d</link>`+
				`<pubDate>%[4]s</pubDate><description>&lt;p&gt;Post %[3]d: thanks for the quick answer, the new plan works&lt;/p&gt;</description></item>`,
				name, run, k, time.Now().UTC().Add(-time.Duration(k)*time.Minute).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	defer srv.Close()

	if err := removeFeedContacts(ctx, db, actor); err != nil {
		return Result{}, err
	}
	// Removed again afterwards, so feeds of a server that is gone are never
	// polled by a later run or by Rapport itself.
	defer func() {
		if err := removeFeedContacts(context.WithoutCancel(ctx), db, actor); err != nil {
			say("removing the feed contacts: %v", err)
		}
	}()
	say("giving %d contacts a feed…", opts.Feeds)
	urls := make([]string, opts.Feeds)
	for i := range opts.Feeds {
		urls[i] = fmt.Sprintf("%s/f/%d.rss", srv.URL, i)
		if _, err := db.CreateContact(ctx, actor, models.ContactRequest{GivenName: "Feed", FamilyName: fmt.Sprint(i),
			Tags:           []string{feedBenchTag},
			SocialProfiles: []models.SocialProfileInput{{URL: fmt.Sprintf("%s/u/%d", srv.URL, i), Network: "mastodon", FeedURL: urls[i]}},
		}); err != nil {
			return Result{}, err
		}
	}
	fetch := feeds.FetchOptions{AllowHosts: []string{srv.Listener.Addr().String()}}

	base, err := fetchAndParse(ctx, fetch, urls, opts.PostsPerFeed)
	if err != nil {
		return Result{}, err
	}
	p := feeds.New(db, feeds.Options{Fetch: fetch, Interval: cfg.FeedInterval, AttentionTag: cfg.AttentionTag})
	defer p.Close()
	cpu0, t := cpuTime(), time.Now()
	st, err := p.Cycle(ctx)
	took, cpu := time.Since(t), cpuTime()-cpu0
	if err != nil {
		return Result{}, err
	}
	if st.Polled != opts.Feeds || st.Failed != 0 || st.NewItems != opts.Feeds*opts.PostsPerFeed {
		return Result{}, fmt.Errorf("the cycle polled %d feeds (%d failed) and stored %d posts, want %d feeds and %d posts",
			st.Polled, st.Failed, st.NewItems, opts.Feeds, opts.Feeds*opts.PostsPerFeed)
	}
	return Result{
		Name: fmt.Sprintf("one feed poll cycle, %d feeds of %d new posts each on one loopback host (10,000 feeds at --scale 1m)",
			opts.Feeds, opts.PostsPerFeed),
		Target: "none set (issue #8 asks for throughput and CPU per post)", Feeds: opts.Feeds, Posts: st.NewItems, Elapsed: took,
		BaselineElapsed: base, CPUPerPost: cpu / time.Duration(st.NewItems), Pass: true,
		Note: fmt.Sprintf("%d polled, 0 failed, every post stored", st.Polled),
	}, nil
}

// fetchAndParse fetches and parses every feed as the poller's workers do,
// with as many workers and the same per-host limit, and stores nothing.
func fetchAndParse(ctx context.Context, opts feeds.FetchOptions, urls []string, perFeed int) (time.Duration, error) {
	f := feeds.NewFetcher(opts)
	defer f.Close()
	work := make(chan string)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range feeds.DefaultWorkers {
		wg.Go(func() {
			for u := range work {
				resp, err := f.Fetch(ctx, feeds.Request{URL: u})
				if err == nil {
					var posts []models.SocialPost
					posts, err = feeds.Parse(resp.Body, resp.ContentType, time.Now())
					if err == nil && len(posts) != perFeed {
						err = fmt.Errorf("%s: parsed %d posts, want %d", u, len(posts), perFeed)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, u := range urls {
		work <- u
	}
	close(work)
	wg.Wait()
	return time.Since(start), firstErr
}

// removeFeedContacts deletes the contacts a poll figure made and prunes
// their feeds.
func removeFeedContacts(ctx context.Context, db *models.DB, actor models.Actor) error {
	var ids []int64
	if err := db.EachContact(ctx, actor, models.ContactListOptions{Tag: feedBenchTag}, func(cs []models.Contact) error {
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		if err := db.DeleteContact(ctx, actor, id); err != nil {
			return err
		}
	}
	_, _, err := db.SyncSocialFeeds(ctx)
	return err
}

// cpuTime is the user and system CPU this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
