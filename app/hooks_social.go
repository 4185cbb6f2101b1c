package app

import "github.com/labstack/echo/v4"

// socialRoutes registers the Inbox, watch terms, feed health and the
// listening dashboard pages (docs/SOCIAL.md).
func (s *Server) socialRoutes(ui *echo.Group) {
	ui.GET("/inbox", s.sectionShow("inbox", "Inbox"))
}

// socialAPIRoutes registers the social JSON API: pushed posts, watch
// terms, the Inbox and listening statistics.
func (s *Server) socialAPIRoutes(api *echo.Group) {}
