package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// The timeline as the API shows it, mapped field by field from
// models.TimelineItem as contacts are (see apiContact): the shape is
// written down here, and the columns a view joins for itself stay out.

// apiNamedRecord points at a record and says what it is called, so that a
// client can show an item without looking up each person and department.
type apiNamedRecord struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// apiTimelineRef names the record an item shows, such as the interaction
// to GET for the whole of a call's notes.
type apiTimelineRef struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// apiTimelineItem is one entry of a timeline or of the activity feed.
type apiTimelineItem struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	OccurredAt time.Time `json:"occurred_at"`
	ContactID  int64     `json:"contact_id"`
	// ContactName is there for merged timelines (a company's, the
	// activity feed), whose items concern different people.
	ContactName string `json:"contact_name"`
	// Actor is the person who did it, null for feeds and Rapport itself;
	// Department the department they did it for.
	Actor                  *apiNamedRecord `json:"actor"`
	Department             *apiNamedRecord `json:"department"`
	Source                 string          `json:"source"`
	Summary                string          `json:"summary"`
	Channel                string          `json:"channel"`
	Ref                    *apiTimelineRef `json:"ref"`
	Data                   json.RawMessage `json:"data"`
	RestrictedDepartmentID *int64          `json:"restricted_department_id"`
}

// apiTimelinePage is a page of a timeline or of the activity feed.
type apiTimelinePage struct {
	Items      []apiTimelineItem `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

func timelineItemJSON(it *models.TimelineItem) apiTimelineItem {
	out := apiTimelineItem{ID: it.ID, Kind: string(it.Kind), OccurredAt: it.OccurredAt.UTC(), ContactID: it.ContactID,
		ContactName: it.ContactName, Source: string(it.Source), Summary: it.Summary, Channel: it.Channel,
		Data: it.Data, RestrictedDepartmentID: it.RestrictedDepartmentID}
	if it.ActorUserID != nil {
		out.Actor = &apiNamedRecord{ID: *it.ActorUserID, Name: it.ActorName}
	}
	if it.ActorDepartmentID != nil {
		out.Department = &apiNamedRecord{ID: *it.ActorDepartmentID, Name: it.ActorDepartmentName}
	}
	if it.Ref != nil {
		out.Ref = &apiTimelineRef{Type: it.Ref.Type, ID: it.Ref.ID}
	}
	if len(out.Data) == 0 {
		out.Data = json.RawMessage("{}")
	}
	return out
}

func timelinePageJSON(page *models.TimelinePage) apiTimelinePage {
	out := apiTimelinePage{Items: make([]apiTimelineItem, len(page.Items))}
	for i := range page.Items {
		out.Items[i] = timelineItemJSON(&page.Items[i])
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return out
}

// timelineParams are the query parameters a contact's or company's
// timeline takes; activityParams those of the activity feed.
var (
	timelineParams = []string{"kind", "department_id", "channel", "from", "to", "cursor", "limit"}
	activityParams = []string{"mine", "kind", "since", "cursor", "limit"}
)

// timelineOptions reads a timeline's query string. Problems with what the
// parameters say come back together, as one 422.
func timelineOptions(c echo.Context) (models.TimelineOptions, error) {
	var v models.ValidationError
	q := collectListQuery(c, &v, timelineParams...)
	opts := models.TimelineOptions{Kinds: timelineKinds(q.All("kind"), &v), Channel: q.String("channel"), Cursor: q.String("cursor"),
		From: queryTime(q, "from", false, &v), To: queryTime(q, "to", true, &v)}
	if err := v.OrNil(); err != nil {
		return opts, err
	}
	var err error
	if opts.DepartmentID, err = q.ID("department_id"); err != nil {
		return opts, err
	}
	opts.Limit, err = q.Limit(200)
	return opts, err
}

// activityOptions reads the activity feed's query string.
func activityOptions(c echo.Context) (models.ActivityOptions, error) {
	var v models.ValidationError
	q := collectListQuery(c, &v, activityParams...)
	opts := models.ActivityOptions{Kinds: timelineKinds(q.All("kind"), &v), Cursor: q.String("cursor"), Since: queryTime(q, "since", false, &v)}
	if err := v.OrNil(); err != nil {
		return opts, err
	}
	switch q.String("mine") {
	case "", "false":
	case "true":
		opts.Mine = true
	default:
		return opts, echo.NewHTTPError(http.StatusBadRequest, "The parameter mine must be true or false.")
	}
	var err error
	opts.Limit, err = q.Limit(200)
	return opts, err
}

// timelineKinds reads the kind parameters, without repeats.
func timelineKinds(vals []string, v *models.ValidationError) []models.TimelineKind {
	var kinds []models.TimelineKind
	for _, val := range vals {
		for part := range strings.SplitSeq(val, ",") {
			k := models.TimelineKind(strings.TrimSpace(part))
			switch {
			case k == "" || slices.Contains(kinds, k):
			case !k.Valid():
				names := make([]string, len(models.TimelineKinds))
				for i, known := range models.TimelineKinds {
					names[i] = string(known)
				}
				v.Add("kind", fmt.Sprintf("%q is not a kind of timeline item. Choose from %s, or several separated by commas.",
					string(k), strings.Join(names, ", ")))
			default:
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}

// queryTime reads a time parameter: an RFC 3339 time, or a date meaning
// midnight UTC at its start, or, for an end (endOfDay), at its end, so
// that from=2024-03-01&to=2024-03-31 is the whole of March.
func queryTime(q *listQuery, name string, endOfDay bool, v *models.ValidationError) time.Time {
	s := strings.TrimSpace(q.String(name))
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	// A "+" left unescaped in a query string arrives as a space.
	if t, err := time.Parse(time.RFC3339Nano, strings.ReplaceAll(s, " ", "+")); err == nil {
		return t.UTC()
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			return d.AddDate(0, 0, 1)
		}
		return d
	}
	v.Add(name, "Give a date such as 2024-03-31 or a time in RFC 3339 form such as 2024-03-31T14:05:00Z (URL-encode a + as %2B).")
	return time.Time{}
}

// timelineField names a models validation field of a timeline listing as
// the API's parameters do.
func timelineField(f string) string {
	if f == "kinds" {
		return "kind"
	}
	return f
}
