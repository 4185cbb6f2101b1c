package models

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
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

// A PhoneRegionOption is a country a person can choose for numbers
// written without a country code.
type PhoneRegionOption struct {
	Code        string // "DE"
	Name        string // "Germany"
	CallingCode int    // 49
}

// PhoneRegions lists the countries PhoneRegion accepts, in English and in
// alphabetical order (Åland Islands under A), for a form to offer. The
// list is worked out once; callers must not change it.
var PhoneRegions = sync.OnceValue(func() []PhoneRegionOption {
	names := display.English.Regions()
	var out []PhoneRegionOption
	for code := range phonenumbers.GetSupportedRegions() {
		name := code
		if r, err := language.ParseRegion(code); err == nil {
			if n := names.Name(r); n != "" {
				name = n
			}
		}
		out = append(out, PhoneRegionOption{Code: code, Name: name, CallingCode: phonenumbers.GetCountryCodeForRegion(code)})
	}
	col := collate.New(language.English)
	slices.SortFunc(out, func(a, b PhoneRegionOption) int {
		return cmp.Or(col.CompareString(a.Name, b.Name), cmp.Compare(a.Code, b.Code))
	})
	return out
})

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

// phoneSearchText is what a search can find a number by: in E.164 (and so
// as bare digits with the country code), as dialled within the country,
// and as typed when that holds more than digits, so that "650 253 0000",
// "(650) 253-0000", "020 7946 0958", "+1650…" and "ext. 12" match.
func phoneSearchText(typed, e164 string) []string {
	// Search matches substrings, so a form inside another is left out:
	// the digits without "+" always are, and the national digits are
	// whenever the country has no trunk prefix (US "2125550123" is in
	// "+12125550123"; UK "02079460958" is not in "+442079460958"). So is
	// the typed form when it is only digits and punctuation: search
	// reduces such a term to its digits (searchTerms), which the other
	// forms hold, and "+1" and "20" are in the E.164 form as they are.
	// Every form written costs its trigrams in the search index of each
	// import; the typed one was a seventh of an imported contact's.
	parts := []string{e164}
	if typed = searchKey(typed); strings.Trim(typed, "0123456789+-(). ") != "" || e164 == "" {
		parts = append(parts, typed)
	}
	n, ok := e164Number(e164)
	if !ok {
		var err error
		if n, err = phonenumbers.Parse(e164, DefaultPhoneRegion); err != nil {
			return parts
		}
	}
	if national := digitsOnly(phonenumbers.Format(n, phonenumbers.NATIONAL)); !strings.Contains(e164, national) {
		parts = append(parts, national)
	}
	return parts
}

// e164Number is the number e164 (as ParsePhone returns it) names, read
// as phonenumbers.Parse reads a "+" number: the first one to three digits
// that are a country code, then the national number, its leading zeros
// kept. Building it is a fraction of a parse, which, with its
// extension and national-prefix rules, was half of what saving an
// imported contact cost in Go.
func e164Number(e164 string) (*phonenumbers.PhoneNumber, bool) {
	digits, ok := strings.CutPrefix(e164, "+")
	if !ok || digits == "" || digits[0] == '0' || strings.TrimLeft(digits, "0123456789") != "" {
		return nil, false
	}
	for l := 1; l <= 3 && l < len(digits); l++ {
		cc, _ := strconv.Atoi(digits[:l])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		nsn := digits[l:]
		national, err := strconv.ParseUint(nsn, 10, 64)
		if err != nil {
			return nil, false
		}
		code := int32(cc)
		n := &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &national}
		if len(nsn) > 1 && nsn[0] == '0' {
			italian := true
			n.ItalianLeadingZero = &italian
			// As Parse counts them: an all-zero number's last zero is
			// the number, not a leading zero.
			zeros := 1
			for zeros < len(nsn)-1 && nsn[zeros] == '0' {
				zeros++
			}
			if zeros != 1 {
				z := int32(zeros)
				n.NumberOfLeadingZeros = &z
			}
		}
		return n, true
	}
	return nil, false
}
