package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"rapport/app/csvio"
	"rapport/app/export"
	"rapport/models"
)

// exportContacts writes contacts as CSV or vCard through the same code as
// the web export, as the user named by --as, so the same visibility rules
// hold and the export is audited under their name.
func exportContacts(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("export", env)
	as := fs.String("as", "", "email of the user to export as: only contacts they may see are written (required)")
	format := fs.String("format", "csv", "csv or vcard")
	query := fs.String("query", "", "only contacts matching this search")
	tag := fs.String("tag", "", "only contacts with this tag")
	columns := fs.String("columns", "", "comma-separated CSV columns (default: every field), e.g. given_name,family_name,email,company")
	excel := fs.Bool("excel", false, "CSV for Excel: UTF-8 byte-order mark and semicolons")
	version := fs.String("vcard-version", "", "4.0 (default) or 3.0")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *as == "" {
		return usageError{"--as is required: exports show only what that user may see"}
	}
	db, u, err := openAs(ctx, env, cfg, *as)
	if err != nil {
		return err
	}
	defer db.Close()
	req := export.Request{Format: *format, ExcelFriendly: *excel, VCardVersion: *version, Via: "cli",
		Filter: models.ContactListOptions{Query: *query, Tag: *tag}}
	for _, col := range strings.Split(*columns, ",") {
		if col = strings.TrimSpace(col); col != "" {
			req.Columns = append(req.Columns, csvio.Column{Key: col})
		}
	}
	var w io.Writer = env.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		defer bw.Flush()
		w = bw
	}
	n, err := export.Write(ctx, db, u.Actor("cli"), w, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d contacts\n", n)
	return nil
}
