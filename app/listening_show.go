package app

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/views/social"
)

// listeningWindows are the dashboard's windows, in days.
var listeningWindows = []int{7, 30, 90}

// listeningShow is the listening dashboard over the last 7, 30 or 90 days.
func (s *Server) listeningShow(c echo.Context) error {
	days, _ := strconv.Atoi(c.QueryParam("days"))
	if !slices.Contains(listeningWindows, days) {
		days = 30
	}
	loc := userLocation(userOf(c))
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	a, _ := actorOf(c)
	st, err := s.db.ListeningStats(c.Request().Context(), a, to.AddDate(0, 0, -days), to, loc)
	if err != nil {
		return err
	}
	d := social.ListeningData{Days: days, Windows: listeningWindows, Stats: st, Target: s.cfg.InboxTarget,
		CanAdmin: a.IsAdmin(), Chart: social.Chart{Terms: st.Terms, Target: int64(s.cfg.InboxTarget / time.Second)}}
	for _, day := range st.Days {
		d.Chart.Days = append(d.Chart.Days, day.Day)
		d.Chart.Items = append(d.Chart.Items, day.Items)
		d.Chart.Inbox = append(d.Chart.Inbox, day.InboxItems)
		d.Chart.Replied = append(d.Chart.Replied, day.Replied)
	}
	for _, dep := range st.Departments {
		d.Chart.Departments = append(d.Chart.Departments, social.ChartDepartment{Name: dep.Name, Median: dep.MedianSeconds, P90: dep.P90Seconds})
	}
	return s.render(c, http.StatusOK, social.ListeningPage(s.page(c, "Listening", "listening"), d))
}
