package csvio

import (
	"strings"
	"testing"
)

// A time Rapport cannot store is a problem that says what it can, so the
// import leaves the value out with that reason; empty placeholders are
// still no value.
func TestParseTimeOutOfRange(t *testing.T) {
	for _, in := range []string{"0000-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "1899-12-31", "31/12/1850"} {
		got, problem := ParseTime(in, DayMonthYear)
		if !got.IsZero() || !strings.Contains(problem, in) || !strings.Contains(problem, "from 1900-01-01 to 9999-12-31 (UTC)") {
			t.Errorf("ParseTime(%q) = %v %q", in, got, problem)
		}
	}
	for _, in := range []string{"", "0000-00-00", "0001-01-01T00:00:00Z"} {
		if got, problem := ParseTime(in, DayMonthYear); !got.IsZero() || problem != "" {
			t.Errorf("ParseTime(%q) = %v %q, want no value", in, got, problem)
		}
	}
	for _, in := range []string{"1900-01-01", "9999-12-31T23:59:59Z", "9999-12-31T12:00:00-11:00"} {
		if got, problem := ParseTime(in, DayMonthYear); got.IsZero() || problem != "" {
			t.Errorf("ParseTime(%q) = %v %q, want it read", in, got, problem)
		}
	}
}
