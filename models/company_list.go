package models

import (
	"context"
	"fmt"
	"strings"
)

// CompanySort names an order of the company list.
type CompanySort string

// Company list orders: A to Z, or most recently changed first.
const (
	CompanySortName    CompanySort = "name"
	CompanySortUpdated CompanySort = "updated"
)

var companyOrders = map[CompanySort]keyset[Company]{
	CompanySortName: {column: "companies.name_key", idColumn: "companies.id",
		value: func(c *Company) any { return c.NameKey }, rowID: companyID},
	CompanySortUpdated: {column: "companies.updated_at", idColumn: "companies.id", desc: true, isTime: true,
		value: func(c *Company) any { return c.UpdatedAt }, rowID: companyID},
}

func companyID(c *Company) int64 { return c.ID }

// CompanyListOptions filters, orders and pages the company list.
type CompanyListOptions struct {
	// Query matches the start of the name (ignoring case and accents) or
	// of the domain.
	Query  string
	Sort   CompanySort // name when empty
	Cursor string      // CompanyPage.NextCursor of the previous page
	Limit  int         // 50 when zero, at most 200
}

// CompanyPage is one page of companies.
type CompanyPage struct {
	Companies  []Company `json:"companies"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// Companies lists live companies matching opts, one page at a time.
func (db *DB) Companies(ctx context.Context, actor Actor, opts CompanyListOptions) (*CompanyPage, error) {
	if opts.Sort == "" {
		opts.Sort = CompanySortName
	}
	order, ok := companyOrders[opts.Sort]
	if !ok {
		return nil, sortProblem("name or updated")
	}
	q := db.with(ctx).Model(&Company{}).Where("companies.deleted_at IS NULL")
	if key := searchKey(opts.Query); key != "" {
		byName, nameArgs := prefixRange("companies.name_key", key)
		byDomain, domainArgs := prefixRange("companies.domain", strings.TrimPrefix(strings.ToLower(strings.TrimSpace(storable(opts.Query))), "www."))
		q = q.Where("("+byName+" OR "+byDomain+")", append(nameArgs, domainArgs...)...)
	}
	q, err := order.after(q, string(opts.Sort), opts.Cursor)
	if err != nil {
		return nil, cursorProblem()
	}
	limit := clampLimit(opts.Limit, 50, 200)
	var cs []Company
	if err := q.Order(order.orderBy()).Limit(limit + 1).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("models: list companies: %w", err)
	}
	page := &CompanyPage{Companies: cs}
	if len(cs) > limit {
		page.Companies = cs[:limit]
		page.NextCursor = order.cursor(string(opts.Sort), &page.Companies[limit-1])
	}
	return page, nil
}
