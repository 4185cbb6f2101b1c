package app

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Postgres refuses text holding a NUL character or bytes that are not
// UTF-8 (error 22021), and SQLite's FTS5 reads a NUL in a search as the end
// of the query. Neither is anything a person types, yet either reached a
// query from a URL or a form and failed it with a 500. checkInputText
// refuses such requests at the door, with a 400 that names the parameter,
// so that no handler has to think about them.

// checkInputText refuses a request whose path, query parameters or
// URL-encoded form values (names included) hold a NUL character or are not
// UTF-8. Multipart bodies are left alone: they are uploads, read by their
// handlers. maxBody is the body limit that the routes' own middleware
// applies later: this middleware reads a form body first, so it applies
// the same limit itself.
func checkInputText(maxBody int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if problem := textProblem(req.URL.Path); problem != "" {
				return echo.NewHTTPError(http.StatusBadRequest, "The address "+problem+". Check the link.")
			}
			if err := checkValues("query parameter", req.URL.Query()); err != nil {
				return err
			}
			if !isURLEncodedForm(req) {
				return next(c)
			}
			if req.ContentLength > maxBody {
				return echo.ErrStatusRequestEntityTooLarge
			}
			req.Body = http.MaxBytesReader(c.Response().Writer, req.Body, maxBody)
			if err := req.ParseForm(); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					return echo.ErrStatusRequestEntityTooLarge
				}
				// A malformed escape drops only its own pair, as the
				// handlers' own reading of the form always has; what did
				// parse is checked below.
			}
			if err := checkValues("form field", req.PostForm); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// isURLEncodedForm reports whether req carries a body that ParseForm reads.
func isURLEncodedForm(req *http.Request) bool {
	switch req.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return false
	}
	mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	return mt == echo.MIMEApplicationForm
}

// checkValues is a 400 naming the first parameter (in name order, so the
// answer does not vary) whose name or a value is not acceptable text.
func checkValues(kind string, values url.Values) error {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if problem := textProblem(name); problem != "" {
			return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The name of a %s (%q) %s. Remove it and try again.", kind, name, problem))
		}
		for _, v := range values[name] {
			if problem := textProblem(v); problem != "" {
				return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The %s %s %s. Remove that character and try again.", kind, name, problem))
			}
		}
	}
	return nil
}

// textProblem says what makes s unacceptable as text, or "" when nothing
// does.
func textProblem(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL character (%00), which Rapport does not accept in text"
	case !utf8.ValidString(s):
		return "contains bytes that are not UTF-8 text (such as %FF)"
	}
	return ""
}
