package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Job statuses. A job moves queued -> running -> succeeded | failed |
// cancelled, and back from running to queued when it is retried or handed
// back at shutdown.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobCancelled = "cancelled"
)

// defaultJobMaxAttempts matches the column default in the migrations.
const defaultJobMaxAttempts = 5

// ErrLeaseLost means the caller no longer holds the job: its lease expired
// and another worker took the job over, or the job was finished elsewhere.
// The caller must stop working on the job and roll back what it was about to
// commit.
var ErrLeaseLost = errors.New("job lease lost")

// Job is one unit of background work: a CSV import, an export, a feed poll.
// Payload and Progress hold JSON text.
type Job struct {
	ID              int64      `gorm:"column:id;primaryKey"`
	Kind            string     `gorm:"column:kind"`
	Payload         string     `gorm:"column:payload"`
	Status          string     `gorm:"column:status"`
	Attempts        int        `gorm:"column:attempts"`
	MaxAttempts     int        `gorm:"column:max_attempts"`
	RunAt           time.Time  `gorm:"column:run_at"`
	LeaseOwner      *string    `gorm:"column:lease_owner"`
	LeaseExpiresAt  *time.Time `gorm:"column:lease_expires_at"`
	CancelRequested bool       `gorm:"column:cancel_requested"`
	// Checkpoint is the handler's own note of how far it got, saved in the
	// same transaction as the work, so a resumed attempt starts after it.
	Checkpoint    string     `gorm:"column:checkpoint"`
	ProgressDone  int64      `gorm:"column:progress_done"`
	ProgressTotal int64      `gorm:"column:progress_total"`
	Progress      string     `gorm:"column:progress"`
	LastError     string     `gorm:"column:last_error"`
	CreatedBy     *int64     `gorm:"column:created_by"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	UpdatedAt     time.Time  `gorm:"column:updated_at"`
	StartedAt     *time.Time `gorm:"column:started_at"`
	FinishedAt    *time.Time `gorm:"column:finished_at"`
}

// TableName maps Job to the jobs table.
func (Job) TableName() string { return "jobs" }

// Finished reports whether the job has reached a final status.
func (j *Job) Finished() bool {
	return j.Status == JobSucceeded || j.Status == JobFailed || j.Status == JobCancelled
}

// Cursor returns the position just after j in a Jobs listing.
func (j *Job) Cursor() JobCursor { return JobCursor{CreatedAt: j.CreatedAt, ID: j.ID} }

// JobRequest describes a job to enqueue.
type JobRequest struct {
	Kind string
	// Payload is encoded as JSON; the handler decodes it.
	Payload any
	// RunAt delays the job; zero means now.
	RunAt time.Time
	// MaxAttempts bounds retries; 0 means 5.
	MaxAttempts int
	CreatedBy   *int64
}

// Progress is what a running job reports for the UI.
type Progress struct {
	Done, Total int64
	// Detail is encoded as JSON, for whatever the job wants to show.
	Detail any
}

// EnqueueJob stores a new queued job.
func (db *DB) EnqueueJob(ctx context.Context, req JobRequest) (*Job, error) {
	if req.Kind == "" {
		return nil, errors.New("models: enqueue job: kind is empty")
	}
	payload, err := jobJSON(req.Payload)
	if err != nil {
		return nil, fmt.Errorf("models: enqueue %s job: encode payload: %w", req.Kind, err)
	}
	t := now()
	runAt := t
	if !req.RunAt.IsZero() {
		runAt = req.RunAt.UTC().Truncate(time.Microsecond)
	}
	maxAttempts := req.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = defaultJobMaxAttempts
	}
	j := &Job{
		Kind:        req.Kind,
		Payload:     payload,
		Status:      JobQueued,
		MaxAttempts: maxAttempts,
		RunAt:       runAt,
		Progress:    "{}",
		CreatedBy:   req.CreatedBy,
		CreatedAt:   t,
		UpdatedAt:   t,
	}
	if err := db.with(ctx).Create(j).Error; err != nil {
		return nil, fmt.Errorf("models: enqueue %s job: %w", req.Kind, err)
	}
	return j, nil
}

// ClaimJob leases the next due job of one of kinds to owner for lease and
// counts the attempt. It returns (nil, nil) when nothing is due.
//
// A job is due when it is queued and its run_at has come, or when it is
// running but its lease expired: its worker crashed or lost the database,
// and the job is taken over so it resumes from its last checkpoint.
//
// It is one statement so that no two workers can claim the same row: on
// Postgres the subquery locks the row it picks and skips rows other workers
// hold; SQLite runs one writer at a time.
func (db *DB) ClaimJob(ctx context.Context, owner string, kinds []string, lease time.Duration) (*Job, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	t := now()
	var jobs []Job
	err := db.with(ctx).Raw(`UPDATE jobs
		SET status = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
			started_at = COALESCE(started_at, ?), updated_at = ?
		WHERE id = (
			SELECT id FROM jobs
			WHERE kind IN ?
				AND ((status = 'queued' AND run_at <= ?) OR (status = 'running' AND lease_expires_at < ?))
			ORDER BY run_at, id
			LIMIT 1`+db.dialect.skipLocked()+`
		)
		RETURNING *`,
		owner, t.Add(lease), t, t, kinds, t, t).Scan(&jobs).Error
	if err != nil {
		return nil, fmt.Errorf("models: claim job for %s: %w", owner, err)
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	return &jobs[0], nil
}

// RenewJobLease extends owner's lease on a running job and records its
// progress. It reports whether someone asked for the job to be cancelled,
// and ErrLeaseLost when owner no longer holds the job.
func (db *DB) RenewJobLease(ctx context.Context, id int64, owner string, lease time.Duration, p Progress) (cancelRequested bool, err error) {
	detail, err := jobJSON(p.Detail)
	if err != nil {
		return false, fmt.Errorf("models: renew lease on job %d: encode progress: %w", id, err)
	}
	t := now()
	var rows []struct {
		CancelRequested bool `gorm:"column:cancel_requested"`
	}
	err = db.with(ctx).Raw(`UPDATE jobs
		SET lease_expires_at = ?, progress_done = ?, progress_total = ?, progress = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND status = 'running'
		RETURNING cancel_requested`,
		t.Add(lease), p.Done, p.Total, detail, t, id, owner).Scan(&rows).Error
	if err != nil {
		return false, fmt.Errorf("models: renew lease on job %d: %w", id, err)
	}
	if len(rows) == 0 {
		return false, fmt.Errorf("models: renew lease on job %d for %s: %w", id, owner, ErrLeaseLost)
	}
	return rows[0].CancelRequested, nil
}

// SaveJobCheckpoint records how far owner got with a running job, with its
// progress.
//
// Handlers call it on the *DB their own db.Tx passes in, so the checkpoint
// commits atomically with the work it describes: either both land or
// neither does, and a resumed attempt redoes nothing and skips nothing.
// Because the write is fenced on the lease, a worker that lost its job gets
// ErrLeaseLost here and its transaction rolls back instead of committing
// work the new owner will also do.
func (db *DB) SaveJobCheckpoint(ctx context.Context, id int64, owner, checkpoint string, p Progress) error {
	detail, err := jobJSON(p.Detail)
	if err != nil {
		return fmt.Errorf("models: save checkpoint of job %d: encode progress: %w", id, err)
	}
	return db.fencedJobUpdate(ctx, "save checkpoint of", id, owner,
		`checkpoint = ?, progress_done = ?, progress_total = ?, progress = ?, updated_at = ?`,
		checkpoint, p.Done, p.Total, detail, now())
}

// CompleteJob marks owner's running job succeeded. It keeps last_error, so
// a job that succeeded on a retry still shows what went wrong before.
func (db *DB) CompleteJob(ctx context.Context, id int64, owner string) error {
	t := now()
	return db.fencedJobUpdate(ctx, "complete", id, owner,
		`status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, finished_at = ?, updated_at = ?`,
		t, t)
}

// FailJob records that owner's attempt at a job failed with cause. With a
// nil retryAt the failure is final; otherwise the job is queued again to run
// at retryAt. A job whose cancellation was requested meanwhile is cancelled
// rather than retried.
func (db *DB) FailJob(ctx context.Context, id int64, owner string, cause error, retryAt *time.Time) error {
	msg := "unknown error"
	if cause != nil {
		msg = cause.Error()
	}
	t := now()
	if retryAt == nil {
		return db.fencedJobUpdate(ctx, "fail", id, owner,
			`status = 'failed', last_error = ?, lease_owner = NULL, lease_expires_at = NULL, finished_at = ?, updated_at = ?`,
			msg, t, t)
	}
	return db.fencedJobUpdate(ctx, "fail", id, owner,
		`status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
		finished_at = CASE WHEN cancel_requested THEN ? ELSE finished_at END,
		run_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?`,
		t, retryAt.UTC().Truncate(time.Microsecond), msg, t)
}

// ReleaseJob hands owner's running job back to the queue, due now, when the
// worker stops cleanly. The attempt is not counted: a shutdown says nothing
// about whether the job can succeed. A job whose cancellation was requested
// is cancelled instead.
func (db *DB) ReleaseJob(ctx context.Context, id int64, owner string) error {
	t := now()
	return db.fencedJobUpdate(ctx, "release", id, owner,
		`status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
		finished_at = CASE WHEN cancel_requested THEN ? ELSE finished_at END,
		run_at = ?, attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?`,
		t, t, t)
}

// MarkJobCancelled records that owner stopped a running job because its
// cancellation was requested.
func (db *DB) MarkJobCancelled(ctx context.Context, id int64, owner string) error {
	t := now()
	return db.fencedJobUpdate(ctx, "mark cancelled", id, owner,
		`status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, finished_at = ?, updated_at = ?`,
		t, t)
}

// fencedJobUpdate applies set to a job only while owner holds its lease, so
// a worker that was presumed dead and replaced cannot overwrite the new
// owner's state.
func (db *DB) fencedJobUpdate(ctx context.Context, verb string, id int64, owner, set string, args ...any) error {
	args = append(args, id, owner)
	res := db.with(ctx).Exec(`UPDATE jobs SET `+set+` WHERE id = ? AND lease_owner = ? AND status = 'running'`, args...)
	if res.Error != nil {
		return fmt.Errorf("models: %s job %d: %w", verb, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("models: %s job %d for %s: %w", verb, id, owner, ErrLeaseLost)
	}
	return nil
}

// CancelJob cancels a job: a queued job at once, a running one by asking
// its worker to stop (it notices at its next lease renewal). Cancelling a job
// that already finished changes nothing; a missing job is ErrNotFound.
func (db *DB) CancelJob(ctx context.Context, id int64) error {
	t := now()
	// One statement, so a job claimed between a read and a write cannot be
	// marked cancelled while its worker carries on.
	res := db.with(ctx).Exec(`UPDATE jobs
		SET cancel_requested = TRUE,
			status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
			finished_at = CASE WHEN status = 'queued' THEN ? ELSE finished_at END,
			updated_at = ?
		WHERE id = ? AND status IN ('queued', 'running')`, t, t, id)
	if res.Error != nil {
		return fmt.Errorf("models: cancel job %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := db.JobByID(ctx, id); err != nil {
			return fmt.Errorf("models: cancel job %d: %w", id, err)
		}
	}
	return nil
}

// JobByID returns one job, or ErrNotFound.
func (db *DB) JobByID(ctx context.Context, id int64) (*Job, error) {
	var j Job
	if err := db.with(ctx).Where("id = ?", id).First(&j).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("job %d", id))
	}
	return &j, nil
}

// JobCursor marks a position in a Jobs listing: the listing continues with
// the jobs created before it.
type JobCursor struct {
	CreatedAt time.Time
	ID        int64
}

// JobListOptions filter and page the Jobs listing. Empty fields do not
// filter.
type JobListOptions struct {
	Kind   string
	Status string
	// Before continues a listing after the last job of the previous page
	// (see Job.Cursor).
	Before *JobCursor
	// Limit is at most 100; 0 or less means 50.
	Limit int
}

// Jobs lists jobs newest first. It pages by keyset rather than OFFSET, so a
// page stays cheap however deep it is and does not shift as jobs are added.
func (db *DB) Jobs(ctx context.Context, opts JobListOptions) ([]Job, error) {
	q := db.with(ctx).Model(&Job{})
	if opts.Kind != "" {
		q = q.Where("kind = ?", opts.Kind)
	}
	if opts.Status != "" {
		q = q.Where("status = ?", opts.Status)
	}
	if c := opts.Before; c != nil {
		at := c.CreatedAt.UTC()
		q = q.Where("(created_at < ? OR (created_at = ? AND id < ?))", at, at, c.ID)
	}
	var jobs []Job
	if err := q.Order("created_at DESC, id DESC").Limit(clampLimit(opts.Limit, 50, 100)).Find(&jobs).Error; err != nil {
		return nil, fmt.Errorf("models: list jobs: %w", err)
	}
	return jobs, nil
}

// jobJSON encodes v for a JSON text column; nil becomes the column's
// default, an empty object.
func jobJSON(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// JobCount is how many jobs of a kind are in a status.
type JobCount struct {
	Kind   string
	Status string
	Count  int64
}

// JobQueueDepth counts queued and running jobs by kind, for metrics. The
// partial indexes on queued and running jobs keep this off the finished
// history, however long it grows.
func (db *DB) JobQueueDepth(ctx context.Context) ([]JobCount, error) {
	var out []JobCount
	err := db.with(ctx).Raw(`SELECT kind, status, COUNT(*) AS count FROM jobs
		WHERE status IN ('queued', 'running') GROUP BY kind, status ORDER BY kind, status`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: job queue depth: %w", err)
	}
	return out, nil
}
