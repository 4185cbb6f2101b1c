package models_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// A number checked by ParsePhoneInput (as an import's mapping checks each)
// is saved without a second parse only when it is saved as checked: the
// same digits in the same region. Read in another region it is parsed
// again, so a stale answer can never be stored.
func TestParsePhoneInputIsUsedOnlyAsChecked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		in, msg := models.ParsePhoneInput(models.PhoneInput{Number: "020 7946 0958", Label: "work"}, "gb")
		if msg != "" {
			t.Fatalf("a London number in GB: %s", msg)
		}
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ada", PhoneRegion: "GB", Phones: []models.PhoneInput{in}})
		if len(c.Phones) != 1 || c.Phones[0].E164 != "+442079460958" || c.Phones[0].Number != "020 7946 0958" {
			t.Fatalf("saved phones %+v", c.Phones)
		}
		_, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ada", PhoneRegion: "US", Phones: []models.PhoneInput{in}})
		var v *models.ValidationError
		if !errors.As(err, &v) || v.Fields["phones[0]"] == "" {
			t.Fatalf("the GB parse was trusted in the US: %v", err)
		}
		in.Number = "+1 650 253 0000"
		c = mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ada", PhoneRegion: "GB", Phones: []models.PhoneInput{in}})
		if c.Phones[0].E164 != "+16502530000" {
			t.Fatalf("a changed number kept the old parse: %+v", c.Phones)
		}
		if _, msg := models.ParsePhoneInput(models.PhoneInput{Number: "12"}, "GB"); msg == "" {
			t.Fatal("a two-digit number passed")
		}
	})
}

func TestPhoneRegions(t *testing.T) {
	regions := models.PhoneRegions()
	at := func(code string) int {
		return slices.IndexFunc(regions, func(r models.PhoneRegionOption) bool { return r.Code == code })
	}
	if i := at("DE"); i < 0 || regions[i] != (models.PhoneRegionOption{Code: "DE", Name: "Germany", CallingCode: 49}) {
		t.Errorf("Germany: %+v", regions[max(i, 0)])
	}
	// In alphabetical order as people read it: Åland Islands under A.
	if !(at("AF") < at("AX") && at("AX") < at("AL") && at("CI") < at("CZ")) {
		t.Errorf("order: AF %d, AX %d, AL %d, CI %d, CZ %d", at("AF"), at("AX"), at("AL"), at("CI"), at("CZ"))
	}
	for _, r := range regions {
		if _, ok := models.PhoneRegion(r.Code); !ok {
			t.Errorf("offered %s, which PhoneRegion refuses", r.Code)
		}
	}
}
