package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits on one interaction. The body is plain text: an email's text, a
// call's notes; attachments are not interactions.
const (
	maxSubjectLength        = 300
	maxInteractionBody      = 50000
	maxOutcomeLength        = 200
	maxInteractionUsers     = 50
	maxInteractionDuration  = 7 * 24 * 60 * 60 // seconds: a week-long offsite at most
	maxInteractionExcerpt   = 280
	interactionFutureLeeway = 24 * time.Hour
	interactionRefType      = "interaction"
	interactionKindProblem  = "Choose call, meeting, email or message."
)

// InteractionRequest carries the fields for logging an interaction.
type InteractionRequest struct {
	Kind InteractionKind `json:"kind"`
	// Direction is required for calls, emails and messages; meetings may
	// leave it empty.
	Direction InteractionDirection `json:"direction,omitempty"`
	// Channel is one of InteractionChannels; empty picks the kind's usual
	// one (phone, in_person, email, chat).
	Channel string `json:"channel,omitempty"`
	// OccurredAt may be long past but not more than a day ahead (clocks and
	// time zones differ; plans are tasks). Now when zero.
	OccurredAt      time.Time `json:"occurred_at"`
	DurationSeconds int       `json:"duration_seconds,omitempty"`
	// ContactIDs are the people it was with, each of whom gets it on their
	// timeline; UserIDs the colleagues who took part.
	ContactIDs []int64 `json:"contact_ids"`
	UserIDs    []int64 `json:"user_ids,omitempty"`
	Subject    string  `json:"subject,omitempty"`
	Body       string  `json:"body,omitempty"` // plain text
	Outcome    string  `json:"outcome,omitempty"`
	// Source defaults from how the actor signed in (api for tokens).
	Source TimelineSource `json:"source,omitempty"`
	// ActorDepartmentID is the department the actor logs it for; 0 picks
	// their first.
	ActorDepartmentID int64 `json:"actor_department_id,omitempty"`
	// RestrictedDepartmentID shows it only to that department's members;
	// the actor must be one.
	RestrictedDepartmentID *int64 `json:"restricted_department_id,omitempty"`
}

// InteractionPatch changes the fields it sets and leaves nil ones alone.
// Version is the version the change was made against; UpdateInteraction
// refuses a stale one.
type InteractionPatch struct {
	Version         int64                 `json:"version"`
	Kind            *InteractionKind      `json:"kind,omitempty"`
	Direction       *InteractionDirection `json:"direction,omitempty"`
	Channel         *string               `json:"channel,omitempty"`
	OccurredAt      *time.Time            `json:"occurred_at,omitempty"`
	DurationSeconds *int                  `json:"duration_seconds,omitempty"`
	// ContactIDs replaces the contacts the actor can see; contacts they
	// cannot see stay.
	ContactIDs *[]int64 `json:"contact_ids,omitempty"`
	UserIDs    *[]int64 `json:"user_ids,omitempty"`
	Subject    *string  `json:"subject,omitempty"`
	Body       *string  `json:"body,omitempty"`
	Outcome    *string  `json:"outcome,omitempty"`
	// RestrictedDepartmentID 0 shows it to everyone who sees a participant.
	RestrictedDepartmentID *int64 `json:"restricted_department_id,omitempty"`
}

// patch is the request as a patch that sets every field, so logging and
// editing share one path through validation.
func (r InteractionRequest) patch() InteractionPatch {
	occurred := r.OccurredAt
	if occurred.IsZero() {
		occurred = now()
	}
	return InteractionPatch{
		Kind: &r.Kind, Direction: &r.Direction, Channel: &r.Channel, OccurredAt: &occurred,
		DurationSeconds: &r.DurationSeconds, ContactIDs: &r.ContactIDs, UserIDs: &r.UserIDs,
		Subject: &r.Subject, Body: &r.Body, Outcome: &r.Outcome, RestrictedDepartmentID: r.RestrictedDepartmentID,
	}
}

// apply sets the fields p carries on i, cleaned, recording problems in v,
// and returns the contact and user ids it names (nil when not set).
// Participants and departments need the database and are checked by the
// caller.
func (p *InteractionPatch) apply(i *Interaction, v *ValidationError) (contactIDs, userIDs []int64) {
	if p.Kind != nil {
		i.Kind = InteractionKind(strings.ToLower(cleanLine(string(*p.Kind))))
	}
	if p.Direction != nil {
		i.Direction = InteractionDirection(strings.ToLower(cleanLine(string(*p.Direction))))
	}
	if p.Channel != nil {
		i.Channel = normalizeChannel(*p.Channel)
		if i.Channel == "" {
			i.Channel = defaultChannels[i.Kind]
		}
	}
	if p.OccurredAt != nil {
		t := p.OccurredAt.UTC().Truncate(time.Microsecond)
		switch {
		case t.IsZero():
			v.Add("occurred_at", "Enter when it happened.")
		case !StorableTime(t):
			v.Add("occurred_at", TimeProblem(t))
		case t.After(now().Add(interactionFutureLeeway)):
			v.Add("occurred_at", "That is more than a day from now. Log what happened; plan what is to come as a task.")
		}
		i.OccurredAt = t
	}
	if p.DurationSeconds != nil {
		i.DurationSeconds = *p.DurationSeconds
		if i.DurationSeconds < 0 || i.DurationSeconds > maxInteractionDuration {
			v.Add("duration_seconds", "Enter a duration between 0 and 7 days, in seconds.")
		}
	}
	if p.Subject != nil {
		i.Subject = cleanLine(*p.Subject)
		checkLength(v, "subject", "subject", i.Subject, maxSubjectLength)
	}
	if p.Body != nil {
		i.Body = cleanText(*p.Body)
		checkLength(v, "body", "text", i.Body, maxInteractionBody)
	}
	if p.Outcome != nil {
		i.Outcome = cleanLine(*p.Outcome)
		checkLength(v, "outcome", "outcome", i.Outcome, maxOutcomeLength)
	}
	if p.ContactIDs != nil {
		contactIDs = uniqueIDs(*p.ContactIDs)
		switch {
		case len(contactIDs) == 0:
			v.Add("contact_ids", "Choose at least one contact it was with.")
		case len(contactIDs) > maxTimelineContacts:
			v.Add("contact_ids", fmt.Sprintf("Choose at most %d contacts.", maxTimelineContacts))
		}
	}
	if p.UserIDs != nil {
		userIDs = uniqueIDs(*p.UserIDs)
		if len(userIDs) > maxInteractionUsers {
			v.Add("user_ids", fmt.Sprintf("Choose at most %d colleagues.", maxInteractionUsers))
		}
	}
	checkInteraction(i, v)
	return contactIDs, userIDs
}

// checkInteraction checks what must hold of the fields together.
func checkInteraction(i *Interaction, v *ValidationError) {
	if !i.Kind.Valid() {
		v.Add("kind", interactionKindProblem)
	}
	switch i.Direction {
	case DirectionInbound, DirectionOutbound:
	case "":
		if i.Kind != InteractionMeeting && i.Kind.Valid() {
			v.Add("direction", fmt.Sprintf("Say whether the %s was inbound or outbound.", i.Kind))
		}
	default:
		v.Add("direction", "Choose inbound or outbound.")
	}
	if !slices.Contains(InteractionChannels, i.Channel) {
		v.Add("channel", "Choose one of "+strings.Join(InteractionChannels, ", ")+".")
	}
}
