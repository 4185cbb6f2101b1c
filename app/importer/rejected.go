package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"rapport/app/csvio"
	"rapport/models"
)

// WriteRejected writes an import's rejected rows as CSV: the file's own
// columns and an "error" column saying on which line of the original file
// and why ("line 7: …"), so a person can find, fix and import them again;
// the line lives in the error text, not a column of its own, so the fixed
// file maps like the original. With all, the rows it imported but left a
// value out of come too, one line per value left out. Cells and column
// names are guarded against formula injection as the export's are.
func WriteRejected(ctx context.Context, db *models.DB, actor models.Actor, imp *models.Import, all bool, w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	// The header is the uploaded file's, as untrusted as its cells.
	var header []string
	for _, col := range imp.Columns() {
		header = append(header, csvio.GuardFormula(col))
	}
	header = append(header, "error")
	if err := cw.Write(header); err != nil {
		return err
	}
	width := len(header) - 1
	err := db.EachImportFailure(ctx, actor, imp.ID, all, func(batch []models.ImportFailure) error {
		for _, f := range batch {
			cells := f.Fields()
			rec := make([]string, width+1)
			for i := 0; i < width && i < len(cells); i++ {
				rec[i] = csvio.GuardFormula(cells[i])
			}
			rec[width] = csvio.GuardFormula(fmt.Sprintf("line %d: %s", f.Line, f.Reason))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
