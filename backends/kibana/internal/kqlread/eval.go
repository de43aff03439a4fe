package kqlread

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/entrasig/entrasig/translate"
)

// This file interprets a parsed query over Elastic documents, with the semantics Kibana and
// Elasticsearch document. Each fact, with its source:
//
//   - Kibana turns `field: *` into an `exists` query, a quoted value into `match_phrase`, an
//     unquoted value without `*` into `match`, and an unquoted value with `*` into a
//     `query_string` query on that field (the `is` function of Kibana's kuery package; current
//     Kibana uses a `wildcard` query instead when the data view knows the field is a keyword,
//     which means the same on a keyword field). Unquoted `true`, `false` and numbers are typed
//     literals (the grammar's UnquotedLiteral action: `Number(sequence)`).
//     https://www.elastic.co/docs/reference/query-languages/kql
//   - "To filter documents for which an indexed value exists for a given field, use the *
//     operator ... This checks for any indexed value, including an empty string." (same page), and
//     Elasticsearch's exists query: "An empty string is a non-null value" while null and [] are no
//     value. https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-exists-query.html
//   - "When querying keyword, numeric, date, or boolean fields, the value must be an exact match,
//     including punctuation and case." (KQL page): a keyword field indexes the whole value as one
//     term (no analysis, no normalizer in this integration), so match and match_phrase compare the
//     whole value case-sensitively, and a wildcard pattern must match the whole term,
//     case-sensitively; `*` is any run of characters (query string syntax, "Wildcards").
//     https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html#query-string-wildcard
//   - Numeric fields compare numbers (a term query on the parsed number); ranges (`<`, `<=`, `>`,
//     `>=`) become a `range` query. https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html
//   - ip fields compare addresses, and a term query on an ip field accepts CIDR notation:
//     "192.168.0.0/16". IPv4 addresses are stored as IPv4-mapped IPv6, so "::ffff:10.0.0.1" and
//     "10.0.0.1" are the same address. https://www.elastic.co/guide/en/elasticsearch/reference/current/ip.html
//   - boolean fields take true and false. https://www.elastic.co/guide/en/elasticsearch/reference/current/boolean.html
//   - A field the document has no indexed value for matches no value query; `not` of it matches
//     (bool must_not).
//
// A query form outside the subset (a wildcard on a non-keyword field, a range on a keyword field,
// a value a numeric field cannot parse) is an error, never a silent false.

// Doc is one Elastic document: field name to its indexed value. A field without an indexed value
// is absent.
type Doc map[string]FieldValue

// FieldValue is an indexed value of one field, by mapping type.
type FieldValue struct {
	Type string // keyword, constant_keyword, long, float, double, boolean, ip, date
	Str  string // keyword, constant_keyword
	Num  float64
	Bool bool
	Addr netip.Addr // ip (IPv4 kept as IPv4: Unmap applied)
}

// Types gives the mapping type of a field named in a query ("" when the data stream does not map it).
type Types func(field string) string

// Match evaluates e on doc.
func Match(e Expr, doc Doc, types Types) (bool, error) { return MatchWith(e, doc, types, nil) }

// Options are relaxations of the interpretation, each for the fields it names (Elastic names);
// a field no option names is interpreted exactly as Match does. They exist to undo, one field at
// a time, the approximations the backend announces with warnings (the kibana test's Explain), so
// that a difference from Sigma's meaning can be shown to come from an announced approximation.
type Options struct {
	// Fold: keyword fields whose values (and wildcard patterns) compare case-insensitively under
	// entrasig's folding (translate.FoldEq), instead of Elasticsearch's exact term match.
	Fold map[string]bool
	// SigmaBool: boolean fields read from the event's raw value (Raw) as Sigma reads a bool: a JSON
	// bool, or a string equal to true or false ignoring case; "" and null are no value; any other
	// value is a value equal to neither boolean. Instead of Elasticsearch's boolean indexing.
	SigmaBool map[string]bool
	// Untruncated: integer fields whose indexed number is the event's raw numeric text (Raw) read
	// without the truncation of a fractional value (coerce).
	Untruncated map[string]bool
	// Raw is the event value a field is indexed from (ok false when null or missing); required
	// when SigmaBool or Untruncated name a field.
	Raw func(field string) (v any, ok bool)
}

func (o *Options) fold(field string) bool        { return o != nil && o.Fold[field] }
func (o *Options) sigmaBool(field string) bool   { return o != nil && o.SigmaBool[field] }
func (o *Options) untruncated(field string) bool { return o != nil && o.Untruncated[field] }

// MatchWith evaluates e on doc with the relaxations of opts (nil: none, as Match).
func MatchWith(e Expr, doc Doc, types Types, opts *Options) (bool, error) {
	switch e := e.(type) {
	case *Or:
		for _, a := range e.Args {
			ok, err := MatchWith(a, doc, types, opts)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *And:
		for _, a := range e.Args {
			ok, err := MatchWith(a, doc, types, opts)
			if err != nil || !ok {
				return ok, err
			}
		}
		return true, nil
	case *Not:
		ok, err := MatchWith(e.Arg, doc, types, opts)
		return !ok, err
	case *Group:
		return MatchWith(e.Inner, doc, types, opts)
	case *Is:
		return matchV(e.Field, e.V, doc, types, opts)
	case *Range:
		return matchRange(e, doc, types, opts)
	}
	return false, fmt.Errorf("kqlread: unknown node %T", e)
}

func matchV(field string, v VExpr, doc Doc, types Types, opts *Options) (bool, error) {
	switch v := v.(type) {
	case *VOr:
		for _, a := range v.Args {
			ok, err := matchV(field, a, doc, types, opts)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *VAnd:
		for _, a := range v.Args {
			ok, err := matchV(field, a, doc, types, opts)
			if err != nil || !ok {
				return ok, err
			}
		}
		return true, nil
	case *VNot:
		ok, err := matchV(field, v.Arg, doc, types, opts)
		return !ok, err
	case Value:
		return matchValue(field, v, doc, types, opts)
	}
	return false, fmt.Errorf("kqlread: unknown value node %T", v)
}

// SentText is the text Kibana sends for a value without wildcards: a quoted value as is; an
// unquoted literal typed as the grammar types it (true, false, a JavaScript Number, which drops
// leading zeros: `00429` is sent as 429). null is reported with ok false.
func (v Value) SentText() (string, bool) {
	text := v.Text()
	if v.Quoted {
		return text, true
	}
	switch text {
	case "null":
		return "", false
	case "true", "false":
		return text, true
	}
	if n, ok := jsNumber(text); ok {
		return n, true
	}
	return text, true
}

func matchValue(field string, v Value, doc Doc, types Types, opts *Options) (bool, error) {
	t := types(field)
	if t == "" {
		return false, fmt.Errorf("field %s is not mapped in the data stream", field)
	}
	fv, has := doc[field]
	if t == "boolean" && opts.sigmaBool(field) {
		return matchSigmaBool(field, v, opts)
	}
	if translate.ElasticIntegral(t) && opts.untruncated(field) && has {
		fv.Num = untruncated(field, opts)
	}
	if v.IsExists() {
		return has, nil
	}
	if v.HasWildcard() {
		if t != "keyword" && t != "constant_keyword" {
			return false, fmt.Errorf("a wildcard value on %s, of type %s", field, t)
		}
		if opts.fold(field) {
			return has && GlobFold(v.Parts, fv.Str), nil
		}
		return has && Glob(v.Parts, fv.Str), nil
	}
	text, ok := v.SentText()
	if !ok {
		return false, fmt.Errorf("unquoted null on %s", field)
	}
	switch {
	case t == "keyword" || t == "constant_keyword":
		if opts.fold(field) {
			return has && translate.EqualFold(fv.Str, text), nil
		}
		return has && fv.Str == text, nil
	case translate.ElasticNumeric(t):
		n, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return false, fmt.Errorf("value %q on the numeric field %s", text, field)
		}
		if translate.ElasticIntegral(t) && n != math.Trunc(n) {
			return false, fmt.Errorf("value %q on the integer field %s", text, field)
		}
		return has && fv.Num == n, nil
	case t == "boolean":
		if text != "true" && text != "false" {
			return false, fmt.Errorf("value %q on the boolean field %s", text, field)
		}
		return has && fv.Bool == (text == "true"), nil
	case t == "ip":
		if p, err := netip.ParsePrefix(text); err == nil {
			return has && p.Masked().Contains(fv.Addr), nil
		}
		a, err := netip.ParseAddr(text)
		if err != nil || a.Zone() != "" {
			return false, fmt.Errorf("value %q on the ip field %s", text, field)
		}
		return has && a.Unmap() == fv.Addr, nil
	}
	return false, fmt.Errorf("a value on %s, of type %s, is outside the subset", field, t)
}

// jsNumber returns the text of Number(s) (JavaScript) when s is a number literal the grammar
// turns into a number, for the integer and plain decimal forms; anything else is left as text.
func jsNumber(s string) (string, bool) {
	if s == "" || strings.ContainsAny(s, "xXoObB_ \t\n\r") || strings.EqualFold(strings.TrimLeft(s, "+-"), "infinity") {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return "", false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return strconv.FormatFloat(f, 'g', -1, 64), true
}

func matchRange(r *Range, doc Doc, types Types, opts *Options) (bool, error) {
	t := types(r.Field)
	if !translate.ElasticNumeric(t) {
		return false, fmt.Errorf("a range on %s, of type %q, is outside the subset", r.Field, t)
	}
	n, err := strconv.ParseFloat(r.Value, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return false, fmt.Errorf("range value %q on %s", r.Value, r.Field)
	}
	fv, has := doc[r.Field]
	if !has {
		return false, nil
	}
	if translate.ElasticIntegral(t) && opts.untruncated(r.Field) {
		fv.Num = untruncated(r.Field, opts)
	}
	switch r.Op {
	case "<":
		return fv.Num < n, nil
	case "<=":
		return fv.Num <= n, nil
	case ">":
		return fv.Num > n, nil
	case ">=":
		return fv.Num >= n, nil
	}
	return false, fmt.Errorf("range operator %q", r.Op)
}

// Glob reports whether s matches the parts as a whole (a wildcard part is any run of characters,
// literal parts compare exactly).
func Glob(parts []Part, s string) bool {
	if len(parts) == 0 {
		return s == ""
	}
	p := parts[0]
	if !p.Wild {
		rest, ok := strings.CutPrefix(s, p.Text)
		return ok && Glob(parts[1:], rest)
	}
	for len(parts) > 1 && parts[1].Wild {
		parts = parts[1:]
	}
	if len(parts) == 1 {
		return true
	}
	for i := 0; i <= len(s); i++ {
		if Glob(parts[1:], s[i:]) {
			return true
		}
	}
	return false
}

// GlobFold is Glob with literal parts compared case-insensitively, rune by rune, under
// translate.FoldEq (simple folding keeps the number of runes, so the alignment is the same).
func GlobFold(parts []Part, s string) bool {
	if len(parts) == 0 {
		return s == ""
	}
	p := parts[0]
	if !p.Wild {
		lit := []rune(p.Text)
		rs := []rune(s)
		if len(rs) < len(lit) {
			return false
		}
		for i, r := range lit {
			if !translate.FoldEq(r, rs[i]) {
				return false
			}
		}
		return GlobFold(parts[1:], string(rs[len(lit):]))
	}
	for len(parts) > 1 && parts[1].Wild {
		parts = parts[1:]
	}
	if len(parts) == 1 {
		return true
	}
	for i := range s {
		if GlobFold(parts[1:], s[i:]) {
			return true
		}
	}
	return GlobFold(parts[1:], "")
}

// matchSigmaBool matches a value on a boolean field read from its raw event value as Sigma reads
// it (Options.SigmaBool): the evaluator's bool rule, translate.EqualFold included.
func matchSigmaBool(field string, v Value, opts *Options) (bool, error) {
	if opts.Raw == nil {
		return false, fmt.Errorf("no raw values for the boolean field %s", field)
	}
	raw, ok := opts.Raw(field)
	if s, isStr := raw.(string); ok && isStr && s == "" {
		ok = false // "" is no value
	}
	if v.IsExists() {
		return ok, nil
	}
	if v.HasWildcard() {
		return false, fmt.Errorf("a wildcard value on %s, of type boolean", field)
	}
	text, sent := v.SentText()
	if !sent || text != "true" && text != "false" {
		return false, fmt.Errorf("value %q on the boolean field %s", text, field)
	}
	if !ok {
		return false, nil
	}
	var b bool
	switch r := raw.(type) {
	case bool:
		b = r
	case string:
		switch {
		case translate.EqualFold(r, "true"):
			b = true
		case translate.EqualFold(r, "false"):
		default:
			return false, nil
		}
	default:
		return false, nil
	}
	return b == (text == "true"), nil
}

// untruncated is the number an integer field holds without coerce's truncation: the raw event
// value's numeric text (the field is indexed, so that text parsed as a number).
func untruncated(field string, opts *Options) float64 {
	if opts.Raw == nil {
		return math.NaN()
	}
	raw, _ := opts.Raw(field)
	var s string
	switch r := raw.(type) {
	case string:
		s = r
	case fmt.Stringer: // json.Number
		s = r.String()
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return n
}
