package models

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CustomFieldKind is what a custom field holds, which decides how its
// values are checked and shown.
type CustomFieldKind string

// Custom field kinds.
const (
	CustomFieldText   CustomFieldKind = "text"
	CustomFieldNumber CustomFieldKind = "number"
	CustomFieldDate   CustomFieldKind = "date" // YYYY-MM-DD
	CustomFieldChoice CustomFieldKind = "choice"
)

// Valid reports whether k is one of the known kinds.
func (k CustomFieldKind) Valid() bool {
	return k == CustomFieldText || k == CustomFieldNumber || k == CustomFieldDate || k == CustomFieldChoice
}

// CustomFieldDef is a field an admin added to every contact, such as
// "Account tier" (a choice of Gold, Silver, Bronze). Contacts keep their
// values in Contact.CustomFields under Key.
type CustomFieldDef struct {
	ID        int64           `json:"id"`
	Key       string          `json:"key"`
	Label     string          `json:"label"`
	Kind      CustomFieldKind `json:"kind"`
	Choices   []string        `json:"choices,omitempty" gorm:"serializer:json"`
	Position  int             `json:"position"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// CustomFieldDefRequest carries the fields for defining a custom field.
type CustomFieldDefRequest struct {
	Key      string          `json:"key"`
	Label    string          `json:"label"`
	Kind     CustomFieldKind `json:"kind"`
	Choices  []string        `json:"choices,omitempty"`
	Position int             `json:"position,omitempty"`
}

// CustomFieldDefPatch changes a definition. Key and kind are fixed once
// defined, since contacts' values depend on them.
type CustomFieldDefPatch struct {
	Label    *string   `json:"label,omitempty"`
	Choices  *[]string `json:"choices,omitempty"`
	Position *int      `json:"position,omitempty"`
}

var customFieldKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

const (
	maxChoices      = 100
	maxChoiceLength = 100
)

// CustomFieldDefs lists the definitions in the order forms show them.
// Everyone may read them; only admins change them.
func (db *DB) CustomFieldDefs(ctx context.Context) ([]CustomFieldDef, error) {
	var defs []CustomFieldDef
	if err := db.with(ctx).Order("position, id").Limit(1000).Find(&defs).Error; err != nil {
		return nil, fmt.Errorf("models: list custom fields: %w", err)
	}
	return defs, nil
}

// CustomFieldDef loads one definition.
func (db *DB) CustomFieldDef(ctx context.Context, id int64) (*CustomFieldDef, error) {
	var d CustomFieldDef
	if err := db.with(ctx).First(&d, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("custom field %d", id))
	}
	return &d, nil
}

// CreateCustomFieldDef defines a custom field. Admins only.
func (db *DB) CreateCustomFieldDef(ctx context.Context, actor Actor, req CustomFieldDefRequest) (*CustomFieldDef, error) {
	if !actor.IsAdmin() {
		return nil, fmt.Errorf("models: create custom field: %w", ErrForbidden)
	}
	var v ValidationError
	d := &CustomFieldDef{Key: strings.TrimSpace(req.Key), Kind: req.Kind, Position: req.Position}
	checkPosition(&v, d.Position)
	if !customFieldKey.MatchString(d.Key) {
		v.Add("key", "Use lower-case letters, digits and underscores, starting with a letter, such as account_tier.")
	}
	if !d.Kind.Valid() {
		v.Add("kind", "Choose text, number, date or choice.")
	}
	d.applyPatch(CustomFieldDefPatch{Label: &req.Label, Choices: &req.Choices}, &v)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	d.CreatedAt = now()
	d.UpdatedAt = d.CreatedAt
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.with(ctx).Create(d).Error; err != nil {
			if isUniqueViolation(err) {
				v.Add("key", fmt.Sprintf("There is already a custom field %q.", d.Key))
				return &v
			}
			return fmt.Errorf("models: create custom field %q: %w", d.Key, err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "custom_field.create", SubjectType: "custom_field", SubjectID: d.ID,
			Detail: map[string]any{"key": d.Key, "kind": d.Kind}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// UpdateCustomFieldDef changes a definition's label, choices or position.
// Admins only. Values contacts already hold are left as they are, even
// when a choice they use is removed.
func (db *DB) UpdateCustomFieldDef(ctx context.Context, actor Actor, id int64, p CustomFieldDefPatch) (*CustomFieldDef, error) {
	if !actor.IsAdmin() {
		return nil, fmt.Errorf("models: update custom field %d: %w", id, ErrForbidden)
	}
	var d *CustomFieldDef
	err := db.Tx(ctx, func(tx *DB) error {
		var err error
		if d, err = tx.CustomFieldDef(ctx, id); err != nil {
			return err
		}
		old := *d
		var v ValidationError
		d.applyPatch(p, &v)
		if err := v.OrNil(); err != nil {
			return err
		}
		d.UpdatedAt = now()
		if err := tx.with(ctx).Model(&CustomFieldDef{}).Where("id = ?", id).Updates(map[string]any{
			"label": d.Label, "choices": jsonText(d.Choices), "position": d.Position, "updated_at": d.UpdatedAt,
		}).Error; err != nil {
			return fmt.Errorf("models: update custom field %d: %w", id, err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "custom_field.update", SubjectType: "custom_field", SubjectID: id,
			Detail: map[string]fieldChange{
				"label":   {Old: old.Label, New: d.Label},
				"choices": {Old: old.Choices, New: d.Choices},
			}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteCustomFieldDef removes a definition. Admins only. Contacts keep
// the values they hold under its key, hidden from forms, so that
// re-defining the field brings them back.
func (db *DB) DeleteCustomFieldDef(ctx context.Context, actor Actor, id int64) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("models: delete custom field %d: %w", id, ErrForbidden)
	}
	return db.Tx(ctx, func(tx *DB) error {
		d, err := tx.CustomFieldDef(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.with(ctx).Delete(&CustomFieldDef{}, id).Error; err != nil {
			return fmt.Errorf("models: delete custom field %d: %w", id, err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "custom_field.delete", SubjectType: "custom_field", SubjectID: id,
			Detail: map[string]any{"key": d.Key}})
	})
}

// maxPosition bounds a field's position either way: the column is a
// 32-bit INTEGER on Postgres, and a form can send any number.
const maxPosition = 1_000_000

func checkPosition(v *ValidationError, pos int) {
	if pos < -maxPosition || pos > maxPosition {
		v.Add("position", "Use a position between -1,000,000 and 1,000,000; fields are listed from the lowest.")
	}
}

func (d *CustomFieldDef) applyPatch(p CustomFieldDefPatch, v *ValidationError) {
	if p.Label != nil {
		d.Label = cleanLine(*p.Label)
		if d.Label == "" {
			v.Add("label", "Give the field a label people will recognise, such as Account tier.")
		}
		checkLength(v, "label", "label", d.Label, 100)
	}
	if p.Position != nil {
		d.Position = *p.Position
		checkPosition(v, d.Position)
	}
	if p.Choices != nil {
		d.Choices = nil
		if d.Kind == CustomFieldChoice {
			d.Choices = cleanTags(*p.Choices, "choices", "choice", maxChoiceLength, maxChoices, v)
			if len(d.Choices) == 0 {
				v.Add("choices", "List the choices people pick from, one or more.")
			}
		}
	}
	if d.Choices == nil {
		d.Choices = []string{}
	}
}

// checkCustomFields checks values against the definitions and returns them
// in stored form; problems go to v under "custom_fields.KEY".
func checkCustomFields(defs []CustomFieldDef, values map[string]string, v *ValidationError) map[string]string {
	out := make(map[string]string, len(values))
	for k, val := range values {
		stored, problem := CheckCustomValue(defs, k, val)
		if problem != "" {
			v.Add("custom_fields."+k, problem)
			continue
		}
		out[k] = stored
	}
	return out
}

// CheckCustomValue checks one value of the custom field key against the
// definitions and returns it in stored form, or a problem for a person
// when no definition takes it. Importers use it to leave out one bad value
// rather than lose the row.
func CheckCustomValue(defs []CustomFieldDef, key, val string) (stored, problem string) {
	i := slices.IndexFunc(defs, func(d CustomFieldDef) bool { return d.Key == key })
	if i < 0 {
		return "", fmt.Sprintf("There is no custom field %q. An admin can add it under Settings.", key)
	}
	d := defs[i]
	switch d.Kind {
	case CustomFieldText:
		if utf8.RuneCountInString(val) > maxCustomLength {
			return "", fmt.Sprintf("Keep the %s under %d characters.", strings.ToLower(d.Label), maxCustomLength)
		}
	case CustomFieldNumber:
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", fmt.Sprintf("%s must be a number, such as 42 or 3.5.", d.Label)
		}
		val = strconv.FormatFloat(f, 'f', -1, 64)
	case CustomFieldDate:
		if _, err := time.Parse(time.DateOnly, val); err != nil {
			return "", fmt.Sprintf("Enter %s as YYYY-MM-DD, such as 2024-03-31.", d.Label)
		}
	case CustomFieldChoice:
		j := slices.IndexFunc(d.Choices, func(c string) bool { return tagKey(c) == tagKey(val) })
		if j < 0 {
			return "", fmt.Sprintf("Choose %s from: %s.", d.Label, strings.Join(d.Choices, ", "))
		}
		val = d.Choices[j]
	}
	return val, ""
}
