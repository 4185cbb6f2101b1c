// Package feeds polls the public feeds of contacts' social profiles and
// brings their posts in (docs/SOCIAL.md, "Polling").
//
// The poll cycle is a self-rescheduling job of kind "feeds.poll", like
// reminders.scan: each run syncs the social_feeds rows from the profiles,
// claims the due feeds with a lease (models.ClaimDueFeeds), fetches them on
// a bounded worker pool through one guarded Fetcher (at most two fetches
// per host at once), hands the posts to models.IngestSocialPosts and
// records the outcome and the next poll time (models.RecordFeedPoll). Then
// it queues its successor 30 s later unless another is queued, so the
// chain survives restarts and two instances converge on one chain.
//
// A cycle is crash-safe: a feed whose poller died keeps its lease until it
// expires and is then claimed again, and re-polling stores nothing twice
// because ingest dedups by (network, external id).
//
// "Poll now" from the HTTP side is two calls: models.PollFeedNow (checks
// who may ask and makes the feed due) and then QueuePollNow, which queues a
// one-off cycle ("feeds.poll_now") to run at once and wakes the runner, so
// the feed is fetched within moments rather than at the next 30 s tick.
//
// Discover finds the feed of a profile page that models.RecognizeProfile
// does not know (RAPPORT_FEED_DISCOVERY).
package feeds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"sync"
	"time"

	"rapport/app/config"
	"rapport/app/jobs"
	"rapport/models"
)

// Kind is the job kind of the recurring poll cycle.
const Kind = "feeds.poll"

// KindNow is a one-off cycle queued by "poll now"; it queues no successor.
const KindNow = "feeds.poll_now"

// CycleInterval is how long after a cycle the next one runs.
const CycleInterval = 30 * time.Second

// DefaultWorkers is how many feeds one process fetches at once.
const DefaultWorkers = 8

// ingestBatch bounds the posts stored in one transaction.
const ingestBatch = 100

// Options tune a Poller. Zero values pick the defaults.
type Options struct {
	Fetch FetchOptions
	// Interval is the time between two polls of a feed that sets none of
	// its own; default 15 minutes.
	Interval     time.Duration
	AttentionTag string
	Workers      int // default DefaultWorkers
	// Owner names this process in feed leases; default a random id.
	Owner  string
	Logger *slog.Logger
	Now    func() time.Time // the clock, for tests
	Rand   func() float64   // jitter source in [0, 1), for tests
}

// OptionsFrom reads the poller's settings from the configuration.
func OptionsFrom(cfg *config.Config, version string, log *slog.Logger) Options {
	return Options{
		Fetch:        FetchOptionsFrom(cfg, version),
		Interval:     cfg.FeedInterval,
		AttentionTag: cfg.AttentionTag,
		Logger:       log,
	}
}

// Poller polls due feeds.
type Poller struct {
	db    *models.DB
	opts  Options
	fetch *Fetcher
}

// New returns a poller on db.
func New(db *models.DB, opts Options) *Poller {
	if opts.Interval <= 0 {
		opts.Interval = 15 * time.Minute
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Owner == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		opts.Owner = fmt.Sprintf("feeds-%d-%s", os.Getpid(), hex.EncodeToString(b))
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = mrand.Float64
	}
	f := NewFetcher(opts.Fetch)
	opts.Fetch = f.opts
	return &Poller{db: db, opts: opts, fetch: f}
}

// Close releases the fetcher's idle connections.
func (p *Poller) Close() { p.fetch.Close() }

// lease is how long a claimed feed stays ours: long enough for it to wait
// behind the other claimed feeds for a worker and a host slot, then fetch
// and store, so a live poller never loses a feed to another instance.
func (p *Poller) lease() time.Duration {
	waits := p.opts.Workers/p.opts.Fetch.PerHost + 2
	return time.Duration(waits)*p.opts.Fetch.Timeout + time.Minute
}

// CycleStats count what one cycle did.
type CycleStats struct {
	Polled, Unchanged, Failed, NewItems int
}

// Cycle syncs the feeds from the profiles, then polls every due feed it
// can claim until none is left. A cancelled ctx stops it between feeds;
// feeds claimed but not polled are retaken when their leases expire.
func (p *Poller) Cycle(ctx context.Context) (CycleStats, error) {
	var st CycleStats
	if _, _, err := p.db.SyncSocialFeeds(ctx); err != nil {
		return st, fmt.Errorf("feeds: sync feeds from profiles: %w", err)
	}
	work := make(chan models.SocialFeed)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range p.opts.Workers {
		wg.Go(func() {
			for f := range work {
				r := p.Poll(ctx, f)
				mu.Lock()
				st.add(r)
				mu.Unlock()
			}
		})
	}
	claimErr := p.feedWorkers(ctx, work)
	close(work)
	wg.Wait()
	if claimErr == nil {
		claimErr = ctx.Err()
	}
	return st, claimErr
}

// feedWorkers claims due feeds a worker-pool's worth at a time and hands
// them out until none is due. Claiming only as workers free up keeps
// leases short and leaves the rest to other instances.
func (p *Poller) feedWorkers(ctx context.Context, work chan<- models.SocialFeed) error {
	for ctx.Err() == nil {
		due, err := p.db.ClaimDueFeeds(ctx, p.opts.Owner, p.opts.Now(), p.opts.Workers, p.lease())
		if err != nil {
			return fmt.Errorf("feeds: claim due feeds: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		for _, f := range due {
			select {
			case work <- f:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return ctx.Err()
}

// PollResult is the outcome of one feed's poll.
type PollResult struct {
	Poll models.FeedPoll
	// Recorded is false when the poll stopped (ctx done) or could not be
	// written; the feed's lease then expires and it is polled again.
	Recorded bool
}

func (st *CycleStats) add(r PollResult) {
	if !r.Recorded {
		return
	}
	st.Polled++
	st.NewItems += r.Poll.NewItems
	switch {
	case r.Poll.Err != "":
		st.Failed++
	case r.Poll.Status == 304:
		st.Unchanged++
	}
}

// Poll fetches one claimed feed, stores its posts and records the outcome
// under owner's lease.
func (p *Poller) Poll(ctx context.Context, f models.SocialFeed) PollResult {
	log := p.opts.Logger.With("feed_id", f.ID, "url", f.URL)
	now := p.opts.Now()
	poll := models.FeedPoll{ETag: f.ETag, LastModified: f.LastModified}
	var retryAfter time.Time
	resp, err := p.fetch.Fetch(ctx, Request{URL: f.URL, ETag: f.ETag, LastModified: f.LastModified})
	switch {
	case ctx.Err() != nil:
		return PollResult{}
	case err != nil:
		var se *StatusError
		if errors.As(err, &se) {
			poll.Status, retryAfter = se.Status, se.RetryAfter
		}
		poll.Err = err.Error()
	case resp.NotModified():
		poll.Status = resp.Status
	default:
		poll.Status = resp.Status
		n, err := p.ingest(ctx, f.ID, resp, now)
		switch {
		case ctx.Err() != nil:
			return PollResult{}
		case err != nil:
			poll.Err = err.Error()
		default:
			// The validators move on only once the posts they cover are
			// stored: a failed store is retried with a full fetch.
			poll.NewItems, poll.ETag, poll.LastModified = n, resp.ETag, resp.LastModified
		}
	}
	errCount := 0
	if poll.Err != "" {
		errCount = f.ErrorCount + 1
	}
	poll.NextPollAt = NextPoll(now, p.interval(f), errCount, retryAfter, p.opts.Rand())
	if err := p.db.RecordFeedPoll(ctx, f.ID, p.opts.Owner, poll); err != nil {
		log.Warn("record a feed poll", "err", err)
		return PollResult{Poll: poll}
	}
	if poll.Err != "" {
		log.Info("feed poll failed", "err", poll.Err, "errors", errCount, "next_poll_at", poll.NextPollAt)
	}
	return PollResult{Poll: poll, Recorded: true}
}

// ingest parses a fetched feed and stores its posts, returning how many
// were new. Parse errors are worded for the feed's profile; a failure to
// store is logged in full and shown briefly.
func (p *Poller) ingest(ctx context.Context, feedID int64, resp *Response, now time.Time) (int, error) {
	posts, err := Parse(resp.Body, resp.ContentType, now)
	if err != nil {
		return 0, err
	}
	network, err := p.db.FeedNetwork(ctx, feedID)
	if err != nil {
		p.opts.Logger.Error("find a feed's network", "feed_id", feedID, "err", err)
		return 0, errors.New("the posts could not be stored; the server log says why")
	}
	for i := range posts {
		posts[i].Network = network
	}
	created := 0
	for start := 0; start < len(posts); start += ingestBatch {
		n, err := p.store(ctx, feedID, posts[start:min(start+ingestBatch, len(posts))])
		created += n
		if err != nil {
			if ctx.Err() == nil {
				p.opts.Logger.Error("store a feed's posts", "feed_id", feedID, "err", err)
			}
			return created, errors.New("the posts could not be stored; the server log says why")
		}
	}
	return created, nil
}

// store ingests a batch. One post the models refuse (an oddity of one
// feed item) must not keep the others out, so a refused batch is retried
// post by post and only the refused posts are skipped.
func (p *Poller) store(ctx context.Context, feedID int64, posts []models.SocialPost) (int, error) {
	opts := models.IngestOptions{FeedID: feedID, Source: models.TimelineSourceFeed, AttentionTag: p.opts.AttentionTag}
	res, err := p.db.IngestSocialPosts(ctx, models.System, posts, opts)
	var invalid *models.ValidationError
	switch {
	case errors.As(err, &invalid) && len(posts) == 1:
		p.opts.Logger.Warn("skip a feed post", "feed_id", feedID, "external_id", posts[0].ExternalID, "err", err)
		return 0, nil
	case errors.As(err, &invalid):
		created := 0
		for i := range posts {
			n, err := p.store(ctx, feedID, posts[i:i+1])
			if err != nil {
				return created, err
			}
			created += n
		}
		return created, nil
	}
	if err != nil {
		return 0, err
	}
	created := 0
	for _, r := range res {
		if r.Created {
			created++
		}
	}
	return created, nil
}

func (p *Poller) interval(f models.SocialFeed) time.Duration {
	if f.IntervalSeconds > 0 {
		return time.Duration(f.IntervalSeconds) * time.Second
	}
	return p.opts.Interval
}

// Handler is the recurring cycle's job handler: one cycle, then the next
// one queued.
func (p *Poller) Handler() jobs.Handler {
	return func(ctx context.Context, r *jobs.Run) error {
		_, cycleErr := p.cycle(ctx)
		// Queue the successor even when the cycle failed: the runner retries
		// this job, and QueueSuccessor keeps one chain.
		if err := jobs.QueueSuccessor(ctx, p.db, Kind, r.Job().ID, p.opts.Now().Add(CycleInterval)); err != nil {
			return fmt.Errorf("feeds: %w", err)
		}
		return cycleErr
	}
}

// nowHandler runs one cycle for "poll now" and queues nothing.
func (p *Poller) nowHandler() jobs.Handler {
	return func(ctx context.Context, _ *jobs.Run) error {
		_, err := p.cycle(ctx)
		return err
	}
}

// cycle is Cycle, logged.
func (p *Poller) cycle(ctx context.Context) (CycleStats, error) {
	start := time.Now()
	st, err := p.Cycle(ctx)
	level := slog.LevelDebug
	if st.Polled > 0 {
		level = slog.LevelInfo
	}
	p.opts.Logger.Log(ctx, level, "feed poll cycle", "polled", st.Polled, "unchanged", st.Unchanged,
		"failed", st.Failed, "new_items", st.NewItems, "took", time.Since(start).Round(time.Millisecond))
	return st, err
}

// EnsureQueued queues a cycle to run now unless one is queued or running.
func EnsureQueued(ctx context.Context, db *models.DB) error {
	if err := jobs.EnsureChain(ctx, db, Kind); err != nil {
		return fmt.Errorf("feeds: %w", err)
	}
	return nil
}

// QueuePollNow queues a one-off cycle to run at once, unless one is already
// queued, and wakes runner (nil: no runner in this process) so it starts
// without waiting for the next poll of the queue. Call it after
// models.PollFeedNow has made the feed due.
func QueuePollNow(ctx context.Context, db *models.DB, runner *jobs.Runner) error {
	queued, err := db.Jobs(ctx, models.JobListOptions{Kind: KindNow, Status: models.JobQueued, Limit: 1})
	if err != nil {
		return fmt.Errorf("feeds: look for a queued poll: %w", err)
	}
	if len(queued) == 0 {
		if _, err := db.EnqueueJob(ctx, models.JobRequest{Kind: KindNow, MaxAttempts: 3}); err != nil {
			return fmt.Errorf("feeds: queue a poll now: %w", err)
		}
	}
	if runner != nil {
		runner.Wake()
	}
	return nil
}

// Register adds the poll jobs to runner and queues the first cycle when
// none is queued or running. A failure to queue is logged, not fatal: the
// next start tries again.
func Register(ctx context.Context, db *models.DB, runner *jobs.Runner, cfg *config.Config, version string, log *slog.Logger) {
	p := New(db, OptionsFrom(cfg, version, log))
	runner.Register(Kind, p.Handler())
	runner.Register(KindNow, p.nowHandler())
	if err := EnsureQueued(ctx, db); err != nil {
		p.opts.Logger.Error("queue the feed poll job", "err", err)
	}
}
