package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/tasks"
)

// taskSections are the sections of "My tasks", in page order.
var taskSections = []struct {
	section models.TaskSection
	title   string
}{
	{models.SectionOverdue, "Overdue"},
	{models.SectionToday, "Today"},
	{models.SectionUpcoming, "Upcoming"},
	{models.SectionDone, "Done"},
}

// tasksPerPage bounds each list of the tasks page; "Load more" pages on.
const tasksPerPage = 50

// taskListPage reads one page of the list key names ("overdue", …, or a
// queue's tasks.QueueKey), from cursor.
func (s *Server) taskListPage(c echo.Context, key, cursor string) (*models.TaskPage, error) {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	opts := models.TaskListOptions{TimeZone: userLocation(userOf(c)), Cursor: cursor, Limit: tasksPerPage}
	for _, sec := range taskSections {
		if key == string(sec.section) {
			opts.Section = sec.section
			return s.db.MyTasks(ctx, a, opts)
		}
	}
	for _, id := range a.DepartmentIDs {
		if key == tasks.QueueKey(id) {
			return s.db.DepartmentQueue(ctx, a, id, opts)
		}
	}
	return nil, echo.NewHTTPError(http.StatusBadRequest, "That list link is out of date. Open My tasks again.")
}

// tasksData builds the "My tasks" page. The list named by ?list= starts
// at ?cursor= (the "Load more" link without script).
func (s *Server) tasksData(c echo.Context) (tasks.Data, error) {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	loc := userLocation(userOf(c))
	d := tasks.Data{CanWrite: a.CanWrite(), Location: loc}
	cursorOf := func(key string) string {
		if c.QueryParam("list") == key {
			return c.QueryParam("cursor")
		}
		return ""
	}
	for _, sec := range taskSections {
		page, err := s.taskListPage(c, string(sec.section), cursorOf(string(sec.section)))
		if err != nil {
			return d, listError(err)
		}
		d.Sections = append(d.Sections, tasks.Section{Key: string(sec.section), Title: sec.title, Tasks: page.Tasks, NextCursor: page.NextCursor})
	}
	depts, err := s.db.DepartmentsByID(ctx, a.DepartmentIDs)
	if err != nil {
		return d, err
	}
	for _, dep := range depts {
		page, err := s.taskListPage(c, tasks.QueueKey(dep.ID), cursorOf(tasks.QueueKey(dep.ID)))
		if err != nil {
			return d, listError(err)
		}
		d.Queues = append(d.Queues, tasks.Queue{DepartmentID: dep.ID, Name: dep.Name, Tasks: page.Tasks, NextCursor: page.NextCursor})
	}
	fu, err := s.db.DueForFollowUp(ctx, a, models.FollowUpOptions{Mine: true, Loc: loc})
	if err != nil {
		return d, err
	}
	d.FollowUps = fu.FollowUps
	d.Form = tasks.Form{Priority: "normal", Every: "1"}
	return d, nil
}

func (s *Server) tasksShow(c echo.Context) error {
	if isHTMX(c) && c.QueryParam("cursor") != "" {
		return s.taskListMore(c)
	}
	d, err := s.tasksData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, tasks.Page(s.page(c, "My tasks", "tasks"), d))
}

// taskListMore answers "Load more": the next rows of one list.
func (s *Server) taskListMore(c echo.Context) error {
	key := c.QueryParam("list")
	page, err := s.taskListPage(c, key, c.QueryParam("cursor"))
	if err != nil {
		return listError(err)
	}
	a, _ := actorOf(c)
	return s.render(c, http.StatusOK, tasks.MoreRows(s.page(c, "", "tasks"), tasks.More{Key: key, Tasks: page.Tasks,
		NextCursor: page.NextCursor, CanWrite: a.CanWrite(), Location: userLocation(userOf(c))}))
}

// taskForm reads the new-task form into a request. Times are in the
// reader's zone.
func taskForm(c echo.Context, loc *time.Location) (tasks.Form, models.TaskRequest, map[string]string) {
	f := tasks.Form{ContactID: c.FormValue("contact_id"), Title: c.FormValue("title"), Due: c.FormValue("due_at"),
		Priority: c.FormValue("priority"), Repeat: c.FormValue("repeat"), Every: c.FormValue("every"), Weekday: c.FormValue("weekday"),
		Query: c.FormValue("q")}
	req := models.TaskRequest{Title: f.Title, Priority: models.TaskPriority(f.Priority)}
	errs := map[string]string{}
	if v := c.FormValue("assignee_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs["assignee"] = "Choose the person from the list."
		}
		req.Assignee = &models.TaskAssignee{UserID: id}
		f.Assignee.ID = id
	}
	if f.ContactID != "" {
		id, err := strconv.ParseInt(strings.TrimSpace(f.ContactID), 10, 64)
		if err != nil {
			errs["contact_id"] = "Choose the contact from the list."
		}
		req.ContactID = id
	}
	if f.Due != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.Due, loc)
		if err != nil {
			errs["due_at"] = "Enter the date and time it is due."
		}
		t = t.UTC()
		req.DueAt = &t
	}
	if f.Repeat != "" {
		r, msg := formRecurrence(f.Repeat, f.Every, f.Weekday)
		if msg != "" {
			errs["recurrence"] = msg
		}
		req.Recurrence = &r
	}
	if st, sid := c.FormValue("source_type"), c.FormValue("source_id"); st != "" && sid != "" {
		id, err := strconv.ParseInt(sid, 10, 64)
		if err != nil {
			errs["source"] = "Choose something on the timeline to follow up on."
		}
		req.Source = &models.TimelineRef{Type: st, ID: id}
	}
	return f, req, errs
}

// formRecurrence reads the repeat select: every N days, weeks or months,
// or weekly on a weekday.
func formRecurrence(repeat, every, weekday string) (models.Recurrence, string) {
	n := 1
	if every != "" {
		var err error
		if n, err = strconv.Atoi(every); err != nil {
			return models.Recurrence{}, "Enter how often it repeats as a whole number."
		}
	}
	switch repeat {
	case "day", "week", "month":
		return models.Recurrence{Interval: models.Interval{Every: n, Unit: models.IntervalUnit(repeat)}}, ""
	case "weekday":
		wd, err := strconv.Atoi(weekday)
		if err != nil || wd < 0 || wd > 6 {
			return models.Recurrence{}, "Choose the weekday."
		}
		w := time.Weekday(wd)
		return models.Recurrence{Interval: models.Interval{Every: 1, Unit: models.IntervalWeek}, Weekday: &w}, ""
	}
	return models.Recurrence{}, "Choose how the task repeats."
}

// createTaskFrom saves the form's task; it answers the field problems, if
// any, for the form.
func (s *Server) createTaskFrom(c echo.Context, req models.TaskRequest, errs map[string]string) (map[string]string, error) {
	if len(errs) > 0 {
		return errs, nil
	}
	a, _ := actorOf(c)
	_, err := s.db.CreateTask(c.Request().Context(), a, req)
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		return ve.Fields, nil
	case errors.Is(err, models.ErrNotFound) && req.ContactID != 0:
		return map[string]string{"contact_id": "That contact is not there, or you may not see it."}, nil
	}
	return nil, err
}

func (s *Server) taskCreateUI(c echo.Context) error {
	f, req, errs := taskForm(c, userLocation(userOf(c)))
	if err := s.pickTaskContact(c, &f, &req, errs); err != nil {
		return err
	}
	errs, err := s.createTaskFrom(c, req, errs)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		d, err := s.tasksData(c)
		if err != nil {
			return err
		}
		if err := s.refillTaskForm(c, &f, errs); err != nil {
			return err
		}
		d.Form = f
		return s.render(c, http.StatusUnprocessableEntity, tasks.Page(s.page(c, "My tasks", "tasks"), d))
	}
	s.setFlash(c, "ok", "Task added.")
	return c.Redirect(http.StatusSeeOther, "/tasks")
}

// refillTaskForm readies a refused new-task form to show again: its
// problems, and the assignee chosen, by name, even one the save refused
// (the problem says why).
func (s *Server) refillTaskForm(c echo.Context, f *tasks.Form, errs map[string]string) error {
	f.Errors = errs
	var err error
	f.Assignee, err = s.chosenUser(c.Request().Context(), f.Assignee.ID, models.UserListOptions{})
	return err
}

// pickTaskContact settles the new task's contact: the one chosen in the
// picker, else — when no script ran — the only contact matching what was
// typed in its search box. The form keeps the chosen contact's name.
func (s *Server) pickTaskContact(c echo.Context, f *tasks.Form, req *models.TaskRequest, errs map[string]string) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	if f.ContactID == "" && strings.TrimSpace(f.Query) != "" {
		page, err := s.db.Contacts(ctx, a, models.ContactListOptions{Query: f.Query, Limit: 2})
		if err != nil {
			return listError(err)
		}
		switch len(page.Contacts) {
		case 0:
			errs["contact_id"] = "No contact matches “" + f.Query + "”. Check the spelling, or add the contact first."
		case 1:
			req.ContactID, f.ContactID = page.Contacts[0].ID, strconv.FormatInt(page.Contacts[0].ID, 10)
		default:
			errs["contact_id"] = "Several contacts match “" + f.Query + "”. Type more of the name and choose one from the list."
		}
	}
	if f.ContactID == "" {
		if errs["contact_id"] == "" {
			errs["contact_id"] = "Choose the contact the task is about."
		}
		return nil
	}
	if ct, err := s.db.Contact(ctx, a, req.ContactID); err == nil {
		f.ContactName = ct.Name()
	}
	return nil
}

func (s *Server) contactTasksData(c echo.Context, ct *models.Contact) (tasks.ContactData, error) {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	loc := userLocation(userOf(c))
	d := tasks.ContactData{Contact: ct, CanWrite: a.CanWrite(), Location: loc,
		Form: tasks.Form{Priority: "normal", Every: "1"}}
	page, err := s.db.MyTasks(ctx, a, models.TaskListOptions{Section: models.SectionOpen, TimeZone: loc, Limit: 200})
	if err != nil {
		return d, err
	}
	for _, t := range page.Tasks {
		if t.ContactID == ct.ID {
			d.Tasks = append(d.Tasks, t)
		}
	}
	if d.Cadence, err = s.db.Cadence(ctx, a, ct.ID); err != nil {
		return d, err
	}
	return d, nil
}

func (s *Server) contactTasksShow(c echo.Context) error {
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	d, err := s.contactTasksData(c, ct)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, tasks.ContactPage(s.page(c, "Tasks for "+ct.Name(), "tasks"), d))
}

func (s *Server) contactTaskCreate(c echo.Context) error {
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	f, req, errs := taskForm(c, userLocation(userOf(c)))
	req.ContactID = ct.ID
	errs, err = s.createTaskFrom(c, req, errs)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		d, err := s.contactTasksData(c, ct)
		if err != nil {
			return err
		}
		if err := s.refillTaskForm(c, &f, errs); err != nil {
			return err
		}
		d.Form = f
		return s.render(c, http.StatusUnprocessableEntity, tasks.ContactPage(s.page(c, "Tasks for "+ct.Name(), "tasks"), d))
	}
	s.setFlash(c, "ok", "Task added.")
	return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(ct.ID, 10)+"/tasks")
}

func (s *Server) contactCadenceSave(c echo.Context) error {
	ct, err := s.contactParam(c)
	if err != nil {
		return err
	}
	var every models.Interval
	if raw := strings.TrimSpace(c.FormValue("every")); raw != "" && raw != "0" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return &models.ValidationError{Fields: map[string]string{"every": "Enter how often as a whole number."}}
		}
		every = models.Interval{Every: n, Unit: models.IntervalUnit(c.FormValue("unit"))}
	}
	a, _ := actorOf(c)
	if err := s.db.SetCadence(c.Request().Context(), a, ct.ID, every); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Saved how often to keep in touch.")
	return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(ct.ID, 10)+"/tasks")
}

// taskAction applies patch to the task in the path, made against the
// form's version, and answers the task's row (htmx) or the tasks page.
func (s *Server) taskAction(c echo.Context, patch models.TaskPatch, done string) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if patch.Version, err = strconv.ParseInt(c.FormValue("version"), 10, 64); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form is missing the task's version. Reload the page and try again.")
	}
	a, _ := actorOf(c)
	t, err := s.db.UpdateTask(c.Request().Context(), a, id, patch)
	var (
		stale *models.ConflictError[models.Task]
		ve    *models.ValidationError
	)
	switch {
	case errors.As(err, &stale):
		return &conflictError{msg: "Someone changed this task since you opened the page. Reload and try again.", current: stale.Current}
	case errors.As(err, &ve):
		return s.taskProblem(c, firstMessage(ve.Fields))
	case err != nil:
		return err
	case !isHTMX(c):
		s.setFlash(c, "ok", done)
		return c.Redirect(http.StatusSeeOther, "/tasks")
	}
	return s.renderTaskRow(c, t, "")
}

// taskProblem says in words why a change to the task in the path was
// refused, where the person clicked: in its row for htmx (which swaps only
// 2xx answers), else in the flash of the tasks page.
func (s *Server) taskProblem(c echo.Context, msg string) error {
	if !isHTMX(c) {
		s.setFlash(c, "error", msg)
		return c.Redirect(http.StatusSeeOther, "/tasks")
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	a, _ := actorOf(c)
	t, err := s.db.Task(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return s.renderTaskRow(c, t, msg)
}

func (s *Server) renderTaskRow(c echo.Context, t *models.Task, problem string) error {
	a, _ := actorOf(c)
	return s.render(c, http.StatusOK, tasks.RowWithProblem(s.page(c, "", ""), *t, userLocation(userOf(c)), a.CanWrite(), problem))
}

func (s *Server) taskCancelUI(c echo.Context) error {
	cancelled := models.TaskCancelled
	return s.taskAction(c, models.TaskPatch{Status: &cancelled}, "Task cancelled.")
}

// taskDeleteUI deletes a task; htmx removes its row.
func (s *Server) taskDeleteUI(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	a, _ := actorOf(c)
	if err := s.db.DeleteTask(c.Request().Context(), a, id); err != nil {
		return err
	}
	if isHTMX(c) {
		return c.HTML(http.StatusOK, "")
	}
	s.setFlash(c, "ok", "Task deleted.")
	return c.Redirect(http.StatusSeeOther, "/tasks")
}

func (s *Server) taskCompleteUI(c echo.Context) error {
	done := models.TaskDone
	return s.taskAction(c, models.TaskPatch{Status: &done}, "Task done.")
}

func (s *Server) taskClaimUI(c echo.Context) error {
	a, _ := actorOf(c)
	return s.taskAction(c, models.TaskPatch{Assignee: &models.TaskAssignee{UserID: a.UserID}}, "The task is yours now.")
}

func (s *Server) taskEditUI(c echo.Context) error {
	var patch models.TaskPatch
	if v, ok := formValue(c, "title"); ok {
		patch.Title = &v
	}
	if v, ok := formValue(c, "priority"); ok {
		p := models.TaskPriority(v)
		patch.Priority = &p
	}
	if v, ok := formValue(c, "due_at"); ok {
		if v == "" {
			patch.ClearDue = true
		} else {
			t, err := time.ParseInLocation("2006-01-02T15:04", v, userLocation(userOf(c)))
			if err != nil {
				return s.taskProblem(c, "Enter the date and time it is due.")
			}
			patch.DueAt = &t
		}
	}
	if v := c.FormValue("assignee_id"); v != "" {
		uid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.taskProblem(c, "Choose the person from the list.")
		}
		patch.Assignee = &models.TaskAssignee{UserID: uid}
	}
	if repeat, ok := formValue(c, "repeat"); ok {
		// "Does not repeat" is the zero rule, which stops the series; an
		// unchanged rule changes nothing.
		var r models.Recurrence
		if repeat != "" {
			var msg string
			if r, msg = formRecurrence(repeat, c.FormValue("every"), c.FormValue("weekday")); msg != "" {
				return s.taskProblem(c, msg)
			}
		}
		patch.Recurrence = &r
	}
	return s.taskAction(c, patch, "Task saved.")
}

// formValue returns a form field and whether the form carried it.
func formValue(c echo.Context, name string) (string, bool) {
	vals, err := c.FormParams()
	if err != nil {
		return "", false
	}
	v, ok := vals[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}
