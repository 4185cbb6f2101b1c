package app_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"rapport/app"
	"rapport/app/apptest"
	"rapport/models/dbtest"
)

// The OpenAPI document and the registered routes must describe the same
// API: a route without a spec entry, or a spec entry without a route, fails.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(app.OpenAPISpec(), &spec); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.1") {
		t.Fatalf("openapi version %q, want 3.1.x", spec.OpenAPI)
	}
	var documented []string
	for path, ops := range spec.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	srv := apptest.Start(t, dbtest.Shared(t, "sqlite"))
	routes := srv.App.APIRoutes()
	slices.Sort(documented)
	slices.Sort(routes)
	routes = slices.Compact(routes)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json documents %s, which no route serves", d)
		}
	}
	r := srv.NewClient(t).Get("/api/v1/openapi.json")
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("spec not served: %d", r.Status)
	}
}
