package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Saved import mappings: a person names the column choices made for one
// file and anyone picks them again for the next file from the same place.
// Names are unique per creator, whatever their case; the creator or an
// admin may delete one. The type and the by-name lookup the command line
// uses live in import.go.

// CreateImportMapping saves mapping (JSON, a csvio.Mapping) under name for
// the actor. A name the actor already uses, in any case, is a validation
// error naming the field.
func (db *DB) CreateImportMapping(ctx context.Context, actor Actor, name, mapping string) (*ImportMapping, error) {
	if !actor.CanWrite() || actor.UserID == 0 {
		return nil, fmt.Errorf("models: create import mapping: %w", ErrForbidden)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxNameLength {
		return nil, &ValidationError{Fields: map[string]string{"name": "Name the mapping (at most 200 characters)."}}
	}
	if !json.Valid([]byte(mapping)) {
		return nil, &ValidationError{Fields: map[string]string{"mapping": "The mapping is not valid JSON."}}
	}
	taken := &ValidationError{Fields: map[string]string{"name": fmt.Sprintf("You already have a mapping named %q: choose another name, or delete that one first.", name)}}
	var n int64
	if err := db.with(ctx).Model(&ImportMapping{}).Where("created_by = ? AND lower(name) = lower(?)", actor.UserID, name).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("models: create import mapping %q: %w", name, err)
	}
	if n > 0 {
		return nil, taken
	}
	t := now()
	by := actor.UserID
	m := &ImportMapping{Name: name, Mapping: mapping, CreatedBy: &by, CreatedAt: t, UpdatedAt: t}
	if err := db.with(ctx).Create(m).Error; err != nil {
		if isUniqueViolation(err) { // saved at the same moment by another request
			return nil, taken
		}
		return nil, fmt.Errorf("models: create import mapping %q: %w", name, err)
	}
	return m, nil
}

// ImportMappingByID returns a saved mapping, or ErrNotFound. Every saved
// mapping is visible to everyone.
func (db *DB) ImportMappingByID(ctx context.Context, id int64) (*ImportMapping, error) {
	var m ImportMapping
	if err := db.with(ctx).First(&m, "id = ?", id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("import mapping %d", id))
	}
	return &m, nil
}

// Deletable reports whether actor may delete the mapping: its creator or an
// admin.
func (m ImportMapping) Deletable(actor Actor) bool {
	if actor.IsAdmin() {
		return true
	}
	return actor.CanWrite() && m.CreatedBy != nil && *m.CreatedBy == actor.UserID
}

// RemoveImportMapping deletes a saved mapping, if actor may.
func (db *DB) RemoveImportMapping(ctx context.Context, actor Actor, id int64) error {
	m, err := db.ImportMappingByID(ctx, id)
	if err != nil {
		return err
	}
	if !m.Deletable(actor) {
		return fmt.Errorf("models: remove import mapping %d: %w", id, ErrForbidden)
	}
	if err := db.with(ctx).Delete(&ImportMapping{}, "id = ?", id).Error; err != nil {
		return fmt.Errorf("models: remove import mapping %d: %w", id, err)
	}
	return nil
}
