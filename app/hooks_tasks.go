package app

import "github.com/labstack/echo/v4"

// taskRoutes registers the task pages.
func (s *Server) taskRoutes(ui *echo.Group) {}

// taskAPIRoutes registers the tasks JSON API.
func (s *Server) taskAPIRoutes(api *echo.Group) {}

// calendarRoutes registers the per-user iCalendar feeds, which calendar
// apps fetch without a session: the secret in the URL is the credential.
func (s *Server) calendarRoutes(e *echo.Echo) {}
