package app

import (
	"context"
	"strings"
	"time"

	"rapport/app/feeds"
	"rapport/models"
)

// discoveryBudget bounds how long saving a contact waits for the pages of
// its new profiles: discovery is a convenience, never a reason for a slow
// or failed save.
const discoveryBudget = 4 * time.Second

// discoverFeeds fills in the feed of each new profile Rapport does not
// recognise (a blog, a company site) from the <link rel="alternate"> its
// page names, when RAPPORT_FEED_DISCOVERY is on. Profiles the contact
// already has (had, by link) keep what they have, so an edit does not
// fetch every page again. Failures are logged and skipped.
func (s *Server) discoverFeeds(ctx context.Context, in []models.SocialProfileInput, had []models.SocialProfile) {
	if !s.cfg.FeedDiscovery {
		return
	}
	known := make(map[string]bool, len(had))
	for _, p := range had {
		known[p.URL] = true
	}
	ctx, cancel := context.WithTimeout(ctx, discoveryBudget)
	defer cancel()
	for i := range in {
		page := strings.TrimSpace(in[i].URL)
		if page == "" || strings.TrimSpace(in[i].FeedURL) != "" || known[page] {
			continue
		}
		if _, _, _, ok := models.RecognizeProfile(page); ok {
			continue
		}
		feed, err := feeds.Discover(ctx, s.cfg, s.version, page)
		if err != nil {
			s.log.Info("no feed discovered for a profile", "url", page, "err", err)
			continue
		}
		in[i].FeedURL = feed
	}
}

// discoverPatchFeeds runs discoverFeeds for an edit of contact id, reading
// the contact's current profiles only when the edit has a candidate.
func (s *Server) discoverPatchFeeds(ctx context.Context, a models.Actor, id int64, patch *models.ContactPatch) {
	if !s.cfg.FeedDiscovery || patch.SocialProfiles == nil || !hasUnknownProfile(*patch.SocialProfiles) {
		return
	}
	ct, err := s.db.Contact(ctx, a, id)
	if err != nil {
		return // the save reports it
	}
	s.discoverFeeds(ctx, *patch.SocialProfiles, ct.SocialProfiles)
}

func hasUnknownProfile(in []models.SocialProfileInput) bool {
	for _, p := range in {
		if u := strings.TrimSpace(p.URL); u != "" && strings.TrimSpace(p.FeedURL) == "" {
			if _, _, _, ok := models.RecognizeProfile(u); !ok {
				return true
			}
		}
	}
	return false
}
