package models

import (
	"errors"

	"gorm.io/gorm"
)

// isUniqueViolation reports a unique-constraint failure from either
// database. GORM's TranslateError maps both drivers' codes to
// gorm.ErrDuplicatedKey.
func isUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// IsUniqueViolation is isUniqueViolation for the HTTP layer, which answers
// a race a model did not expect with 409 rather than 500.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }
