package models

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Import statuses. An import is a draft while its mapping is chosen, then
// queued, running, and done, failed or cancelled.
const (
	ImportDraft     = "draft"
	ImportQueued    = "queued"
	ImportRunning   = "running"
	ImportDone      = "done"
	ImportFailed    = "failed"
	ImportCancelled = "cancelled"
)

// Import formats.
const (
	ImportCSV   = "csv"
	ImportVCard = "vcard"
)

// What an import does with a row that matches an existing contact.
const (
	DuplicateSkip      = "skip"      // leave the contact alone
	DuplicateFill      = "fill"      // set only the fields the contact lacks
	DuplicateOverwrite = "overwrite" // replace the fields the row has
)

// ImportJobKind is the job kind that runs an import in the background.
const ImportJobKind = "import.contacts"

// DefaultImportUndoWindow is how long after it finishes an import can be
// undone.
const DefaultImportUndoWindow = 7 * 24 * time.Hour

// Import is one file being (or having been) imported into contacts.
type Import struct {
	ID       int64  `json:"id"`
	UserID   *int64 `json:"user_id,omitempty"`
	Filename string `json:"filename"`
	// FilePath is the stored upload; not shown to clients.
	FilePath         string     `json:"-"`
	Size             int64      `json:"size"`
	Format           string     `json:"format"`
	Header           string     `json:"-"` // JSON array of the file's columns
	Mapping          string     `json:"-"` // JSON csvio.Mapping
	OnDuplicate      string     `json:"on_duplicate"`
	MatchNameCompany bool       `json:"match_name_company"`
	DryRun           bool       `json:"dry_run"`
	Status           string     `json:"status"`
	RowsRead         int64      `json:"rows_read"`
	RowsCreated      int64      `json:"rows_created"`
	RowsUpdated      int64      `json:"rows_updated"`
	RowsSkipped      int64      `json:"rows_skipped"`
	RowsFailed       int64      `json:"rows_failed"`
	JobID            *int64     `json:"job_id,omitempty"`
	Error            string     `json:"error,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	StartedAt        *time.Time `json:"started_at,omitempty"`
	FinishedAt       *time.Time `json:"finished_at,omitempty"`
	UndoUntil        *time.Time `json:"undo_until,omitempty"`
	UndoneAt         *time.Time `json:"undone_at,omitempty"`
}

// TableName maps Import to the imports table.
func (Import) TableName() string { return "imports" }

// Finished reports whether the import reached a final status.
func (im *Import) Finished() bool {
	return im.Status == ImportDone || im.Status == ImportFailed || im.Status == ImportCancelled
}

// Undoable reports whether the import can still be undone at t.
func (im *Import) Undoable(t time.Time) bool {
	return im.Status == ImportDone && !im.DryRun && im.UndoneAt == nil && im.UndoUntil != nil && t.Before(*im.UndoUntil)
}

// Columns decodes the file's header.
func (im *Import) Columns() []string {
	var h []string
	_ = json.Unmarshal([]byte(im.Header), &h)
	return h
}

// ImportCounts are an import's running totals.
type ImportCounts struct {
	Read, Created, Updated, Skipped, Failed int64
}

// Counts returns the import's totals.
func (im *Import) Counts() ImportCounts {
	return ImportCounts{Read: im.RowsRead, Created: im.RowsCreated, Updated: im.RowsUpdated, Skipped: im.RowsSkipped, Failed: im.RowsFailed}
}

// ImportFailure is a row the import rejected, or used with a value left
// out (Rejected false), with its cells as read.
type ImportFailure struct {
	ID        int64  `json:"-"`
	ImportID  int64  `json:"-"`
	Line      int    `json:"line"`
	Reason    string `json:"reason"`
	Rejected  bool   `json:"rejected"`
	RawFields string `json:"-" gorm:"column:raw_fields"` // JSON array
}

// TableName maps ImportFailure to import_failures.
func (ImportFailure) TableName() string { return "import_failures" }

// Fields decodes the row's cells.
func (f *ImportFailure) Fields() []string {
	var fs []string
	_ = json.Unmarshal([]byte(f.RawFields), &fs)
	return fs
}

// Import change actions.
const (
	ImportChangeCreated = "created"
	ImportChangeUpdated = "updated"
)

// ImportChange records a contact an import updated: Before is a JSON
// ContactPatch that puts back the fields it changed. Imports made before
// migration 00014 also have a "created" row per contact they created;
// since then those are IDRanges in import_created_ranges.
type ImportChange struct {
	ID        int64
	ImportID  int64
	ContactID int64
	Action    string
	Before    string
}

// TableName maps ImportChange to import_changes.
func (ImportChange) TableName() string { return "import_changes" }

// IDRange is a run of consecutive ids, First to Last inclusive.
type IDRange struct {
	First, Last int64
}

// IDRanges is a set of ids as sorted, disjoint runs that do not touch:
// how an import records the contacts it created, one run per batch or
// fewer, instead of one row per contact (migration 00014).
type IDRanges []IDRange

// RangesOf returns the runs ids make, in any order, duplicates allowed.
func RangesOf(ids []int64) IDRanges {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	var rs IDRanges
	for _, id := range ids {
		if n := len(rs); n > 0 && rs[n-1].Last+1 == id {
			rs[n-1].Last = id
			continue
		}
		rs = append(rs, IDRange{First: id, Last: id})
	}
	return rs
}

// Merge returns the union of rs and o. It appends to rs in place when o
// lies after it, as each batch's new ids do.
func (rs IDRanges) Merge(o IDRanges) IDRanges {
	if len(rs) > 0 && len(o) > 0 && o[0].First <= rs[len(rs)-1].Last {
		all := slices.SortedFunc(slices.Values(slices.Concat(rs, o)), func(a, b IDRange) int { return cmp.Compare(a.First, b.First) })
		rs, o = all[:0:0], all
	}
	for _, r := range o {
		if n := len(rs); n > 0 && r.First <= rs[n-1].Last+1 {
			rs[n-1].Last = max(rs[n-1].Last, r.Last)
			continue
		}
		rs = append(rs, r)
	}
	return rs
}

// Contains reports whether id is in one of the runs.
func (rs IDRanges) Contains(id int64) bool {
	i, _ := slices.BinarySearchFunc(rs, id, func(r IDRange, id int64) int { return cmp.Compare(r.Last, id) })
	return i < len(rs) && rs[i].First <= id
}

// Count is how many ids the runs hold.
func (rs IDRanges) Count() int64 {
	var n int64
	for _, r := range rs {
		n += r.Last - r.First + 1
	}
	return n
}

// ImportRequest describes a new import of an uploaded file.
type ImportRequest struct {
	Filename         string
	Size             int64
	Format           string // ImportCSV (default) or ImportVCard
	Header           []string
	Mapping          string // JSON csvio.Mapping; "{}" for vCard
	OnDuplicate      string // DuplicateSkip when empty
	MatchNameCompany bool
	DryRun           bool
}

func (r *ImportRequest) validate() error {
	var v ValidationError
	// The name the person's browser or shell gave the file, shown back.
	r.Filename = cleanLine(r.Filename)
	if strings.TrimSpace(r.Filename) == "" {
		v.Add("file", "Choose a file to import.")
	}
	switch r.Format {
	case "":
		r.Format = ImportCSV
	case ImportCSV, ImportVCard:
	default:
		v.Add("format", "Import a CSV or vCard file.")
	}
	if err := validDuplicatePolicy(&r.OnDuplicate); err != nil {
		v.Add("on_duplicate", err.Error())
	}
	if r.Mapping == "" {
		r.Mapping = "{}"
	}
	return v.OrNil()
}

func validDuplicatePolicy(p *string) error {
	switch *p {
	case "":
		*p = DuplicateSkip
	case DuplicateSkip, DuplicateFill, DuplicateOverwrite:
	default:
		return errors.New("Choose skip, fill or overwrite.")
	}
	return nil
}

// CreateImport records a draft import for the actor. The caller stores the
// file and then sets its path with SetImportFile.
func (db *DB) CreateImport(ctx context.Context, actor Actor, req ImportRequest) (*Import, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: create import: %w", ErrForbidden)
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	header, err := json.Marshal(req.Header)
	if err != nil {
		return nil, fmt.Errorf("models: create import: encode header: %w", err)
	}
	if req.Header == nil {
		header = []byte("[]")
	}
	im := &Import{Filename: req.Filename, Size: req.Size, Format: req.Format, Header: string(header), Mapping: req.Mapping,
		OnDuplicate: req.OnDuplicate, MatchNameCompany: req.MatchNameCompany, DryRun: req.DryRun, Status: ImportDraft, CreatedAt: now()}
	if actor.UserID != 0 {
		id := actor.UserID
		im.UserID = &id
	}
	if err := db.with(ctx).Create(im).Error; err != nil {
		return nil, fmt.Errorf("models: create import: %w", err)
	}
	return im, nil
}

// SetImportFile records where a draft import's file is stored, how large it
// is and its header.
func (db *DB) SetImportFile(ctx context.Context, id int64, path string, size int64, header []string) error {
	h, err := json.Marshal(header)
	if err != nil || header == nil {
		h = []byte("[]")
	}
	err = db.with(ctx).Model(&Import{}).Where("id = ?", id).
		Updates(map[string]any{"file_path": path, "size": size, "header": string(h)}).Error
	if err != nil {
		return fmt.Errorf("models: set file of import %d: %w", id, err)
	}
	return nil
}

// ImportOptions are what a person chooses on the mapping page.
type ImportOptions struct {
	Mapping          string // JSON csvio.Mapping
	OnDuplicate      string
	MatchNameCompany bool
	DryRun           bool
}

// UpdateImportOptions changes the options of a draft import.
func (db *DB) UpdateImportOptions(ctx context.Context, actor Actor, id int64, o ImportOptions) (*Import, error) {
	if err := validDuplicatePolicy(&o.OnDuplicate); err != nil {
		return nil, &ValidationError{Fields: map[string]string{"on_duplicate": err.Error()}}
	}
	im, err := db.Import(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if im.Status != ImportDraft {
		return nil, fmt.Errorf("models: import %d has started: %w", id, ErrConflict)
	}
	set := map[string]any{"on_duplicate": o.OnDuplicate, "match_name_company": o.MatchNameCompany, "dry_run": o.DryRun}
	if o.Mapping != "" {
		set["mapping"] = o.Mapping
	}
	if err := db.with(ctx).Model(&Import{}).Where("id = ? AND status = ?", id, ImportDraft).Updates(set).Error; err != nil {
		return nil, fmt.Errorf("models: update import %d: %w", id, err)
	}
	return db.Import(ctx, actor, id)
}

// visibleImports limits a query to the imports the actor may see: their
// own, or every import for an admin.
func visibleImports(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if actor.IsAdmin() {
			return q
		}
		return q.Where("imports.user_id = ?", actor.UserID)
	}
}

// Import returns an import the actor may see, or ErrNotFound.
func (db *DB) Import(ctx context.Context, actor Actor, id int64) (*Import, error) {
	var im Import
	if err := db.with(ctx).Scopes(visibleImports(actor)).First(&im, "imports.id = ?", id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("import %d", id))
	}
	return &im, nil
}

// ImportByID returns an import whoever started it, for the worker that
// runs it.
func (db *DB) ImportByID(ctx context.Context, id int64) (*Import, error) {
	var im Import
	if err := db.with(ctx).First(&im, "id = ?", id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("import %d", id))
	}
	return &im, nil
}

var importOrder = keyset[Import]{column: "imports.created_at", idColumn: "imports.id", desc: true, isTime: true,
	value: func(im *Import) any { return im.CreatedAt }, rowID: func(im *Import) int64 { return im.ID }}

// ImportListOptions pages the import list, newest first.
type ImportListOptions struct {
	Cursor string
	Limit  int // 20 when zero, at most 100
}

// ImportPage is one page of imports.
type ImportPage struct {
	Imports    []Import `json:"imports"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

// Imports lists the imports the actor may see, newest first.
func (db *DB) Imports(ctx context.Context, actor Actor, opts ImportListOptions) (*ImportPage, error) {
	q, err := importOrder.after(db.with(ctx).Model(&Import{}).Scopes(visibleImports(actor)), "created", opts.Cursor)
	if err != nil {
		return nil, cursorProblem()
	}
	limit := clampLimit(opts.Limit, 20, 100)
	var ims []Import
	if err := q.Order(importOrder.orderBy()).Limit(limit + 1).Find(&ims).Error; err != nil {
		return nil, fmt.Errorf("models: list imports: %w", err)
	}
	page := &ImportPage{Imports: ims}
	if len(ims) > limit {
		page.Imports = ims[:limit]
		page.NextCursor = importOrder.cursor("created", &page.Imports[limit-1])
	}
	return page, nil
}

// QueueImport starts a draft import: it enqueues the job that runs it, in
// the same transaction, so an import is never queued without its job.
func (db *DB) QueueImport(ctx context.Context, actor Actor, id int64) (*Import, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: queue import %d: %w", id, ErrForbidden)
	}
	err := db.Tx(ctx, func(tx *DB) error {
		im, err := tx.Import(ctx, actor, id)
		if err != nil {
			return err
		}
		if im.Status != ImportDraft {
			return fmt.Errorf("models: import %d has started already: %w", id, ErrConflict)
		}
		if im.FilePath == "" {
			return &ValidationError{Fields: map[string]string{"file": "The file was not stored; upload it again."}}
		}
		uid := actor.UserID
		j, err := tx.EnqueueJob(ctx, JobRequest{Kind: ImportJobKind, Payload: map[string]int64{"import_id": id}, CreatedBy: &uid})
		if err != nil {
			return err
		}
		return tx.with(ctx).Model(&Import{}).Where("id = ?", id).
			Updates(map[string]any{"status": ImportQueued, "job_id": j.ID}).Error
	})
	if err != nil {
		return nil, err
	}
	return db.Import(ctx, actor, id)
}

// BeginImport marks an import running, when it is queued or resumes after
// a crash. It returns the import; ErrConflict when it was cancelled or has
// finished.
func (db *DB) BeginImport(ctx context.Context, id int64) (*Import, error) {
	t := now()
	res := db.with(ctx).Model(&Import{}).Where("id = ? AND status IN ?", id, []string{ImportDraft, ImportQueued, ImportRunning}).
		Updates(map[string]any{"status": ImportRunning, "started_at": gorm.Expr("COALESCE(started_at, ?)", t)})
	if res.Error != nil {
		return nil, fmt.Errorf("models: begin import %d: %w", id, res.Error)
	}
	im, err := db.ImportByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if res.RowsAffected == 0 {
		return im, fmt.Errorf("models: import %d is %s: %w", id, im.Status, ErrConflict)
	}
	return im, nil
}

// RecordImportBatch stores a batch's outcome: the running totals, the rows
// it rejected or warned about, the contacts it updated (changes, each with
// what undo restores) and those it created. Call it on the transaction
// that did the batch's work, so they commit together.
func (db *DB) RecordImportBatch(ctx context.Context, id int64, c ImportCounts, failures []ImportFailure, changes []ImportChange, created IDRanges) error {
	for i := range failures {
		failures[i].ImportID = id
	}
	for i := range changes {
		changes[i].ImportID = id
	}
	if len(failures) > 0 {
		if err := db.with(ctx).CreateInBatches(failures, 200).Error; err != nil {
			return fmt.Errorf("models: record failures of import %d: %w", id, err)
		}
	}
	if len(created) > 0 {
		_, err := insertRows(ctx, db, "import_created_ranges", []string{"import_id", "first_id", "last_id"}, len(created), false,
			func(i int, a []any) []any { return append(a, id, created[i].First, created[i].Last) })
		if err != nil {
			return fmt.Errorf("models: record contacts created by import %d: %w", id, err)
		}
	}
	if len(changes) > 0 {
		// A batch may update thousands of contacts: written as contacts'
		// lists are, not by GORM reflecting on each struct.
		_, err := insertRows(ctx, db, "import_changes", []string{"import_id", "contact_id", "action", "before"}, len(changes), false,
			func(i int, a []any) []any {
				ch := &changes[i]
				return append(a, ch.ImportID, ch.ContactID, ch.Action, ch.Before)
			})
		if err != nil {
			return fmt.Errorf("models: record changes of import %d: %w", id, err)
		}
	}
	err := db.with(ctx).Model(&Import{}).Where("id = ?", id).Updates(map[string]any{"rows_read": c.Read,
		"rows_created": c.Created, "rows_updated": c.Updated, "rows_skipped": c.Skipped, "rows_failed": c.Failed}).Error
	if err != nil {
		return fmt.Errorf("models: record counts of import %d: %w", id, err)
	}
	return nil
}

// FinishImport records an import's end: done, failed (with errMsg) or
// cancelled. A done import that wrote contacts may be undone for window.
// An import already cancelled stays cancelled.
func (db *DB) FinishImport(ctx context.Context, id int64, status, errMsg string, window time.Duration) error {
	t := now()
	set := map[string]any{"status": status, "error": errMsg, "finished_at": t}
	return db.Tx(ctx, func(tx *DB) error {
		res := tx.with(ctx).Model(&Import{}).Where("id = ? AND status IN ?", id, []string{ImportDraft, ImportQueued, ImportRunning}).
			Updates(set)
		if res.Error != nil {
			return fmt.Errorf("models: finish import %d: %w", id, res.Error)
		}
		// Whatever the end, a dry run's keys have served.
		if err := tx.ForgetDryRunKeys(ctx, id); err != nil {
			return err
		}
		if res.RowsAffected == 0 || status != ImportDone || window <= 0 {
			return nil
		}
		// A dry run wrote no contacts, so there is nothing to undo.
		err := tx.with(ctx).Model(&Import{}).Where("id = ? AND NOT dry_run", id).Update("undo_until", t.Add(window)).Error
		if err != nil {
			return fmt.Errorf("models: finish import %d: %w", id, err)
		}
		return nil
	})
}

// CancelImport stops an import that has not finished: a draft or queued
// one at once, a running one at its worker's next lease renewal.
func (db *DB) CancelImport(ctx context.Context, actor Actor, id int64) error {
	im, err := db.Import(ctx, actor, id)
	if err != nil {
		return err
	}
	if !actor.CanWrite() {
		return fmt.Errorf("models: cancel import %d: %w", id, ErrForbidden)
	}
	if im.Finished() {
		return nil
	}
	t := now()
	err = db.with(ctx).Model(&Import{}).Where("id = ? AND status IN ?", id, []string{ImportDraft, ImportQueued, ImportRunning}).
		Updates(map[string]any{"status": ImportCancelled, "finished_at": t}).Error
	if err != nil {
		return fmt.Errorf("models: cancel import %d: %w", id, err)
	}
	// A batch running now either committed its keys before the status
	// changed, or will remember none (RememberDryRunKeys).
	if err := db.ForgetDryRunKeys(ctx, id); err != nil {
		return err
	}
	if im.JobID != nil {
		if err := db.CancelJob(ctx, *im.JobID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return db.Audit(ctx, AuditEntry{Actor: &actor, Action: "import.cancel", SubjectType: "import", SubjectID: id,
		Detail: map[string]any{"filename": im.Filename}})
}

// RemoveDraftImport deletes a draft import whose file was refused, so that
// the list shows no import waiting for columns that never come. An import
// past the draft is left alone.
func (db *DB) RemoveDraftImport(ctx context.Context, id int64) error {
	if err := db.with(ctx).Where("id = ? AND status = ?", id, ImportDraft).Delete(&Import{}).Error; err != nil {
		return fmt.Errorf("models: remove draft import %d: %w", id, err)
	}
	return nil
}

// ImportValuesLeftOut counts the values an import left out of rows it
// still used (a birthday without a year, a phone number it could not
// read): the failures that are warnings, not rejected rows.
func (db *DB) ImportValuesLeftOut(ctx context.Context, actor Actor, id int64) (int64, error) {
	if _, err := db.Import(ctx, actor, id); err != nil {
		return 0, err
	}
	var n int64
	if err := db.with(ctx).Model(&ImportFailure{}).Where("import_id = ? AND NOT rejected", id).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: values left out by import %d: %w", id, err)
	}
	return n, nil
}

// EachImportFailure calls fn with the import's rejected rows (or every
// failure, warnings too, when all) in file order, a batch at a time.
func (db *DB) EachImportFailure(ctx context.Context, actor Actor, id int64, all bool, fn func([]ImportFailure) error) error {
	if _, err := db.Import(ctx, actor, id); err != nil {
		return err
	}
	var last struct {
		line int
		id   int64
	}
	for {
		q := db.with(ctx).Where("import_id = ?", id).Where("(line > ? OR (line = ? AND id > ?))", last.line, last.line, last.id)
		if !all {
			q = q.Where("rejected")
		}
		var batch []ImportFailure
		if err := q.Order("line, id").Limit(500).Find(&batch).Error; err != nil {
			return fmt.Errorf("models: failures of import %d: %w", id, err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		l := batch[len(batch)-1]
		last.line, last.id = l.Line, l.ID
	}
}

// ImportCreatedContacts returns the contacts an import created, so a
// resumed import recognises rows that repeat earlier ones and undo deletes
// them: the ranges its batches recorded, and the one row per contact of
// imports made before migration 00014.
func (db *DB) ImportCreatedContacts(ctx context.Context, id int64) (IDRanges, error) {
	var rs IDRanges
	err := db.with(ctx).Table("import_created_ranges").Where("import_id = ?", id).Order("first_id").
		Select("first_id AS first, last_id AS last").Scan(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("models: contacts created by import %d: %w", id, err)
	}
	var ids []int64
	err = db.with(ctx).Model(&ImportChange{}).Where("import_id = ? AND action = ?", id, ImportChangeCreated).
		Pluck("contact_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("models: contacts created by import %d: %w", id, err)
	}
	return rs.Merge(RangesOf(ids)), nil
}

// FindImportMatch returns the visible contact a row to import duplicates,
// or nil: the newest with one of its emails, else with one of its phone
// numbers, else, when byNameCompany, the oldest with the same name at the
// same company. It is ImportMatches for one row.
func (db *DB) FindImportMatch(ctx context.Context, actor Actor, req ContactRequest, byNameCompany bool) (*Contact, error) {
	ids, err := db.ImportMatches(ctx, actor, []ImportKeys{ImportKeysOf(req, byNameCompany)})
	if err != nil || ids[0] == 0 {
		return nil, err
	}
	return db.Contact(ctx, actor, ids[0])
}

// UndoResult says what undoing an import did.
type UndoResult struct {
	Deleted  int `json:"deleted"`
	Restored int `json:"restored"`
	// Missing counts contacts gone or hidden since (deleted, merged, moved
	// to a department the actor is not in), which were left alone.
	Missing int `json:"missing"`
}

// UndoImport reverses a finished import within its undo window: the
// contacts it created go to the bin and the fields it changed get their
// earlier values back. It is all or nothing, and audited.
func (db *DB) UndoImport(ctx context.Context, actor Actor, id int64) (*UndoResult, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: undo import %d: %w", id, ErrForbidden)
	}
	var res UndoResult
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockImport(ctx, id); err != nil {
			return err
		}
		im, err := tx.Import(ctx, actor, id)
		if err != nil {
			return err
		}
		if !im.Undoable(now()) {
			return &ValidationError{Fields: map[string]string{"import": "This import can no longer be undone: only finished imports, within their undo window, can be."}}
		}
		created, err := tx.ImportCreatedContacts(ctx, id)
		if err != nil {
			return err
		}
		for _, r := range slices.Backward(created) {
			for cid := r.Last; cid >= r.First; cid-- {
				err := tx.DeleteContact(ctx, actor, cid)
				if errors.Is(err, ErrNotFound) {
					res.Missing++
					continue
				}
				if err != nil {
					return fmt.Errorf("models: undo import %d: %w", id, err)
				}
				res.Deleted++
			}
		}
		var changes []ImportChange
		// Newest first, so a contact the import changed twice ends as it was
		// before the first change.
		if err := tx.with(ctx).Where("import_id = ? AND action = ?", id, ImportChangeUpdated).Order("id DESC").
			Find(&changes).Error; err != nil {
			return fmt.Errorf("models: undo import %d: %w", id, err)
		}
		for _, ch := range changes {
			var p ContactPatch
			if err := json.Unmarshal([]byte(ch.Before), &p); err != nil {
				return fmt.Errorf("models: undo import %d: decode change %d: %w", id, ch.ID, err)
			}
			c, err := tx.Contact(ctx, actor, ch.ContactID)
			if errors.Is(err, ErrNotFound) {
				res.Missing++
				continue
			}
			if err != nil {
				return err
			}
			p.Version = c.Version
			if _, err := tx.UpdateContact(ctx, actor, c.ID, p); err != nil {
				return fmt.Errorf("models: undo import %d: restore contact %d: %w", id, c.ID, err)
			}
			res.Restored++
		}
		if err := tx.with(ctx).Model(&Import{}).Where("id = ?", id).Update("undone_at", now()).Error; err != nil {
			return fmt.Errorf("models: undo import %d: %w", id, err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "import.undo", SubjectType: "import", SubjectID: id,
			Detail: map[string]any{"filename": im.Filename, "deleted": res.Deleted, "restored": res.Restored, "missing": res.Missing}})
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// lockImport takes the import's row lock (on SQLite, the write lock), so
// two undos of one import queue up instead of both running.
func (tx *DB) lockImport(ctx context.Context, id int64) error {
	if err := tx.with(ctx).Exec("UPDATE imports SET id = id WHERE id = ?", id).Error; err != nil {
		return fmt.Errorf("models: lock import %d: %w", id, err)
	}
	return nil
}

// ImportMapping is a column mapping saved under a name.
type ImportMapping struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Mapping   string    `json:"mapping"` // JSON csvio.Mapping
	CreatedBy *int64    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TableName maps ImportMapping to import_mappings.
func (ImportMapping) TableName() string { return "import_mappings" }

// ImportMappingByName returns the saved mapping of that name (any case):
// the actor's own when they saved one, else the only one of that name.
// Names are unique per person, so two colleagues may each have "Google";
// then the name alone is ambiguous, and the error says so.
func (db *DB) ImportMappingByName(ctx context.Context, actor Actor, name string) (*ImportMapping, error) {
	var ms []ImportMapping
	if err := db.with(ctx).Where("lower(name) = lower(?)", strings.TrimSpace(name)).Order("id").Limit(50).
		Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("models: import mapping %q: %w", name, err)
	}
	for i := range ms {
		if ms[i].CreatedBy != nil && *ms[i].CreatedBy == actor.UserID {
			return &ms[i], nil
		}
	}
	switch len(ms) {
	case 0:
		return nil, fmt.Errorf("models: import mapping %q: %w", name, ErrNotFound)
	case 1:
		return &ms[0], nil
	}
	return nil, &ValidationError{Fields: map[string]string{"mapping": fmt.Sprintf(
		"%d people saved a mapping named %q; save your own under that name, or use another.", len(ms), name)}}
}

// ImportMappings lists the saved mappings by name.
func (db *DB) ImportMappings(ctx context.Context) ([]ImportMapping, error) {
	var ms []ImportMapping
	if err := db.with(ctx).Order("name").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("models: list import mappings: %w", err)
	}
	return ms, nil
}

// SetImportFormat records whether a draft import's file is CSV or vCard.
func (db *DB) SetImportFormat(ctx context.Context, id int64, format string) error {
	if format != ImportCSV && format != ImportVCard {
		return &ValidationError{Fields: map[string]string{"format": "Import a CSV or vCard file."}}
	}
	if err := db.with(ctx).Model(&Import{}).Where("id = ? AND status = ?", id, ImportDraft).Update("format", format).Error; err != nil {
		return fmt.Errorf("models: set format of import %d: %w", id, err)
	}
	return nil
}
