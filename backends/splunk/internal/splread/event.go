package splread

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

// Doc is one event as the Splunk Add-on for Microsoft Cloud Services' azure:monitor:aad sourcetype
// shows it to a search: Splunk field names to their values, all strings. A field with several
// values (a JSON array, `name{}`) is multivalue; an absent key is a null field. Time is _time.
type Doc struct {
	Fields map[string][]string
	Time   time.Time
	Table  *translate.Table
}

// ToDoc converts a canonical event (Sentinel column names) to the Splunk event of the same sign-in
// record. The model, stated in the README ("How we know the output is right"):
//
//   - every canonical field of the event's table that has a Splunk name (Field.Splunk.Name) is
//     written under that name; fields without a Splunk name are absent;
//   - a JSON null (or a missing sub-key) is an absent field; the empty string is a field whose value
//     is "" (an assumption: the Splunk documentation does not say how a JSON null or "" is
//     extracted); numbers are their JSON text, bools "true"/"false";
//   - a `name{}` field (a JSON array in the raw record) holds the array's scalar elements as a
//     multivalue field (a Sentinel column holding the array as JSON text is parsed); an empty array
//     is an absent field; object elements are not values of `name{}`;
//   - properties.status.errorCode (a number in the raw record) and resultType come from the same
//     Azure status: when ResultType reads as a number (JSON number syntax) it is the errorCode; otherwise the
//     event's Status.errorCode is used (the backend's README assumes the twin is present in every
//     category);
//   - category is the table's Category, sourcetype "azure:monitor:aad", _time TimeGenerated.
func ToDoc(ev roundtrip.Event) (*Doc, error) {
	s := translate.SignIn()
	tname, _ := ev["Type"].(string)
	var table *translate.Table
	for _, t := range s.Tables() {
		if t.Name == tname {
			table = t
		}
	}
	if table == nil {
		return nil, fmt.Errorf("event of unknown table %q", tname)
	}
	ts, _ := ev["TimeGenerated"].(string)
	tm, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return nil, fmt.Errorf("TimeGenerated: %v", err)
	}
	d := &Doc{Fields: map[string][]string{}, Time: tm, Table: table}
	d.Fields["category"] = []string{table.Category}
	d.Fields["sourcetype"] = []string{"azure:monitor:aad"}
	for _, f := range s.Fields() {
		name := f.Splunk.Name
		if name == "" || strings.HasPrefix(name, "_") || !f.Tables.Has(table.ID) {
			continue
		}
		v, ok := lookup(ev, f)
		if !ok {
			continue
		}
		var vals []string
		if strings.HasSuffix(name, "{}") {
			vals = elements(v)
		} else if str, ok := scalar(v); ok {
			vals = []string{str}
		}
		if len(vals) > 0 {
			d.Fields[name] = vals
		}
	}
	if rt, ok := d.Fields["resultType"]; ok && jsonNumber.MatchString(rt[0]) {
		d.Fields["properties.status.errorCode"] = []string{rt[0]}
	}
	return d, nil
}

// lookup reads a canonical field from the event as the evaluator does: the column, then the
// sub-keys below it (a column holding JSON text is parsed).
func lookup(ev roundtrip.Event, f *translate.Field) (any, bool) {
	v, ok := ev[f.Column]
	if !ok || v == nil {
		return nil, false
	}
	for _, k := range f.Path {
		if s, isStr := v.(string); isStr {
			var parsed any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if dec.Decode(&parsed) != nil {
				return nil, false
			}
			v = parsed
		}
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		v, ok = m[k]
		if !ok || v == nil {
			return nil, false
		}
	}
	return v, true
}

// scalar is the string Splunk extracts for a JSON scalar; objects and arrays have no value under
// the field's own name (their keys and elements are fields of their own).
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case float64, int, int64:
		b, _ := json.Marshal(v)
		return string(bytes.TrimSpace(b)), true
	}
	return "", false
}

// elements are the scalar values of a JSON array (or of JSON text holding one); a string that is
// not a JSON array is one value.
func elements(v any) []string {
	if s, ok := v.(string); ok {
		var parsed any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if dec.Decode(&parsed) != nil {
			return []string{s}
		}
		if _, isArr := parsed.([]any); !isArr {
			return []string{s}
		}
		v = parsed
	}
	arr, ok := v.([]any)
	if !ok {
		if s, ok := scalar(v); ok {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, e := range arr {
		if s, ok := scalar(e); ok {
			out = append(out, s)
		}
	}
	return out
}
