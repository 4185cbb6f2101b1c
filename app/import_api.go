package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/app/csvio"
	"rapport/models"
)

// apiImportCreate uploads a file (multipart: file, on_duplicate,
// match_name_company, dry_run and an optional mapping as JSON, or the
// mapping_id of a saved mapping) and starts importing it at once, with the
// given mapping, else the suggested one with the saved mapping applied to
// the columns it names, else the suggested one. It answers 202: the import runs in the background;
// poll its Location.
func (s *Server) apiImportCreate(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(strings.ToLower(ct), echo.MIMEMultipartForm) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send the file as multipart/form-data, in a part named file.")
	}
	var mapping *csvio.Mapping
	if raw := strings.TrimSpace(c.FormValue("mapping")); raw != "" {
		var m csvio.Mapping
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return &models.ValidationError{Fields: map[string]string{"mapping": "The mapping is not valid JSON: " + err.Error()}}
		}
		if err := m.Validate(); err != nil {
			return &models.ValidationError{Fields: map[string]string{"mapping": err.Error()}}
		}
		mapping = &m
	}
	im, err := s.storeUpload(c, mapping)
	var fe *csvio.FileError
	if errors.As(err, &fe) {
		return &models.ValidationError{Fields: map[string]string{"file": "The file could not be read as CSV: " + fe.Error()}}
	}
	if err != nil {
		return err
	}
	if raw := strings.TrimSpace(c.FormValue("mapping_id")); raw != "" && mapping == nil && im.Format == models.ImportCSV {
		id, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil {
			id = 0
		}
		if im, err = s.applySavedMapping(c, im, id); err != nil {
			return err
		}
	}
	if im, err = s.queueImport(c, im.ID); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/imports/%d", im.ID))
	return c.JSON(http.StatusAccepted, importJSON(im))
}

// apiImport is an import as the API shows it.
type apiImport struct {
	*models.Import
	Columns []string `json:"columns"`
	// ValuesLeftOut counts the values left out of rows that were imported
	// (the import's page lists them), once the import has finished.
	ValuesLeftOut int64 `json:"values_left_out"`
}

func importJSON(im *models.Import) apiImport {
	cols := im.Columns()
	if cols == nil {
		cols = []string{}
	}
	return apiImport{Import: im, Columns: cols}
}

func (s *Server) apiImportShow(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	out := importJSON(im)
	if im.Finished() {
		a, _ := actorOf(c)
		if out.ValuesLeftOut, err = s.db.ImportValuesLeftOut(c.Request().Context(), a, im.ID); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiImportRejected(c echo.Context) error {
	im, err := s.importParam(c)
	if err != nil {
		return err
	}
	return s.writeRejected(c, im, false)
}
