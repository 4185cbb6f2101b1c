package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"rapport/app/csvio"
	"rapport/app/importer"
	"rapport/models"
)

// importContacts imports a CSV or vCard file as the user named by --as,
// through the same pipeline as the web import but in this process rather
// than on the job queue. Rejected rows are written next to the file as
// FILE.rejected.csv, with an "error" column, so they can be fixed and
// imported again.
func importContacts(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("import", env)
	as := fs.String("as", "", "email of the user to import as: contacts are theirs and duplicates are looked for among those they may see (required)")
	mapping := fs.String("mapping", "auto", "name of a saved column mapping, or auto to use the one suggested for the file's header")
	onDup := fs.String("on-duplicate", models.DuplicateSkip, "what to do with a row matching an existing contact: skip, fill (empty fields only) or overwrite")
	byName := fs.Bool("match-name-company", false, "also treat a row with the same name at the same company as a duplicate")
	dry := fs.Bool("dry-run", false, "check every row and report problems without saving anything")
	region := fs.String("phone-region", "", "country of the CSV file's phone numbers written without a country code, as two letters such as DE (default "+models.DefaultPhoneRegion+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *as == "" || fs.NArg() != 1 {
		return usageError{"give --as EMAIL and exactly one FILE to import"}
	}
	path := fs.Arg(0)
	db, u, err := openAs(ctx, env, cfg, *as)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := u.Actor("cli")
	req := importer.Request{OnDuplicate: *onDup, MatchNameCompany: *byName, DryRun: *dry, PhoneRegion: *region}
	if *mapping != "" && *mapping != "auto" {
		saved, err := db.ImportMappingByName(ctx, actor, *mapping)
		var ve *models.ValidationError
		switch {
		case errors.As(err, &ve):
			return errors.New(ve.Fields["mapping"])
		case errors.Is(err, models.ErrNotFound):
			return fmt.Errorf("no saved mapping named %q", *mapping)
		case err != nil:
			return err
		}
		var m csvio.Mapping
		if err := json.Unmarshal([]byte(saved.Mapping), &m); err != nil {
			return fmt.Errorf("saved mapping %q: %w", *mapping, err)
		}
		req.Mapping = &m
	}
	imp, err := importer.Local(ctx, db, actor, path, req)
	if err != nil {
		return err
	}
	last := -1
	tracker := importer.LocalTracker{OnProgress: func(done, total int64, p importer.Progress) {
		pct := 100
		if total > 0 {
			pct = int(done * 100 / total)
		}
		if pct != last {
			last = pct
			fmt.Fprintf(env.Stderr, "\r%3d%%  %d of %d rows: %d created, %d updated, %d skipped, %d failed",
				pct, done, total, p.Created, p.Updated, p.Skipped, p.Failed)
		}
	}}
	done, err := importer.New(db, importer.Options{Logger: cfg.Logger(env.Stderr)}).Run(ctx, imp.ID, tracker)
	fmt.Fprintln(env.Stderr)
	if err != nil {
		if ctx.Err() != nil {
			_ = db.FinishImport(context.WithoutCancel(ctx), imp.ID, models.ImportCancelled, "interrupted", 0)
		} else {
			_ = db.FinishImport(context.WithoutCancel(ctx), imp.ID, models.ImportFailed, err.Error(), 0)
		}
		return err
	}
	verb := "imported"
	if *dry {
		verb = "checked (dry run, nothing saved)"
	}
	fmt.Fprintf(env.Stderr, "%s %s: %d rows read, %d created, %d updated, %d skipped, %d rejected (import %d)\n",
		path, verb, done.RowsRead, done.RowsCreated, done.RowsUpdated, done.RowsSkipped, done.RowsFailed, done.ID)
	if done.RowsFailed > 0 {
		out := path + ".rejected.csv"
		if err := writeRejected(ctx, db, actor, done, false, out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "rejected rows, with the reason in an \"error\" column: %s\n", out)
	}
	leftOut, err := db.ImportValuesLeftOut(ctx, actor, done.ID)
	if err != nil {
		return err
	}
	if leftOut > 0 {
		out := path + ".problems.csv"
		if err := writeRejected(ctx, db, actor, done, true, out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "values left out of imported rows: %d; every problem, with the reason in an \"error\" column: %s\n", leftOut, out)
	}
	if done.RowsRead > 0 && done.RowsCreated+done.RowsUpdated+done.RowsSkipped == 0 {
		return errors.New("nothing could be imported")
	}
	if done.RowsRead == 0 {
		return errors.New("the file holds no rows")
	}
	return nil
}

func writeRejected(ctx context.Context, db *models.DB, actor models.Actor, imp *models.Import, all bool, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := importer.WriteRejected(ctx, db, actor, imp, all, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
