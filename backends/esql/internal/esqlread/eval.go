package esqlread

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

// Doc is an Elastic document as ES|QL reads it: field name to value. Values are string
// (keyword), int64 (long), float64 (float, double), bool, netip.Addr (ip), time.Time (date) or
// []any (a multi-valued field); a missing field is absent.
type Doc map[string]any

// Document converts a canonical event (Sentinel columns) to the document the Azure Logs
// integration indexes for it: each canonical field with an Elastic equivalent under its Elastic
// name (and its keyword twin), typed as Elasticsearch indexes the mapping type, @timestamp from
// TimeGenerated, data_stream.dataset and azure.signinlogs.category from the event's table. Fields
// without an Elastic equivalent are absent. Where several canonical fields share an Elastic field
// the first in schema order with a value wins. A value the mapping cannot parse (a non-number in a
// long field, a non-address in an ip field) leaves the field missing: logs-*-* data streams set
// index.mapping.ignore_malformed (elastic/elasticsearch#95224). An object or array for a
// single-valued keyword field makes Elasticsearch reject the document (ok false).
func Document(ev roundtrip.Event) (Doc, bool, error) {
	name, _ := ev["Type"].(string)
	var table *translate.Table
	for _, t := range translate.SignIn().Tables() {
		if t.Name == name {
			table = t
		}
	}
	if table == nil {
		return nil, false, fmt.Errorf("event of unknown table %q", name)
	}
	doc := Doc{datasetField: dataset, categoryField: table.Category}
	for _, f := range translate.SignIn().Fields() {
		if f.Elastic.Name == "" || !f.Tables.Has(table.ID) || f.Elastic.Type == "flattened" || f.Elastic.Type == "match_only_text" {
			continue
		}
		if f.Elastic.Name == categoryField {
			continue // the table's category (the routing the data stream records)
		}
		v := lookup(ev, f)
		if v == nil {
			continue
		}
		if f.Name == "TimeGenerated" {
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, false, fmt.Errorf("TimeGenerated %q: %v", s, err)
			}
			doc["@timestamp"] = t.UTC()
			continue
		}
		typ := f.Elastic.Type
		if translate.ElasticMultiValued(f.Elastic.Name) {
			if mv := multi(v); len(mv) > 0 {
				if _, set := doc[f.Elastic.Name]; !set {
					doc[f.Elastic.Name] = mv
				}
			}
			continue
		}
		x, ok, reject := coerce(v, typ)
		if reject {
			return nil, false, nil
		}
		if ok {
			if _, set := doc[f.Elastic.Name]; !set {
				doc[f.Elastic.Name] = x
			}
		}
		if f.Elastic.StringName != "" {
			s, ok, reject := coerce(v, "keyword")
			if reject {
				return nil, false, nil
			}
			if _, set := doc[f.Elastic.StringName]; ok && !set {
				doc[f.Elastic.StringName] = s
			}
		}
	}
	return doc, true, nil
}

// lookup reads a canonical field of an event: its column, then the sub-keys (a dynamic column
// may be an object or JSON text).
func lookup(ev roundtrip.Event, f *translate.Field) any {
	v, ok := ev[f.Column]
	if !ok {
		return nil
	}
	for _, k := range f.Path {
		if s, ok := v.(string); ok {
			var obj any
			d := json.NewDecoder(strings.NewReader(s))
			d.UseNumber()
			if d.Decode(&obj) != nil {
				return nil
			}
			v = obj
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// multi is the values of a multi-valued field: a JSON array (or its text) or a single value.
func multi(v any) []any {
	if s, ok := v.(string); ok {
		var arr []any
		if json.Unmarshal([]byte(s), &arr) == nil {
			v = arr
		} else if s == "" {
			return nil
		} else {
			return []any{s}
		}
	}
	arr, ok := v.([]any)
	if !ok {
		arr = []any{v}
	}
	var out []any
	for _, x := range arr {
		if s, ok, _ := coerce(x, "keyword"); ok {
			out = append(out, s)
		}
	}
	return out
}

// coerce indexes a JSON value into a field of mapping type typ: ok false leaves the field missing
// (null, or malformed under ignore_malformed), reject true rejects the document.
func coerce(v any, typ string) (x any, ok, reject bool) {
	switch typ {
	case "keyword", "constant_keyword":
		switch y := v.(type) {
		case string:
			return y, true, false
		case json.Number:
			return y.String(), true, false
		case bool:
			return strconv.FormatBool(y), true, false
		case nil:
			return nil, false, false
		}
		return nil, false, true
	case "long":
		f, ok := number(v)
		if !ok || f >= math.MaxInt64 || f <= math.MinInt64 {
			return nil, false, false
		}
		return int64(f), true, false // coerce truncates a fraction
	case "float", "double":
		f, ok := number(v)
		if !ok {
			return nil, false, false
		}
		return f, true, false
	case "boolean":
		switch y := v.(type) {
		case bool:
			return y, true, false
		case string:
			// A Sentinel boolean arrives as text only inside a JSON-text column (DeviceDetail on
			// the non-interactive table), where the raw record Elastic ingests holds a JSON
			// boolean: a case variant of true/false is that boolean. "" is how an export writes a
			// missing value; no raw record has it, so the field is missing.
			switch strings.ToLower(y) {
			case "true":
				return true, true, false
			case "false":
				return false, true, false
			}
		}
		return nil, false, false
	case "ip":
		s, isStr := v.(string)
		if !isStr {
			return nil, false, false
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, false, false
		}
		return a.Unmap(), true, false // an IPv4-mapped address is stored as the IPv4 address
	case "date":
		s, isStr := v.(string)
		if !isStr {
			return nil, false, false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, false, false
		}
		return t.UTC(), true, false
	}
	return nil, false, false
}

var numberRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// number is a JSON number, or a string Elasticsearch coerces into a number.
func number(v any) (float64, bool) {
	var s string
	switch y := v.(type) {
	case json.Number:
		s = y.String()
	case string:
		s = y
	default:
		return 0, false
	}
	if !numberRE.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// Eval interprets an emitted query over events: the indexes of the events a detection query
// returns, or the findings of a correlation.
func Eval(out string, evs []roundtrip.Event) ([]string, error) {
	q, err := Parse(out)
	if err != nil {
		return nil, err
	}
	if len(q.Commands) > 1 {
		return evalCorrelation(q, evs)
	}
	where, err := detectionWhere(q)
	if err != nil {
		return nil, err
	}
	var res []string
	for i, ev := range evs {
		doc, ok, err := Document(ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if !ok {
			continue
		}
		v, err := eval(where, doc)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if b, ok := v.(bool); ok && b {
			res = append(res, strconv.Itoa(i))
		}
	}
	return res, nil
}

// eval evaluates e on a row with ES|QL's three-valued logic: nil is null.
func eval(e Expr, row Doc) (any, error) {
	switch x := e.(type) {
	case *Lit:
		switch x.Kind {
		case LitString:
			return x.Str, nil
		case LitNumber:
			if x.Int && x.Num == math.Trunc(x.Num) && math.Abs(x.Num) < 1<<62 {
				return int64(x.Num), nil
			}
			return x.Num, nil
		case LitBool:
			return x.Bool, nil
		case LitSpan:
			return x.Span, nil
		}
		return nil, nil
	case *Field:
		return row[x.Name], nil
	case *And:
		sawNull := false
		for _, a := range x.Args {
			v, err := eval(a, row)
			if err != nil {
				return nil, err
			}
			switch b := v.(type) {
			case nil:
				sawNull = true
			case bool:
				if !b {
					return false, nil
				}
			default:
				return nil, fmt.Errorf("and of a %T", v)
			}
		}
		if sawNull {
			return nil, nil
		}
		return true, nil
	case *Or:
		sawNull := false
		for _, a := range x.Args {
			v, err := eval(a, row)
			if err != nil {
				return nil, err
			}
			switch b := v.(type) {
			case nil:
				sawNull = true
			case bool:
				if b {
					return true, nil
				}
			default:
				return nil, fmt.Errorf("or of a %T", v)
			}
		}
		if sawNull {
			return nil, nil
		}
		return false, nil
	case *Not:
		v, err := eval(x.Arg, row)
		if err != nil || v == nil {
			return nil, err
		}
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("NOT of a %T", v)
		}
		return !b, nil
	case *IsNull:
		v, err := eval(x.Arg, row)
		if err != nil {
			return nil, err
		}
		return (v == nil) != x.Neg, nil
	case *Cmp:
		l, err := eval(x.L, row)
		if err != nil {
			return nil, err
		}
		r, err := eval(x.R, row)
		if err != nil {
			return nil, err
		}
		return compare(x.Op, l, r)
	case *In:
		l, err := eval(x.L, row)
		if err != nil || l == nil || isMulti(l) {
			return nil, err
		}
		sawNull := false
		for _, it := range x.List {
			r, err := eval(it, row)
			if err != nil {
				return nil, err
			}
			v, err := compare("==", l, r)
			if err != nil {
				return nil, err
			}
			if v == nil {
				sawNull = true
				continue
			}
			if v.(bool) {
				return !x.Neg, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return x.Neg, nil
	case *Like:
		l, err := eval(x.L, row)
		if err != nil || l == nil || isMulti(l) {
			return nil, err
		}
		s, ok := l.(string)
		if !ok {
			return nil, fmt.Errorf("LIKE on a %T", l)
		}
		re, err := likeRegexp(x)
		if err != nil {
			return nil, err
		}
		return re.MatchString(s) != x.Neg, nil
	case *Plus:
		var sum float64
		allInt := true
		var isum int64
		for _, a := range x.Args {
			v, err := eval(a, row)
			if err != nil || v == nil {
				return nil, err
			}
			switch n := v.(type) {
			case int64:
				isum += n
				sum += float64(n)
			case float64:
				allInt = false
				sum += n
			default:
				return nil, fmt.Errorf("+ of a %T", v)
			}
		}
		if allInt {
			return isum, nil
		}
		return sum, nil
	case *Call:
		return call(x, row)
	}
	return nil, fmt.Errorf("cannot evaluate %T", e)
}

func isMulti(v any) bool { _, ok := v.([]any); return ok }

func likeRegexp(x *Like) (*regexp.Regexp, error) {
	var re interface{ String() string }
	if x.Regex {
		r, err := LuceneRegex(x.Pattern)
		if err != nil {
			return nil, err
		}
		re = r
	} else {
		segs, err := LikeSegments(x.Pattern)
		if err != nil {
			return nil, err
		}
		re = segsRegex(segs)
	}
	return regexp.Compile(`^(?:` + re.String() + `)$`)
}

// compare applies a comparison operator; a null or multi-valued operand gives null (ES|QL
// evaluates a comparison with a multi-valued field as null, with a warning).
func compare(op string, l, r any) (any, error) {
	if l == nil || r == nil || isMulti(l) || isMulti(r) {
		return nil, nil
	}
	var c int
	switch a := l.(type) {
	case string:
		b, ok := r.(string)
		if !ok {
			return nil, fmt.Errorf("comparing a string with a %T", r)
		}
		c = strings.Compare(a, b)
	case int64, float64:
		fa, _ := toFloat(a)
		fb, ok := toFloat(r)
		if !ok {
			return nil, fmt.Errorf("comparing a number with a %T", r)
		}
		ia, aInt := a.(int64)
		ib, bInt := r.(int64)
		switch {
		case aInt && bInt:
			c = cmpOrdered(ia, ib)
		default:
			c = cmpOrdered(fa, fb)
		}
	case bool:
		b, ok := r.(bool)
		if !ok {
			return nil, fmt.Errorf("comparing a boolean with a %T", r)
		}
		if op != "==" && op != "!=" {
			return nil, fmt.Errorf("ordering booleans")
		}
		if a != b {
			c = 1
		}
	case netip.Addr:
		b, ok := r.(netip.Addr)
		if !ok {
			return nil, fmt.Errorf("comparing an ip with a %T", r)
		}
		c = a.Unmap().Compare(b.Unmap())
	case time.Time:
		b, ok := r.(time.Time)
		if !ok {
			return nil, fmt.Errorf("comparing a date with a %T", r)
		}
		c = a.Compare(b)
	default:
		return nil, fmt.Errorf("comparing a %T", l)
	}
	switch op {
	case "==":
		return c == 0, nil
	case "!=":
		return c != 0, nil
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	case ">=":
		return c >= 0, nil
	}
	return nil, fmt.Errorf("operator %s", op)
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// JavaLower is ES|QL's TO_LOWER: Java's String.toLowerCase(Locale.ROOT), which lower-cases each
// character as Character.toLowerCase except U+0130, which becomes i and U+0307 (Java's final-sigma
// rule is not modelled).
func JavaLower(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == 0x130 {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func call(x *Call, row Doc) (any, error) {
	args := make([]any, len(x.Args))
	if x.Name != "CASE" && x.Name != "COALESCE" {
		for i, a := range x.Args {
			v, err := eval(a, row)
			if err != nil {
				return nil, err
			}
			if v == nil && x.Name != "DATE_TRUNC" {
				return nil, nil
			}
			if isMulti(v) {
				return nil, nil // single-valued functions give null (with a warning) on multi-values
			}
			args[i] = v
		}
	}
	str := func(v any) (string, error) {
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%s of a %T", x.Name, v)
		}
		return s, nil
	}
	switch x.Name {
	case "COALESCE":
		for _, a := range x.Args {
			v, err := eval(a, row)
			if err != nil {
				return nil, err
			}
			if v != nil {
				return v, nil
			}
		}
		return nil, nil
	case "CASE":
		n := len(x.Args)
		for i := 0; i+1 < n; i += 2 {
			c, err := eval(x.Args[i], row)
			if err != nil {
				return nil, err
			}
			if b, ok := c.(bool); ok && b {
				return eval(x.Args[i+1], row)
			}
		}
		if n%2 == 1 {
			return eval(x.Args[n-1], row)
		}
		return nil, nil
	case "TO_LOWER":
		s, err := str(args[0])
		return JavaLower(s), err
	case "TO_STRING":
		switch v := args[0].(type) {
		case string:
			return v, nil
		case netip.Addr:
			return v.String(), nil
		case int64:
			return strconv.FormatInt(v, 10), nil
		case bool:
			return strconv.FormatBool(v), nil
		}
		return nil, fmt.Errorf("TO_STRING of a %T", args[0])
	case "TO_DOUBLE":
		switch v := args[0].(type) {
		case int64:
			return float64(v), nil
		case float64:
			return v, nil
		case string:
			return javaParseDouble(v), nil
		}
		return nil, fmt.Errorf("TO_DOUBLE of a %T", args[0])
	case "TO_IP":
		s, err := str(args[0])
		if err != nil {
			return nil, err
		}
		a, perr := netip.ParseAddr(s)
		if perr != nil {
			return nil, nil
		}
		return a.Unmap(), nil
	case "CIDR_MATCH":
		ip, ok := args[0].(netip.Addr)
		if !ok {
			return nil, fmt.Errorf("CIDR_MATCH of a %T", args[0])
		}
		for _, a := range args[1:] {
			s, err := str(a)
			if err != nil {
				return nil, err
			}
			p, perr := netip.ParsePrefix(s)
			if perr != nil {
				return nil, fmt.Errorf("CIDR_MATCH block %q", s)
			}
			if p.Addr().Unmap().Is4() == ip.Is4() && netip.PrefixFrom(p.Addr().Unmap(), bitsFor(p, ip)).Contains(ip) {
				return true, nil
			}
		}
		return false, nil
	case "STARTS_WITH", "ENDS_WITH", "LOCATE":
		a, err := str(args[0])
		if err != nil {
			return nil, err
		}
		b, err := str(args[1])
		if err != nil {
			return nil, err
		}
		switch x.Name {
		case "STARTS_WITH":
			return strings.HasPrefix(a, b), nil
		case "ENDS_WITH":
			return strings.HasSuffix(a, b), nil
		}
		i := strings.Index(a, b)
		if i < 0 {
			return int64(0), nil
		}
		return int64(len([]rune(a[:i])) + 1), nil
	case "DATE_EXTRACT":
		part, err := str(args[0])
		if err != nil {
			return nil, err
		}
		t, ok := args[1].(time.Time)
		if !ok {
			return nil, fmt.Errorf("DATE_EXTRACT of a %T", args[1])
		}
		switch part {
		case "MINUTE_OF_HOUR":
			return int64(t.Minute()), nil
		case "HOUR_OF_DAY":
			return int64(t.Hour()), nil
		case "DAY_OF_MONTH":
			return int64(t.Day()), nil
		case "MONTH_OF_YEAR":
			return int64(t.Month()), nil
		case "YEAR":
			return int64(t.Year()), nil
		}
		return nil, fmt.Errorf("DATE_EXTRACT part %q", part)
	case "DATE_TRUNC":
		span, ok := args[0].(time.Duration)
		if !ok || span <= 0 {
			return nil, fmt.Errorf("DATE_TRUNC interval %v", args[0])
		}
		if args[1] == nil {
			return nil, nil
		}
		t, ok := args[1].(time.Time)
		if !ok {
			return nil, fmt.Errorf("DATE_TRUNC of a %T", args[1])
		}
		ms := t.UnixMilli()
		sp := span.Milliseconds()
		b := ms - ((ms%sp)+sp)%sp
		return time.UnixMilli(b).UTC(), nil
	}
	return nil, fmt.Errorf("function %s", x.Name)
}

// bitsFor is the prefix length to test ip with: an IPv4-mapped IPv6 block applies to IPv4
// addresses with 96 bits fewer.
func bitsFor(p netip.Prefix, ip netip.Addr) int {
	if p.Addr().Is4In6() && ip.Is4() {
		return max(p.Bits()-96, 0)
	}
	return p.Bits()
}

// javaParseDouble models TO_DOUBLE on a string (Java's Double.parseDouble): surrounding
// whitespace is ignored, a trailing d/f type suffix accepted, Infinity and NaN read; anything else
// is null (with a warning).
func javaParseDouble(s string) any {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.TrimRight(s, "dDfF")
	switch strings.TrimLeft(s, "+-") {
	case "Infinity", "NaN":
	default:
		if !numberJava.MatchString(s) {
			return nil
		}
	}
	f, err := strconv.ParseFloat(strings.Replace(s, "Infinity", "Inf", 1), 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return nil
	}
	return f
}

var numberJava = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
