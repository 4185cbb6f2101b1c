// Package importer imports contacts from a stored CSV or vCard file: the
// pipeline behind the "import.contacts" job, the API and `rapport import`.
//
// It reads the file with csvio or vcardio and saves it in batches, each in
// one transaction that also records the batch's rejected rows, the
// contacts it changed (for undo), the running totals and, through the job's
// checkpoint, how many records are done. So an import that crashes resumes
// after its last committed batch with nothing saved twice and nothing lost.
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"rapport/app/csvio"
	"rapport/app/jobs"
	"rapport/models"
)

// Kind is the job kind the Handler runs.
const Kind = models.ImportJobKind

// DefaultBatchSize is how many records one transaction saves.
const DefaultBatchSize = 2000

// Options tune an Importer. Zero values pick the defaults.
type Options struct {
	BatchSize  int           // DefaultBatchSize when 0
	UndoWindow time.Duration // models.DefaultImportUndoWindow when 0
	// Logger hears what goes wrong without failing an import, and when it
	// refreshes statistics; discarded when nil.
	Logger *slog.Logger
}

// Importer runs imports against one database.
type Importer struct {
	db   *models.DB
	opts Options
}

// New returns an Importer over db.
func New(db *models.DB, opts Options) *Importer {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.UndoWindow <= 0 {
		opts.UndoWindow = models.DefaultImportUndoWindow
	}
	return &Importer{db: db, opts: opts}
}

// Tracker is what a run reports to: a job attempt (*jobs.Run is one), or
// the command line. SaveCheckpoint must write through tx.
type Tracker interface {
	Checkpoint() string
	SaveCheckpoint(tx *models.DB, checkpoint string) error
	SetProgress(done, total int64, detail any)
}

// Payload is the payload of an import job.
type Payload struct {
	ImportID int64 `json:"import_id"`
}

// Job is a job attempt as Handle uses it; *jobs.Run is one.
type Job interface {
	Tracker
	Payload(v any) error
	Job() *models.Job
}

// Handler is the job handler for models.ImportJobKind.
func (im *Importer) Handler() jobs.Handler {
	return func(ctx context.Context, run *jobs.Run) error { return im.Handle(ctx, run) }
}

// Handle runs one attempt at an import job. A file that cannot be read,
// or a last attempt that fails, fails the import for good.
func (im *Importer) Handle(ctx context.Context, run Job) error {
	var p Payload
	if err := run.Payload(&p); err != nil || p.ImportID == 0 {
		return jobs.Permanent(fmt.Errorf("import job: bad payload %q", run.Job().Payload))
	}
	_, err := im.Run(ctx, p.ImportID, run)
	if err == nil || ctx.Err() != nil {
		return err
	}
	var fe *csvio.FileError
	final := errors.As(err, &fe) || errors.Is(err, os.ErrNotExist) || run.Job().Attempts >= run.Job().MaxAttempts
	if final {
		if ferr := im.db.FinishImport(context.WithoutCancel(ctx), p.ImportID, models.ImportFailed, err.Error(), 0); ferr != nil {
			return ferr
		}
		return jobs.Permanent(err)
	}
	return err
}

// Progress is the detail of an import's progress, as the UI shows it.
type Progress struct {
	Read    int64 `json:"read"`
	Created int64 `json:"created"`
	Updated int64 `json:"updated"`
	Skipped int64 `json:"skipped"`
	Failed  int64 `json:"failed"`
	Total   int64 `json:"total"`
}

// Run imports the stored file of import id, resuming after the checkpoint
// t holds. It returns the import as it ended. An import that was cancelled
// or has finished is left alone. When ctx ends it returns its error, and
// what was committed stays committed.
func (im *Importer) Run(ctx context.Context, id int64, t Tracker) (*models.Import, error) {
	imp, err := im.db.BeginImport(ctx, id)
	if errors.Is(err, models.ErrConflict) {
		return imp, nil
	}
	if err != nil {
		return nil, err
	}
	if imp.UserID == nil {
		return imp, jobs.Permanent(fmt.Errorf("import %d: the user who started it was removed", id))
	}
	u, err := im.db.UserByID(ctx, *imp.UserID)
	if err != nil {
		return imp, fmt.Errorf("import %d: %w", id, err)
	}
	actor := u.Actor("import")
	if !actor.CanWrite() {
		return imp, jobs.Permanent(fmt.Errorf("import %d: %s may not change contacts", id, u.Email))
	}
	var m csvio.Mapping
	// A vCard's mapping holds its phone region alone, if anything.
	if err := json.Unmarshal([]byte(imp.Mapping), &m); err != nil && imp.Format == models.ImportCSV {
		return imp, jobs.Permanent(fmt.Errorf("import %d: mapping: %w", id, err))
	}
	if imp.Format == models.ImportCSV {
		if m.Owners, err = im.owners(ctx); err != nil {
			return imp, err
		}
	}
	// Values no custom field here takes are left out, not the row.
	if m.CustomFields, err = im.db.CustomFieldDefs(ctx); err != nil {
		return imp, err
	}
	total, err := im.count(imp)
	if err != nil {
		return imp, err
	}
	f, err := os.Open(imp.FilePath)
	if err != nil {
		return imp, fmt.Errorf("import %d: open file: %w", id, err)
	}
	defer f.Close()
	src, err := openSource(f, imp.Format, m)
	if err != nil {
		return imp, err
	}

	p := &pass{im: im, imp: imp, actor: actor, counts: imp.Counts()}
	var done int64
	if c := t.Checkpoint(); c != "" {
		if done, err = strconv.ParseInt(c, 10, 64); err != nil {
			return imp, jobs.Permanent(fmt.Errorf("import %d: bad checkpoint %q", id, c))
		}
		for i := int64(0); i < done; i++ {
			if _, err := src.next(); err != nil {
				return imp, fmt.Errorf("import %d: skip to record %d: %w", id, done, err)
			}
		}
		if p.created, err = im.db.ImportCreatedContacts(ctx, id); err != nil {
			return imp, err
		}
	} else if imp.DryRun {
		// A run from the first row (the command line's, which keeps no
		// checkpoint) must not take rows of an earlier attempt for
		// earlier rows of its own.
		if err := im.db.ForgetDryRunKeys(ctx, id); err != nil {
			return imp, err
		}
	}
	report := func() {
		c := p.counts
		t.SetProgress(done, total, Progress{Read: c.Read, Created: c.Created, Updated: c.Updated, Skipped: c.Skipped, Failed: c.Failed, Total: total})
	}
	report()
	// Statistics are refreshed once this run has added a tenth of what
	// the contacts table held (autovacuum's own default share), and then
	// each time its rows double: a few analyses for a large file into a
	// small database, none for a small file into a large one, whose
	// statistics it hardly changes (a 1,000-row import into a million
	// contacts spent 20 s analysing every table at its end).
	held, err := im.db.ContactsEverCreated(ctx)
	if err != nil {
		return imp, err
	}
	firstAnalyze := max(int64(analyzeAfterRows), held/10)
	nextAnalyze, start := firstAnalyze, done
	rctx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	batches := readBatches(rctx, src, im.opts.BatchSize, actor, imp.MatchNameCompany)
	for {
		if err := ctx.Err(); err != nil {
			return imp, context.Cause(ctx)
		}
		rb, ok := <-batches
		if !ok {
			break
		}
		if rb.err != nil {
			return imp, fmt.Errorf("import %d: read record %d: %w", id, done+int64(rb.read)+1, rb.err)
		}
		batch := rb.rows
		if len(batch) == 0 {
			break
		}
		if !imp.DryRun && done-start >= nextAnalyze {
			// Statistics from before this import would plan its batches
			// for tables a fraction of their size (see AnalyzeGrowing);
			// refreshing them each time the rows double costs a few
			// analyses however large the file. A failure costs speed,
			// not data, so it is logged, not returned.
			im.analyze(ctx, id, "during import", done-start, im.db.AnalyzeGrowing)
			nextAnalyze = 2 * (done - start)
		}
		before := p.counts
		var created models.IDRanges
		err := im.db.BulkTx(ctx, func(tx *models.DB) error {
			p.counts = before
			failures, changes, c, err := p.batch(ctx, tx, batch)
			if err != nil {
				return err
			}
			created = c
			if err := tx.RecordImportBatch(ctx, id, p.counts, failures, changes, created); err != nil {
				return err
			}
			return t.SaveCheckpoint(tx, strconv.FormatInt(done+int64(len(batch)), 10))
		})
		if err != nil {
			// The batch rolled back; this run ends, and the next resumes
			// from the last checkpoint with fresh state.
			return imp, err
		}
		p.created = p.created.Merge(created)
		done += int64(len(batch))
		report()
	}
	if err := im.db.FinishImport(ctx, id, models.ImportDone, "", im.opts.UndoWindow); err != nil {
		return imp, err
	}
	// A large import changes the tables' shape faster than autoanalyze
	// notices; stale statistics make the planner sort whole histories. A
	// failure here costs speed, not data, so it is logged, not returned.
	if !imp.DryRun && done-start >= firstAnalyze {
		im.analyze(ctx, id, "after import", done-start, im.db.Analyze)
	}
	c := p.counts
	if err := im.db.Audit(ctx, models.AuditEntry{Actor: &actor, Action: "import.finish", SubjectType: "import", SubjectID: id,
		Detail: map[string]any{"filename": imp.Filename, "dry_run": imp.DryRun, "read": c.Read, "created": c.Created,
			"updated": c.Updated, "skipped": c.Skipped, "failed": c.Failed}}); err != nil {
		return imp, err
	}
	return im.db.ImportByID(ctx, id)
}

// readBatch is a batch of rows read ahead, or the error that ended the
// file after read more rows.
type readBatch struct {
	rows []row
	read int
	err  error
}

// readBatches reads and maps the file's rows, and works out their keys and
// the contacts they would make (as actor), a batch ahead of the one being
// saved: that work is CPU and saving mostly
// waits on the database, so on a machine with two cores they overlap. At
// most two batches are held besides the one being saved. The channel is
// closed at the end of the file, after an error, or when ctx ends.
func readBatches(ctx context.Context, src source, size int, actor models.Actor, byNameCompany bool) <-chan readBatch {
	out := make(chan readBatch, 1)
	go func() {
		defer close(out)
		for {
			b := readBatch{rows: make([]row, 0, size)}
			for len(b.rows) < size {
				r, err := src.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.err = err
					break
				}
				if r.reject == "" {
					r.contact = models.PrepareContact(actor, r.req)
					r.keys = r.contact.ImportKeys(r.req, byNameCompany)
				}
				b.rows = append(b.rows, r)
			}
			b.read = len(b.rows)
			if len(b.rows) == 0 && b.err == nil {
				return
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil || len(b.rows) < size {
				return
			}
		}
	}()
	return out
}

// count counts the file's records for the progress total.
func (im *Importer) count(imp *models.Import) (int64, error) {
	f, err := os.Open(imp.FilePath)
	if err != nil {
		return 0, fmt.Errorf("import %d: open file: %w", imp.ID, err)
	}
	defer f.Close()
	return countRows(f, imp.Format)
}

// owners resolves the owner column: users by lower-cased email, name and
// ID, as csvio.Mapping.Owners wants them.
func (im *Importer) owners(ctx context.Context) (map[string]int64, error) {
	owners := map[string]int64{}
	var after int64
	for {
		us, err := im.db.Users(ctx, models.UserListOptions{AfterID: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		if len(us) == 0 {
			return owners, nil
		}
		for _, u := range us {
			owners[strings.ToLower(u.Email)] = u.ID
			if _, taken := owners[strings.ToLower(u.Name)]; !taken && u.Name != "" {
				owners[strings.ToLower(u.Name)] = u.ID
			}
			owners[strconv.FormatInt(u.ID, 10)] = u.ID
		}
		after = us[len(us)-1].ID
	}
}

// StoreDir is where uploads for imports are kept under the data directory.
func StoreDir(dataDir string) string { return filepath.Join(dataDir, "imports") }

// analyze refreshes statistics with run and logs it, since on a large
// database it takes seconds an operator may wonder about. A failure costs
// speed, not data, so it is logged, not returned.
func (im *Importer) analyze(ctx context.Context, id int64, when string, rows int64, run func(context.Context) error) {
	began := time.Now()
	if err := run(ctx); err != nil {
		im.opts.Logger.Warn("analyze "+when, "import", id, "err", err)
		return
	}
	im.opts.Logger.Info("refreshed planner statistics "+when, "import", id, "rows", rows, "took", time.Since(began).Round(time.Millisecond))
}

// analyzeAfterRows is the smallest import after which statistics are
// refreshed, however small the database.
const analyzeAfterRows = 1000
