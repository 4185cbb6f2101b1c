package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// The interactions API: calls, meetings, emails and messages, each shown
// on the timeline of every contact it was with. Routes are registered in
// timelineAPIRoutes.

func (s *Server) apiInteractionCreate(c echo.Context) error {
	var in interactionInput
	if err := readJSON(c, &in, interactionCreateReadOnly...); err != nil {
		return participantMembers(err)
	}
	req, err := in.request()
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), apiActor(c)
	i, err := s.db.LogInteraction(ctx, actor, req)
	if errors.Is(err, models.ErrNotFound) {
		return s.unseenContact(ctx, actor, req.ContactIDs, err)
	}
	if err != nil {
		return renameFields(err, interactionField)
	}
	out, err := s.interactionJSON(ctx, i)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/interactions/%d", i.ID))
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) apiInteractionShow(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	i, err := s.db.Interaction(ctx, apiActor(c), id)
	if err != nil {
		return err
	}
	out, err := s.interactionJSON(ctx, i)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiInteractionUpdate(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in interactionPatchInput
	if err := readJSON(c, &in, interactionReadOnly...); err != nil {
		return participantMembers(err)
	}
	if err := requireVersion(in.Version, "interaction"); err != nil {
		return err
	}
	var v models.ValidationError
	if in.DepartmentID.Set {
		v.Add("department_id", "An interaction stays credited to the department it was logged for. Leave department_id out.")
	}
	patch := in.patch(&v)
	if err := v.OrNil(); err != nil {
		return err
	}
	patch.Version = in.Version.Value
	ctx, actor := c.Request().Context(), apiActor(c)
	i, err := s.db.UpdateInteraction(ctx, actor, id, patch)
	var stale *models.ConflictError[models.Interaction]
	if errors.As(err, &stale) {
		current, err := s.interactionJSON(ctx, stale.Current)
		if err != nil {
			return err
		}
		return &conflictError{msg: "Someone changed this interaction since you read it. 'current' holds it as it is now: " +
			"apply your change to it and send it again with that version.", current: current}
	}
	if errors.Is(err, models.ErrNotFound) && patch.ContactIDs != nil {
		if _, seenErr := s.db.Interaction(ctx, actor, id); seenErr != nil {
			return seenErr
		}
		return s.unseenContact(ctx, actor, *patch.ContactIDs, err)
	}
	if err != nil {
		return renameFields(err, interactionField)
	}
	out, err := s.interactionJSON(ctx, i)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiInteractionDelete(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteInteraction(c.Request().Context(), apiActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// unseenContact explains an ErrNotFound from writing an interaction with
// contactIDs: a 422 naming the first contact the actor may not see, as
// the models check them, rather than a 404 that would read as if the
// interactions endpoint itself were missing. A contact that is hidden and
// one that does not exist are answered alike. It looks only when the
// write has already failed, so the models' one query stays the check.
func (s *Server) unseenContact(ctx context.Context, actor models.Actor, contactIDs []int64, notFound error) error {
	for i, id := range contactIDs {
		_, err := s.db.Contact(ctx, actor, id)
		switch {
		case errors.Is(err, models.ErrNotFound):
			return &models.ValidationError{Fields: map[string]string{
				fmt.Sprintf("contact_ids[%d]", i): fmt.Sprintf("There is no contact %d, or you may not see it. Check the id.", id)}}
		case err != nil:
			return err
		}
	}
	return notFound
}
