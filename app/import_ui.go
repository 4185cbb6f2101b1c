package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/labstack/echo/v4"

	"rapport/app/csvio"
	"rapport/app/importer"
	"rapport/models"
	"rapport/views/imports"
)

// previewSize is how many rows the mapping step shows.
const previewSize = 10

// importParam loads the import named in the path, if the actor may see it:
// their own, or any for an admin. Others get 404.
func (s *Server) importParam(c echo.Context) (*models.Import, error) {
	id, err := apiRecordID(c)
	if err != nil {
		return nil, err
	}
	a, _ := actorOf(c)
	return s.db.Import(c.Request().Context(), a, id)
}

// storeUpload stores the uploaded file of a multipart request as a draft
// import with the options the form or API call carries.
func (s *Server) storeUpload(c echo.Context, mapping *csvio.Mapping) (*models.Import, error) {
	// The body is read to disk as it arrives; past the limit (and room
	// for the form's other fields) reading stops (see guardUploads), so a
	// huge or endless upload cannot fill the disk.
	limit := s.cfg.ImportMaxBytes
	if c.Request().ContentLength > limit+uploadFormRoom {
		return nil, uploadTooLarge(limit)
	}
	fh, err := c.FormFile("file")
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, uploadTooLarge(limit)
	}
	if err != nil {
		return nil, &models.ValidationError{Fields: map[string]string{"file": "Choose a file to import."}}
	}
	if fh.Size > limit {
		return nil, uploadTooLarge(limit)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("import upload: %w", err)
	}
	defer f.Close()
	a, _ := actorOf(c)
	req := importer.Request{Filename: fh.Filename, OnDuplicate: c.FormValue("on_duplicate"), PhoneRegion: c.FormValue("phone_region"),
		MatchNameCompany: formBool(c.FormValue("match_name_company")), DryRun: formBool(c.FormValue("dry_run")), Mapping: mapping}
	return importer.Upload(c.Request().Context(), s.db, a, s.cfg.DataDir, req, f)
}

// uploadFormRoom is what an upload's body may hold besides the file: the
// other fields of the form and the multipart headers.
const uploadFormRoom = 1 << 20

// uploadTooLarge refuses a file past the import limit, saying what to do.
func uploadTooLarge(limit int64) error {
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than the %s an upload may import. "+
		"Split it into smaller files, or import it on the server with rapport import, which has no limit.", humanize.IBytes(uint64(limit))))
}

func formBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

// queueImport queues a draft import's job and wakes the runner, if this
// process has one; otherwise a runner in another process picks it up.
func (s *Server) queueImport(c echo.Context, id int64) (*models.Import, error) {
	a, _ := actorOf(c)
	im, err := s.db.QueueImport(c.Request().Context(), a, id)
	if err != nil {
		return nil, err
	}
	if s.jobs != nil {
		s.jobs.Wake()
	}
	return im, nil
}

// importUpload stores the file and opens the mapping step.
func (s *Server) importUpload(c echo.Context) error {
	im, err := s.storeUpload(c, nil)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		s.setFlash(c, "error", validationText(ve))
		return c.Redirect(http.StatusSeeOther, "/import-export")
	}
	var fe *csvio.FileError
	if errors.As(err, &fe) {
		s.setFlash(c, "error", "The file could not be read as CSV: "+fe.Error())
		return c.Redirect(http.StatusSeeOther, "/import-export")
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		s.setFlash(c, "error", fmt.Sprint(he.Message))
		return c.Redirect(http.StatusSeeOther, "/import-export")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
}

func validationText(ve *models.ValidationError) string {
	msgs := make([]string, 0, len(ve.Fields))
	for _, m := range ve.Fields {
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return "The import could not be started."
	}
	return strings.Join(msgs, " ")
}

// importShow is the mapping step of a draft import, else its progress.
func (s *Server) importShow(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	if im.Status == models.ImportDraft {
		return s.renderMapping(c, http.StatusOK, im, nil, "")
	}
	d, err := s.importStatusData(c, im)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, imports.ShowPage(s.page(c, "Import", "import-export"), imports.ShowData{Status: d}))
}

// renderMapping shows the mapping step with m, or with the import's stored
// mapping when m is nil.
func (s *Server) renderMapping(c echo.Context, status int, im *models.Import, m *csvio.Mapping, msg string) error {
	d, err := s.mappingData(c.Request().Context(), im, m)
	if err != nil {
		return err
	}
	if msg != "" {
		d.Error = msg
	}
	saved, err := s.db.ImportMappings(c.Request().Context())
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	for _, sm := range saved {
		d.Saved = append(d.Saved, imports.SavedMapping{ID: sm.ID, Name: sm.Name, CanDelete: sm.Deletable(a)})
	}
	return s.render(c, status, imports.MappingPage(s.page(c, "Import "+im.Filename, "import-export"), d))
}

// mappingData reads the first rows of a draft import's file and maps them
// with m, or with the import's stored mapping when m is nil.
func (s *Server) mappingData(ctx context.Context, im *models.Import, m *csvio.Mapping) (imports.MappingData, error) {
	d := imports.MappingData{Import: im}
	if im.Format != models.ImportCSV {
		return d, nil
	}
	if m == nil {
		m = &csvio.Mapping{}
		if err := json.Unmarshal([]byte(im.Mapping), m); err != nil {
			return d, fmt.Errorf("import %d: mapping: %w", im.ID, err)
		}
	}
	defs, err := s.db.CustomFieldDefs(ctx)
	if err != nil {
		return d, err
	}
	p, err := importer.PreviewFile(im.FilePath, m, previewSize, defs)
	var fe *csvio.FileError
	if errors.As(err, &fe) {
		d.Error = "The file could not be read as CSV: " + fe.Error()
		p = &importer.Preview{Header: im.Columns()}
	} else if err != nil {
		return d, err
	}
	d.PhoneRegion = m.PhoneRegion
	for _, f := range csvio.Fields() {
		d.Fields = append(d.Fields, string(f))
	}
	d.CustomLabels = map[string]string{}
	for _, def := range defs {
		f := string(csvio.CustomField(def.Key))
		d.Fields, d.CustomLabels[f] = append(d.Fields, f), def.Label
	}
	for i, name := range p.Header {
		col := imports.Column{Index: i, Name: name, Field: string(csvio.FieldIgnore)}
		if cm, ok := m.For(name); ok {
			col.Field = string(cm.Field)
		}
		if len(p.Rows) > 0 && i < len(p.Rows[0].Fields) {
			col.Sample = p.Rows[0].Fields[i]
		}
		d.Columns = append(d.Columns, col)
	}
	for _, r := range p.Rows {
		d.Rows = append(d.Rows, previewRow(r))
	}
	return d, nil
}

// draftImport loads the import a form posted to and reads the form, for
// the handlers that edit a draft. An import that has already started
// answers with its page instead, so a form left open in another tab cannot
// change it: then, and on an error, done is true and the handler returns
// err.
func (s *Server) draftImport(c echo.Context) (im *models.Import, done bool, err error) {
	if im, err = s.importParam(c); err != nil {
		return nil, true, err
	}
	if im.Status != models.ImportDraft {
		return nil, true, c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
	}
	if _, err := c.FormParams(); err != nil {
		return nil, true, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read; try again.")
	}
	return im, false, nil
}

// importPreview maps the first rows again with the columns as the form has
// them now: htmx asks on every change and swaps in the preview; without
// script the "Update preview" button shows the whole step.
func (s *Server) importPreview(c echo.Context) error {
	im, done, err := s.draftImport(c)
	if done {
		return err
	}
	msg := ""
	m, err := editedMapping(c, im)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		msg, m = validationText(ve), nil
	} else if err != nil {
		return err
	}
	if !isHTMX(c) {
		return s.renderMapping(c, http.StatusOK, im, m, msg)
	}
	d, err := s.mappingData(c.Request().Context(), im, m)
	if err != nil {
		return err
	}
	if msg != "" {
		d.Error = msg
	}
	return s.render(c, http.StatusOK, imports.Preview(d))
}

func previewRow(r importer.PreviewRow) imports.PreviewRow {
	q := r.Request
	name := strings.TrimSpace(q.GivenName + " " + q.FamilyName)
	if name == "" {
		name = q.DisplayName
	}
	var emails, phones []string
	for _, e := range q.Emails {
		emails = append(emails, e.Address)
	}
	for _, p := range q.Phones {
		phones = append(phones, p.Number)
	}
	return imports.PreviewRow{Line: r.Line, Name: name, Company: q.CompanyName, Emails: strings.Join(emails, ", "),
		Phones: strings.Join(phones, ", "), Tags: strings.Join(q.Tags, ", "), Problems: r.Problems}
}

// editedMapping applies the mapping form's choices (col_N, one per column
// of the header) to the import's stored mapping. A column whose field
// changed loses its grouping and label, which belonged to the old field.
func editedMapping(c echo.Context, im *models.Import) (*csvio.Mapping, error) {
	var m csvio.Mapping
	if err := json.Unmarshal([]byte(im.Mapping), &m); err != nil {
		return nil, fmt.Errorf("import %d: mapping: %w", im.ID, err)
	}
	if v, ok := c.Request().Form["phone_region"]; ok && len(v) > 0 {
		r, err := importer.PhoneRegion(v[0])
		if err != nil {
			return nil, err
		}
		m.PhoneRegion = r
	}
	for i, name := range im.Columns() {
		v, ok := c.Request().Form["col_"+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			continue
		}
		f := csvio.Field(v[0])
		if !f.Valid() {
			return nil, &models.ValidationError{Fields: map[string]string{"mapping": fmt.Sprintf("Choose a field from the list for column %q.", name)}}
		}
		found := false
		for j := range m.Columns {
			if m.Columns[j].Column == name {
				found = true
				if m.Columns[j].Field != f {
					m.Columns[j] = csvio.ColumnMapping{Column: name, Field: f}
				}
			}
		}
		if !found {
			m.Columns = append(m.Columns, csvio.ColumnMapping{Column: name, Field: f})
		}
	}
	if err := m.Validate(); err != nil {
		return nil, &models.ValidationError{Fields: map[string]string{"mapping": err.Error()}}
	}
	return &m, nil
}

// importStart saves the edited mapping and the dry-run choice and queues
// the import.
func (s *Server) importStart(c echo.Context) error {
	im, done, err := s.draftImport(c)
	if done {
		return err
	}
	opts := models.ImportOptions{OnDuplicate: im.OnDuplicate, MatchNameCompany: im.MatchNameCompany, DryRun: formBool(c.FormValue("dry_run"))}
	if im.Format == models.ImportCSV {
		m, err := editedMapping(c, im)
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return s.renderMapping(c, http.StatusUnprocessableEntity, im, nil, validationText(ve))
		}
		if err != nil {
			return err
		}
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		opts.Mapping = string(b)
	}
	a, _ := actorOf(c)
	if im, err = s.db.UpdateImportOptions(c.Request().Context(), a, im.ID, opts); err != nil {
		return err
	}
	if _, err := s.queueImport(c, im.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
}

func (s *Server) importStatusData(c echo.Context, im *models.Import) (imports.StatusData, error) {
	a, _ := actorOf(c)
	d := imports.StatusData{Import: im, Done: im.RowsRead, CanWrite: a.CanWrite(), Now: time.Now()}
	if im.Finished() {
		n, err := s.db.ImportValuesLeftOut(c.Request().Context(), a, im.ID)
		if err != nil {
			return d, err
		}
		d.LeftOut = n
	}
	if im.JobID != nil && !im.Finished() {
		j, err := s.db.JobByID(c.Request().Context(), *im.JobID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return d, err
		}
		if j != nil {
			d.Done, d.Total = j.ProgressDone, j.ProgressTotal
		}
	}
	return d, nil
}

// importStatus is the progress fragment the import page polls.
func (s *Server) importStatus(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
	}
	d, err := s.importStatusData(c, im)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, imports.Status(s.page(c, "", ""), d))
}

// importCancel stops an import that has not finished, or discards a draft.
func (s *Server) importCancel(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	if err := s.db.CancelImport(c.Request().Context(), a, im.ID); err != nil {
		return err
	}
	if im.Status == models.ImportDraft {
		s.setFlash(c, "ok", "The import was discarded.")
		return c.Redirect(http.StatusSeeOther, "/import-export")
	}
	s.setFlash(c, "ok", "The import was cancelled. Rows it saved before stopping stay; undo them from this page.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
}

// importUndo reverses a finished import within its undo window.
func (s *Server) importUndo(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	res, err := s.db.UndoImport(c.Request().Context(), a, im.ID)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		s.setFlash(c, "error", validationText(ve))
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Import undone: %d contacts moved to the bin, %d restored.", res.Deleted, res.Restored)
	if res.Missing > 0 {
		msg += fmt.Sprintf(" %d were changed or removed since and left alone.", res.Missing)
	}
	s.setFlash(c, "ok", msg)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
}

// importRejected downloads the rows the import rejected, with an "error"
// column saying why.
func (s *Server) importRejected(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	return s.writeRejected(c, im, false)
}

// importProblems downloads every problem of an import: its rejected rows
// and the values it left out of rows it imported.
func (s *Server) importProblems(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	return s.writeRejected(c, im, true)
}

func (s *Server) writeRejected(c echo.Context, im *models.Import, all bool) error {
	a, _ := actorOf(c)
	name := "rejected"
	if all {
		name = "problems"
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="import-%d-%s.csv"`, im.ID, name))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	if err := importer.WriteRejected(c.Request().Context(), s.db, a, im, all, c.Response()); err != nil {
		s.log.Error("rejected rows download failed part-way", "err", err, "import", im.ID, "request_id", requestID(c))
	}
	return nil
}
