package app

import (
	"mime"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"

	"rapport/static"
)

// staticFile serves embedded assets. The path carries the file's checksum,
// so a current file is cached for a year; a request with an old checksum
// still gets the file but must not cache it.
func (s *Server) staticFile(c echo.Context) error {
	data, name, current, ok := static.Lookup(c.Param("*"))
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	if current {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	return c.Blob(http.StatusOK, ct, data)
}
