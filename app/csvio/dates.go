package csvio

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"rapport/models"
)

var (
	dateISO      = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$`)
	dateBasic    = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	dateNoYear   = regexp.MustCompile(`^(?:--\d{2}-?\d{2}|\d{1,2}[/.\-]\d{1,2}\.?)$`)
	dateNumeric  = regexp.MustCompile(`^(\d{1,2})([/.\-])(\d{1,2})[/.\-](\d{4}|\d{2})(?:[T ].*)?$`)
	dateDayMonth = regexp.MustCompile(`^(\d{1,2})\.?[ \-]*(\p{L}+)\.?[ \-,]*(\d{4})$`)
	dateMonthDay = regexp.MustCompile(`^(\p{L}+)\.?[ \-]*(\d{1,2})(?:st|nd|rd|th)?,?[ \-]*(\d{4})$`)
	dateSerial   = regexp.MustCompile(`^\d{5}$`)
)

// months knows month names, whole and abbreviated, in the languages
// exports come in most: English, French, German, Spanish, Italian.
var months = func() map[string]int {
	names := [12]string{
		"jan january janv janvier januar jän jänner enero ene gennaio gen",
		"feb february fév févr février fev fevr fevrier februar febrero febbraio",
		"mar march mars märz marz marzo",
		"apr april avr avril abril abr aprile",
		"may mai mayo maggio mag",
		"jun june juin juni junio giugno giu",
		"jul july juil juillet juli julio luglio lug",
		"aug august août aout agosto ago",
		"sep sept september septembre septiembre settembre set",
		"oct october octobre okt oktober octubre ottobre ott",
		"nov november novembre noviembre",
		"dec december déc decembre décembre dez dezember diciembre dic dicembre",
	}
	m := map[string]int{}
	for i, list := range names {
		for _, n := range strings.Fields(list) {
			m[n] = i + 1
		}
	}
	return m
}()

// ParseDate reads a date as people and exporters write it and returns it
// as YYYY-MM-DD. It knows ISO dates (1984-07-21, 1984/07/21, 19840721, with
// or without a time after them), day and month in either order with /, .
// or - (21.07.1984, 7/21/84), month names (21 July 1984, July 21, 1984,
// 21-Jul-1984, 21 juillet 1984) and Excel's five-digit serial day numbers (30884).
// Two-digit years are within the last hundred years. Outlook's empty date,
// 0/0/00, is no date: it returns "" and no problem.
//
// When it cannot, problem says why for a person: no year (--07-21; only
// a birthday may lack one, see ParseBirthday), ambiguous without order
// (03/04/1990), or not a date.
func ParseDate(s string, order DateOrder) (date, problem string) {
	s = strings.TrimSpace(s)
	var y, m, d int
	switch {
	case s == "" || s == "0/0/00" || s == "00/00/0000" || s == "0000-00-00":
		return "", ""
	case dateISO.MatchString(s):
		p := dateISO.FindStringSubmatch(s)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case dateBasic.MatchString(s):
		p := dateBasic.FindStringSubmatch(s)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case dateNoYear.MatchString(s):
		return "", fmt.Sprintf("%q has no year. Rapport keeps full dates, such as 1984-07-21.", s)
	case dateNumeric.MatchString(s):
		p := dateNumeric.FindStringSubmatch(s)
		a, sep, b := atoi(p[1]), p[2], atoi(p[3])
		y = fullYear(p[4])
		switch {
		case a > 12 || (b <= 12 && a == b):
			d, m = a, b
		case b > 12:
			m, d = a, b
		case order == DayMonthYear || (order == "" && sep == "."):
			d, m = a, b
		case order == MonthDayYear:
			m, d = a, b
		default:
			return "", fmt.Sprintf("%q could be %s or %s. Choose whether dates in this file put the day or the month first.",
				s, dayMonthText(a, b), dayMonthText(b, a))
		}
	case dateDayMonth.MatchString(s):
		p := dateDayMonth.FindStringSubmatch(s)
		d, m, y = atoi(p[1]), months[strings.ToLower(p[2])], atoi(p[3])
	case dateMonthDay.MatchString(s):
		p := dateMonthDay.FindStringSubmatch(s)
		m, d, y = months[strings.ToLower(p[1])], atoi(p[2]), atoi(p[3])
	case dateSerial.MatchString(s):
		// Excel counts days from 30 December 1899.
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, atoi(s)).Format(time.DateOnly), ""
	default:
		return "", fmt.Sprintf("%q is not a date Rapport can read. Write it as YYYY-MM-DD, such as 1984-07-21.", s)
	}
	if m == 0 {
		return "", fmt.Sprintf("%q is not a date Rapport can read. Write it as YYYY-MM-DD, such as 1984-07-21.", s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		return "", fmt.Sprintf("%q is not a real date. Check the day and the month.", s)
	}
	return t.Format(time.DateOnly), ""
}

var (
	birthdayNoYear   = regexp.MustCompile(`^--(\d{2})-?(\d{2})$`)
	birthdayDayMonth = regexp.MustCompile(`^(\d{1,2})([/.\-])(\d{1,2})\.?$`)
)

// ParseBirthday reads a birthday as Rapport stores it (see
// models.Birthday): any date ParseDate reads, or a day and month without
// the year, as Google Contacts (--12-25) and vCard 4 (--1225) write it.
// A day and month with a separator (25.12., 12/25) is read only when it
// cannot be misread: with the mapping's date order, or with dots, which
// put the day first wherever they are used. Without either, 12/25 could be
// a date, a fraction or a score, so it is a problem, not a guess.
func ParseBirthday(s string, order DateOrder) (birthday, problem string) {
	s = strings.TrimSpace(s)
	var b models.Birthday
	switch {
	case birthdayNoYear.MatchString(s):
		p := birthdayNoYear.FindStringSubmatch(s)
		b = models.Birthday{Month: time.Month(atoi(p[1])), Day: atoi(p[2])}
	case birthdayDayMonth.MatchString(s):
		p := birthdayDayMonth.FindStringSubmatch(s)
		a, sep, c := atoi(p[1]), p[2], atoi(p[3])
		switch {
		case order == DayMonthYear || (order == "" && sep == "."):
			b = models.Birthday{Month: time.Month(c), Day: a}
		case order == MonthDayYear:
			b = models.Birthday{Month: time.Month(a), Day: c}
		default:
			return "", fmt.Sprintf("%q has no year, and could be a day and month either way round. "+
				"Choose whether dates in this file put the day or the month first.", s)
		}
	default:
		d, problem := ParseDate(s, order)
		if problem != "" || d == "" {
			return "", problem
		}
		if _, err := models.ParseBirthday(d); err != nil {
			return "", fmt.Sprintf("%q is not a birthday Rapport can store: it must be after 1800 and not in the future.", s)
		}
		return d, ""
	}
	if _, err := models.ParseBirthday(b.String()); err != nil {
		return "", fmt.Sprintf("%q is not a real date. Check the day and the month.", s)
	}
	return b.String(), ""
}

// ParseTime reads a point in time: RFC 3339 (2024-01-15T10:30:00Z), a date
// and time without a zone, taken as UTC (2024-01-15 10:30, as HubSpot
// writes), or any date ParseDate reads, as midnight UTC. A time Rapport
// cannot store (models.StorableTime) is a problem.
func ParseTime(s string, order DateOrder) (t time.Time, problem string) {
	t, problem = parseTime(s, order)
	if problem == "" && !t.IsZero() && !models.StorableTime(t) {
		return time.Time{}, fmt.Sprintf("%q is outside the times Rapport keeps, %s.", strings.TrimSpace(s), models.StorableRange)
	}
	return t, problem
}

func parseTime(s string, order DateOrder) (t time.Time, problem string) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), ""
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, ""
		}
	}
	d, problem := ParseDate(s, order)
	if problem != "" || d == "" {
		return time.Time{}, problem
	}
	t, _ = time.Parse(time.DateOnly, d)
	return t, ""
}

func dayMonthText(day, month int) string {
	return fmt.Sprintf("%d %s", day, time.Month(month))
}

func fullYear(s string) int {
	y := atoi(s)
	if len(s) == 2 {
		now := time.Now().Year()
		y += now / 100 * 100
		if y > now {
			y -= 100
		}
	}
	return y
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
