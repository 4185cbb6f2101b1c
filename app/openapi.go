package app

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPISpec describes /api/v1. A test checks that it and the registered
// routes agree, so neither can change without the other.
//
//go:embed openapi.json
var openAPISpec []byte

// OpenAPISpec returns the API description, for tests and tools.
func OpenAPISpec() []byte { return openAPISpec }

// APIRoutes lists the registered /api/v1 routes as "METHOD /path" with
// OpenAPI-style {param} placeholders.
func (s *Server) APIRoutes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if len(r.Path) <= len("/api/v1/") || r.Path[:len("/api/v1/")] != "/api/v1/" || r.Method == echo.RouteNotFound {
			continue
		}
		out = append(out, r.Method+" "+openAPIPath(r.Path[len("/api/v1"):]))
	}
	return out
}

// openAPIPath turns echo's ":id" segments into OpenAPI's "{id}".
func openAPIPath(p string) string {
	b := []byte{}
	for i := 0; i < len(p); i++ {
		if p[i] == ':' && (i == 0 || p[i-1] == '/') {
			j := i + 1
			for j < len(p) && p[j] != '/' {
				j++
			}
			b = append(b, '{')
			b = append(b, p[i+1:j]...)
			b = append(b, '}')
			i = j - 1
			continue
		}
		b = append(b, p[i])
	}
	return string(b)
}

func (s *Server) openAPIShow(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPISpec)
}
