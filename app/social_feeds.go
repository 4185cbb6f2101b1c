package app

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/social"
)

// contactFeedsData is the feed health of the contact in the path.
func (s *Server) contactFeedsData(c echo.Context) (social.FeedsData, string, error) {
	ct, err := s.contactParam(c)
	if err != nil {
		return social.FeedsData{}, "", err
	}
	a, _ := actorOf(c)
	feeds, err := s.db.FeedsOfContact(c.Request().Context(), a, ct.ID)
	if err != nil {
		return social.FeedsData{}, "", err
	}
	return social.FeedsData{ContactID: ct.ID, Feeds: feeds, CanWrite: a.CanWrite(), Now: time.Now(),
		Location: userLocation(userOf(c))}, ct.Name(), nil
}

// contactFeedsShow is the feed health panel the contact page loads with
// htmx (nothing when no profile has a feed), or a page of its own.
func (s *Server) contactFeedsShow(c echo.Context) error {
	d, name, err := s.contactFeedsData(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return s.render(c, http.StatusOK, social.FeedsPage(s.page(c, "Feeds of "+name, "contacts"), name, d))
	}
	if len(d.Feeds) == 0 {
		return c.NoContent(http.StatusOK)
	}
	return s.render(c, http.StatusOK, social.FeedsPanel(s.page(c, "", ""), d))
}

// contactFeedPoll is "Poll now" on a contact's feed.
func (s *Server) contactFeedPoll(c echo.Context) error {
	feedID, err := strconv.ParseInt(c.Param("feed"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	d, _, err := s.contactFeedsData(c)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(d.Feeds, func(pf models.ProfileFeed) bool { return pf.Feed != nil && pf.Feed.ID == feedID }) {
		return echo.ErrNotFound // not a feed of this contact
	}
	if err := s.pollFeedNow(c, feedID); err != nil {
		return err
	}
	if !isHTMX(c) {
		s.setFlash(c, "ok", "The feed will be fetched within a minute.")
		return c.Redirect(http.StatusSeeOther, "/contacts/"+strconv.FormatInt(d.ContactID, 10)+"/feeds")
	}
	d.Polled = feedID
	return s.render(c, http.StatusOK, social.FeedsPanel(s.page(c, "", ""), d))
}
