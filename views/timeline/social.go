package timeline

import (
	"encoding/json"

	"github.com/a-h/templ"

	"rapport/models"
)

// socialData is what a social item's timeline entry carries (written by
// models.IngestSocialPosts).
type socialData struct {
	Network    string               `json:"network"`
	Handle     string               `json:"handle"`
	AuthorName string               `json:"author_name"`
	URL        string               `json:"url"`
	Title      string               `json:"title"`
	Text       string               `json:"text"`
	HTML       string               `json:"html"`
	Media      []models.SocialMedia `json:"media"`
}

func social(it models.TimelineItem) socialData {
	var d socialData
	_ = json.Unmarshal(it.Data, &d)
	return d
}

// body is the post's HTML, sanitised again here: only bluemonday's output
// is ever put in the page unescaped.
func (d socialData) body() templ.Component {
	return templ.Raw(models.SanitizeSocialHTML(d.HTML)) // #nosec G203 -- sanitised just now
}

// author is who posted, as the network names them.
func (d socialData) author() string {
	switch {
	case d.AuthorName != "" && d.Handle != "":
		return d.AuthorName + " (" + d.Handle + ")"
	case d.AuthorName != "":
		return d.AuthorName
	}
	return d.Handle
}

// label names a media link: its title, else its type, else "Attachment".
func mediaLabel(m models.SocialMedia) string {
	switch {
	case m.Title != "":
		return m.Title
	case m.Type != "":
		return m.Type
	}
	return "Attachment"
}
