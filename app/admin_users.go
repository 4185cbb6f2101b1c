package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/admin"
)

// usersShow lists users, pending invitations and departments.
func (s *Server) usersShow(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, admin.UsersData{})
}

func (s *Server) renderUsers(c echo.Context, status int, d admin.UsersData) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	after, _ := strconv.ParseInt(c.QueryParam("after"), 10, 64)
	const pageSize = 100
	users, err := s.db.Users(ctx, models.UserListOptions{AfterID: after, Limit: pageSize})
	if err != nil {
		return err
	}
	if len(users) == pageSize {
		d.NextAfter = users[len(users)-1].ID
	}
	if d.Departments, err = s.db.Departments(ctx); err != nil {
		return err
	}
	if d.Invitations, err = s.db.PendingInvitations(ctx, a); err != nil {
		return err
	}
	d.Users = users
	return s.render(c, status, admin.Users(s.page(c, "Users", "settings"), d))
}

func formIDs(c echo.Context, name string) []int64 {
	vals, _ := c.FormParams()
	var ids []int64
	for _, v := range vals[name] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// invitationCreate makes an invitation link for the admin to pass on.
func (s *Server) invitationCreate(c echo.Context) error {
	a, _ := actorOf(c)
	req := models.InvitationRequest{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: models.Role(c.FormValue("role")),
		DepartmentIDs: formIDs(c, "department_ids")}
	_, secret, err := s.db.CreateInvitation(c.Request().Context(), a, req)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderUsers(c, http.StatusUnprocessableEntity, admin.UsersData{InviteForm: req, InviteErrors: ve.Fields})
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.renderUsers(c, http.StatusCreated, admin.UsersData{InviteLink: s.cfg.BaseURL + "/join/" + secret})
}

// invitationRevoke cancels a pending invitation.
func (s *Server) invitationRevoke(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if err := s.db.RevokeInvitation(c.Request().Context(), a, id); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Invitation revoked; its link no longer works.")
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

// userAccessSave changes a user's role, departments and status.
func (s *Server) userAccessSave(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	err = s.db.UpdateUserAccess(c.Request().Context(), a, id, models.UserAccessRequest{Role: models.Role(c.FormValue("role")),
		DepartmentIDs: formIDs(c, "department_ids"), Disabled: c.FormValue("disabled") != ""})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		fields := ve.Fields
		if msg, ok := fields["departments"]; ok && fields["role"] == "" {
			fields["role"] = msg
		}
		return s.renderUsers(c, http.StatusUnprocessableEntity, admin.UsersData{AccessErrors: fields})
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "ok", "Access saved.")
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

// departmentCreate adds a department.
func (s *Server) departmentCreate(c echo.Context) error {
	ctx := c.Request().Context()
	a, _ := actorOf(c)
	d, err := s.db.CreateDepartment(ctx, c.FormValue("name"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderUsers(c, http.StatusUnprocessableEntity, admin.UsersData{DeptErrors: ve.Fields})
	}
	if err != nil {
		return err
	}
	if err := s.db.Audit(ctx, models.AuditEntry{Actor: &a, Action: "department.create", SubjectType: "department", SubjectID: d.ID,
		Detail: map[string]string{"name": d.Name}, ClientIP: c.RealIP(), RequestID: requestID(c)}); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Department “"+d.Name+"” added.")
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}
