package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// apiRecurrence is how a task repeats in the API: every N days, weeks or
// months, weekly ones optionally on a weekday ("monday").
type apiRecurrence struct {
	Every   int     `json:"every"`
	Unit    string  `json:"unit"`
	Weekday *string `json:"weekday,omitempty"`
}

// apiTaskSource names the timeline record a task follows up on.
type apiTaskSource struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// apiTask is a task as the API shows it.
type apiTask struct {
	ID             int64          `json:"id"`
	ContactID      int64          `json:"contact_id"`
	ContactName    string         `json:"contact_name"`
	Title          string         `json:"title"`
	Notes          string         `json:"notes"`
	DueAt          *time.Time     `json:"due_at"`
	Priority       string         `json:"priority"`
	Status         string         `json:"status"`
	AssigneeID     *int64         `json:"assignee_id"`
	AssigneeName   *string        `json:"assignee_name"`
	DepartmentID   *int64         `json:"department_id"`
	DepartmentName *string        `json:"department_name"`
	Recurrence     *apiRecurrence `json:"recurrence"`
	Source         *apiTaskSource `json:"source"`
	CompletedAt    *time.Time     `json:"completed_at"`
	RemindedAt     *time.Time     `json:"reminded_at"`
	Version        int64          `json:"version"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// taskReadOnly are the members of a task response a request may not set.
var taskReadOnly = []string{"id", "contact_name", "assignee_name", "department_name",
	"completed_at", "reminded_at", "created_at", "updated_at"}

func taskJSON(t *models.Task) apiTask {
	out := apiTask{ID: t.ID, ContactID: t.ContactID, ContactName: t.ContactName, Title: t.Title, Notes: t.Notes,
		DueAt: t.DueAt, Priority: string(t.Priority), Status: string(t.Status), AssigneeID: t.AssigneeID,
		DepartmentID: t.DepartmentID, CompletedAt: t.CompletedAt, RemindedAt: t.RemindedAt, Version: t.Version,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	if t.AssigneeID != nil {
		out.AssigneeName = &t.AssigneeName
	}
	if t.DepartmentID != nil {
		out.DepartmentName = &t.DepartmentName
	}
	if r := t.Rule(); !r.IsZero() {
		out.Recurrence = &apiRecurrence{Every: r.Every, Unit: string(r.Unit)}
		if r.Weekday != nil {
			w := strings.ToLower(r.Weekday.String())
			out.Recurrence.Weekday = &w
		}
	}
	if s := t.Source(); s != nil {
		out.Source = &apiTaskSource{Type: s.Type, ID: s.ID}
	}
	return out
}

func (r *apiRecurrence) model() (models.Recurrence, error) {
	out := models.Recurrence{Interval: models.Interval{Every: r.Every, Unit: models.IntervalUnit(r.Unit)}}
	if r.Weekday != nil {
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.EqualFold(d.String(), *r.Weekday) {
				out.Weekday = &d
			}
		}
		if out.Weekday == nil {
			return out, &models.ValidationError{Fields: map[string]string{"recurrence.weekday": "Name the weekday in English, such as \"monday\"."}}
		}
	}
	return out, nil
}

// apiTaskInput is the body of POST /tasks.
type apiTaskInput struct {
	ContactID  int64          `json:"contact_id"`
	Title      string         `json:"title"`
	Notes      string         `json:"notes"`
	DueAt      *time.Time     `json:"due_at"`
	Priority   string         `json:"priority"`
	AssigneeID *int64         `json:"assignee_id"`
	Department *string        `json:"department"`
	Recurrence *apiRecurrence `json:"recurrence"`
	Source     *apiTaskSource `json:"source"`
}

// apiTaskPatchInput is the body of PATCH /tasks/{id}.
type apiTaskPatchInput struct {
	Version    optional[int64]         `json:"version"`
	Title      optional[string]        `json:"title"`
	Notes      optional[string]        `json:"notes"`
	DueAt      optional[time.Time]     `json:"due_at"`
	Priority   optional[string]        `json:"priority"`
	Status     optional[string]        `json:"status"`
	AssigneeID optional[int64]         `json:"assignee_id"`
	Department optional[string]        `json:"department"`
	Recurrence optional[apiRecurrence] `json:"recurrence"`
	ContactID  optional[int64]         `json:"contact_id"`
	Source     optional[apiTaskSource] `json:"source"`
}

// taskAssignee reads assignee_id or department (an id, slug or name), at
// most one; neither means the caller.
func (s *Server) taskAssignee(ctx context.Context, userID *int64, dept *string) (*models.TaskAssignee, error) {
	switch {
	case userID != nil && dept != nil:
		return nil, &models.ValidationError{Fields: map[string]string{"assignee_id": "Give assignee_id or department, not both."}}
	case userID != nil:
		return &models.TaskAssignee{UserID: *userID}, nil
	case dept != nil:
		d, err := s.db.DepartmentBySlugOrName(ctx, *dept)
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.ValidationError{Fields: map[string]string{"department": "There is no such department. Name one by its slug or name."}}
		}
		if err != nil {
			return nil, err
		}
		return &models.TaskAssignee{DepartmentID: d.ID}, nil
	}
	return nil, nil
}

func taskField(f string) string {
	if f == "assignee" {
		return "assignee_id"
	}
	return f
}

func (s *Server) apiTaskCreate(c echo.Context) error {
	ctx := c.Request().Context()
	var in apiTaskInput
	if err := readJSON(c, &in, taskReadOnly...); err != nil {
		return err
	}
	req := models.TaskRequest{ContactID: in.ContactID, Title: in.Title, Notes: in.Notes, DueAt: in.DueAt,
		Priority: models.TaskPriority(in.Priority)}
	var err error
	if req.Assignee, err = s.taskAssignee(ctx, in.AssigneeID, in.Department); err != nil {
		return err
	}
	if in.Recurrence != nil {
		r, err := in.Recurrence.model()
		if err != nil {
			return err
		}
		req.Recurrence = &r
	}
	if in.Source != nil {
		req.Source = &models.TimelineRef{Type: in.Source.Type, ID: in.Source.ID}
	}
	if in.ContactID <= 0 {
		return &models.ValidationError{Fields: map[string]string{"contact_id": "Name the contact the task is about by its id."}}
	}
	t, err := s.db.CreateTask(ctx, apiActor(c), req)
	if errors.Is(err, models.ErrNotFound) {
		return &models.ValidationError{Fields: map[string]string{"contact_id": "There is no contact with this id, or you may not see it."}}
	}
	if err != nil {
		return renameFields(err, taskField)
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/tasks/%d", t.ID))
	return c.JSON(http.StatusCreated, taskJSON(t))
}

func (s *Server) apiTaskShow(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	t, err := s.db.Task(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, taskJSON(t))
}

func (s *Server) apiTaskUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in apiTaskPatchInput
	if err := readJSON(c, &in, append(taskReadOnly, "contact_id", "source")...); err != nil {
		return err
	}
	if err := requireVersion(in.Version, "task"); err != nil {
		return err
	}
	patch := models.TaskPatch{Version: in.Version.Value}
	var v models.ValidationError
	if in.Title.Set {
		patch.Title = &in.Title.Value
	}
	if in.Notes.Set {
		patch.Notes = &in.Notes.Value
	}
	if in.DueAt.Null {
		patch.ClearDue = true
	} else if in.DueAt.Set {
		patch.DueAt = &in.DueAt.Value
	}
	if in.Priority.Given() {
		p := models.TaskPriority(in.Priority.Value)
		patch.Priority = &p
	} else if in.Priority.Null {
		v.Add("priority", "Choose low, normal or high.")
	}
	if in.Status.Given() {
		st := models.TaskStatus(in.Status.Value)
		patch.Status = &st
	} else if in.Status.Null {
		v.Add("status", "Choose open, done or cancelled.")
	}
	if in.AssigneeID.Null || in.Department.Null {
		v.Add("assignee_id", "A task is always for someone: give assignee_id or department instead.")
	}
	if in.AssigneeID.Given() || in.Department.Given() {
		var uid *int64
		var dept *string
		if in.AssigneeID.Given() {
			uid = &in.AssigneeID.Value
		}
		if in.Department.Given() {
			dept = &in.Department.Value
		}
		if patch.Assignee, err = s.taskAssignee(ctx, uid, dept); err != nil {
			return err
		}
	}
	if in.Recurrence.Null {
		patch.Recurrence = &models.Recurrence{}
	} else if in.Recurrence.Set {
		r, err := in.Recurrence.Value.model()
		if err != nil {
			return err
		}
		patch.Recurrence = &r
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	t, err := s.db.UpdateTask(ctx, apiActor(c), id, patch)
	var stale *models.ConflictError[models.Task]
	if errors.As(err, &stale) {
		return &conflictError{msg: "Someone changed this task since you read it. 'current' holds it as it is now: " +
			"apply your change to it and send it again with that version.", current: taskJSON(stale.Current)}
	}
	if err != nil {
		return renameFields(err, taskField)
	}
	return c.JSON(http.StatusOK, taskJSON(t))
}

// apiTaskPage is a page of tasks.
type apiTaskPage struct {
	Items      []apiTask `json:"items"`
	NextCursor *string   `json:"next_cursor"`
}

var taskListParams = []string{"status", "due", "assignee", "department_id", "cursor", "limit"}

func (s *Server) apiTaskList(c echo.Context) error {
	q, err := readListQuery(c, taskListParams...)
	if err != nil {
		return err
	}
	a := apiActor(c)
	opts := models.TaskListOptions{TimeZone: userLocation(userOf(c)), Cursor: q.String("cursor")}
	if opts.Limit, err = q.Limit(200); err != nil {
		return err
	}
	var v models.ValidationError
	switch st, due := q.String("status"), q.String("due"); {
	case st == "" || st == "open":
		switch due {
		case "":
			opts.Section = models.SectionOpen
		case "overdue", "today", "upcoming":
			opts.Section = models.TaskSection(due)
		default:
			v.Add("due", "Choose overdue, today or upcoming.")
		}
	case st == "done":
		if due != "" {
			v.Add("due", "Done tasks are listed by when they were done: leave due out.")
		}
		opts.Section = models.SectionDone
	default:
		v.Add("status", "Choose open or done.")
	}
	if as := q.String("assignee"); as != "" && as != "me" {
		v.Add("assignee", "Only assignee=me is supported; list a department's queue with department_id.")
	}
	dept, err := q.ID("department_id")
	if err != nil {
		return err
	}
	if dept != 0 && q.String("assignee") != "" {
		v.Add("department_id", "Give assignee or department_id, not both.")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	var page *models.TaskPage
	if dept != 0 {
		page, err = s.db.DepartmentQueue(c.Request().Context(), a, dept, opts)
	} else {
		page, err = s.db.MyTasks(c.Request().Context(), a, opts)
	}
	if err != nil {
		return err
	}
	out := apiTaskPage{Items: make([]apiTask, len(page.Tasks))}
	for i := range page.Tasks {
		out.Items[i] = taskJSON(&page.Tasks[i])
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return c.JSON(http.StatusOK, out)
}
