package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Profile history: creating, editing and deleting a contact writes a
// change item to its timeline in the same transaction, from the same
// per-field change list the audit event carries. A change of owner gets an
// item of its own (kind owner), since "who looks after this person" is
// what people scan the timeline for.

// contactFieldLabels names the fields of auditView as a person reads them,
// in the order a change item lists them.
var contactFieldLabels = []struct{ field, label string }{
	{"given_name", "Given name"}, {"family_name", "Family name"}, {"display_name", "Display name"},
	{"job_title", "Job title"}, {"company_id", "Company"}, {"birthday", "Birthday"}, {"about", "About"},
	{"restricted_department_id", "Visible to"}, {"custom_fields", "Custom fields"},
	{"last_contacted_at", "Last contacted"}, {"emails", "Emails"}, {"phones", "Phones"},
	{"addresses", "Addresses"}, {"tags", "Tags"}, {"social_profiles", "Profiles"}, {"owner_id", "Owner"},
}

// ContactChange is one changed field in the data of a change or owner
// item: {"action": "update", "changes": [...]}. Old and New are as a person
// reads them (names rather than ids, which OldID and NewID carry).
type ContactChange struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Old   string `json:"old"`
	New   string `json:"new"`
	OldID *int64 `json:"old_id,omitempty"`
	NewID *int64 `json:"new_id,omitempty"`
}

// contactChangeData is the data of a contact's change and owner items.
type contactChangeData struct {
	Action  string          `json:"action"` // create, update or delete
	Changes []ContactChange `json:"changes,omitempty"`
}

// maxChangeValue bounds each value a change item keeps; the audit event
// has them whole.
const maxChangeValue = 500

// recordContactCreated puts the contact's creation on its timeline.
func (tx *DB) recordContactCreated(ctx context.Context, actor Actor, c *Contact) error {
	kind, summary := TimelineChange, "Contact created"
	switch c.Source {
	case SourceImport:
		kind, summary = TimelineImport, "Contact imported"
	case SourceAPI:
		summary = "Contact created through the API"
	case SourceFeed:
		summary = "Contact created from a feed"
	}
	return tx.addContactItem(ctx, actor, c, kind, c.CreatedAt, summary, contactChangeData{Action: "create"})
}

// recordContactDeleted puts the contact's deletion on its timeline, which
// is seen again if the contact is restored.
func (tx *DB) recordContactDeleted(ctx context.Context, actor Actor, c *Contact, at time.Time) error {
	return tx.addContactItem(ctx, actor, c, TimelineChange, at, "Contact deleted", contactChangeData{Action: "delete"})
}

// recordContactChanges puts an update on the contact's timeline: one
// change item listing the fields ("Job title: Sales Lead → VP Sales"), and
// an owner item when the owner changed. changes is UpdateContact's audit
// list.
func (tx *DB) recordContactChanges(ctx context.Context, actor Actor, c *Contact, changes map[string]fieldChange) error {
	names, err := tx.changeNames(ctx, changes)
	if err != nil {
		return err
	}
	var fields []ContactChange
	var owner *ContactChange
	for _, f := range contactFieldLabels {
		ch, ok := changes[f.field]
		if !ok {
			continue
		}
		switch f.field {
		case "owner_id":
			cc := idChange(f.field, f.label, ch, names.users, "nobody")
			owner = &cc
		case "company_id":
			fields = append(fields, idChange(f.field, f.label, ch, names.companies, ""))
		case "restricted_department_id":
			fields = append(fields, idChange(f.field, f.label, ch, names.departments, "everyone"))
		case "custom_fields":
			fields = append(fields, customFieldChanges(ch, names.customLabels)...)
		default:
			fields = append(fields, ContactChange{Field: f.field, Label: f.label,
				Old: shorten(changeText(f.field, ch.Old), maxChangeValue), New: shorten(changeText(f.field, ch.New), maxChangeValue)})
		}
	}
	if len(fields) > 0 {
		err := tx.addContactItem(ctx, actor, c, TimelineChange, c.UpdatedAt, changeSummary(fields),
			contactChangeData{Action: "update", Changes: fields})
		if err != nil {
			return err
		}
	}
	if owner != nil {
		return tx.addContactItem(ctx, actor, c, TimelineOwner, c.UpdatedAt, changeSummary([]ContactChange{*owner}),
			contactChangeData{Action: "update", Changes: []ContactChange{*owner}})
	}
	return nil
}

// addContactItem writes one item about the contact itself. The caller has
// just checked the actor may see and change the contact.
func (tx *DB) addContactItem(ctx context.Context, actor Actor, c *Contact, kind TimelineKind, at time.Time, summary string, data contactChangeData) error {
	source := sourceOf(actor)
	if data.Action == "create" {
		switch c.Source {
		case SourceImport:
			source = TimelineSourceImport
		case SourceFeed:
			source = TimelineSourceFeed
		case SourceAPI:
			source = TimelineSourceAPI
		}
	}
	rec, ids, err := tx.timelineRecordFor(ctx, actor, TimelineEntry{Kind: kind, ContactIDs: []int64{c.ID}, OccurredAt: at,
		Source: source, Summary: summary, Data: data})
	if err != nil {
		return err
	}
	return tx.insertTimelineItems(ctx, rec, ids)
}

// changeSummary is the one line of a change item: every field as
// "Label: old → new", except long text, which just says it changed.
func changeSummary(fields []ContactChange) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		if f.Field == "about" {
			parts[i] = f.Label + " changed"
			continue
		}
		parts[i] = f.Label + ": " + orDash(f.Old) + " → " + orDash(f.New)
	}
	return shorten(strings.Join(parts, "; "), maxTimelineSummary)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// changeText writes a value of auditView as a person reads it.
func changeText(field string, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && field == "last_contacted_at" {
			return t.UTC().Format("2006-01-02 15:04 UTC")
		}
		if field == "birthday" {
			return BirthdayText(v) // "25 December", not "--12-25"
		}
		return v
	case []string:
		return strings.Join(v, ", ")
	}
	return strings.Trim(jsonText(v), `"`)
}

// changeNames holds the names of the companies, users and departments a
// change list refers to by id, and the labels of custom fields.
type changeNames struct {
	companies, users, departments map[int64]string
	customLabels                  map[string]string
}

func (tx *DB) changeNames(ctx context.Context, changes map[string]fieldChange) (changeNames, error) {
	n := changeNames{companies: map[int64]string{}, users: map[int64]string{}, departments: map[int64]string{}, customLabels: map[string]string{}}
	lookups := []struct {
		field, table string
		into         map[int64]string
	}{{"company_id", "companies", n.companies}, {"owner_id", "users", n.users}, {"restricted_department_id", "departments", n.departments}}
	for _, l := range lookups {
		ch, ok := changes[l.field]
		if !ok {
			continue
		}
		var ids []int64
		for _, v := range []any{ch.Old, ch.New} {
			if id, ok := v.(*int64); ok && id != nil {
				ids = append(ids, *id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		var rows []struct {
			ID   int64
			Name string
		}
		if err := tx.with(ctx).Table(l.table).Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
			return n, fmt.Errorf("models: name %s of a change: %w", l.table, err)
		}
		for _, r := range rows {
			l.into[r.ID] = r.Name
		}
	}
	if _, ok := changes["custom_fields"]; ok {
		defs, err := tx.CustomFieldDefs(ctx)
		if err != nil {
			return n, err
		}
		for _, d := range defs {
			n.customLabels[d.Key] = d.Label
		}
	}
	return n, nil
}

// idChange is the change of a field holding an id, named. none names the
// empty value ("nobody", "everyone").
func idChange(field, label string, ch fieldChange, names map[int64]string, none string) ContactChange {
	cc := ContactChange{Field: field, Label: label}
	side := func(v any) (string, *int64) {
		id, _ := v.(*int64)
		if id == nil {
			return none, nil
		}
		if name, ok := names[*id]; ok {
			return name, id
		}
		return fmt.Sprintf("#%d", *id), id
	}
	cc.Old, cc.OldID = side(ch.Old)
	cc.New, cc.NewID = side(ch.New)
	return cc
}

// customFieldChanges lists each custom field that changed, by its label.
func customFieldChanges(ch fieldChange, labels map[string]string) []ContactChange {
	old, _ := ch.Old.(map[string]string)
	cur, _ := ch.New.(map[string]string)
	union := map[string]string{}
	maps.Copy(union, old)
	maps.Copy(union, cur)
	var out []ContactChange
	for _, k := range slices.Sorted(maps.Keys(union)) {
		if old[k] == cur[k] {
			continue
		}
		label := labels[k]
		if label == "" {
			label = k
		}
		out = append(out, ContactChange{Field: "custom_fields." + k, Label: label,
			Old: shorten(old[k], maxChangeValue), New: shorten(cur[k], maxChangeValue)})
	}
	return out
}
