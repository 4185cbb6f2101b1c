package app

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/timeline"
)

// colleagueMatches is how many colleagues a search offers: enough to pick
// from at a glance; more means typing more of the name.
const colleagueMatches = 10

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
	us, err := s.db.Users(c.Request().Context(), models.UserListOptions{IDs: []int64{id}, CanSignIn: true})
	if err != nil {
		return err
	}
	if len(us) == 0 {
		return echo.ErrNotFound
	}
	return s.render(c, http.StatusOK, timeline.ColleagueChip(models.Participant{ID: us[0].ID, Name: us[0].Name}))
}

// findColleagues are the first colleagues (in the order they joined) who
// can sign in and whose name or email contains q, shown by name; more
// reports that others match too.
func (s *Server) findColleagues(ctx context.Context, q string) (found []models.Participant, more bool, err error) {
	us, err := s.db.Users(ctx, models.UserListOptions{Query: q, CanSignIn: true, Limit: colleagueMatches + 1})
	if err != nil {
		return nil, false, err
	}
	if len(us) > colleagueMatches {
		us, more = us[:colleagueMatches], true
	}
	found = participantsOf(us)
	slices.SortStableFunc(found, func(a, b models.Participant) int { return strings.Compare(a.Name, b.Name) })
	return found, more, nil
}

// participantsOf are users as an edit form names them.
func participantsOf(us []models.User) []models.Participant {
	out := make([]models.Participant, len(us))
	for i, u := range us {
		out[i] = models.Participant{ID: u.ID, Name: u.Name}
	}
	return out
}
