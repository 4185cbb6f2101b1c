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
