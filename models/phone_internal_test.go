package models

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestE164NumberFormatsAsParsed holds the shortcut phoneSearchText takes
// to what it replaced: for the example numbers of every region, every
// non-geographic code and every number type, and for numbers as people
// type them, the national form built from the E.164 string is the one
// phonenumbers.Parse gives, so search text and what it finds are unchanged.
func TestE164NumberFormatsAsParsed(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	var e164s []string
	add := func(n *phonenumbers.PhoneNumber) {
		if n != nil {
			e164s = append(e164s, phonenumbers.Format(n, phonenumbers.E164))
		}
	}
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			add(phonenumbers.GetExampleNumberForType(region, typ))
		}
	}
	for code := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		add(phonenumbers.GetExampleNumberForNonGeoEntity(code))
	}
	for _, typed := range []struct{ number, region string }{
		{"(650) 253-0000", "US"}, {"020 7946 0958", "GB"}, {"06 6982 0000", "IT"}, {"+39 312 345 6789", ""},
		{"011 15-2345-6789", "AR"}, {"+54 9 11 2345-6789", ""}, {"55 1234 5678", "MX"}, {"07 07 12 34 56", "CI"},
		{"+1 650 253 0000 ext. 123", ""}, {"0800 123 4567", "GB"}, {"+800 1234 5678", ""}, {"03-1234-5678", "JP"},
	} {
		e164, problem := ParsePhone(typed.number, typed.region)
		if problem != "" {
			t.Fatalf("ParsePhone(%q, %q): %s", typed.number, typed.region, problem)
		}
		e164s = append(e164s, e164)
	}
	if len(e164s) < 500 {
		t.Fatalf("only %d example numbers", len(e164s))
	}
	for _, e164 := range e164s {
		parsed, err := phonenumbers.Parse(e164, DefaultPhoneRegion)
		if err != nil {
			t.Fatalf("Parse(%q): %v", e164, err)
		}
		built, ok := e164Number(e164)
		if !ok {
			t.Errorf("e164Number(%q) refused it", e164)
			continue
		}
		want, got := phonenumbers.Format(parsed, phonenumbers.NATIONAL), phonenumbers.Format(built, phonenumbers.NATIONAL)
		if got != want {
			t.Errorf("%s: national form %q, Parse gives %q", e164, got, want)
		}
	}
	for _, bad := range []string{"", "+", "+0123", "16502530000", "+1 650", "+99912345"} {
		if _, ok := e164Number(bad); ok {
			t.Errorf("e164Number(%q) accepted it", bad)
		}
	}
}
