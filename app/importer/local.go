package importer

import "rapport/models"

// LocalTracker tracks a run in this process, without a job, as the
// command line runs an import: there is no checkpoint to resume from, and
// progress goes to OnProgress.
type LocalTracker struct {
	OnProgress func(done, total int64, p Progress)
}

// Checkpoint is always empty: a local run starts at the beginning.
func (LocalTracker) Checkpoint() string { return "" }

// SaveCheckpoint keeps nothing: the import's own counters are committed
// with each batch.
func (LocalTracker) SaveCheckpoint(*models.DB, string) error { return nil }

// SetProgress passes progress on.
func (l LocalTracker) SetProgress(done, total int64, detail any) {
	if p, ok := detail.(Progress); ok && l.OnProgress != nil {
		l.OnProgress(done, total, p)
	}
}
