package kqlread

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is a Kusto scalar type.
type Kind int

// The Kusto scalar types the subset uses.
const (
	KString Kind = iota + 1
	KLong
	KReal
	KBool
	KDatetime
	KTimespan
	KDynamic
)

// Value is one Kusto scalar. Every type but string has a null (Null); a string is never null
// (scalar-data-types/null-values: "string values can't be null"), its absence is "". The one
// exception is a relaxation of Options: a string column listed in Options.NullColumns keeps an
// absent value as a null string (Null set), which the string operators treat as Sigma treats an
// absent field.
type Value struct {
	Kind Kind
	Null bool
	Str  string
	Long int64
	Real float64
	Bool bool
	Time time.Time
	Span time.Duration
	// Dyn is a dynamic value: string, json.Number, bool, map[string]any or []any (nil with Null).
	Dyn any
}

// Str is a string value.
func Str(s string) Value { return Value{Kind: KString, Str: s} }

// Null returns the null of kind k ("" for a string).
func Null(k Kind) Value {
	if k == KString {
		return Str("")
	}
	return Value{Kind: k, Null: true}
}

func boolean(b bool) Value { return Value{Kind: KBool, Bool: b} }

// isNull reports whether v is null (a string only under Options.NullColumns).
func (v Value) isNull() bool { return v.Null }

// nullStr is the null string Options.NullColumns keeps for an absent value; Kusto itself has none.
func nullStr() Value { return Value{Kind: KString, Null: true} }

// ToString is Kusto's tostring(): "" for null (tostring-function: "If the value is null, the result
// is an empty string"), a dynamic string without quotes, other dynamic values as JSON text.
func ToString(v Value) string {
	if v.isNull() {
		return ""
	}
	switch v.Kind {
	case KString:
		return v.Str
	case KLong:
		return strconv.FormatInt(v.Long, 10)
	case KReal:
		return formatReal(v.Real)
	case KBool:
		return strconv.FormatBool(v.Bool)
	case KDatetime:
		return v.Time.UTC().Format("2006-01-02T15:04:05.0000000Z")
	case KTimespan:
		return v.Span.String()
	case KDynamic:
		switch d := v.Dyn.(type) {
		case string:
			return d
		case json.Number:
			return string(d)
		case bool:
			return strconv.FormatBool(d)
		}
		return jsonText(v.Dyn)
	}
	return ""
}

func formatReal(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// jsonText is the compact JSON text of a dynamic value (keys sorted, no HTML escaping).
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// ParseJSON is Kusto's todynamic()/parse_json() of a string: the parsed value when the text is
// JSON, else a dynamic holding the string itself (parse-json-function).
func ParseJSON(s string) Value {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() || strings.TrimSpace(s[dec.InputOffset():]) != "" {
		return Value{Kind: KDynamic, Dyn: s}
	}
	if v == nil {
		return Null(KDynamic)
	}
	return Value{Kind: KDynamic, Dyn: v}
}

// ToDynamic is todynamic(v).
func ToDynamic(v Value) Value {
	switch {
	case v.isNull():
		return Null(KDynamic)
	case v.Kind == KDynamic:
		return v
	case v.Kind == KString:
		return ParseJSON(v.Str)
	case v.Kind == KLong:
		return Value{Kind: KDynamic, Dyn: json.Number(strconv.FormatInt(v.Long, 10))}
	case v.Kind == KReal:
		return Value{Kind: KDynamic, Dyn: json.Number(formatReal(v.Real))}
	case v.Kind == KBool:
		return Value{Kind: KDynamic, Dyn: v.Bool}
	}
	return Value{Kind: KDynamic, Dyn: ToString(v)}
}

// ToLong is tolong(): a long, or null when the conversion fails (tolong-function). A string in
// integer syntax converts; a decimal string or a real truncates toward zero.
func ToLong(v Value) Value {
	if v.isNull() {
		return Null(KLong)
	}
	switch v.Kind {
	case KLong:
		return v
	case KReal:
		if math.IsNaN(v.Real) || math.IsInf(v.Real, 0) {
			return Null(KLong)
		}
		return Value{Kind: KLong, Long: int64(v.Real)}
	case KBool:
		if v.Bool {
			return Value{Kind: KLong, Long: 1}
		}
		return Value{Kind: KLong, Long: 0}
	case KString:
		return parseLong(v.Str)
	case KDynamic:
		switch d := v.Dyn.(type) {
		case json.Number:
			return parseLong(string(d))
		case string:
			return parseLong(d)
		case bool:
			return ToLong(boolean(d))
		}
	}
	return Null(KLong)
}

func parseLong(s string) Value {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Value{Kind: KLong, Long: n}
	}
	if f, ok := parseRealText(s); ok {
		return ToLong(Value{Kind: KReal, Real: f})
	}
	return Null(KLong)
}

// parseRealText parses a decimal number (no hexadecimal, no NaN/Inf, no spaces).
func parseRealText(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, " \t\n_xXpP") || strings.ContainsAny(strings.ToLower(s), "nai") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// ToReal is toreal(): a real, or null when the conversion fails (toreal-function).
func ToReal(v Value) Value {
	if v.isNull() {
		return Null(KReal)
	}
	switch v.Kind {
	case KReal:
		return v
	case KLong:
		return Value{Kind: KReal, Real: float64(v.Long)}
	case KBool:
		if v.Bool {
			return Value{Kind: KReal, Real: 1}
		}
		return Value{Kind: KReal, Real: 0}
	case KString:
		if f, ok := parseRealText(v.Str); ok {
			return Value{Kind: KReal, Real: f}
		}
	case KDynamic:
		switch d := v.Dyn.(type) {
		case json.Number:
			if f, ok := parseRealText(string(d)); ok {
				return Value{Kind: KReal, Real: f}
			}
		case string:
			if f, ok := parseRealText(d); ok {
				return Value{Kind: KReal, Real: f}
			}
		case bool:
			return ToReal(boolean(d))
		}
	}
	return Null(KReal)
}

// ToBool is tobool(): "true"/"false" (any case) and numbers (non-zero is true) convert, anything
// else is null (tobool-function: tobool("true") == true, tobool(1) == true, tobool(123) == true).
func ToBool(v Value) Value {
	if v.isNull() {
		return Null(KBool)
	}
	str := func(s string) Value {
		switch strings.ToLower(s) {
		case "true":
			return boolean(true)
		case "false":
			return boolean(false)
		}
		if f, ok := parseRealText(s); ok {
			return boolean(f != 0)
		}
		return Null(KBool)
	}
	switch v.Kind {
	case KBool:
		return v
	case KLong:
		return boolean(v.Long != 0)
	case KReal:
		return boolean(v.Real != 0)
	case KString:
		return str(v.Str)
	case KDynamic:
		switch d := v.Dyn.(type) {
		case bool:
			return boolean(d)
		case json.Number:
			return str(string(d))
		case string:
			return str(d)
		}
	}
	return Null(KBool)
}

// ToDatetime is todatetime(): an ISO 8601 / RFC 3339 date-time string converts, anything else is
// null.
func ToDatetime(v Value) Value {
	if v.isNull() {
		return Null(KDatetime)
	}
	if v.Kind == KDatetime {
		return v
	}
	s := ToString(v)
	if v.Kind == KDynamic {
		if _, ok := v.Dyn.(string); !ok {
			return Null(KDatetime)
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Value{Kind: KDatetime, Time: t.UTC()}
	}
	if t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s)); err == nil {
		return Value{Kind: KDatetime, Time: t.UTC()}
	}
	return Null(KDatetime)
}

// numeric returns v as a float and whether it is a non-null number.
func numeric(v Value) (float64, bool) {
	if v.isNull() {
		return 0, false
	}
	switch v.Kind {
	case KLong:
		return float64(v.Long), true
	case KReal:
		return v.Real, true
	}
	return 0, false
}
