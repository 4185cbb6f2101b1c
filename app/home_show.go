package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rapport/views/home"
	"rapport/views/timeline"
)

// homeShow is the user's day.
func (s *Server) homeShow(c echo.Context) error {
	d, err := s.activity(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, home.Today(s.page(c, "Today", "home"), timeline.Items(d), d.Filters.Mine))
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
