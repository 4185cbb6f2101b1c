package app

import "github.com/labstack/echo/v4"

// noteRoutes registers the notes pages and fragments.
func (s *Server) noteRoutes(ui *echo.Group) {}

// noteAPIRoutes registers the notes JSON API.
func (s *Server) noteAPIRoutes(api *echo.Group) {}
