package app

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// apiCustomField is a custom field definition: the keys a contact's
// custom_fields may hold, and what each accepts.
type apiCustomField struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"`
	Choices  []string `json:"choices"`
	Position int      `json:"position"`
}

type apiCustomFieldPage struct {
	Items []apiCustomField `json:"items"`
}

// apiCustomFieldList lists the custom field definitions, so that a client
// can tell which keys custom_fields takes. Admins define them in the UI.
func (s *Server) apiCustomFieldList(c echo.Context) error {
	if _, err := readListQuery(c); err != nil {
		return err
	}
	defs, err := s.db.CustomFieldDefs(c.Request().Context())
	if err != nil {
		return err
	}
	out := apiCustomFieldPage{Items: make([]apiCustomField, len(defs))}
	for i, d := range defs {
		out.Items[i] = apiCustomField{Key: d.Key, Label: d.Label, Kind: string(d.Kind), Choices: d.Choices, Position: d.Position}
		if out.Items[i].Choices == nil {
			out.Items[i].Choices = []string{}
		}
	}
	return c.JSON(http.StatusOK, out)
}
