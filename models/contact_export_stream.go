package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// streamsExport reports whether EachContact reads opts' list in one
// statement (eachContactStream) rather than batch by batch: on Postgres,
// outside a transaction, for a list nothing narrows but visibility, the
// export of everything a person sees. The one statement aggregates each
// detail table whole and joins it by hash, which beats seven index
// lookups a batch only when most contacts are exported: for a search or a
// selection the batched path reads just what it needs.
func (db *DB) streamsExport(opts ContactListOptions) bool {
	narrowed := opts.Query != "" || opts.Tag != "" || opts.CompanyID != 0 || opts.OwnerID != 0 ||
		opts.Email != "" || opts.Phone != "" || len(opts.IDs) > 0 || opts.ActiveDepartmentID != 0 ||
		!opts.LastContactedFrom.IsZero() || !opts.LastContactedTo.IsZero()
	return db.dialect.copies() && !db.inTx() && !narrowed
}

// exportStreamDetails are the contact's company and, per detail table,
// one array of rows in the order the batched path loads them, each row a
// record whose fields are those of the model's struct in declaration
// order, so that pgx scans the array straight into []ContactEmail and the
// rest. A field added to one of those structs must be added here too;
// TestExportStreamMatchesBatches fails until it is.
const exportStreamDetails = `co.id, co.name, co.name_key, co.domain, co.industry, co.size, co.address, co.tags,
  co.version, co.created_at, co.updated_at, co.deleted_at, e.list, p.list, t.list, a.list, s.list`

const exportStreamJoins = `LEFT JOIN companies co ON co.id = contacts.company_id
LEFT JOIN (SELECT contact_id, array_agg(ROW(id, contact_id, address, address_key, label, is_primary, position) ORDER BY position, id) AS list
  FROM contact_emails GROUP BY contact_id) e ON e.contact_id = contacts.id
LEFT JOIN (SELECT contact_id, array_agg(ROW(id, contact_id, number, e164, label, is_primary, position) ORDER BY position, id) AS list
  FROM contact_phones GROUP BY contact_id) p ON p.contact_id = contacts.id
LEFT JOIN (SELECT contact_id, array_agg(tag ORDER BY tag_key) AS list
  FROM contact_tags GROUP BY contact_id) t ON t.contact_id = contacts.id
LEFT JOIN (SELECT contact_id, array_agg(ROW(id, contact_id, label, street, city, region, postal_code, country, position) ORDER BY position, id) AS list
  FROM contact_addresses GROUP BY contact_id) a ON a.contact_id = contacts.id
LEFT JOIN (SELECT contact_id, array_agg(ROW(id, contact_id, network, handle, url, feed_url, position, created_at) ORDER BY position, id) AS list
  FROM social_profiles GROUP BY contact_id) s ON s.contact_id = contacts.id`

// eachContactStream is EachContact as one statement, in the form psql's
// \copy of the same columns runs fastest: each detail table aggregated
// once and hash-joined, the whole ordered by the list's key. pgx decodes
// rows as they arrive, so memory holds one batch whatever the export's
// size, and the server works on the next rows while fn writes these. The
// statement reads one snapshot, so a long export is consistent as of its
// start.
func (db *DB) eachContactStream(ctx context.Context, actor Actor, opts ContactListOptions, order keyset[Contact], fn func([]Contact) error) error {
	q, err := db.contactFilter(ctx, actor, opts)
	if err != nil {
		return err
	}
	var shape []Contact
	stmt := q.Session(&gorm.Session{DryRun: true}).Select(exportContactColumns + ", " + exportStreamDetails).
		Joins(exportStreamJoins).Order(order.orderBy()).Find(&shape).Statement
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("models: export contacts: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("models: export contacts: driver connection is %T, not pgx", driverConn)
		}
		db.statements.Add(1)
		rows, err := c.Conn().Query(ctx, stmt.SQL.String(), stmt.Vars...)
		if err != nil {
			return fmt.Errorf("models: export contacts: %w", err)
		}
		defer rows.Close()
		if err := scanExportStream(rows, fn); err != nil {
			return err
		}
		// As the batched walk does: an export whose caller gave up says
		// so, even when its last rows had already arrived.
		return ctx.Err()
	})
}

// scanExportStream turns eachContactStream's rows into batches for fn.
// Contacts of one batch that share a company share its *Company, as in
// the batched path.
func scanExportStream(rows pgx.Rows, fn func([]Contact) error) error {
	batch := make([]Contact, 0, exportBatch)
	companies := map[int64]*Company{}
	var (
		companyID, version                                   sql.NullInt64
		name, nameKey, domain, industry, size, address, tags sql.NullString
		created, updated, deleted                            sql.NullTime
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := fn(batch)
		batch = batch[:0]
		clear(companies)
		return err
	}
	for rows.Next() {
		batch = append(batch, Contact{})
		c := &batch[len(batch)-1]
		err := scanExportContact(rows.Scan, c, &companyID, &name, &nameKey, &domain, &industry, &size, &address, &tags,
			&version, &created, &updated, &deleted, &c.Emails, &c.Phones, &c.Tags, &c.Addresses, &c.SocialProfiles)
		if err != nil {
			return err
		}
		if companyID.Valid {
			if c.Company = companies[companyID.Int64]; c.Company == nil {
				co := &Company{ID: companyID.Int64, Name: name.String, NameKey: nameKey.String, Domain: domain.String,
					Industry: industry.String, Size: size.String, Address: address.String, Version: version.Int64,
					CreatedAt: created.Time, UpdatedAt: updated.Time, DeletedAt: nullableTime(deleted)}
				if err := json.Unmarshal([]byte(tags.String), &co.Tags); err != nil {
					return fmt.Errorf("models: export company %d: tags: %w", co.ID, err)
				}
				c.Company, companies[co.ID] = co, co
			}
		}
		if len(batch) == exportBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("models: export contacts: %w", err)
	}
	return flush()
}
