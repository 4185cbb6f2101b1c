package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// maxListeningDays bounds a statistics window, as the models do.
const maxListeningDays = 366

// listeningWindow reads from and to (YYYY-MM-DD, both days included) in
// loc; either may be left out: to defaults to today, from to 29 days
// before to. It answers the half-open [from, to) the models take.
func listeningWindow(fromParam, toParam string, loc *time.Location, now time.Time) (from, to time.Time, err error) {
	var v models.ValidationError
	today := now.In(loc)
	last := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	if toParam != "" {
		if last, err = time.ParseInLocation(time.DateOnly, toParam, loc); err != nil {
			v.Add("to", "Give the last day as YYYY-MM-DD, such as 2026-03-31.")
		}
	}
	first := last.AddDate(0, 0, -29)
	if fromParam != "" {
		if first, err = time.ParseInLocation(time.DateOnly, fromParam, loc); err != nil {
			v.Add("from", "Give the first day as YYYY-MM-DD, such as 2026-03-01.")
		}
	}
	to = last.AddDate(0, 0, 1)
	switch {
	case len(v.Fields) > 0:
	case !first.Before(to):
		v.Add("from", "The first day must not be after the last.")
	case first.AddDate(0, 0, maxListeningDays).Before(to):
		v.Add("from", "Ask for at most 366 days at a time.")
	}
	return first, to, v.OrNil()
}

func (s *Server) apiListeningStats(c echo.Context) error {
	q, err := readListQuery(c, "from", "to")
	if err != nil {
		return err
	}
	loc := userLocation(userOf(c))
	from, to, err := listeningWindow(q.String("from"), q.String("to"), loc, time.Now())
	if err != nil {
		return err
	}
	st, err := s.db.ListeningStats(c.Request().Context(), apiActor(c), from, to, loc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
