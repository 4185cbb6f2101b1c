package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// timelineAPIRoutes registers the timeline and interactions JSON API. Every
// route here is documented in openapi.json (a test holds them together).
// Viewers are turned away from writes before their body is read; the
// models check again.
func (s *Server) timelineAPIRoutes(api *echo.Group) {
	api.GET("/contacts/:id/timeline", s.apiContactTimeline)
	api.GET("/contacts/:id/timeline/counts", s.apiContactTimelineCounts)
	api.GET("/companies/:id/timeline", s.apiCompanyTimeline)
	api.GET("/activity", s.apiActivity)

	api.POST("/interactions", s.apiInteractionCreate, requireWriter)
	api.GET("/interactions/:id", s.apiInteractionShow)
	api.PATCH("/interactions/:id", s.apiInteractionUpdate, requireWriter)
	api.DELETE("/interactions/:id", s.apiInteractionDelete, requireWriter)
}

func (s *Server) apiContactTimeline(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	opts, err := timelineOptions(c)
	if err != nil {
		return err
	}
	opts.ContactID = id
	page, err := s.db.Timeline(c.Request().Context(), apiActor(c), opts)
	if err != nil {
		return renameFields(err, timelineField)
	}
	return c.JSON(http.StatusOK, timelinePageJSON(page))
}

// apiCompanyTimeline is the timelines of a company's people merged.
func (s *Server) apiCompanyTimeline(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	opts, err := timelineOptions(c)
	if err != nil {
		return err
	}
	opts.CompanyID = id
	page, err := s.db.Timeline(c.Request().Context(), apiActor(c), opts)
	if err != nil {
		return renameFields(err, timelineField)
	}
	return c.JSON(http.StatusOK, timelinePageJSON(page))
}

// apiContactTimelineCounts counts a contact's items by kind, every kind
// present (0 when it has none), so clients can show a filter's badges
// without knowing which kinds exist yet.
func (s *Server) apiContactTimelineCounts(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if _, err := readListQuery(c); err != nil {
		return err
	}
	counts, err := s.db.TimelineCounts(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	out := make(map[string]int64, len(models.TimelineKinds))
	for _, k := range models.TimelineKinds {
		out[string(k)] = counts[k]
	}
	return c.JSON(http.StatusOK, out)
}

// apiActivity is what happened across every contact the caller may see
// (mine=true: the contacts they own), newest first.
func (s *Server) apiActivity(c echo.Context) error {
	opts, err := activityOptions(c)
	if err != nil {
		return err
	}
	page, err := s.db.Activity(c.Request().Context(), apiActor(c), opts)
	if err != nil {
		return renameFields(err, timelineField)
	}
	return c.JSON(http.StatusOK, timelinePageJSON(page))
}
