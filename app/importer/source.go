package importer

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"rapport/app/csvio"
	"rapport/app/vcardio"
	"rapport/models"
)

// row is one record of the file, mapped: what to save, what was left out,
// or why it cannot be used at all.
type row struct {
	line   int
	fields []string // the cells as read, for the rejected-rows CSV
	req    models.ContactRequest
	// keys are what it matches by, and contact the contact it makes when
	// it matches nothing; both worked out as it is read ahead.
	keys     models.ImportKeys
	contact  *models.PreparedContact
	warnings []string // values Map left out; the row is still used
	reject   string   // why the row cannot be used; "" when it can
}

// source reads the rows of a file one at a time.
type source interface {
	// next returns the next row, io.EOF at the end; any other error ends
	// the file.
	next() (row, error)
	header() []string
}

// openSource opens a stored file of the given format. For CSV, m maps it.
func openSource(r io.Reader, format string, m csvio.Mapping) (source, error) {
	if format == models.ImportVCard {
		return &vcardSource{r: vcardio.NewReader(r, vcardio.ReadOptions{}), region: m.PhoneRegion, defs: m.CustomFields}, nil
	}
	rd, err := csvio.Open(r, csvio.ReadOptions{})
	if err != nil {
		return nil, err
	}
	return &csvSource{r: rd, m: m}, nil
}

type csvSource struct {
	r *csvio.Reader
	m csvio.Mapping
}

func (s *csvSource) header() []string { return s.r.Header() }

func (s *csvSource) next() (row, error) {
	rec, err := s.r.Read()
	var re *csvio.RowError
	switch {
	case errors.As(err, &re):
		return row{line: re.Line, fields: clone(rec.Fields), reject: re.Msg}, nil
	case err != nil:
		return row{}, err
	}
	req, problems := csvio.Map(rec, s.m)
	out := row{line: rec.Line, fields: clone(rec.Fields), req: req}
	for _, p := range problems {
		out.warnings = append(out.warnings, p.Error())
	}
	return out, nil
}

type vcardSource struct {
	r      *vcardio.Reader
	region string
	defs   []models.CustomFieldDef // as csvio.Mapping.CustomFields
}

func (s *vcardSource) header() []string { return []string{"card"} }

func (s *vcardSource) next() (row, error) {
	card, err := s.r.Read()
	var ce *vcardio.CardError
	switch {
	case errors.As(err, &ce):
		return row{line: ce.Line, fields: []string{ce.Name}, reject: ce.Msg}, nil
	case err != nil:
		return row{}, err
	}
	req, problems := vcardio.Map(card, s.region)
	out := row{line: card.Line, fields: []string{cardLabel(req)}, req: req}
	for _, p := range problems {
		out.warnings = append(out.warnings, p.Error())
	}
	if s.defs != nil {
		for _, key := range slices.Sorted(maps.Keys(req.CustomFields)) {
			stored, problem := models.CheckCustomValue(s.defs, key, req.CustomFields[key])
			if problem != "" {
				delete(req.CustomFields, key)
				out.warnings = append(out.warnings, fmt.Sprintf("custom field %q: %s The value was left out.", key, problem))
				continue
			}
			req.CustomFields[key] = stored
		}
	}
	return out, nil
}

// cardLabel names a card in the rejected-rows file.
func cardLabel(r models.ContactRequest) string {
	if n := strings.TrimSpace(r.GivenName + " " + r.FamilyName); n != "" {
		return n
	}
	if r.DisplayName != "" {
		return r.DisplayName
	}
	if len(r.Emails) > 0 {
		return r.Emails[0].Address
	}
	if len(r.Phones) > 0 {
		return r.Phones[0].Number
	}
	return ""
}

func clone(fs []string) []string { return append([]string(nil), fs...) }

// countRows counts the records of a file, for the progress bar's total.
// Reading is far cheaper than saving, so a pass over the file costs little.
func countRows(r io.Reader, format string) (int64, error) {
	src, err := openSource(r, format, csvio.Mapping{})
	if err != nil {
		return 0, err
	}
	var n int64
	for {
		if _, err := src.next(); err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("count rows: %w", err)
		}
		n++
	}
}
