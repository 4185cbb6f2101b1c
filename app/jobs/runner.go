// Package jobs runs Rapport's background work (CSV imports, exports, feed
// polls) from the durable queue in the jobs table. Jobs are leased, so
// several app instances can share one database without running a job twice;
// a job whose worker died is taken over once its lease runs out; failures are
// retried with exponential backoff; and a shutdown hands running jobs back to
// the queue rather than failing them.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"rapport/models"
)

// Handler does one attempt at a job. It must return promptly once ctx is
// done: the job was cancelled, its lease was lost (context.Cause is then
// models.ErrLeaseLost), or the runner is stopping. A handler that saves
// checkpoints resumes from Run.Checkpoint.
type Handler func(ctx context.Context, j *Run) error

// Run is one attempt at a claimed job, as a handler sees it.
type Run struct {
	job *models.Job
	// ctx is the attempt's context, kept so SaveCheckpoint's write stops
	// with the attempt; a Run never outlives its handler call.
	ctx   context.Context
	owner string

	mu       sync.Mutex
	progress models.Progress
}

// Job returns the claimed job as it was when this attempt started.
func (r *Run) Job() *models.Job { return r.job }

// Payload decodes the job's JSON payload into v.
func (r *Run) Payload(v any) error {
	if err := json.Unmarshal([]byte(r.job.Payload), v); err != nil {
		return fmt.Errorf("decode payload of %s job %d: %w", r.job.Kind, r.job.ID, err)
	}
	return nil
}

// Checkpoint returns the checkpoint a previous attempt saved, "" on a first
// run: the point to resume from.
func (r *Run) Checkpoint() string { return r.job.Checkpoint }

// SetProgress records progress for the UI. It stays in memory and is
// written with the next lease renewal, so a handler may call it per row.
func (r *Run) SetProgress(done, total int64, detail any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = models.Progress{Done: done, Total: total, Detail: detail}
}

func (r *Run) currentProgress() models.Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.progress
}

// SaveCheckpoint records checkpoint, with the current progress, through tx:
// the *models.DB a handler's own db.Tx passes in, so the checkpoint commits
// with the work it describes. It returns models.ErrLeaseLost when another
// worker has taken the job over; the handler must then return the error so
// its transaction rolls back.
func (r *Run) SaveCheckpoint(tx *models.DB, checkpoint string) error {
	return tx.SaveJobCheckpoint(r.ctx, r.job.ID, r.owner, checkpoint, r.currentProgress())
}

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying, such as a malformed payload:
// the job fails at once instead of using up its attempts.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

func isPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Reasons an attempt's context is cancelled, told apart by context.Cause.
var (
	errCancelRequested = errors.New("job cancellation requested")
	errAttemptOver     = errors.New("job attempt over")
)

// Options tune a Runner. Zero values pick the defaults.
type Options struct {
	// Workers is how many jobs run at once in this process; default 2.
	Workers int
	// Lease is how long a claimed job stays ours without renewal; it is
	// renewed every Lease/3. A crashed instance's jobs resume after about
	// this long. Default 30s.
	Lease time.Duration
	// PollInterval is how often an idle worker asks the database for work;
	// default 1s. Wake skips the wait for jobs enqueued in this process.
	PollInterval time.Duration
	// Owner names this runner in leases; default hostname-pid-random, so
	// that two instances never share a name.
	Owner  string
	Logger *slog.Logger
	// Backoff is the delay before retrying after the given attempt (1 for
	// the first); default 2^attempt seconds, capped at an hour, jittered.
	Backoff func(attempt int) time.Duration
	// Observe, when set, is told the outcome of every attempt ("succeeded",
	// "retry", "failed", "cancelled", "released", "lease_lost") and how
	// long it ran: the hook for metrics.
	Observe func(kind, outcome string, d time.Duration)
}

// Runner claims jobs of the kinds registered with it and runs them on a
// fixed pool of workers.
type Runner struct {
	db   *models.DB
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	handlers map[string]Handler
	// wake is closed and replaced by Wake, so every idle worker sees it.
	wake chan struct{}
}

// New returns a runner over db. Register handlers, then call Run.
func New(db *models.DB, opts Options) *Runner {
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Owner == "" {
		opts.Owner = defaultOwner()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	return &Runner{
		db:       db,
		opts:     opts,
		log:      opts.Logger.With("owner", opts.Owner),
		handlers: map[string]Handler{},
		wake:     make(chan struct{}),
	}
}

// defaultOwner names this process uniquely: the host and pid say where a
// job ran, the random part keeps a restarted container that reuses a pid
// from mistaking its predecessor's leases for its own.
func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// DefaultBackoff waits 2^attempt seconds, capped at an hour, give or take a
// quarter so that jobs failing together do not retry together.
func DefaultBackoff(attempt int) time.Duration {
	const ceiling = time.Hour
	d := ceiling
	if attempt < 12 { // 2^12 s is past the ceiling already
		d = min(time.Duration(math.Pow(2, float64(max(attempt, 0))))*time.Second, ceiling)
	}
	jitter := 0.75 + 0.5*mrand.Float64()
	return min(time.Duration(float64(d)*jitter), ceiling)
}

// Register makes the runner run jobs of kind with h. Registering a kind
// again replaces its handler.
func (r *Runner) Register(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
}

func (r *Runner) handler(kind string) Handler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handlers[kind]
}

func (r *Runner) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// Wake tells idle workers to look for work now, so a job enqueued by this
// process starts without waiting for the next poll.
func (r *Runner) Wake() {
	r.mu.Lock()
	defer r.mu.Unlock()
	close(r.wake)
	r.wake = make(chan struct{})
}

func (r *Runner) wakeChan() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wake
}

// Run works jobs until ctx is cancelled, then waits for every worker to
// finish its current job (each hands its job back to the queue if the
// handler stopped early) and returns.
func (r *Runner) Run(ctx context.Context) error {
	r.log.Info("job runner started", "workers", r.opts.Workers, "kinds", r.kinds())
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Go(func() { r.work(ctx) })
	}
	wg.Wait()
	r.log.Info("job runner stopped")
	return nil
}

// work is one worker's loop: claim, run, repeat; idle until the poll
// interval passes or Wake is called.
func (r *Runner) work(ctx context.Context) {
	timer := time.NewTimer(r.opts.PollInterval)
	defer timer.Stop()
	for ctx.Err() == nil {
		// Taken before claiming, so a Wake during the claim is not missed.
		wake := r.wakeChan()
		job, err := r.claim(ctx)
		if err != nil {
			r.log.Error("claim job", "err", err)
		}
		if job != nil && ctx.Err() != nil {
			// Stopped while claiming: hand the job straight back.
			r.record(ctx, nil, r.log.With("job", job.ID, "kind", job.Kind), func(c context.Context) error {
				return r.db.ReleaseJob(c, job.ID, r.opts.Owner)
			})
			return
		}
		if job != nil {
			// There may be more due; let an idle worker look too.
			r.Wake()
			r.execute(ctx, job)
			continue
		}
		timer.Reset(r.opts.PollInterval)
		select {
		case <-ctx.Done():
		case <-wake:
		case <-timer.C:
		}
	}
}

// claim asks for the next due job. A shutdown does not interrupt it: a
// claim cancelled mid-flight might commit without our hearing of it, leaving
// the job stranded until its lease ran out.
func (r *Runner) claim(ctx context.Context) (*models.Job, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return r.db.ClaimJob(cctx, r.opts.Owner, r.kinds(), r.opts.Lease)
}

// execute runs one attempt at job and records its outcome.
func (r *Runner) execute(ctx context.Context, job *models.Job) {
	log := r.log.With("job", job.ID, "kind", job.Kind, "attempt", job.Attempts)
	owner := r.opts.Owner
	if job.CancelRequested {
		// Cancelled while a previous owner held it; do not start again.
		r.record(ctx, nil, log, func(c context.Context) error { return r.db.MarkJobCancelled(c, job.ID, owner) })
		log.Info("job cancelled before it resumed")
		return
	}
	h := r.handler(job.Kind)
	if h == nil {
		// Handlers are never removed, so this is only a guard: hand the
		// job back rather than dereference nil.
		r.record(ctx, nil, log, func(c context.Context) error { return r.db.ReleaseJob(c, job.ID, owner) })
		return
	}

	start := time.Now()
	jctx, cancel := context.WithCancelCause(ctx)
	defer cancel(errAttemptOver)
	run := &Run{job: job, ctx: jctx, owner: owner}
	// Start from the stored progress, so renewals do not blank what a
	// previous attempt reported until this one reports its own.
	run.progress = models.Progress{Done: job.ProgressDone, Total: job.ProgressTotal}
	if job.Progress != "" {
		run.progress.Detail = json.RawMessage(job.Progress)
	}
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		r.renew(jctx, cancel, run, log)
	}()
	err := r.call(jctx, h, run, log)
	cause := context.Cause(jctx)
	cancel(errAttemptOver)
	<-renewed

	var (
		msg, outcome string
		level        = slog.LevelInfo
		write        func(context.Context) error
	)
	switch {
	case err == nil:
		msg, outcome = "job succeeded", "succeeded"
		write = func(c context.Context) error { return r.db.CompleteJob(c, job.ID, owner) }
	case errors.Is(cause, models.ErrLeaseLost):
		// Another worker owns the job now: our writes would be refused and
		// the outcome is theirs to record.
		msg, outcome, level = "job abandoned: lease lost", "lease_lost", slog.LevelWarn
	case errors.Is(cause, errCancelRequested):
		msg, outcome = "job cancelled", "cancelled"
		write = func(c context.Context) error { return r.db.MarkJobCancelled(c, job.ID, owner) }
	case ctx.Err() != nil:
		msg, outcome = "job handed back at shutdown", "released"
		write = func(c context.Context) error { return r.db.ReleaseJob(c, job.ID, owner) }
	case isPermanent(err) || job.Attempts >= job.MaxAttempts:
		msg, outcome, level = "job failed", "failed", slog.LevelError
		write = func(c context.Context) error { return r.db.FailJob(c, job.ID, owner, err, nil) }
	default:
		retryAt := time.Now().Add(r.opts.Backoff(job.Attempts))
		msg, outcome, level = "job failed; will retry", "retry", slog.LevelWarn
		write = func(c context.Context) error { return r.db.FailJob(c, job.ID, owner, err, &retryAt) }
		log = log.With("retry_at", retryAt)
	}
	if write != nil {
		r.record(ctx, run, log, write)
	}
	took := time.Since(start)
	if r.opts.Observe != nil {
		r.opts.Observe(job.Kind, outcome, took)
	}
	attrs := []any{"duration", took}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	log.Log(context.WithoutCancel(ctx), level, msg, attrs...)
}

// record writes an attempt's outcome, first flushing the progress the
// handler reported since the last renewal so the UI shows where it ended.
// It uses a fresh context because ctx may be cancelled: that is how a
// shutdown hands the job back.
func (r *Runner) record(ctx context.Context, run *Run, log *slog.Logger, write func(context.Context) error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if run != nil {
		if _, err := r.db.RenewJobLease(wctx, run.job.ID, r.opts.Owner, r.opts.Lease, run.currentProgress()); err != nil {
			log.Error("record job progress", "err", err)
		}
	}
	if err := write(wctx); err != nil {
		log.Error("record job outcome", "err", err)
	}
}

// call runs the handler, turning a panic into an error so one bad job
// cannot take the process down.
func (r *Runner) call(ctx context.Context, h Handler, run *Run, log *slog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("job handler panicked", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, run)
}

// renew keeps the lease alive while the handler runs, writing its progress
// each time, and cancels the attempt when the job was cancelled or the lease
// is gone.
func (r *Runner) renew(ctx context.Context, cancel context.CancelCauseFunc, run *Run, log *slog.Logger) {
	every := max(r.opts.Lease/3, time.Millisecond) // a ticker needs a positive period
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	expires := time.Now().Add(r.opts.Lease)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		asked := time.Now()
		cancelRequested, err := r.db.RenewJobLease(ctx, run.job.ID, r.opts.Owner, r.opts.Lease, run.currentProgress())
		switch {
		case errors.Is(err, models.ErrLeaseLost):
			cancel(models.ErrLeaseLost)
			return
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			// The database may be back before the lease runs out; past
			// that point another worker may already have the job.
			log.Warn("renew job lease", "err", err)
			if time.Now().After(expires) {
				cancel(models.ErrLeaseLost)
				return
			}
		case cancelRequested:
			cancel(errCancelRequested)
			return
		default:
			expires = asked.Add(r.opts.Lease)
		}
	}
}
