package app

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/timeline"
)

// colleagues are who may have taken part in an interaction: those who can
// sign in.
var colleagues = models.UserListOptions{CanSignIn: true}

// colleagueList is the id of an edit form's list of colleagues, which a
// picked colleague joins. It comes from the query string, so only ids of
// that shape pass into the page.
var colleagueList = regexp.MustCompile(`^e\d+-users$`)

// colleaguePicker finds colleagues for an interaction's edit form
// (?into=<the form's list>&colleague_q=).
func (s *Server) colleaguePicker(c echo.Context) error {
	into := c.QueryParam("into")
	if !colleagueList.MatchString(into) {
		return echo.NewHTTPError(http.StatusBadRequest, "Open the colleague search from an interaction's edit form.")
	}
	q := strings.TrimSpace(c.QueryParam("colleague_q"))
	if q == "" {
		return c.HTML(http.StatusOK, "")
	}
	found, more, err := s.findColleagues(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, timeline.ColleagueResults(found, into, more))
}

// colleagueChip is one colleague picked in an edit form, ticked.
func (s *Server) colleagueChip(c echo.Context) error {
	id, err := strconv.ParseInt(c.QueryParam("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	u, err := s.chosenUser(c.Request().Context(), id, colleagues)
	if err != nil {
		return err
	}
	if u.ID == 0 {
		return echo.ErrNotFound
	}
	return s.render(c, http.StatusOK, timeline.ColleagueChip(u))
}

// findColleagues are the colleagues a search offers (findUsers).
func (s *Server) findColleagues(ctx context.Context, q string) (found []models.Participant, more bool, err error) {
	return s.findUsers(ctx, q, colleagues)
}
