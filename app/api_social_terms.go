package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// apiWatchTerm is a watch term as the API shows it.
type apiWatchTerm struct {
	ID          int64     `json:"id"`
	Term        string    `json:"term"`
	Exclude     []string  `json:"exclude"`
	CreatedByID *int64    `json:"created_by_id"`
	CreatedAt   time.Time `json:"created_at"`
}

func watchTermJSON(t *models.WatchTerm) apiWatchTerm {
	return apiWatchTerm{ID: t.ID, Term: t.Term, Exclude: nonNil(t.Exclude), CreatedByID: t.CreatedByID, CreatedAt: t.CreatedAt}
}

// apiWatchTermList is every live watch term; there are at most 1,000, so
// the list has no pages.
type apiWatchTermList struct {
	Items []apiWatchTerm `json:"items"`
}

func (s *Server) apiWatchTermList(c echo.Context) error {
	if _, err := readListQuery(c); err != nil {
		return err
	}
	terms, err := s.db.WatchTerms(c.Request().Context())
	if err != nil {
		return err
	}
	out := apiWatchTermList{Items: make([]apiWatchTerm, len(terms))}
	for i := range terms {
		out.Items[i] = watchTermJSON(&terms[i])
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiWatchTermCreate(c echo.Context) error {
	var in models.WatchTermInput
	if err := readJSON(c, &in, "id", "created_by_id", "created_at"); err != nil {
		return err
	}
	t, err := s.db.CreateWatchTerm(c.Request().Context(), apiActor(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/watch-terms/%d", t.ID))
	return c.JSON(http.StatusCreated, watchTermJSON(t))
}

func (s *Server) apiWatchTermDelete(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteWatchTerm(c.Request().Context(), apiActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
