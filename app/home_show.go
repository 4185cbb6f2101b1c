package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rapport/views/home"
)

// homeShow is the user's day.
func (s *Server) homeShow(c echo.Context) error {
	return s.render(c, http.StatusOK, home.Today(s.page(c, "Today", "home")))
}

// sectionShow renders a part of Rapport that has no records yet.
func (s *Server) sectionShow(nav, title string) echo.HandlerFunc {
	empty := map[string]string{
		"contacts":      "No contacts yet.",
		"inbox":         "No conversations need a reply.",
		"tasks":         "No tasks yet.",
		"import-export": "No imports or exports yet.",
	}[nav]
	return func(c echo.Context) error {
		return s.render(c, http.StatusOK, home.Section(s.page(c, title, nav), title, empty))
	}
}
