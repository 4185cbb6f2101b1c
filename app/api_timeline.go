package app

import "github.com/labstack/echo/v4"

// timelineAPIRoutes registers the timeline and interactions JSON API.
func (s *Server) timelineAPIRoutes(api *echo.Group) {}
