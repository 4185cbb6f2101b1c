package app

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// maxPostText is the longest text a pushed post may carry, as the models
// store it (docs/SOCIAL.md): a longer one is refused rather than cut, so
// the sender learns its post was not stored as sent.
const maxPostText = 10000

// apiSocialMedia is a picture, video or other attachment of a post.
type apiSocialMedia struct {
	URL   string `json:"url"`
	Type  string `json:"type"`
	Title string `json:"title"`
}

// apiSocialItem is a stored post as the API shows it.
type apiSocialItem struct {
	ID          int64            `json:"id"`
	Network     string           `json:"network"`
	ExternalID  string           `json:"external_id"`
	Source      string           `json:"source"`
	Handle      string           `json:"handle"`
	AuthorName  string           `json:"author_name"`
	ProfileURL  string           `json:"profile_url"`
	URL         string           `json:"url"`
	Title       string           `json:"title"`
	Text        string           `json:"text"`
	Media       []apiSocialMedia `json:"media"`
	PublishedAt time.Time        `json:"published_at"`
	ReceivedAt  time.Time        `json:"received_at"`
}

func socialItemJSON(it *models.SocialItem) apiSocialItem {
	out := apiSocialItem{ID: it.ID, Network: it.Network, ExternalID: it.ExternalID, Source: it.Source, Handle: it.Handle,
		AuthorName: it.AuthorName, ProfileURL: it.ProfileURL, URL: it.URL, Title: it.Title, Text: it.Text,
		Media: make([]apiSocialMedia, len(it.Media)), PublishedAt: it.PublishedAt, ReceivedAt: it.ReceivedAt}
	for i, m := range it.Media {
		out.Media[i] = apiSocialMedia(m)
	}
	return out
}

// apiSocialPush is the body of POST /social/items: one post from an
// integration.
type apiSocialPush struct {
	Network     string           `json:"network"`
	ExternalID  string           `json:"external_id"`
	Handle      string           `json:"handle"`
	ProfileURL  string           `json:"profile_url"`
	AuthorName  string           `json:"author_name"`
	URL         string           `json:"url"`
	Title       string           `json:"title"`
	Text        string           `json:"text"`
	Media       []apiSocialMedia `json:"media"`
	PublishedAt *time.Time       `json:"published_at"`
}

// apiSocialPushResult answers a push: the post as stored, whose timelines
// it is on and the Inbox item it opened. A repeat of a stored post answers
// the stored post with no contacts and no Inbox item: nothing else
// happened. A repeat of a stored post the pusher may not see (only on
// contacts restricted to a department they are not in) answers the same
// 200 and created false, but the item holds only the network and
// external_id they sent, with id 0: the models withhold the rest
// (models.IngestResult.Withheld explains why it is not hidden that the
// post is stored). The stored post is left unchanged.
type apiSocialPushResult struct {
	Item       apiSocialItem `json:"item"`
	Created    bool          `json:"created"`
	ContactIDs []int64       `json:"contact_ids"`
	Inbox      *apiInboxItem `json:"inbox"`
}

func (in *apiSocialPush) validate() error {
	var v models.ValidationError
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	for _, f := range []*string{&in.Network, &in.ExternalID, &in.Handle, &in.ProfileURL, &in.URL} {
		trim(f)
	}
	if in.Network == "" {
		v.Add("network", "Name the network the post is from, such as \"mastodon\" or \"bluesky\".")
	}
	if in.ExternalID == "" {
		v.Add("external_id", "Send the network's id of the post: a second push with the same id is recognised and not stored twice.")
	}
	if strings.TrimSpace(in.Text) == "" {
		v.Add("text", "Send the text of the post.")
	} else if n := utf8.RuneCountInString(in.Text); n > maxPostText {
		v.Add("text", "The text is longer than 10,000 characters; send at most that many.")
	}
	if in.Handle == "" && in.ProfileURL == "" {
		v.Add("handle", "Send the author's handle or profile_url, so the post can be matched to a contact.")
	}
	if in.PublishedAt != nil {
		// Here as well as in the models: the zero time would reach them
		// as "now".
		if msg := models.TimeProblem(*in.PublishedAt); msg != "" {
			v.Add("published_at", msg)
		}
	}
	return v.OrNil()
}

func (s *Server) apiSocialItemPush(c echo.Context) error {
	var in apiSocialPush
	if err := readJSON(c, &in, "id", "source", "received_at"); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	post := models.SocialPost{Network: in.Network, ExternalID: in.ExternalID, Handle: in.Handle, ProfileURL: in.ProfileURL,
		AuthorName: in.AuthorName, URL: in.URL, Title: in.Title, Text: in.Text}
	for _, m := range in.Media {
		post.Media = append(post.Media, models.SocialMedia(m))
	}
	if in.PublishedAt != nil {
		post.PublishedAt = *in.PublishedAt
	}
	// Ingested in the request, not handed to the poller: the post is in
	// the Inbox by the time the sender has its answer.
	res, err := s.db.IngestSocialPosts(c.Request().Context(), apiActor(c), []models.SocialPost{post},
		models.IngestOptions{Source: models.TimelineSourceAPI, AttentionTag: s.cfg.AttentionTag})
	if err != nil {
		return err
	}
	r := res[0]
	out := apiSocialPushResult{Item: socialItemJSON(&r.Item), Created: r.Created, ContactIDs: r.ContactIDs}
	if out.ContactIDs == nil {
		out.ContactIDs = []int64{}
	}
	if r.Inbox != nil {
		ib := inboxJSON(r.Inbox, time.Now())
		out.Inbox = &ib
	}
	status := http.StatusOK
	if r.Created {
		status = http.StatusCreated
	}
	return c.JSON(status, out)
}

// pollFeedNow asks for a feed to be polled at once and wakes the job
// runner so it does not wait for its next look.
func (s *Server) pollFeedNow(c echo.Context, feedID int64) error {
	a, _ := actorOf(c)
	if err := s.db.PollFeedNow(c.Request().Context(), a, feedID); err != nil {
		return err
	}
	if s.jobs != nil {
		s.jobs.Wake()
	}
	return nil
}

func (s *Server) apiSocialFeedPoll(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	if err := s.pollFeedNow(c, id); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"feed_id": id, "detail": "The feed is due now; the poller fetches it on its next round, within a minute."})
}
