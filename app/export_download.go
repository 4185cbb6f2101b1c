package app

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/labstack/echo/v4"

	"rapport/app/export"
	"rapport/models"
	"rapport/views/imports"
	"rapport/views/transfer"
)

// transferShow is the Import/Export page.
func (s *Server) transferShow(c echo.Context) error {
	a, _ := actorOf(c)
	n, err := s.db.CountContacts(c.Request().Context(), a, models.ContactListOptions{})
	if err != nil {
		return err
	}
	recent, err := s.db.Imports(c.Request().Context(), a, models.ImportListOptions{Limit: 10})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, transfer.Page(s.page(c, "Import/Export", "import-export"), transfer.Data{Visible: n,
		CanImport: a.CanWrite(), UploadLimit: humanize.IBytes(uint64(s.cfg.ImportMaxBytes)), UploadLimitBytes: s.cfg.ImportMaxBytes, Imports: imports.ListData{Imports: recent.Imports}}))
}

// exportDownload streams the contacts the user may see as CSV or vCard.
// It runs outside the request timeout and lifts the write deadline: a large
// export takes as long as the network needs, in constant memory.
func (s *Server) exportDownload(c echo.Context) error {
	a, _ := actorOf(c)
	req := export.Request{Format: c.QueryParam("format"), ExcelFriendly: c.QueryParam("excel") == "1",
		VCardVersion: c.QueryParam("vcard_version"), Via: "ui", ClientIP: c.RealIP(), RequestID: requestID(c),
		Filter: models.ContactListOptions{Query: c.QueryParam("q"), Tag: c.QueryParam("tag")}}
	if c.QueryParam("mine") == "1" {
		req.Filter.OwnerID = a.UserID
	}
	vals := c.QueryParams()
	for _, raw := range vals["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The selection is damaged; select the contacts again.")
		}
		req.Filter.IDs = append(req.Filter.IDs, id)
	}
	if err := req.Validate(); err != nil {
		return err
	}
	rc := http.NewResponseController(c.Response().Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, req.ContentType())
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+req.Filename(time.Now())+`"`)
	h.Set("Cache-Control", "no-store")
	n, err := export.Write(c.Request().Context(), s.db, a, c.Response(), req)
	var ve *models.ValidationError
	if errors.As(err, &ve) && !c.Response().Committed {
		return err
	}
	switch {
	case err != nil && c.Request().Context().Err() != nil:
		// The person cancelled the download or closed the tab.
		s.log.Debug("export stopped: the client went away", "contacts_written", n, "request_id", requestID(c))
	case err != nil:
		// Headers are gone; all we can do is log and end the stream, which
		// the browser reports as a failed download.
		s.log.Error("export failed part-way", "err", err, "contacts_written", n, "request_id", requestID(c))
	}
	return nil
}
