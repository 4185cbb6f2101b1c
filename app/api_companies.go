package app

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// apiCompany is the company resource, mapped from models.Company as
// contacts are (see apiContact).
type apiCompany struct {
	ID        int64     `json:"id"`
	Version   int64     `json:"version"`
	Name      string    `json:"name"`
	Domain    string    `json:"domain"`
	Industry  string    `json:"industry"`
	Size      string    `json:"size"`
	Address   string    `json:"address"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type apiCompanyPage struct {
	Items      []apiCompany `json:"items"`
	NextCursor *string      `json:"next_cursor"`
}

func companyJSON(co *models.Company) apiCompany {
	out := apiCompany{ID: co.ID, Version: co.Version, Name: co.Name, Domain: co.Domain, Industry: co.Industry,
		Size: co.Size, Address: co.Address, Tags: co.Tags, CreatedAt: co.CreatedAt.UTC(), UpdatedAt: co.UpdatedAt.UTC()}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

var companyReadOnly = []string{"id", "created_at", "updated_at"}

// companyCreateReadOnly adds the version, which a new company starts at.
var companyCreateReadOnly = append(slices.Clip(companyReadOnly), "version")

// companyInput is the body of POST /companies; null means empty.
type companyInput struct {
	Name     optional[string]   `json:"name"`
	Domain   optional[string]   `json:"domain"`
	Industry optional[string]   `json:"industry"`
	Size     optional[string]   `json:"size"`
	Address  optional[string]   `json:"address"`
	Tags     optional[[]string] `json:"tags"`
}

// companyPatchInput is the body of PATCH /companies/{id}: members left out
// stay as they are.
type companyPatchInput struct {
	companyInput
	Version optional[int64] `json:"version"`
}

func (in *companyInput) patch() models.CompanyPatch {
	text := func(o optional[string]) *string {
		if !o.Set {
			return nil
		}
		return &o.Value
	}
	p := models.CompanyPatch{Name: text(in.Name), Domain: text(in.Domain), Industry: text(in.Industry),
		Size: text(in.Size), Address: text(in.Address)}
	if in.Tags.Set {
		p.Tags = &in.Tags.Value
	}
	return p
}

// companyListParams are the query parameters GET /companies takes.
var companyListParams = []string{"q", "sort", "cursor", "limit"}

func (s *Server) apiCompanyList(c echo.Context) error {
	q, err := readListQuery(c, companyListParams...)
	if err != nil {
		return err
	}
	opts := models.CompanyListOptions{Query: q.String("q"), Sort: models.CompanySort(q.String("sort")), Cursor: q.String("cursor")}
	if opts.Limit, err = q.Limit(200); err != nil {
		return err
	}
	page, err := s.db.Companies(c.Request().Context(), apiActor(c), opts)
	if err != nil {
		return err
	}
	out := apiCompanyPage{Items: make([]apiCompany, len(page.Companies))}
	for i := range page.Companies {
		out.Items[i] = companyJSON(&page.Companies[i])
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCompanyCreate(c echo.Context) error {
	var in companyInput
	if err := readJSON(c, &in, companyCreateReadOnly...); err != nil {
		return err
	}
	p := in.patch()
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	req := models.CompanyRequest{Name: deref(p.Name), Domain: deref(p.Domain), Industry: deref(p.Industry),
		Size: deref(p.Size), Address: deref(p.Address)}
	if p.Tags != nil {
		req.Tags = *p.Tags
	}
	co, err := s.db.CreateCompany(c.Request().Context(), apiActor(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/companies/%d", co.ID))
	return c.JSON(http.StatusCreated, companyJSON(co))
}

func (s *Server) apiCompanyShow(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	co, err := s.db.Company(c.Request().Context(), apiActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyJSON(co))
}

func (s *Server) apiCompanyUpdate(c echo.Context) error {
	id, err := apiRecordID(c)
	if err != nil {
		return err
	}
	var in companyPatchInput
	if err := readJSON(c, &in, companyReadOnly...); err != nil {
		return err
	}
	if err := requireVersion(in.Version, "company"); err != nil {
		return err
	}
	patch := in.patch()
	patch.Version = in.Version.Value
	co, err := s.db.UpdateCompany(c.Request().Context(), apiActor(c), id, patch)
	var stale *models.ConflictError[models.Company]
	if errors.As(err, &stale) {
		return &conflictError{msg: "Someone changed this company since you read it. 'current' holds it as it is now: " +
			"apply your change to it and send it again with that version.", current: companyJSON(stale.Current)}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyJSON(co))
}
