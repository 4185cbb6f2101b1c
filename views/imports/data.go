// Package imports holds the contact import pages: the column mapping and
// preview step, and an import's progress and outcome.
package imports

import (
	"strconv"
	"strings"
	"time"

	"rapport/models"
)

// Column is one column of the file with the field it maps to.
type Column struct {
	Index  int
	Name   string
	Field  string
	Sample string // the first row's cell, to help choose
}

// PreviewRow is one row as it would be stored.
type PreviewRow struct {
	Line     int
	Name     string
	Company  string
	Emails   string
	Phones   string
	Tags     string
	Problems []string
}

// MappingData is the mapping and preview step of a draft import.
type MappingData struct {
	Import  *models.Import
	Columns []Column
	Fields  []string // the fields a column can map to
	// CustomLabels labels the custom fields among Fields ("custom:tier"
	// is "Account tier").
	CustomLabels map[string]string
	Rows         []PreviewRow
	Error        string
	Saved        []SavedMapping // everyone's saved mappings, by name
	// PhoneRegion is the country of phone numbers written without a
	// country code; empty for DefaultPhoneRegion.
	PhoneRegion string
}

// SavedMapping is a saved mapping the step offers.
type SavedMapping struct {
	ID        int64
	Name      string
	CanDelete bool
}

// StatusData is an import's progress and outcome.
type StatusData struct {
	Import   *models.Import
	Done     int64 // records processed
	Total    int64 // records in the file, 0 while unknown
	CanWrite bool
	Now      time.Time
	LeftOut  int64 // values left out of imported rows, once finished
}

// ShowData is the page of a started import.
type ShowData struct {
	Status StatusData
}

// ListData is the recent imports on the Import/Export page.
type ListData struct {
	Imports []models.Import
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func importURL(im *models.Import, suffix string) string {
	return "/imports/" + itoa(im.ID) + suffix
}

// StatusLabel names a status for people.
func StatusLabel(im *models.Import) string {
	switch im.Status {
	case models.ImportDraft:
		return "Choosing columns"
	case models.ImportQueued:
		return "Waiting to start"
	case models.ImportRunning:
		return "Importing"
	case models.ImportDone:
		if im.UndoneAt != nil {
			return "Undone"
		}
		if im.DryRun {
			return "Dry run finished"
		}
		return "Finished"
	case models.ImportFailed:
		return "Failed"
	case models.ImportCancelled:
		return "Cancelled"
	}
	return im.Status
}

func statusClass(im *models.Import) string {
	switch im.Status {
	case models.ImportDone:
		return "badge badge-ok"
	case models.ImportFailed:
		return "badge badge-danger"
	case models.ImportCancelled:
		return "badge badge-warn"
	}
	return "badge"
}

func percent(d StatusData) string {
	if d.Total <= 0 {
		return ""
	}
	p := d.Done * 100 / d.Total
	return strconv.FormatInt(min(p, 100), 10)
}

// phoneRegion is the country the phone numbers' select shows chosen.
func (d MappingData) phoneRegion() string {
	if d.PhoneRegion == "" {
		return models.DefaultPhoneRegion
	}
	return strings.ToUpper(d.PhoneRegion)
}

// fieldLabel is how the select names field f.
func (d MappingData) fieldLabel(f string) string {
	if f == "ignore" {
		return "— ignore —"
	}
	if k, ok := strings.CutPrefix(f, "custom:"); ok {
		if l := d.CustomLabels[f]; l != "" {
			return "Custom: " + l
		}
		return "Custom: " + k + " (not defined here)"
	}
	return strings.ReplaceAll(f, "_", " ")
}

// fieldsWith returns the fields, plus cur when it is a custom field the
// list lacks, so the select keeps it.
func fieldsWith(fields []string, cur string) []string {
	for _, f := range fields {
		if f == cur {
			return fields
		}
	}
	if cur == "" {
		return fields
	}
	return append(append([]string(nil), fields...), cur)
}

func dateTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Local().Format("2 Jan 2006 15:04")
}
