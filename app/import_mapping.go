package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/app/csvio"
	"rapport/models"
)

// Saved column mappings: named on an import's mapping step, picked again
// for the next file, and managed over the API as header → field objects.

// withSaved applies a saved mapping to the mapping proposed for a file:
// each column of header that the saved mapping names takes the saved
// field; the others keep the proposal. A column whose field is unchanged
// keeps the proposal's grouping and labels, which fit this file.
func withSaved(proposed, saved csvio.Mapping, header []string) csvio.Mapping {
	out := proposed
	out.Columns = slices.Clone(proposed.Columns)
	for _, name := range header {
		sc, ok := saved.For(name)
		if !ok {
			continue
		}
		sc.Column = name
		i := slices.IndexFunc(out.Columns, func(c csvio.ColumnMapping) bool { return c.Column == name })
		switch {
		case i < 0:
			out.Columns = append(out.Columns, sc)
		case out.Columns[i].Field != sc.Field:
			out.Columns[i] = sc
		}
	}
	return out
}

// savedMapping loads and decodes a saved mapping.
func (s *Server) savedMapping(c echo.Context, id int64) (*models.ImportMapping, csvio.Mapping, error) {
	var m csvio.Mapping
	sm, err := s.db.ImportMappingByID(c.Request().Context(), id)
	if err != nil {
		return nil, m, err
	}
	if err := json.Unmarshal([]byte(sm.Mapping), &m); err != nil {
		return nil, m, fmt.Errorf("import mapping %d: %w", id, err)
	}
	return sm, m, nil
}

// applySavedMapping stores the import's proposed mapping with the saved
// one applied, for a draft import.
func (s *Server) applySavedMapping(c echo.Context, im *models.Import, id int64) (*models.Import, error) {
	_, saved, err := s.savedMapping(c, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, &models.ValidationError{Fields: map[string]string{"mapping_id": "There is no saved mapping with that id; list them at /api/v1/import-mappings."}}
	}
	if err != nil {
		return nil, err
	}
	var proposed csvio.Mapping
	if err := json.Unmarshal([]byte(im.Mapping), &proposed); err != nil {
		return nil, fmt.Errorf("import %d: mapping: %w", im.ID, err)
	}
	return s.saveImportMapping(c, im, withSaved(proposed, saved, im.Columns()))
}

// saveImportMapping replaces a draft import's mapping, keeping its other
// options.
func (s *Server) saveImportMapping(c echo.Context, im *models.Import, m csvio.Mapping) (*models.Import, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	a, _ := actorOf(c)
	return s.db.UpdateImportOptions(c.Request().Context(), a, im.ID, models.ImportOptions{OnDuplicate: im.OnDuplicate,
		MatchNameCompany: im.MatchNameCompany, DryRun: im.DryRun, Mapping: string(b)})
}

// importMappingSave saves the mapping step's columns as they are now under
// the name given, and keeps them on the import too.
func (s *Server) importMappingSave(c echo.Context) error {
	im, done, err := s.draftImport(c)
	if done {
		return err
	}
	m, err := editedMapping(c, im)
	if err == nil {
		im, err = s.saveImportMapping(c, im, *m)
	}
	if err == nil {
		var b []byte
		b, err = json.Marshal(m)
		if err == nil {
			a, _ := actorOf(c)
			_, err = s.db.CreateImportMapping(c.Request().Context(), a, c.FormValue("mapping_name"), string(b))
		}
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderMapping(c, http.StatusUnprocessableEntity, im, m, validationText(ve))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "ok", fmt.Sprintf("Mapping saved as %q: pick it for your next file.", strings.TrimSpace(c.FormValue("mapping_name"))))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
}

// importMappingApply applies the saved mapping chosen to a draft import.
func (s *Server) importMappingApply(c echo.Context) error {
	im, done, err := s.draftImport(c)
	if done {
		return err
	}
	id, _ := strconv.ParseInt(c.FormValue("mapping_id"), 10, 64)
	_, err = s.applySavedMapping(c, im, id)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderMapping(c, http.StatusUnprocessableEntity, im, nil, "That saved mapping is gone; choose another.")
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "ok", "Saved mapping applied to the columns it names; check the others below.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
}

// importMappingDelete deletes a saved mapping from an import's mapping
// step and goes back to it.
func (s *Server) importMappingDelete(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.Param("mapping"), 10, 64)
	a, _ := actorOf(c)
	if err := s.db.RemoveImportMapping(c.Request().Context(), a, id); err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	s.setFlash(c, "ok", "Saved mapping deleted.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/imports/%d", im.ID))
}

// apiImportMapping is a saved mapping as the API shows it: which field
// each named column goes to.
type apiImportMapping struct {
	ID        int64             `json:"id"`
	Name      string            `json:"name"`
	Mapping   map[string]string `json:"mapping"`
	CreatedBy *int64            `json:"created_by"`
	CreatedAt time.Time         `json:"created_at"`
	CanDelete bool              `json:"can_delete"`
}

func importMappingJSON(sm models.ImportMapping, a models.Actor) apiImportMapping {
	var m csvio.Mapping
	_ = json.Unmarshal([]byte(sm.Mapping), &m) // written by Rapport; an unreadable one shows empty
	out := apiImportMapping{ID: sm.ID, Name: sm.Name, Mapping: map[string]string{}, CreatedBy: sm.CreatedBy,
		CreatedAt: sm.CreatedAt, CanDelete: sm.Deletable(a)}
	for _, c := range m.Columns {
		out.Mapping[c.Column] = string(c.Field)
	}
	return out
}

func (s *Server) apiImportMappings(c echo.Context) error {
	ms, err := s.db.ImportMappings(c.Request().Context())
	if err != nil {
		return err
	}
	a := apiActor(c)
	out := make([]apiImportMapping, len(ms))
	for i := range ms {
		out[i] = importMappingJSON(ms[i], a)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (s *Server) apiImportMappingCreate(c echo.Context) error {
	var in struct {
		Name    string            `json:"name"`
		Mapping map[string]string `json:"mapping"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	m := csvio.Mapping{}
	for col, f := range in.Mapping {
		m.Columns = append(m.Columns, csvio.ColumnMapping{Column: col, Field: csvio.Field(f)})
	}
	slices.SortFunc(m.Columns, func(x, y csvio.ColumnMapping) int { return strings.Compare(x.Column, y.Column) })
	if len(m.Columns) == 0 {
		return &models.ValidationError{Fields: map[string]string{"mapping": "Give at least one column and its field, as {\"E-mail 1 - Value\": \"email\"}."}}
	}
	if err := m.Validate(); err != nil {
		return &models.ValidationError{Fields: map[string]string{"mapping": err.Error()}}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	a := apiActor(c)
	sm, err := s.db.CreateImportMapping(c.Request().Context(), a, in.Name, string(b))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/import-mappings/%d", sm.ID))
	return c.JSON(http.StatusCreated, importMappingJSON(*sm, a))
}

func (s *Server) apiImportMappingDelete(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if err := s.db.RemoveImportMapping(c.Request().Context(), apiActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
