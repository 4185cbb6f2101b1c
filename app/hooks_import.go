package app

import "github.com/labstack/echo/v4"

// importRoutes registers the import pages.
func (s *Server) importRoutes(ui *echo.Group) {}

// importAPIRoutes registers the imports JSON API.
func (s *Server) importAPIRoutes(api *echo.Group) {}
