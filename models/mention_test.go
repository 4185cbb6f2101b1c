package models_test

import (
	"slices"
	"testing"

	"rapport/models"
)

func TestMentionHandles(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []string
	}{
		{"@ann.lee please call", []string{"ann.lee"}},
		{"Thanks @Ann.Lee, @billing and @customer-success.", []string{"ann.lee", "billing", "customer-success"}},
		{"(@bob) @bob @BOB", []string{"bob"}},
		{"mail bob@example.com or @@x", nil},
		{"code `@skip` and\n```\n@skip2\n```\n@kept", []string{"kept"}},
		{"@josé_m!", []string{"josé_m"}},
		{"a/@path no", nil},
	} {
		if got := models.MentionHandles(tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("MentionHandles(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
	if h := models.UserHandle(" Ann.Lee@Example.com"); h != "ann.lee" {
		t.Errorf("UserHandle = %q", h)
	}
}
