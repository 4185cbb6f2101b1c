package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// User is a person who signs in to Rapport.
type User struct {
	ID           int64        `json:"id"`
	Email        string       `json:"email"`
	EmailKey     string       `json:"-"`
	Name         string       `json:"name"`
	Role         Role         `json:"role"`
	PasswordHash string       `json:"-"`
	AuthEpoch    int64        `json:"-"`
	TimeZone     string       `json:"time_zone"`
	DisabledAt   *time.Time   `json:"disabled_at,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	Departments  []Department `json:"departments" gorm:"many2many:user_departments"`
}

// Actor returns the user as the identity queries are made for.
func (u *User) Actor(via string) Actor {
	ids := make([]int64, len(u.Departments))
	for i, d := range u.Departments {
		ids[i] = d.ID
	}
	return Actor{UserID: u.ID, Name: u.Name, Role: u.Role, DepartmentIDs: ids, Via: via}
}

// DepartmentNames lists the user's departments for display.
func (u *User) DepartmentNames() []string {
	names := make([]string, len(u.Departments))
	for i, d := range u.Departments {
		names[i] = d.Name
	}
	return names
}

// MinPasswordLength is the shortest password accepted. Length, not
// composition rules, is what makes a password hard to guess (NIST 800-63B).
const MinPasswordLength = 10

// UserRequest carries the fields for creating a user.
type UserRequest struct {
	Email         string
	Name          string
	Role          Role
	Password      string
	DepartmentIDs []int64
}

// EmailKey is the form emails are matched by: trimmed and lower-cased.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(storable(email))) }

// ValidateEmail returns a message for a person when email is not a plain
// address ("name@example.com").
func ValidateEmail(email string) string {
	email = strings.TrimSpace(email)
	if email == "" {
		return "Enter an email address."
	}
	if len(email) > 254 {
		return "That email address is too long."
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return "Enter an email address like name@example.com."
	}
	return ""
}

func validatePassword(pw string, v *ValidationError) {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		v.Add("password", fmt.Sprintf("Use at least %d characters.", MinPasswordLength))
	} else if len(pw) > 1000 {
		v.Add("password", "Use at most 1000 characters.")
	}
}

func validateName(name string, v *ValidationError) {
	if name == "" {
		v.Add("name", "Enter a name.")
	} else if utf8.RuneCountInString(name) > 200 {
		v.Add("name", "Keep the name under 200 characters.")
	}
}

// CreateUser adds a user with a hashed password and their departments.
func (db *DB) CreateUser(ctx context.Context, req UserRequest) (*User, error) {
	req.Email = strings.TrimSpace(req.Email)
	req.Name = strings.TrimSpace(req.Name)
	var v ValidationError
	if msg := ValidateEmail(req.Email); msg != "" {
		v.Add("email", msg)
	}
	validateName(req.Name, &v)
	if !req.Role.Valid() {
		v.Add("role", "Choose admin, member or viewer.")
	}
	validatePassword(req.Password, &v)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	hash, err := db.passwords.hash(ctx, req.Password)
	if err != nil {
		return nil, err
	}
	t := now()
	u := &User{Email: req.Email, EmailKey: EmailKey(req.Email), Name: req.Name, Role: req.Role,
		PasswordHash: hash, TimeZone: "UTC", CreatedAt: t, UpdatedAt: t}
	err = db.Tx(ctx, func(tx *DB) error {
		if err := tx.with(ctx).Omit("Departments").Create(u).Error; err != nil {
			if isUniqueViolation(err) {
				v.Add("email", "A user with this email already exists.")
				return &v
			}
			return fmt.Errorf("models: create user: %w", err)
		}
		return tx.setUserDepartments(ctx, u.ID, req.DepartmentIDs)
	})
	if err != nil {
		return nil, err
	}
	return db.UserByID(ctx, u.ID)
}

func (db *DB) setUserDepartments(ctx context.Context, userID int64, ids []int64) error {
	if err := db.with(ctx).Exec("DELETE FROM user_departments WHERE user_id = ?", userID).Error; err != nil {
		return fmt.Errorf("models: clear departments of user %d: %w", userID, err)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := db.with(ctx).Exec("INSERT INTO user_departments (user_id, department_id) VALUES (?, ?)", userID, id).Error; err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return &ValidationError{Fields: map[string]string{"departments": "Choose departments from the list."}}
			}
			return fmt.Errorf("models: add user %d to department %d: %w", userID, id, err)
		}
	}
	return nil
}

// UserByID loads a user with their departments.
func (db *DB) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := db.with(ctx).Preload("Departments", departmentsByName).First(&u, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("user %d", id))
	}
	return &u, nil
}

// UserByEmail loads a user by email, case-insensitively.
func (db *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := db.with(ctx).Preload("Departments", departmentsByName).Where("email_key = ?", EmailKey(email)).First(&u).Error; err != nil {
		return nil, notFound(err, "user by email")
	}
	return &u, nil
}

// CountUsers reports how many users exist; zero means first-run setup.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := db.with(ctx).Model(&User{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count users: %w", err)
	}
	return n, nil
}

// ErrBadCredentials is the one answer to a failed sign-in, whatever the
// reason, so nobody can learn which emails have accounts.
var ErrBadCredentials = errors.New("email or password is wrong")

// Authenticate checks an email and password. It takes the same time whether
// the email exists or not, and answers ErrBadCredentials for every failure.
func (db *DB) Authenticate(ctx context.Context, email, password string) (*User, error) {
	u, err := db.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	match, err := db.passwords.matches(ctx, password, hash)
	if err != nil {
		return nil, err
	}
	if u == nil || !match || u.PasswordHash == "" || u.DisabledAt != nil {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// ChangePassword sets a new password and bumps the user's auth epoch, which
// signs out every session the user has, everywhere.
func (db *DB) ChangePassword(ctx context.Context, userID int64, current, next string) error {
	u, err := db.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	var v ValidationError
	if ok, err := db.passwords.matches(ctx, current, u.PasswordHash); err != nil || !ok {
		v.Add("current_password", "That is not your current password.")
	}
	validatePassword(next, &v)
	if err := v.OrNil(); err != nil {
		return err
	}
	return db.setPassword(ctx, userID, next)
}

// SetPassword replaces a user's password without the old one (operators on
// the command line) and signs out all their sessions.
func (db *DB) SetPassword(ctx context.Context, userID int64, password string) error {
	var v ValidationError
	validatePassword(password, &v)
	if err := v.OrNil(); err != nil {
		return err
	}
	return db.setPassword(ctx, userID, password)
}

func (db *DB) setPassword(ctx context.Context, userID int64, password string) error {
	hash, err := db.passwords.hash(ctx, password)
	if err != nil {
		return err
	}
	res := db.with(ctx).Model(&User{}).Where("id = ?", userID).Updates(map[string]any{
		"password_hash": hash, "auth_epoch": gorm.Expr("auth_epoch + 1"), "updated_at": now(),
	})
	if res.Error != nil {
		return fmt.Errorf("models: set password of user %d: %w", userID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("models: user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// UserListOptions filters and pages the user list.
type UserListOptions struct {
	AfterID int64
	Limit   int
	// IDs keeps only these users.
	IDs []int64
	// Query keeps users whose name or email contains it, in any case (ASCII
	// case only on SQLite, whose LOWER folds no other letters).
	Query string
	// CanSignIn leaves out disabled users.
	CanSignIn bool
	// CanWrite leaves out viewers, who may read records but not work on
	// them (own a task, say), as Actor.CanWrite does.
	CanWrite bool
}

// Users lists users by id, keyset-paginated.
func (db *DB) Users(ctx context.Context, opts UserListOptions) ([]User, error) {
	limit := clampLimit(opts.Limit, 100, 500)
	var us []User
	q := db.with(ctx).Preload("Departments", departmentsByName).Order("id").Limit(limit)
	if opts.AfterID > 0 {
		q = q.Where("id > ?", opts.AfterID)
	}
	if opts.IDs != nil {
		q = q.Where("id IN ?", opts.IDs)
	}
	if term := strings.ToLower(strings.TrimSpace(opts.Query)); term != "" {
		// Staff lists are small enough to scan; a user's email_key is
		// their email lower-cased already.
		name, pattern := likeContains("LOWER(name)", term)
		email, _ := likeContains("email_key", term)
		q = q.Where("("+name+" OR "+email+")", pattern, pattern)
	}
	if opts.CanSignIn {
		q = q.Where("disabled_at IS NULL")
	}
	if opts.CanWrite {
		q = q.Where("role IN ?", []Role{RoleAdmin, RoleMember})
	}
	if err := q.Find(&us).Error; err != nil {
		return nil, fmt.Errorf("models: list users: %w", err)
	}
	return us, nil
}

// clampLimit bounds a page size: every list in Rapport is bounded.
func clampLimit(n, def, most int) int {
	if n <= 0 {
		return def
	}
	return min(n, most)
}

// departmentsByName orders a preloaded department list for display.
func departmentsByName(q *gorm.DB) *gorm.DB { return q.Order("departments.name") }
