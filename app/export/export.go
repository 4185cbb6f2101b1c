// Package export writes contacts out as CSV or vCard, streaming: it walks
// the contacts the person may see in batches, writes and flushes each, and
// never holds more than one batch, so an export of any size runs in the
// same memory. The UI, the API and the command line all export through
// Write, so visibility, the formula-injection guard and the audit record
// apply to every export alike.
package export

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"rapport/app/csvio"
	"rapport/app/vcardio"
	"rapport/models"
)

// Formats.
const (
	CSV   = "csv"
	VCard = "vcard"
)

// Request says what to export and how.
type Request struct {
	Format string // CSV (default) or VCard
	// Filter selects the contacts (query, tag, company, owner, IDs); the
	// person's visibility always applies on top.
	Filter        models.ContactListOptions
	Columns       []csvio.Column // CSV only; every field, custom ones too, when empty
	ExcelFriendly bool           // CSV only: UTF-8 BOM and semicolons
	VCardVersion  string         // vcardio.Version4 (default) or Version3
	// Via says where the export was asked for ("ui", "api", "cli"), for
	// the audit record.
	Via       string
	ClientIP  string
	RequestID string
}

// ContentType is the MIME type of the export.
func (r Request) ContentType() string {
	if r.Format == VCard {
		return "text/vcard; charset=utf-8"
	}
	return "text/csv; charset=utf-8"
}

// Filename is a download name such as rapport-contacts-2026-11-23.csv.
func (r Request) Filename(now time.Time) string {
	ext := "csv"
	if r.Format == VCard {
		ext = "vcf"
	}
	return fmt.Sprintf("rapport-contacts-%s.%s", now.UTC().Format(time.DateOnly), ext)
}

// Validate checks the request before anything is written, so a bad one is
// a clear error rather than a broken download.
func (r *Request) Validate() error {
	var v models.ValidationError
	switch r.Format {
	case "":
		r.Format = CSV
	case CSV, VCard:
	default:
		v.Add("format", "Choose csv or vcard.")
	}
	if r.Format == VCard && r.VCardVersion != "" && r.VCardVersion != vcardio.Version4 && r.VCardVersion != vcardio.Version3 {
		v.Add("vcard_version", "Choose vCard 4.0 or 3.0.")
	}
	return v.OrNil()
}

// Write streams the export to w and returns how many contacts it wrote.
// The export is audited with its filters and count, also when it fails
// part-way (a closed connection, say).
func Write(ctx context.Context, db *models.DB, actor models.Actor, w io.Writer, req Request) (int, error) {
	if err := req.Validate(); err != nil {
		return 0, err
	}
	var (
		write func(models.Contact) error
		flush func() error
	)
	switch req.Format {
	case VCard:
		vw, err := vcardio.NewWriter(w, vcardio.WriterOptions{Version: req.VCardVersion})
		if err != nil {
			return 0, err
		}
		write, flush = vw.Write, vw.Flush
	default:
		cols := req.Columns
		if len(cols) == 0 {
			var err error
			if cols, err = allColumns(ctx, db, actor, req.Filter); err != nil {
				return 0, err
			}
		}
		cw, err := csvio.NewWriter(w, csvio.WriterOptions{Columns: cols, ExcelFriendly: req.ExcelFriendly})
		if err != nil {
			return 0, &models.ValidationError{Fields: map[string]string{"columns": err.Error()}}
		}
		write, flush = cw.Write, cw.Flush
	}
	n := 0
	err := db.EachContact(ctx, actor, req.Filter, func(batch []models.Contact) error {
		for _, c := range batch {
			if err := write(c); err != nil {
				return fmt.Errorf("export: write contact %d: %w", c.ID, err)
			}
			n++
		}
		// Flushing per batch keeps the download moving and memory flat.
		return flush()
	})
	if err == nil {
		err = flush()
	}
	detail := map[string]any{"format": req.Format, "contacts": n, "via": req.Via, "filter": describe(req.Filter)}
	if err != nil {
		detail["error"] = err.Error()
	}
	if aerr := db.Audit(context.WithoutCancel(ctx), models.AuditEntry{Actor: &actor, Action: "contact.export",
		Detail: detail, ClientIP: req.ClientIP, RequestID: req.RequestID}); aerr != nil && err == nil {
		err = aerr
	}
	return n, err
}

// allColumns are the columns of an export of every field: the custom
// fields and every address too, which are data the customer keeps nowhere
// else and the import maps back.
func allColumns(ctx context.Context, db *models.DB, actor models.Actor, filter models.ContactListOptions) ([]csvio.Column, error) {
	defs, err := db.CustomFieldDefs(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(defs))
	for i, d := range defs {
		keys[i] = d.Key
	}
	addresses, err := db.MostAddresses(ctx, actor, filter, 2)
	if err != nil {
		return nil, err
	}
	return csvio.AllColumns(addresses, keys...), nil
}

func describe(f models.ContactListOptions) string {
	var parts []string
	if f.Query != "" {
		parts = append(parts, "q="+f.Query)
	}
	if f.Tag != "" {
		parts = append(parts, "tag="+f.Tag)
	}
	if f.CompanyID != 0 {
		parts = append(parts, fmt.Sprintf("company=%d", f.CompanyID))
	}
	if f.OwnerID != 0 {
		parts = append(parts, fmt.Sprintf("owner=%d", f.OwnerID))
	}
	if len(f.IDs) > 0 {
		parts = append(parts, fmt.Sprintf("%d selected", len(f.IDs)))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}
