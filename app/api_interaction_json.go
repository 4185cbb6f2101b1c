package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"rapport/models"
)

// apiInteraction is the interaction resource, mapped field by field from
// models.Interaction as contacts are (see apiContact). Participants and
// author come with their names, as timeline items do.
type apiInteraction struct {
	ID              int64     `json:"id"`
	Version         int64     `json:"version"`
	Kind            string    `json:"kind"`
	Direction       string    `json:"direction"`
	Channel         string    `json:"channel"`
	OccurredAt      time.Time `json:"occurred_at"`
	DurationSeconds int       `json:"duration_seconds"`
	Subject         string    `json:"subject"`
	Body            string    `json:"body"`
	Outcome         string    `json:"outcome"`
	// Contacts are the participants the caller may see; Users the
	// colleagues who took part.
	Contacts []apiNamedRecord `json:"contacts"`
	Users    []apiNamedRecord `json:"users"`
	Source   string           `json:"source"`
	// Actor is who logged it and Department the department they logged
	// it for; editing does not change either.
	Actor                  *apiNamedRecord `json:"actor"`
	Department             *apiNamedRecord `json:"department"`
	RestrictedDepartmentID *int64          `json:"restricted_department_id"`
	CreatedAt              time.Time       `json:"created_at"`
	UpdatedAt              time.Time       `json:"updated_at"`
}

// interactionJSON maps i, looking up the names of its author and their
// department, which models.Interaction carries only as ids.
func (s *Server) interactionJSON(ctx context.Context, i *models.Interaction) (apiInteraction, error) {
	out := apiInteraction{ID: i.ID, Version: i.Version, Kind: string(i.Kind), Direction: string(i.Direction),
		Channel: i.Channel, OccurredAt: i.OccurredAt.UTC(), DurationSeconds: i.DurationSeconds, Subject: i.Subject,
		Body: i.Body, Outcome: i.Outcome, Contacts: participantsJSON(i.Contacts), Users: participantsJSON(i.Users),
		Source: string(i.Source), RestrictedDepartmentID: i.RestrictedDepartmentID,
		CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC()}
	if i.CreatedBy != nil {
		out.Actor = &apiNamedRecord{ID: *i.CreatedBy}
		u, err := s.db.UserByID(ctx, *i.CreatedBy)
		switch {
		case err == nil:
			out.Actor.Name = u.Name
		case !errors.Is(err, models.ErrNotFound):
			return out, err
		}
	}
	if i.ActorDepartmentID != nil {
		out.Department = &apiNamedRecord{ID: *i.ActorDepartmentID}
		ds, err := s.db.DepartmentsByID(ctx, []int64{*i.ActorDepartmentID})
		if err != nil {
			return out, err
		}
		if len(ds) == 1 {
			out.Department.Name = ds[0].Name
		}
	}
	return out, nil
}

func participantsJSON(ps []models.Participant) []apiNamedRecord {
	out := make([]apiNamedRecord, len(ps))
	for i, p := range ps {
		out[i] = apiNamedRecord{ID: p.ID, Name: p.Name}
	}
	return out
}

// interactionReadOnly are the members of an interaction response that
// requests may not set.
var interactionReadOnly = []string{"id", "source", "actor", "department", "contacts", "users", "created_at", "updated_at"}

// interactionCreateReadOnly adds the version, which a new interaction
// starts at.
var interactionCreateReadOnly = append(slices.Clip(interactionReadOnly), "version")

// interactionInput is the body of POST /interactions: members may be left
// out, and null means empty (for occurred_at, now; for
// restricted_department_id, no restriction).
type interactionInput struct {
	Kind            optional[string]  `json:"kind"`
	Direction       optional[string]  `json:"direction"`
	Channel         optional[string]  `json:"channel"`
	OccurredAt      optional[string]  `json:"occurred_at"` // RFC 3339, read here for messages in the API's words
	DurationSeconds optional[int]     `json:"duration_seconds"`
	ContactIDs      optional[[]int64] `json:"contact_ids"`
	UserIDs         optional[[]int64] `json:"user_ids"`
	Subject         optional[string]  `json:"subject"`
	Body            optional[string]  `json:"body"`
	Outcome         optional[string]  `json:"outcome"`
	RestrictedTo    optional[int64]   `json:"restricted_department_id"`
	// DepartmentID is the department the caller logs it for, one of their
	// own; their first when left out. It cannot change afterwards.
	DepartmentID optional[int64] `json:"department_id"`
}

// interactionPatchInput is the body of PATCH /interactions/{id}: members
// left out stay as they are.
type interactionPatchInput struct {
	interactionInput
	Version optional[int64] `json:"version"`
}

// patch turns the fields of the input into the models' patch: absent
// members stay nil, null ones are set empty. Problems the models cannot
// see (a time that does not parse, an id below 1) go to v.
func (in *interactionInput) patch(v *models.ValidationError) models.InteractionPatch {
	var p models.InteractionPatch
	text := func(o optional[string]) *string {
		if !o.Set {
			return nil
		}
		return &o.Value // "" when null
	}
	if in.Kind.Set {
		k := models.InteractionKind(in.Kind.Value)
		p.Kind = &k
	}
	if in.Direction.Set {
		d := models.InteractionDirection(in.Direction.Value)
		p.Direction = &d
	}
	p.Channel, p.Subject, p.Body, p.Outcome = text(in.Channel), text(in.Subject), text(in.Body), text(in.Outcome)
	if in.OccurredAt.Set {
		var t time.Time // null or "": none, which the models answer
		if s := strings.TrimSpace(in.OccurredAt.Value); s != "" {
			var err error
			if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
				v.Add("occurred_at", "Give the time in RFC 3339 form with its offset, such as 2024-03-31T14:05:00Z or 2024-03-31T16:05:00+02:00.")
			} else if msg := models.TimeProblem(t); msg != "" {
				v.Add("occurred_at", msg) // the zero time would reach the models as none
			}
		}
		p.OccurredAt = &t
	}
	if in.DurationSeconds.Set {
		d := in.DurationSeconds.Value
		p.DurationSeconds = &d
	}
	ids := func(o optional[[]int64], field, what string) *[]int64 {
		if !o.Set {
			return nil
		}
		list := slices.Clone(o.Value)
		if list == nil {
			list = []int64{} // null: none
		}
		for i, id := range list {
			if id <= 0 {
				v.Add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("Give the id of %s, a whole number from 1 up.", what))
			}
		}
		return &list
	}
	p.ContactIDs = ids(in.ContactIDs, "contact_ids", "a contact")
	p.UserIDs = ids(in.UserIDs, "user_ids", "a user")
	if in.RestrictedTo.Set {
		if in.RestrictedTo.Given() && in.RestrictedTo.Value <= 0 {
			v.Add("restricted_department_id", "Give the id of one of your departments, or null for no restriction.")
		}
		d := in.RestrictedTo.Value // 0 when null: no restriction
		p.RestrictedDepartmentID = &d
	}
	return p
}

// request turns a create body into the models' request.
func (in *interactionInput) request() (models.InteractionRequest, error) {
	var v models.ValidationError
	p := in.patch(&v)
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	r := models.InteractionRequest{Channel: str(p.Channel), Subject: str(p.Subject), Body: str(p.Body), Outcome: str(p.Outcome)}
	if p.Kind != nil {
		r.Kind = *p.Kind
	}
	if p.Direction != nil {
		r.Direction = *p.Direction
	}
	if p.OccurredAt != nil {
		r.OccurredAt = *p.OccurredAt // zero: now
	}
	if p.DurationSeconds != nil {
		r.DurationSeconds = *p.DurationSeconds
	}
	if p.ContactIDs != nil {
		r.ContactIDs = *p.ContactIDs
	}
	if p.UserIDs != nil {
		r.UserIDs = *p.UserIDs
	}
	if d := p.RestrictedDepartmentID; d != nil && *d > 0 {
		r.RestrictedDepartmentID = d
	}
	if in.DepartmentID.Given() {
		if in.DepartmentID.Value <= 0 {
			v.Add("department_id", "Give the id of one of your departments, or leave it out for your first.")
		}
		r.ActorDepartmentID = in.DepartmentID.Value
	}
	return r, v.OrNil()
}

// interactionField names a models validation field as the API does.
func interactionField(f string) string {
	if f == "actor_department_id" {
		return "department_id"
	}
	return f
}

// participantMembers explains a refused contacts or users member, which a
// client echoing a response back sends: participants are set by id.
func participantMembers(err error) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for member, hint := range map[string]string{
		"contacts": "Set the contacts it was with as contact_ids, a list of contact ids.",
		"users":    "Set the colleagues who took part as user_ids, a list of user ids.",
	} {
		if _, ok := ve.Fields[member]; ok {
			ve.Fields[member] = hint
		}
	}
	return err
}
