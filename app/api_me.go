package app

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// apiMe returns the authenticated user, so a client can check its token.
func (s *Server) apiMe(c echo.Context) error {
	return c.JSON(http.StatusOK, userOf(c))
}
