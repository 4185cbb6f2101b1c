package app

import "github.com/labstack/echo/v4"

// contactAPIRoutes registers the contacts and companies JSON API.
func (s *Server) contactAPIRoutes(api *echo.Group) {}
