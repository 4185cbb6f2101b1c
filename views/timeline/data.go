// Package timeline renders a timeline: day-grouped items with infinite
// scroll, filters with per-kind counts, and the composer that logs an
// interaction. Items and the composer are htmx swap targets.
package timeline

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"rapport/models"
)

// Filters are the timeline's current filters, as in the query string.
type Filters struct {
	Kinds        []string
	DepartmentID string
	Channel      string
	From, To     string // YYYY-MM-DD in the viewer's time zone
	Mine         bool   // the activity feed: only the viewer's contacts
}

// Query encodes the filters for links.
func (f Filters) Query() url.Values {
	q := url.Values{}
	for _, k := range f.Kinds {
		q.Add("kind", k)
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("department_id", f.DepartmentID)
	set("channel", f.Channel)
	set("from", f.From)
	set("to", f.To)
	if f.Mine {
		q.Set("mine", "1")
	}
	return q
}

func (f Filters) has(kind models.TimelineKind) bool { return slices.Contains(f.Kinds, string(kind)) }

// Data is a timeline page as the view needs it.
type Data struct {
	// Base is the path of the items fragment ("/contacts/7/timeline").
	Base        string
	PagePath    string // the page the filter form submits to without JS
	Items       []models.TimelineItem
	NextCursor  string
	AfterDay    string // the day header the previous page ended on
	Filters     Filters
	Counts      map[models.TimelineKind]int64
	Departments []models.Department
	Location    *time.Location
	ShowContact bool // company timelines and the activity feed name the person
}

// NextURL loads the next page of items.
func (d Data) NextURL() string {
	q := d.Filters.Query()
	q.Set("cursor", d.NextCursor)
	if n := len(d.Items); n > 0 {
		q.Set("after_day", d.day(d.Items[n-1]))
	}
	return d.Base + "?" + q.Encode()
}

func (d Data) day(it models.TimelineItem) string {
	return it.OccurredAt.In(d.loc()).Format(time.DateOnly)
}

func (d Data) loc() *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}

// dayGroup is the items of one day.
type dayGroup struct {
	Day, Label string
	Items      []models.TimelineItem
}

func (d Data) groups() []dayGroup {
	var gs []dayGroup
	today := time.Now().In(d.loc()).Format(time.DateOnly)
	yesterday := time.Now().In(d.loc()).AddDate(0, 0, -1).Format(time.DateOnly)
	for _, it := range d.Items {
		day := d.day(it)
		if len(gs) == 0 || gs[len(gs)-1].Day != day {
			label := it.OccurredAt.In(d.loc()).Format("Monday 2 January 2006")
			switch day {
			case today:
				label = "Today"
			case yesterday:
				label = "Yesterday"
			}
			if len(gs) == 0 && day == d.AfterDay {
				label = "" // the previous page already showed this day's header
			}
			gs = append(gs, dayGroup{Day: day, Label: label})
		}
		gs[len(gs)-1].Items = append(gs[len(gs)-1].Items, it)
	}
	return gs
}

func (d Data) clock(it models.TimelineItem) string { return it.OccurredAt.In(d.loc()).Format("15:04") }

// interactionData is what an interaction item carries.
type interactionData struct {
	InteractionKind string `json:"interaction_kind"`
	Direction       string `json:"direction"`
	DurationSeconds int    `json:"duration_seconds"`
	Subject         string `json:"subject"`
	Outcome         string `json:"outcome"`
	Excerpt         string `json:"excerpt"`
}

func interaction(it models.TimelineItem) interactionData {
	var d interactionData
	_ = json.Unmarshal(it.Data, &d)
	return d
}

type changeData struct {
	Changes []models.ContactChange `json:"changes"`
}

func changes(it models.TimelineItem) []models.ContactChange {
	var d changeData
	_ = json.Unmarshal(it.Data, &d)
	return d.Changes
}

func duration(secs int) string {
	if secs <= 0 {
		return ""
	}
	if secs < 60 {
		return fmt.Sprintf("%d s", secs)
	}
	if secs < 3600 {
		return fmt.Sprintf("%d min", (secs+30)/60)
	}
	return fmt.Sprintf("%d h %02d min", secs/3600, (secs%3600+30)/60)
}

func kindLabel(k models.TimelineKind) string {
	switch k {
	case models.TimelineInteraction:
		return "Interactions"
	case models.TimelineNote:
		return "Notes"
	case models.TimelineTask:
		return "Tasks"
	case models.TimelineSocial:
		return "Social posts"
	case models.TimelineChange:
		return "Profile changes"
	case models.TimelineOwner:
		return "Owner changes"
	case models.TimelineMerge:
		return "Merges"
	case models.TimelineImport:
		return "Imports"
	}
	return string(k)
}

// badge is the short label on an item.
func badge(it models.TimelineItem) string {
	if it.Kind == models.TimelineInteraction {
		d := interaction(it)
		s := d.InteractionKind
		if d.Direction != "" {
			s = d.Direction + " " + s
		}
		return s
	}
	return strings.TrimSuffix(strings.ToLower(kindLabel(it.Kind)), "s")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func channelLabel(c string) string { return strings.ReplaceAll(c, "_", " ") }

// ComposerForm is the "log an interaction" form as typed.
type ComposerForm struct {
	ContactID  int64
	Kind       string
	Direction  string
	Channel    string
	OccurredAt string // datetime-local, viewer's time zone
	Minutes    string
	Subject    string
	Body       string
	Outcome    string
	AlsoWith   []models.Contact
	Errors     map[string]string
	Saved      bool
	Department []models.Department // the actor's, for a restriction
	Restricted string
}

var (
	interactionKinds = []string{"call", "meeting", "email", "message"}
	directions       = []string{"outbound", "inbound"}
)

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
