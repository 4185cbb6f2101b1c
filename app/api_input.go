package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rapport/models"
)

// optional is a JSON member that remembers whether the request carried it,
// so that a PATCH can tell "leave it alone" (absent) from "clear it" (null)
// from "set it" (a value).
type optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON is called for every member present, null included.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		var zero T
		o.Null, o.Value = true, zero
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// Given reports whether the member carried a value other than null.
func (o optional[T]) Given() bool { return o.Set && !o.Null }

func (optional[T]) valueType() reflect.Type { return reflect.TypeFor[T]() }

// optionalType is how the unknown-member check sees through optional[T].
type optionalType interface{ valueType() reflect.Type }

var optionalIface = reflect.TypeFor[optionalType]()

// Messages for members a request may not carry.
const (
	msgUnknownMember  = "Rapport does not know this field. Check its spelling against /api/v1/openapi.json."
	msgReadOnlyMember = "Rapport sets this field itself; leave it out of the request."
)

// readJSON decodes a request body holding one JSON object into dst, a
// pointer to a struct. A body that is not JSON, or a member of the wrong
// type, is a 400 whose message says where; a member dst has no field for
// is a 422 naming it, since a misspelt field would otherwise be dropped
// without a word. readOnly lists the members of the resource's responses
// that requests may not set, by path ("id", "phones[].e164"), so that a
// client echoing a response back learns why they are refused.
func readJSON(c echo.Context, dst any, readOnly ...string) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != echo.MIMEApplicationJSON && !strings.HasSuffix(mt, "+json")) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send the body as JSON, with the header Content-Type: application/json.")
	}
	body, err := io.ReadAll(c.Request().Body)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The connection closed before the Content-Length it announced.
		return echo.NewHTTPError(http.StatusBadRequest, "The request body ended before its stated length. Send it whole.").SetInternal(err)
	}
	if err != nil {
		return err // the body limit's 413, or a broken connection
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The request body is empty. Send a JSON object.")
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, jsonProblem(body, err)).SetInternal(err)
	}
	var tree any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&tree); err != nil {
		return fmt.Errorf("decode request body again: %w", err) // it decoded a moment ago
	}
	if fields := nulMembers(tree, "", nil); len(fields) > 0 {
		// Postgres cannot store a NUL in text, and no one types one.
		which := "The field " + fields[0] + " contains"
		if len(fields) > 1 {
			which = "The fields " + strings.Join(fields, ", ") + " contain"
		}
		return echo.NewHTTPError(http.StatusBadRequest, which+" a NUL character (\\u0000), which Rapport does not accept in text. "+
			"Remove it and send the request again.")
	}
	var v models.ValidationError
	ro := make(map[string]bool, len(readOnly))
	for _, p := range readOnly {
		ro[p] = true
	}
	checkMembers(tree, reflect.TypeOf(dst), "", "", ro, &v)
	return v.OrNil()
}

// checkMembers walks a decoded JSON value beside the Go type it was decoded
// into and records, in v, every object member that type has no field for.
// Members are matched exactly: encoding/json would also accept
// "Given_Name" for given_name, which a strict API should not. path is the
// member's place in this request ("emails[1].adress"), generic the same
// without indices ("emails[].adress"), which readOnly is keyed by.
func checkMembers(val any, t reflect.Type, path, generic string, readOnly map[string]bool, v *models.ValidationError) {
	for unwrapped := false; !unwrapped; {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case t.Implements(optionalIface):
			t = reflect.Zero(t).Interface().(optionalType).valueType()
		default:
			unwrapped = true
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := val.(map[string]any)
		if !ok {
			return
		}
		fields := jsonFields(t)
		for name, member := range obj {
			p, g := name, name
			if path != "" {
				p, g = path+"."+name, generic+"."+name
			}
			ft, ok := fields[name]
			switch {
			case readOnly[g]:
				v.Add(p, msgReadOnlyMember)
			case !ok:
				v.Add(p, msgUnknownMember)
			default:
				checkMembers(member, ft, p, g, readOnly, v)
			}
		}
	case reflect.Slice:
		list, ok := val.([]any)
		if !ok {
			return
		}
		for i, item := range list {
			checkMembers(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), generic+"[]", readOnly, v)
		}
	}
}

// nulMembers appends to found the path of every string in val, a decoded
// JSON value, that holds a NUL character, named as checkMembers names
// members ("emails[1].address"), an object's members in name order. A
// member whose name holds one is named by its object's path, or "(a member
// name)" at the top.
func nulMembers(val any, path string, found []string) []string {
	switch val := val.(type) {
	case string:
		if strings.IndexByte(val, 0) >= 0 {
			found = append(found, path)
		}
	case []any:
		for i, item := range val {
			found = nulMembers(item, fmt.Sprintf("%s[%d]", path, i), found)
		}
	case map[string]any:
		names := make([]string, 0, len(val))
		for name := range val {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			p := name
			if path != "" {
				p = path + "." + name
			}
			if strings.IndexByte(name, 0) >= 0 {
				p = path
				if p == "" {
					p = "(a member name)"
				}
				found = append(found, p)
				continue
			}
			found = nulMembers(val[name], p, found)
		}
	}
	return found
}

// jsonFields maps the JSON member names of struct t to their types, with
// embedded structs' fields promoted as encoding/json promotes them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct && !f.Type.Implements(optionalIface) {
			for n, ft := range jsonFields(f.Type) {
				out[n] = ft
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// jsonProblem explains why body did not decode, in words a person can act
// on rather than the decoder's.
func jsonProblem(body []byte, err error) string {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		if syntax.Error() == "unexpected end of JSON input" {
			return "The request body ends before its JSON does: check for a missing closing brace, bracket or quote."
		}
		line, col := jsonPosition(body, syntax.Offset)
		return fmt.Sprintf("The request body is not valid JSON: the problem is at line %d, column %d. "+
			"Check for a trailing comma, a missing quote or comma, or a stray character there.", line, col)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "The request body must be a JSON object, such as {\"given_name\": \"Ada\"}."
		}
		return fmt.Sprintf("The field %s must be %s, not %s.", typ.Field, jsonKind(typ.Type), jsonValueName(typ.Value))
	}
	return "The request body could not be read as JSON: " + err.Error()
}

// jsonPosition turns a byte offset into a 1-based line and column (in
// characters), counting the offending character itself.
func jsonPosition(body []byte, offset int64) (line, col int) {
	if offset > int64(len(body)) {
		offset = int64(len(body))
	}
	before := body[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len([]rune(string(before[bytes.LastIndexByte(before, '\n')+1:])))
	return line, max(col, 1)
}

// jsonKind says in JSON terms what a Go type accepts.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text (a JSON string)"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list (a JSON array)"
	}
	return "an object"
}

// jsonValueName names what the decoder found: "string", "number 1.5", ….
func jsonValueName(v string) string {
	switch {
	case v == "string":
		return "text"
	case v == "bool":
		return "true or false"
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	case strings.HasPrefix(v, "number "):
		return v[len("number "):]
	case v == "number":
		return "a number"
	}
	return v
}

// listQuery reads a list's query string, refusing parameters the list does
// not take (a misspelt filter would otherwise list everything) and
// repeated ones, except those in repeatableParams.
type listQuery struct {
	values   map[string]string
	repeated map[string][]string
}

// repeatableParams may be given several times wherever a list takes them:
// ?kind=interaction&kind=note.
var repeatableParams = []string{"kind"}

func readListQuery(c echo.Context, allowed ...string) (*listQuery, error) {
	var v models.ValidationError
	q := collectListQuery(c, &v, allowed...)
	return q, v.OrNil()
}

// collectListQuery reads the query string as readListQuery does, adding
// its problems to v, for lists that check the values too and answer every
// problem in one 422.
func collectListQuery(c echo.Context, v *models.ValidationError, allowed ...string) *listQuery {
	q := &listQuery{values: map[string]string{}, repeated: map[string][]string{}}
	for name, vals := range c.QueryParams() {
		switch {
		case len(allowed) == 0:
			v.Add(name, "This list takes no parameters.")
		case !slices.Contains(allowed, name):
			v.Add(name, fmt.Sprintf("This list does not take the parameter %q. It takes: %s.", name, strings.Join(allowed, ", ")))
		case slices.Contains(repeatableParams, name):
			q.repeated[name] = vals
		case len(vals) > 1:
			v.Add(name, "Give this parameter once.")
		default:
			q.values[name] = vals[0]
		}
	}
	return q
}

// All returns every value of a repeatable parameter.
func (q *listQuery) All(name string) []string { return q.repeated[name] }

// String returns a parameter, "" when absent.
func (q *listQuery) String(name string) string { return q.values[name] }

// ID returns a parameter that names a record by id, 0 when absent.
func (q *listQuery) ID(name string) (int64, error) {
	s, ok := q.values[name]
	if !ok || s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The parameter %s must be an id, a whole number such as 42.", name))
	}
	return id, nil
}

// Limit returns the page size asked for, 0 (the list's default) when
// absent.
func (q *listQuery) Limit(most int) (int, error) {
	s, ok := q.values["limit"]
	if !ok || s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The parameter limit must be a whole number, such as 50.")
	}
	if n < 1 || n > most {
		return 0, &models.ValidationError{Fields: map[string]string{"limit": fmt.Sprintf("Ask for 1 to %d items per page.", most)}}
	}
	return n, nil
}

// apiRecordID reads the record id in a route's :id. One that is not an id
// names no record, so it is answered as not found.
func apiRecordID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("path id %q: %w", c.Param("id"), models.ErrNotFound)
	}
	return id, nil
}

// renameFields re-keys a models.ValidationError from the models' field
// names to the API's, leaving other errors alone.
func renameFields(err error, rename func(string) string) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &models.ValidationError{}
	keys := make([]string, 0, len(ve.Fields))
	for k := range ve.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first message for a renamed field wins, the same one every time
	for _, k := range keys {
		out.Add(rename(k), ve.Fields[k])
	}
	return out
}

// apiActor is the signed-in user or token owner; the api group's requireUser
// guarantees one.
func apiActor(c echo.Context) models.Actor {
	a, _ := actorOf(c)
	return a
}
