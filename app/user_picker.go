package app

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views"
)

// userMatches is how many users a search offers: enough to pick from at a
// glance; more means typing more of the name.
const userMatches = 10

// userPick is what one user picker chooses: the field it fills, who may be
// chosen there (the same rule the form's save applies, kept in the query)
// and who may search.
type userPick struct {
	picker    views.UserPicker
	choosable models.UserListOptions
	may       func(models.Actor) bool
	// none is said when nobody choosable matches.
	none string
}

// workers are the colleagues who can sign in and work: whom a task or an
// Inbox item may be assigned to.
var workers = models.UserListOptions{CanSignIn: true, CanWrite: true}

// userPicks are the user pickers by their ?for=. Task and Inbox assignees
// are workers; a contact's owner may be anyone, as saving a contact
// allows; the audit log filters by anyone who ever acted.
var userPicks = map[string]userPick{
	views.AssigneePicker.For: {picker: views.AssigneePicker, choosable: workers,
		may: models.Actor.CanWrite, none: "No colleague who can work on tasks matches."},
	views.InboxAssigneePicker.For: {picker: views.InboxAssigneePicker, choosable: workers,
		may: models.Actor.CanWrite, none: "No colleague who can answer matches."},
	views.OwnerPicker.For: {picker: views.OwnerPicker, may: models.Actor.CanWrite, none: "Nobody matches."},
	views.ActorPicker.For: {picker: views.ActorPicker, may: models.Actor.IsAdmin, none: "Nobody matches."},
}

// userPickOf is the picker ?for= names, if the actor may use it.
func userPickOf(c echo.Context) (userPick, error) {
	pick, ok := userPicks[c.QueryParam("for")]
	if !ok {
		return pick, echo.NewHTTPError(http.StatusBadRequest, "Search for people from a form that chooses one, such as a task's assignee.")
	}
	if a, _ := actorOf(c); !pick.may(a) {
		return pick, echo.NewHTTPError(http.StatusForbidden, "Your role may not choose people here.")
	}
	return pick, nil
}

// userPicker finds the users a picker may choose whose name or email
// contains ?user_q= (GET /users/picker?for=).
func (s *Server) userPicker(c echo.Context) error {
	pick, err := userPickOf(c)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("user_q"))
	if q == "" {
		return c.HTML(http.StatusOK, "")
	}
	found, more, err := s.findUsers(c.Request().Context(), q, pick.choosable)
	if err != nil {
		return err
	}
	target, swap := pick.picker.ChoiceTarget()
	return s.render(c, http.StatusOK, views.UserMatches(found, more, pick.none,
		"/users/picker/choice?for="+pick.picker.For+"&id=", target, swap))
}

// userChoice is a user chosen in a picker as the form takes them, a chip
// or a select's option carrying the form's value (GET
// /users/picker/choice?for=&id=).
func (s *Server) userChoice(c echo.Context) error {
	pick, err := userPickOf(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.QueryParam("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose the person from the search results.")
	}
	u, err := s.chosenUser(c.Request().Context(), id, pick.choosable)
	if err != nil {
		return err
	}
	if u.ID == 0 {
		return echo.NewHTTPError(http.StatusNotFound, "That person cannot be chosen here. Search again and choose someone else.")
	}
	return s.render(c, http.StatusOK, views.UserChosen(pick.picker, u))
}

// findUsers are the first users (in the order they joined) of those opts
// allows whose name or email contains q, sorted by name; more reports that
// others match too.
func (s *Server) findUsers(ctx context.Context, q string, opts models.UserListOptions) (found []models.Participant, more bool, err error) {
	opts.Query, opts.Limit = q, userMatches+1
	us, err := s.db.Users(ctx, opts)
	if err != nil {
		return nil, false, err
	}
	if len(us) > userMatches {
		us, more = us[:userMatches], true
	}
	found = participantsOf(us)
	slices.SortStableFunc(found, func(a, b models.Participant) int { return strings.Compare(a.Name, b.Name) })
	return found, more, nil
}

// chosenUser is user id, by name, when opts allows them; nobody (a zero
// ID) when there is no such user.
func (s *Server) chosenUser(ctx context.Context, id int64, opts models.UserListOptions) (models.Participant, error) {
	if id <= 0 {
		return models.Participant{}, nil
	}
	opts.IDs, opts.Limit = []int64{id}, 1
	us, err := s.db.Users(ctx, opts)
	if err != nil || len(us) == 0 {
		return models.Participant{}, err
	}
	return models.Participant{ID: us[0].ID, Name: us[0].Name}, nil
}

// participantsOf are users as a form names them.
func participantsOf(us []models.User) []models.Participant {
	out := make([]models.Participant, len(us))
	for i, u := range us {
		out[i] = models.Participant{ID: u.ID, Name: u.Name}
	}
	return out
}
