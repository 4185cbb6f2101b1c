package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"rapport/app/csvio"
	"rapport/models"
)

// Request says what to import and how.
type Request struct {
	Filename string // as the person named it
	Format   string // models.ImportCSV or ImportVCard; detected when empty
	// Mapping maps a CSV file's columns; nil takes the one csvio suggests
	// for its header.
	Mapping *csvio.Mapping
	// PhoneRegion, when set, is the country of the file's phone numbers
	// written without a country code (see csvio.Mapping.PhoneRegion).
	PhoneRegion      string
	OnDuplicate      string
	MatchNameCompany bool
	DryRun           bool
}

// previewRows is how many rows the suggested mapping looks at.
const previewRows = 20

// Upload stores the file read from r under dataDir/imports/<id>/ and
// records a draft import of it. The file streams to disk: an upload of any
// size takes the same memory.
func Upload(ctx context.Context, db *models.DB, actor models.Actor, dataDir string, req Request, r io.Reader) (*models.Import, error) {
	imp, err := create(ctx, db, actor, req)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(StoreDir(dataDir), strconv.FormatInt(imp.ID, 10))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("import: store upload: %w", err)
	}
	path := filepath.Join(dir, "upload")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("import: store upload: %w", err)
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("import: store upload: %w", err)
	}
	imp, err = attach(ctx, db, actor, imp, path, req)
	if err != nil {
		os.RemoveAll(dir)
	}
	return imp, err
}

// Local records a draft import of a file that is already on disk, as the
// command line imports it.
func Local(ctx context.Context, db *models.DB, actor models.Actor, path string, req Request) (*models.Import, error) {
	if req.Filename == "" {
		req.Filename = filepath.Base(path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	imp, err := create(ctx, db, actor, req)
	if err != nil {
		return nil, err
	}
	return attach(ctx, db, actor, imp, abs, req)
}

func create(ctx context.Context, db *models.DB, actor models.Actor, req Request) (*models.Import, error) {
	if _, err := PhoneRegion(req.PhoneRegion); err != nil {
		return nil, err
	}
	return db.CreateImport(ctx, actor, models.ImportRequest{Filename: req.Filename, Format: models.ImportCSV,
		OnDuplicate: req.OnDuplicate, MatchNameCompany: req.MatchNameCompany, DryRun: req.DryRun})
}

// attach inspects the stored file (its format, header and the mapping to
// use) and records it on the draft. When the file is refused, the draft
// goes: nothing would ever come of it.
func attach(ctx context.Context, db *models.DB, actor models.Actor, imp *models.Import, path string, req Request) (*models.Import, error) {
	done, err := inspect(ctx, db, actor, imp, path, req)
	if err != nil {
		if rerr := db.RemoveDraftImport(context.WithoutCancel(ctx), imp.ID); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
	}
	return done, err
}

func inspect(ctx context.Context, db *models.DB, actor models.Actor, imp *models.Import, path string, req Request) (*models.Import, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	format := req.Format
	if format == "" {
		if format, err = detectFormat(path); err != nil {
			return nil, err
		}
	}
	header := []string{"card"} // a vCard's rejected rows name the card
	mapping := "{}"
	if format == models.ImportCSV {
		defs, err := db.CustomFieldDefs(ctx)
		if err != nil {
			return nil, err
		}
		p, err := PreviewFile(path, req.Mapping, 0, defs)
		if err != nil {
			return nil, err
		}
		header = p.Header
		if req.PhoneRegion != "" {
			p.Mapping.PhoneRegion, _ = PhoneRegion(req.PhoneRegion)
		}
		b, err := json.Marshal(p.Mapping)
		if err != nil {
			return nil, err
		}
		mapping = string(b)
	} else if req.PhoneRegion != "" {
		// A vCard has no columns; its mapping holds the region alone.
		region, _ := PhoneRegion(req.PhoneRegion)
		b, err := json.Marshal(csvio.Mapping{PhoneRegion: region})
		if err != nil {
			return nil, err
		}
		mapping = string(b)
	}
	if err := db.SetImportFile(ctx, imp.ID, path, st.Size(), header); err != nil {
		return nil, err
	}
	if err := db.SetImportFormat(ctx, imp.ID, format); err != nil {
		return nil, err
	}
	return db.UpdateImportOptions(ctx, actor, imp.ID, models.ImportOptions{Mapping: mapping,
		OnDuplicate: req.OnDuplicate, MatchNameCompany: req.MatchNameCompany, DryRun: req.DryRun})
}

// PhoneRegion checks the country a person gave for phone numbers written
// without a country code, and returns it as a mapping keeps it
// (DefaultPhoneRegion when empty).
func PhoneRegion(region string) (string, error) {
	r, ok := models.PhoneRegion(region)
	if !ok {
		return "", &models.ValidationError{Fields: map[string]string{"phone_region": fmt.Sprintf(
			"%q is not a country Rapport knows. Enter the two-letter code of the country the phone numbers are in, such as DE, FR or GB.", region)}}
	}
	return r, nil
}

// detectFormat tells a vCard file from a CSV one by its name, else by its
// first line.
func detectFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".vcf", ".vcard":
		return models.ImportVCard, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	head, _ := bufio.NewReader(f).Peek(64)
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	if bytes.HasPrefix(bytes.ToUpper(bytes.TrimSpace(head)), []byte("BEGIN:VCARD")) {
		return models.ImportVCard, nil
	}
	return models.ImportCSV, nil
}

// Preview is a CSV file's header, the mapping for it and its first rows as
// they would be stored.
type Preview struct {
	Header  []string
	Layout  csvio.Layout
	Mapping csvio.Mapping
	Rows    []PreviewRow
}

// PreviewRow is one row of a preview: its cells and what Map makes of it.
type PreviewRow struct {
	Line     int
	Fields   []string
	Request  models.ContactRequest
	Problems []string
}

// PreviewFile reads the header and first rows of the CSV file at path.
// With a nil mapping it suggests one from them, with columns named after
// the custom fields defs mapped to those. It keeps n rows (none when n is
// 0) mapped for display, their custom field values checked against defs.
func PreviewFile(path string, m *csvio.Mapping, n int, defs []models.CustomFieldDef) (*Preview, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	rd, err := csvio.Open(f, csvio.ReadOptions{})
	if err != nil {
		return nil, err
	}
	p := &Preview{Header: rd.Header(), Layout: csvio.Detect(rd.Header())}
	var recs []csvio.Record
	var sample [][]string
	for len(sample) < max(n, previewRows) {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue
		}
		rec.Fields = clone(rec.Fields)
		recs = append(recs, rec)
		sample = append(sample, rec.Fields)
	}
	if m != nil {
		p.Mapping = *m
	} else {
		p.Mapping = csvio.SuggestFromSample(p.Header, sample)
		p.Mapping.MatchCustomFields(defs)
	}
	p.Mapping.CustomFields = defs
	for i := 0; i < n && i < len(recs); i++ {
		req, problems := csvio.Map(recs[i], p.Mapping)
		pr := PreviewRow{Line: recs[i].Line, Fields: recs[i].Fields, Request: req}
		for _, pb := range problems {
			pr.Problems = append(pr.Problems, pb.Error())
		}
		p.Rows = append(p.Rows, pr)
	}
	return p, nil
}
