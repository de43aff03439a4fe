package evaluate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entrasig/entrasig/translate"
)

// Event is one sign-in event: a JSON object keyed by Sentinel column names.
type Event struct {
	// Source is the name of the input the event was read from (set by Reader; "" otherwise). It
	// prefixes the position of errors about the event.
	Source string
	// Line is the 1-based line of the event in its input (0 when not read by a Reader).
	Line int
	// Table is the sign-in table of the event (from its Type column or the reader's default).
	Table *translate.Table
	// Time is TimeGenerated, in UTC.
	Time time.Time
	// Fields is the decoded object: values are string, json.Number, bool, nil (JSON null),
	// map[string]any or []any.
	Fields map[string]any

	// parsed memoizes JSON text columns parsed for sub-key access (column -> value; nil when the
	// text is not JSON); texts memoizes the JSON text of object/array values (field name -> text).
	parsed map[string]any
	texts  map[string]string
}

// DecodeEvent decodes one JSON object into an Event. defaultTable names the table when the object
// has no Type column ("" for none). Errors are plain messages without a position (Reader adds it).
func DecodeEvent(data []byte, defaultTable string) (*Event, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	if rest := trailing(data, dec.InputOffset()); rest >= 0 {
		return nil, fmt.Errorf("invalid JSON at byte %d: unexpected data after the JSON value", rest+1)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object (got %s)", jsonKind(v))
	}
	return NewEvent(obj, defaultTable)
}

// NewEvent builds an Event from a decoded object (numbers as json.Number, as DecodeEvent gives).
// It checks TimeGenerated and resolves the table as DecodeEvent does.
func NewEvent(obj map[string]any, defaultTable string) (*Event, error) {
	ev := &Event{Fields: obj}
	name := defaultTable
	switch t := obj["Type"].(type) {
	case nil:
	case string:
		if t != "" {
			name = t
		}
	default:
		return nil, fmt.Errorf("Type is %s, want the table name as a string", jsonKind(t))
	}
	if name == "" {
		return nil, errors.New("no table: the event has no Type column and no default table was given")
	}
	if ev.Table = tableByName(name); ev.Table == nil {
		return nil, fmt.Errorf("unknown table %q (want one of %s)", name, tableNames())
	}
	raw, present := obj["TimeGenerated"]
	if !present || raw == nil {
		return nil, errors.New("TimeGenerated is missing")
	}
	s, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("TimeGenerated is %s, want an RFC 3339 date-time string", jsonKind(raw))
	}
	t, err := parseTime(s)
	if err != nil {
		return nil, fmt.Errorf("TimeGenerated %q is not an RFC 3339 date-time", s)
	}
	ev.Time = t
	return ev, nil
}

// ValidTable reports an error unless name is one of the four sign-in tables (for a default table
// given on a command line).
func ValidTable(name string) error {
	if tableByName(name) == nil {
		return fmt.Errorf("unknown table %q (want one of %s)", name, tableNames())
	}
	return nil
}

func tableByName(name string) *translate.Table {
	for _, t := range translate.SignIn().Tables() {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func tableNames() string {
	var names []string
	for _, t := range translate.SignIn().Tables() {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

// parseTime parses an RFC 3339 date-time (any number of fraction digits; RFC 3339 also allows a
// lower-case t and z) and returns it in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && strings.ContainsAny(s, "tz") {
		t, err = time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	}
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// trailing returns the offset of the first non-space byte of data at or after off, or -1.
func trailing[T string | []byte](data T, off int64) int {
	for i := int(off); i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return -1
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("invalid JSON: unexpected end of line")
	case errors.Is(err, io.EOF):
		return errors.New("invalid JSON: empty input")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a bool"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// accessor reads one canonical field of an event.
type accessor struct {
	name   string // canonical field name, the memo key for JSON text
	column string
	path   []string
}

func newAccessor(f *translate.Field) accessor {
	col := f.Column
	if col == "" {
		col = f.Name
	}
	return accessor{name: f.Name, column: col, path: f.Path}
}

// get returns the field's value; ok is false when it is null (absent, JSON null, a missing
// sub-key, or a sub-key of something that is not an object).
func (a *accessor) get(ev *Event) (any, bool) {
	v, ok := ev.Fields[a.column]
	if !ok || v == nil {
		return nil, false
	}
	if len(a.path) == 0 {
		return v, true
	}
	if s, isText := v.(string); isText {
		v = ev.parsedColumn(a.column, s)
	}
	for _, key := range a.path {
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, false
		}
		if v, ok = m[key]; !ok || v == nil {
			return nil, false
		}
	}
	return v, true
}

// parsedColumn parses the JSON text of a dynamic column once per event.
func (ev *Event) parsedColumn(column, text string) any {
	if v, ok := ev.parsed[column]; ok {
		return v
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || trailing(text, dec.InputOffset()) >= 0 {
		v = nil
	}
	if ev.parsed == nil {
		ev.parsed = map[string]any{}
	}
	ev.parsed[column] = v
	return v
}

// text returns the string form of a non-null value (see the package comment). key names the
// value for memoizing the JSON text of objects and arrays.
func (ev *Event) text(key string, v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	if s, ok := ev.texts[key]; ok {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values decoded from JSON reach here, and they always encode.
		return ""
	}
	s := strings.TrimSuffix(b.String(), "\n")
	if ev.texts == nil {
		ev.texts = map[string]string{}
	}
	ev.texts[key] = s
	return s
}

// Text returns the string form of field f in the event (see the package comment) and whether the
// field is non-null. It is the key a correlation groups by.
func (ev *Event) Text(f *translate.Field) (string, bool) {
	a := newAccessor(f)
	v, ok := a.get(ev)
	if !ok {
		return "", false
	}
	return ev.text(a.name, v), true
}
