package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/home"
	"rapport/views/timeline"
)

// homeShow is the user's day.
func (s *Server) homeShow(c echo.Context) error {
	d, err := s.activity(c)
	if err != nil {
		return err
	}
	day, err := s.myDay(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, home.Today(s.page(c, "Today", "home"), day, timeline.Items(d), d.Filters.Mine))
}

// myDay gathers what needs the user today: overdue and today's tasks, and
// the contacts they own that are due for a follow-up. Each list is short
// by nature and bounded.
func (s *Server) myDay(c echo.Context) (home.Day, error) {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	loc := userLocation(userOf(c))
	day := home.Day{Location: loc}
	for _, sec := range []struct {
		section models.TaskSection
		into    *[]models.Task
	}{{models.SectionOverdue, &day.Overdue}, {models.SectionToday, &day.Today}} {
		page, err := s.db.MyTasks(ctx, a, models.TaskListOptions{Section: sec.section, TimeZone: loc, Limit: 20})
		if err != nil {
			return day, err
		}
		*sec.into = page.Tasks
	}
	fu, err := s.db.DueForFollowUp(ctx, a, models.FollowUpOptions{Mine: true, Loc: loc, Limit: 10})
	if err != nil {
		return day, err
	}
	day.FollowUps = fu.FollowUps
	day.Inbox, err = s.homeInbox(c)
	return day, err
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
