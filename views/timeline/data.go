// Package timeline renders a timeline: day-grouped items with infinite
// scroll, filters with per-kind counts, and the composer that logs an
// interaction. Items and the composer are htmx swap targets.
package timeline

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
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
	// CanEdit offers Edit and Delete on interactions (a contact's
	// timeline, for those who may write); CSRFToken goes in the delete
	// form used without JavaScript.
	CanEdit   bool
	CSRFToken string
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

// groups splits the items by day. A day's items follow each other, so each
// group is a slice of d.Items rather than a copy of its items.
func (d Data) groups() []dayGroup {
	var gs []dayGroup
	today := time.Now().In(d.loc()).Format(time.DateOnly)
	yesterday := time.Now().In(d.loc()).AddDate(0, 0, -1).Format(time.DateOnly)
	for i, it := range d.Items {
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
			gs = append(gs, dayGroup{Day: day, Label: label, Items: d.Items[i:i:len(d.Items)]})
		}
		g := &gs[len(gs)-1]
		g.Items = g.Items[:len(g.Items)+1]
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

// interaction reads what an interaction item carries; other kinds carry
// none of it. An item decodes its data once: a page of thirty items spent
// a tenth of its time decoding the same JSON four times over.
func interaction(it models.TimelineItem) interactionData {
	var d interactionData
	if it.Kind == models.TimelineInteraction {
		_ = json.Unmarshal(it.Data, &d)
	}
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

// badge is the short label on an item; x is what an interaction item
// carries.
func badge(it models.TimelineItem, x interactionData) string {
	if it.Kind == models.TimelineInteraction {
		s := x.InteractionKind
		if x.Direction != "" {
			s = x.Direction + " " + s
		}
		return s
	}
	return strings.TrimSuffix(strings.ToLower(kindLabel(it.Kind)), "s")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func channelLabel(c string) string { return strings.ReplaceAll(c, "_", " ") }

// InteractionFields are an interaction's inputs as typed: the composer
// and the edit form share them.
type InteractionFields struct {
	Kind       string
	Direction  string
	Channel    string
	OccurredAt string // datetime-local, viewer's time zone
	Minutes    string
	Subject    string
	Body       string
	Outcome    string
}

// FieldsOf is a logged interaction as its form shows it.
func FieldsOf(i *models.Interaction, loc *time.Location) InteractionFields {
	if loc == nil {
		loc = time.UTC
	}
	f := InteractionFields{Kind: string(i.Kind), Direction: string(i.Direction), Channel: i.Channel,
		OccurredAt: i.OccurredAt.In(loc).Format(DateTimeLocal), Subject: i.Subject, Body: i.Body, Outcome: i.Outcome}
	if i.DurationSeconds > 0 {
		f.Minutes = strconv.Itoa((i.DurationSeconds + 30) / 60)
	}
	return f
}

// DateTimeLocal is the layout of an <input type=datetime-local>.
const DateTimeLocal = "2006-01-02T15:04"

// ComposerForm is the "log an interaction" form as typed.
type ComposerForm struct {
	InteractionFields
	ContactID  int64
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

// EditForm edits a logged interaction in place of its timeline item.
type EditForm struct {
	InteractionFields
	InteractionID, Version int64
	// ItemID is the timeline item the form stands in for; ContactID the
	// contact whose timeline is shown again after saving.
	ItemID, ContactID int64
	Errors            map[string]string
	// Conflict is the interaction as someone saved it while the form was
	// open. The form keeps what the person typed and carries Conflict's
	// version, so saving again is a deliberate choice.
	Conflict *models.Interaction
	Location *time.Location
	// Inline: the form stands in the contact's timeline, so htmx swaps
	// it; otherwise it is a page of its own that posts and redirects.
	Inline bool
	// Contacts and Users are the participants as the form holds them:
	// those saved, or those the person chose before a refused save.
	// Contacts the editor may not see are not listed, and saving keeps
	// them.
	Contacts, Users []models.Participant
	// Query and Found are a contact search sent with the form (without
	// JavaScript): what was searched and the contacts that match it.
	Query string
	Found []models.Participant
	// ColleagueQuery and FoundColleagues are the same for colleagues;
	// MoreColleagues says that more match than FoundColleagues holds.
	ColleagueQuery  string
	FoundColleagues []models.Participant
	MoreColleagues  bool
}

// chipListPattern is the id of an edit form's list of contacts.
var chipListPattern = regexp.MustCompile(`^e\d+-contacts$`)

// chipList is the id of the list a picked contact's chip joins: into when
// it names an edit form's list, else the composer's. The id comes from the
// query string, so only ids of that shape pass.
func chipList(into string) string {
	if chipListPattern.MatchString(into) {
		return into
	}
	return "also-with"
}

// participantNames is a list of participants as one line, for the
// conflict table.
func participantNames(ps []models.Participant) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func (f EditForm) prefix() string { return "e" + itoa(f.ItemID) + "-" }

func (f EditForm) target() string { return "#item-" + itoa(f.ItemID) }

// URL is where the form posts; the query names the item and contact.
func (f EditForm) URL() string {
	return "/interactions/" + itoa(f.InteractionID) + "?item=" + itoa(f.ItemID) + "&contact=" + itoa(f.ContactID)
}

// ConflictRow is one field that differs between what the person typed and
// what was saved meanwhile.
type ConflictRow struct{ Label, Yours, Saved string }

// conflictRows lists the fields where the typed form and the saved
// interaction differ.
func (f EditForm) conflictRows() []ConflictRow {
	if f.Conflict == nil {
		return nil
	}
	saved := FieldsOf(f.Conflict, f.Location)
	var rows []ConflictRow
	for _, r := range []ConflictRow{
		{"What", f.Kind, saved.Kind},
		{"Direction", f.Direction, saved.Direction},
		{"Channel", channelLabel(f.Channel), channelLabel(saved.Channel)},
		{"When", strings.Replace(f.OccurredAt, "T", " ", 1), strings.Replace(saved.OccurredAt, "T", " ", 1)},
		{"Minutes", f.Minutes, saved.Minutes},
		{"Subject", f.Subject, saved.Subject},
		{"What was said", f.Body, saved.Body},
		{"Outcome", f.Outcome, saved.Outcome},
		{"Contacts", participantNames(f.Contacts), participantNames(f.Conflict.Contacts)},
		{"Colleagues", participantNames(f.Users), participantNames(f.Conflict.Users)},
	} {
		if r.Yours != r.Saved {
			rows = append(rows, r)
		}
	}
	return rows
}

// itemActionURL is an interaction item's edit or delete address.
func itemActionURL(d Data, it models.TimelineItem, action string) string {
	return "/interactions/" + itoa(it.Ref.ID) + "/" + action + "?item=" + itoa(it.ID) + "&contact=" + itoa(it.ContactID)
}

func editable(d Data, it models.TimelineItem) bool {
	return d.CanEdit && it.Kind == models.TimelineInteraction && it.Ref != nil && it.Ref.Type == "interaction"
}
