package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestParseBirthday(t *testing.T) {
	nextYear := fmt.Sprintf("%d-01-01", time.Now().Year()+1)
	tests := []struct {
		in, text string // text empty: not a birthday
	}{
		{"1984-07-21", "21 July 1984"},
		{"1800-01-01", "1 January 1800"},
		{"2000-02-29", "29 February 2000"},
		{"--12-25", "25 December"},
		{"--02-29", "29 February"}, // some year has it
		{"--01-31", "31 January"},
		{"", ""},
		{"1799-12-31", ""}, // before 1800
		{nextYear, ""},     // in the future
		{"1999-02-29", ""},
		{"1984-13-01", ""},
		{"--02-30", ""},
		{"--13-01", ""},
		{"--00-10", ""},
		{"--12-00", ""},
		{"--04-31", ""},
		{"--1225", ""}, // importers read it; Rapport stores one form
		{"12-25", ""},
		{"21/07/1984", ""},
		{"1984-7-21", ""},
		{"0000-12-25", ""},
		{" --12-25", ""},
	}
	for _, tt := range tests {
		b, err := models.ParseBirthday(tt.in)
		if tt.text == "" {
			if err == nil || !errors.Is(err, models.ErrBirthday) {
				t.Errorf("ParseBirthday(%q) = %+v, %v; want ErrBirthday", tt.in, b, err)
			}
			continue
		}
		if err != nil || b.Text() != tt.text || b.String() != tt.in {
			t.Errorf("ParseBirthday(%q) = %+v (%q, %q), %v; want %q", tt.in, b, b.String(), b.Text(), err, tt.text)
		}
		if got := models.BirthdayText(tt.in); got != tt.text {
			t.Errorf("BirthdayText(%q) = %q", tt.in, got)
		}
	}
	if got := models.BirthdayText("not a date"); got != "not a date" {
		t.Errorf("BirthdayText keeps what it cannot read: %q", got)
	}
}

// TestContactBirthdayWithoutYear stores a birthday without a year, on
// create and on update, and refuses a day that does not exist.
func TestContactBirthdayWithoutYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ada", Birthday: " --02-29 "})
		got, err := db.Contact(ctx, actor, c.ID)
		if err != nil || got.Birthday != "--02-29" {
			t.Fatalf("created: %q %v", got.Birthday, err)
		}
		for _, b := range []string{"--12-25", "1984-12-25", "--12-25"} {
			if got, err = db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: got.Version, Birthday: &b}); err != nil || got.Birthday != b {
				t.Fatalf("update to %q: %q %v", b, got.Birthday, err)
			}
		}
		bad := "--02-30"
		_, err = db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: got.Version, Birthday: &bad})
		if f := validationFields(t, err); f["birthday"] != models.ErrBirthday.Error() {
			t.Errorf("problems = %v", f)
		}
	})
}
