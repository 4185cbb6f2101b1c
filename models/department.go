package models

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Department is a team whose members share visibility of restricted notes.
type Department struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	CreatedAt time.Time `json:"created_at"`
}

// SuggestedDepartments are offered on first run; the admin may edit them.
var SuggestedDepartments = []string{"Sales", "Support", "Marketing", "Billing"}

// Slugify turns a department name into its @mention handle: "Customer
// Success" -> "customer-success".
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Departments lists every department by name. The list is small (a company
// has tens of departments at most), so it is not paginated.
func (db *DB) Departments(ctx context.Context) ([]Department, error) {
	var ds []Department
	if err := db.with(ctx).Order("name, id").Limit(1000).Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("models: list departments: %w", err)
	}
	return ds, nil
}

// CreateDepartment adds a department; the name must be unique by slug.
func (db *DB) CreateDepartment(ctx context.Context, name string) (*Department, error) {
	name = strings.TrimSpace(name)
	var v ValidationError
	slug := Slugify(name)
	switch {
	case name == "" || slug == "":
		v.Add("name", "A department needs a name with at least one letter or digit.")
	case len(name) > 100:
		v.Add("name", "Keep department names under 100 characters.")
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	d := &Department{Name: name, Slug: slug, CreatedAt: now()}
	if err := db.with(ctx).Create(d).Error; err != nil {
		if isUniqueViolation(err) {
			v.Add("name", fmt.Sprintf("There is already a department called %q.", name))
			return nil, &v
		}
		return nil, fmt.Errorf("models: create department %q: %w", name, err)
	}
	return d, nil
}

// DepartmentsByID returns the departments with the given ids, in id order.
func (db *DB) DepartmentsByID(ctx context.Context, ids []int64) ([]Department, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var ds []Department
	if err := db.with(ctx).Where("id IN ?", ids).Order("id").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("models: departments by id: %w", err)
	}
	return ds, nil
}

// DepartmentBySlugOrName finds a department by its slug or its name, case
// insensitively, for the command line's --department flag.
func (db *DB) DepartmentBySlugOrName(ctx context.Context, s string) (*Department, error) {
	var d Department
	err := db.with(ctx).Where("slug = ?", Slugify(s)).First(&d).Error
	if err != nil {
		return nil, notFound(err, "department "+s)
	}
	return &d, nil
}
