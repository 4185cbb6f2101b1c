package models

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// A contact's birthday is stored as text in one of two ISO 8601 forms:
// "YYYY-MM-DD" when the year is known, or "--MM-DD" (the form vCard 4 and
// Google Contacts use) when it is not. Many people know a friend's or a
// customer's birthday but not the year, and address books export it so.
// Empty means no birthday.

// ErrBirthday says what a birthday must look like, for the API and the
// contact form alike.
var ErrBirthday = errors.New("Enter a real birthday: a full date such as 1984-07-21 (YYYY-MM-DD, from 1800, not in the future), " +
	"or a day and month without the year such as --07-21 (--MM-DD).")

var (
	birthdayFull   = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	birthdayNoYear = regexp.MustCompile(`^--(\d{2})-(\d{2})$`)
)

// minBirthdayYear is the earliest year a birthday may have: earlier ones
// are typing mistakes far more often than real dates.
const minBirthdayYear = 1800

// Birthday is a day of the year and, when known, the year.
type Birthday struct {
	Year  int // 0 when the year is not known
	Month time.Month
	Day   int
}

// ParseBirthday reads a stored birthday, "YYYY-MM-DD" or "--MM-DD", and
// checks it: the day must exist (29 February without a year, since some
// year has it), and a year must be from 1800 and the date not in the future.
func ParseBirthday(s string) (Birthday, error) {
	var b Birthday
	if p := birthdayFull.FindStringSubmatch(s); p != nil {
		b = Birthday{Year: atoi(p[1]), Month: time.Month(atoi(p[2])), Day: atoi(p[3])}
	} else if p := birthdayNoYear.FindStringSubmatch(s); p != nil {
		b = Birthday{Month: time.Month(atoi(p[1])), Day: atoi(p[2])}
	}
	if !b.valid(s != "" && s[0] != '-') {
		return Birthday{}, fmt.Errorf("birthday %q: %w", s, ErrBirthday)
	}
	return b, nil
}

// valid reports whether b is a day that exists and, when withYear, a year
// from 1800 and not in the future.
func (b Birthday) valid(withYear bool) bool {
	year := b.Year
	if !withYear {
		year = 2000 // a leap year, so that --02-29 is a day that exists
	} else if year < minBirthdayYear {
		return false
	}
	t := time.Date(year, b.Month, b.Day, 0, 0, 0, 0, time.UTC)
	return b.Month >= time.January && b.Month <= time.December && b.Day >= 1 && t.Day() == b.Day && t.Month() == b.Month &&
		(!withYear || !t.After(now()))
}

// String is the birthday as Rapport stores it: "1984-07-21" or "--07-21".
func (b Birthday) String() string {
	if b.Year == 0 {
		return fmt.Sprintf("--%02d-%02d", int(b.Month), b.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", b.Year, int(b.Month), b.Day)
}

// Text is the birthday for people to read: "21 July 1984", or "21 July"
// without the year.
func (b Birthday) Text() string {
	if b.Year == 0 {
		return fmt.Sprintf("%d %s", b.Day, b.Month)
	}
	return fmt.Sprintf("%d %s %d", b.Day, b.Month, b.Year)
}

// BirthdayText is a stored birthday for people to read (see
// [Birthday.Text]); a value that is not a valid birthday is shown as it is.
func BirthdayText(s string) string {
	b, err := ParseBirthday(s)
	if err != nil {
		return s
	}
	return b.Text()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
