package models

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultPhoneRegion is the country numbers without a leading + are read
// in when the caller names none.
const DefaultPhoneRegion = "US"

// PhoneRegion returns region as phonenumbers expects it (upper-case ISO
// 3166 code), DefaultPhoneRegion when empty, and false when phonenumbers
// does not know it.
func PhoneRegion(region string) (string, bool) {
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "" {
		return DefaultPhoneRegion, true
	}
	return region, phonenumbers.GetSupportedRegions()[region]
}

// ParsePhone reads a number as a person typed it and returns its E.164 form
// ("+16502530000"). Numbers starting with + carry their country; others are
// read as numbers of region (see PhoneRegion). Like ValidateEmail, it
// returns a message for the person instead when it cannot.
func ParsePhone(number, region string) (e164, problem string) {
	region, ok := PhoneRegion(region)
	if !ok {
		return "", "Choose the country phone numbers are in, such as US or GB."
	}
	n, err := phonenumbers.Parse(number, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", fmt.Sprintf("%q is not a phone number Rapport recognises. Check the digits, or start with + and the country code, such as +44 20 7946 0958.", number)
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

// phoneSearchText is what a search can find a number by: as typed, in
// E.164, and as bare digits with the country code and as dialled within
// the country, so that "650 253 0000", "020 7946 0958" and "+1650…" match.
func phoneSearchText(typed, e164 string) []string {
	parts := []string{searchKey(typed), e164, strings.TrimPrefix(e164, "+")}
	if n, err := phonenumbers.Parse(e164, DefaultPhoneRegion); err == nil {
		parts = append(parts, digitsOnly(phonenumbers.Format(n, phonenumbers.NATIONAL)))
	}
	return parts
}
