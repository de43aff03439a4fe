package esql

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

func unsupported(pos rules.Pos, construct, format string, args ...any) error {
	return &translate.UnsupportedError{Target: "esql", Pos: pos, Construct: construct, Reason: fmt.Sprintf(format, args...)}
}

// elasticField checks that f has a usable Elastic equivalent.
func elasticField(f *translate.Field, pos rules.Pos) error {
	construct := "field " + f.Name
	switch {
	case f.Elastic.Name == "":
		return unsupported(pos, construct, "Elastic's azure.signinlogs data stream has no equivalent field")
	case f.Elastic.Type == "flattened":
		return unsupported(pos, construct, "Elastic stores it in the flattened field %s, which ES|QL cannot filter on (flattened is an unsupported ES|QL type; sub-keys need the preview FIELD_EXTRACT)", f.Elastic.Name)
	case f.Elastic.Type == "match_only_text":
		return unsupported(pos, construct, "Elastic merges it into %s (\"failureReason (additionalDetails)\"), so no ES|QL comparison on that field has the meaning of %s alone", f.Elastic.Name, f.Name)
	}
	return nil
}

// singleValued rejects comparisons on fields the integration stores as arrays (the Graph signIn
// properties that are collections). ES|QL compares a multi-valued field as null (with a warning),
// not "any element matches", so no comparison on them keeps Sigma's meaning; IS NULL / IS NOT NULL
// still work (the list: translate.ElasticMultiValued).
func singleValued(f *translate.Field, pos rules.Pos) error {
	if translate.ElasticMultiValued(f.Elastic.Name) {
		return unsupported(pos, "field "+f.Name, "Elastic stores it as the multi-valued field %s, and ES|QL evaluates a comparison on a multi-valued field as null instead of matching any element", f.Elastic.Name)
	}
	return nil
}

func isStringType(t string) bool {
	return t == "keyword" || t == "constant_keyword" || t == "wildcard"
}

func isNumericType(t string) bool {
	switch t {
	case "long", "integer", "short", "byte", "float", "double", "half_float", "scaled_float", "unsigned_long":
		return true
	}
	return false
}

// stringName is the keyword field for string operations on f, or "".
func stringName(f *translate.Field) string {
	if isStringType(f.Elastic.Type) {
		return f.Elastic.Name
	}
	if f.Elastic.StringName != "" {
		return f.Elastic.StringName
	}
	return ""
}

func match(m *translate.Match) (node, error) {
	f := m.Field
	if f == nil {
		return nil, fmt.Errorf("esql: match without a field")
	}
	if err := elasticField(f, m.Pos); err != nil {
		return nil, err
	}
	name := ident(f.Elastic.Name)
	typ := f.Elastic.Type
	switch m.Op {
	case translate.OpEq, translate.OpRegex, translate.OpCIDR, translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		if len(m.Values) == 0 {
			return nil, fmt.Errorf("esql: %v match on %s without values", m.Op, f.Name)
		}
	}
	if m.Op != translate.OpNull && m.Op != translate.OpExists {
		if err := singleValued(f, m.Pos); err != nil {
			return nil, err
		}
		if m.Op == translate.OpFieldRef && m.Ref != nil {
			if err := singleValued(m.Ref, m.Pos); err != nil {
				return nil, err
			}
		}
	}
	if m.TimePart != "" {
		return timeMatch(m)
	}
	switch m.Op {
	case translate.OpNull:
		return nullAtom(f, name, typ), nil
	case translate.OpExists:
		return not(nullAtom(f, name, typ)), nil
	case translate.OpEq:
		return eqMatch(m)
	case translate.OpRegex:
		sn := stringName(f)
		if sn == "" {
			return nil, unsupported(m.Pos, "re", "field %s is %s %s in Elastic, and RLIKE needs a keyword field", f.Name, typ, f.Elastic.Name)
		}
		var alts []node
		for _, v := range m.Values {
			body, err := luceneRegex(v.Regex, v.IgnoreCase, v.Multiline, v.DotAll)
			if err != nil {
				var re *regexError
				if errors.As(err, &re) {
					return nil, unsupported(v.Pos, "re", "%s", re.msg)
				}
				return nil, err
			}
			alts = append(alts, atom{text: ident(sn) + " RLIKE " + quoteString(body)})
		}
		return or(alts), nil
	case translate.OpCIDR:
		if typ != "ip" {
			return nil, unsupported(m.Pos, "cidr", "field %s is %s %s in Elastic, not an ip field", f.Name, typ, f.Elastic.Name)
		}
		args := []string{name}
		for _, v := range m.Values {
			args = append(args, quoteString(v.Prefix.Masked().String()))
		}
		return atom{text: "CIDR_MATCH(" + strings.Join(args, ", ") + ")"}, nil
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		if len(m.Values) != 1 {
			return nil, fmt.Errorf("esql: %v with %d values", m.Op, len(m.Values))
		}
		lhs := name
		switch {
		case isNumericType(typ) && f.Type == translate.TypeString && f.Elastic.StringName != "":
			// ResultType is text in Sentinel: order its text's number, as Sigma does. The long
			// twin holds Elasticsearch's coercion of it, which truncates a fraction (50125.5 is
			// indexed as 50125).
			lhs = "TO_DOUBLE(" + ident(f.Elastic.StringName) + ")"
		case isNumericType(typ):
		case isStringType(typ):
			lhs = "TO_DOUBLE(" + name + ")"
		default:
			return nil, unsupported(m.Pos, m.Op.String(), "field %s is %s %s in Elastic, not a number", f.Name, typ, f.Elastic.Name)
		}
		return atom{text: lhs + " " + m.Op.Symbol() + " " + formatNum(m.Values[0].Num)}, nil
	case translate.OpFieldRef:
		return fieldRef(m)
	}
	return nil, fmt.Errorf("esql: unknown operator %v", m.Op)
}

// nullAtom is Sigma's null test (the evaluator's: absent, null or empty). A keyword field keeps an
// empty string as a value, which IS NULL does not see ("NULL is not the same as false, an empty
// string, or 0", ES|QL null docs), so it is `(f IS NULL or f == "")` there, never null itself;
// other mapping types cannot hold "" (a long, float, ip or date field does not parse it), so IS
// NULL is exact. A multi-valued field keeps IS NULL: a comparison on it is null, so `f != ""`
// would drop every event that has the field.
func nullAtom(f *translate.Field, name, typ string) atom {
	if isStringType(typ) && singleValued(f, rules.Pos{}) == nil {
		return atom{text: "(" + name + " IS NULL or " + name + ` == "")`, total: true,
			neg: "(" + name + " IS NOT NULL and " + name + ` != "")`}
	}
	return atom{text: name + " IS NULL", total: true, neg: name + " IS NOT NULL"}
}

func formatNum(v float64) string {
	if v == float64(int64(v)) && v >= -1e18 && v <= 1e18 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// canonicalInt reports whether s is -?(0|[1-9][0-9]*): an integer written the way the number
// itself prints, so numeric equality means the same as Sigma's string equality.
func canonicalInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || s[0] == '0' && len(s) > 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalFloat reports whether s is a canonical integer optionally followed by `.digits` without
// a trailing zero (the text a float prints as).
func canonicalFloat(s string) bool {
	whole, frac, ok := strings.Cut(s, ".")
	if !canonicalInt(whole) {
		return false
	}
	if !ok {
		return true
	}
	if frac == "" || frac[len(frac)-1] == '0' {
		return false
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return false
		}
	}
	return true
}

// numericLiteral returns v as an ES|QL numeric literal for a field of type typ, if v's text is a
// plain decimal number whose numeric equality means the same as the string equality Sigma asks for.
func numericLiteral(v translate.Value, typ string) (string, bool) {
	if v.Kind == rules.ValBool || translate.HasWildcard(v.Segs) {
		return "", false
	}
	raw := translate.Literal(v.Segs)
	if v.Kind != rules.ValString {
		raw = v.Raw
	}
	switch typ {
	case "float", "double", "half_float", "scaled_float":
		if canonicalFloat(raw) {
			return raw, true
		}
	default:
		if canonicalInt(raw) {
			if _, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return raw, true
			}
		}
	}
	return "", false
}

func eqMatch(m *translate.Match) (node, error) {
	name := ident(m.Field.Elastic.Name)
	// `*` alone matches any present value, whatever the field's type.
	var anyValue []node
	var rest []translate.Value
	for _, v := range m.Values {
		if shape, _ := translate.Classify(v.Segs); shape == translate.ShapeAny && v.Kind == rules.ValString {
			anyValue = []node{atom{text: name + " IS NOT NULL", total: true, neg: name + " IS NULL"}}
			continue
		}
		rest = append(rest, v)
	}
	if len(rest) == 0 {
		return anyValue[0], nil
	}
	n, err := typedEq(m, rest)
	if err != nil {
		return nil, err
	}
	return or(append([]node{n}, anyValue...)), nil
}

// typedEq renders OpEq values according to the Elastic field's type.
func typedEq(m *translate.Match, values []translate.Value) (node, error) {
	f := m.Field
	typ := f.Elastic.Type
	name := ident(f.Elastic.Name)
	switch {
	case isStringType(typ):
		return stringEq(m, f.Elastic.Name, values)
	case isNumericType(typ):
		var nums []string
		var strs []translate.Value
		for _, v := range values {
			if lit, ok := numericLiteral(v, typ); ok {
				nums = append(nums, lit)
				continue
			}
			if f.Elastic.StringName == "" {
				if translate.HasWildcard(v.Segs) {
					return nil, unsupported(v.Pos, "field "+f.Name, "the value %q has wildcards, but %s is the %s field %s and has no keyword twin", v.Raw, f.Name, typ, f.Elastic.Name)
				}
				what := "not a number"
				if _, err := strconv.ParseFloat(v.Raw, 64); err == nil {
					what = "not a number in plain decimal form (its numeric value would not keep the text's meaning)"
				}
				return nil, unsupported(v.Pos, "field "+f.Name, "the value %q is %s, but %s is the %s field %s in Elastic", v.Raw, what, f.Name, typ, f.Elastic.Name)
			}
			strs = append(strs, v)
		}
		var alts []node
		if len(nums) > 0 {
			alts = append(alts, list(name, nums))
		}
		if len(strs) > 0 {
			n, err := stringEq(m, f.Elastic.StringName, strs)
			if err != nil {
				return nil, err
			}
			alts = append(alts, n)
		}
		return or(alts), nil
	case typ == "boolean":
		var have [2]bool
		for _, v := range values {
			b, ok := boolValue(v)
			if !ok {
				return nil, unsupported(v.Pos, "field "+f.Name, "the value %q is not true or false, but %s is the boolean field %s in Elastic", v.Raw, f.Name, f.Elastic.Name)
			}
			if b {
				have[1] = true
			} else {
				have[0] = true
			}
		}
		var lits []string
		if have[0] {
			lits = append(lits, "false")
		}
		if have[1] {
			lits = append(lits, "true")
		}
		return list(name, lits), nil
	case typ == "ip":
		var ips []string
		var alts []node
		for _, v := range values {
			shape, lit := translate.Classify(v.Segs)
			if shape == translate.ShapeAny {
				alts = append(alts, atom{text: name + " IS NOT NULL", total: true, neg: name + " IS NULL"})
				continue
			}
			if shape == translate.ShapeExact {
				addr, err := netip.ParseAddr(lit)
				if err != nil || addr.Zone() != "" {
					return nil, unsupported(v.Pos, "field "+f.Name, "the value %q is not an IP address, but %s is the ip field %s in Elastic", v.Raw, f.Name, f.Elastic.Name)
				}
				ips = append(ips, "TO_IP("+quoteString(addr.String())+")")
				continue
			}
			if strings.Contains(translate.Literal(v.Segs), ":") {
				return nil, unsupported(v.Pos, "field "+f.Name, "a wildcard pattern with `:` would be compared with Elastic's canonical IPv6 text, which can differ from the logged text; use cidr")
			}
			alts = append(alts, atom{text: "TO_STRING(" + name + ") LIKE " + quoteString(likePattern(v.Segs, identity))})
		}
		if len(ips) > 0 {
			alts = append([]node{list(name, ips)}, alts...)
		}
		return or(alts), nil
	}
	return nil, unsupported(m.Pos, "field "+f.Name, "string matching on the %s field %s is not supported by the esql backend", typ, f.Elastic.Name)
}

func boolValue(v translate.Value) (bool, bool) {
	if v.Kind == rules.ValBool {
		return v.Bool, true
	}
	if translate.HasWildcard(v.Segs) {
		return false, false
	}
	switch strings.ToLower(translate.Literal(v.Segs)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func identity(s string) string { return s }

// list renders lhs == a or lhs IN (a, b, ...).
func list(lhs string, lits []string) node {
	if len(lits) == 1 {
		return atom{text: lhs + " == " + lits[0]}
	}
	return atom{text: lhs + " IN (" + strings.Join(lits, ", ") + ")"}
}

// caseless reports whether no character of s takes part in case folding, so that a
// case-insensitive comparison with s is the plain comparison.
func caseless(s string) bool {
	for _, r := range s {
		if unicode.SimpleFold(r) != r {
			return false
		}
	}
	return true
}

// asciiCase reports whether every character of s that takes part in case folding is ASCII and
// has only ASCII characters in its simple case-folding orbit. For such literals TO_LOWER(field)
// compared with strings.ToLower(literal) is exact (Sigma's case-insensitivity, translate.FoldEq),
// whether ES|QL evaluates it (Java lower-casing) or rewrites it into a case-insensitive Lucene
// query (ASCII-only folding before elastic/elasticsearch#153513, Unicode simple folding after).
// `s` and `k` are not such letters: TO_LOWER maps U+212A KELVIN SIGN to k in the compute engine,
// and the Unicode-folding pushdown matches U+017F LONG S for s and U+212A for k, while neither is
// a case variant of an ASCII letter. Other literals are matched with RLIKE and explicit classes
// instead (foldRegex), which every engine evaluates alike.
func asciiCase(s string) bool {
	for _, r := range s {
		if r >= 0x80 && (unicode.SimpleFold(r) != r || unicode.ToLower(r) != r || unicode.ToUpper(r) != r) {
			return false
		}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f >= 0x80 {
				return false
			}
		}
	}
	return true
}

// hasOne reports whether a pattern has a `?` wildcard. Case-insensitive patterns with one are
// matched with RLIKE: TO_LOWER turns U+0130 (İ) into two characters (i and a combining dot), so
// `TO_LOWER(f) LIKE "a?"` would not match "aİ", while `?` is one character in Sigma.
func hasOne(segs []rules.Segment) bool {
	for _, s := range segs {
		if s.Kind == rules.SegQuestion {
			return true
		}
	}
	return false
}

// foldRegex renders a pattern as a Lucene regex (whole-value) in which every literal character is
// the class of its case variants (translate.FoldSet: simple case folding, ASCII letters only with
// ASCII): `*` is `.*`, `?` is `.`.
func foldRegex(segs []rules.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		switch s.Kind {
		case rules.SegStar:
			b.WriteString(".*")
		case rules.SegQuestion:
			b.WriteByte('.')
		default:
			for _, r := range s.Text {
				writeClassOf(&b, translate.FoldSet(r))
			}
		}
	}
	return b.String()
}

// stringEq renders OpEq values against the keyword field fieldName.
func stringEq(m *translate.Match, fieldName string, values []translate.Value) (node, error) {
	name := ident(fieldName)
	lowerName := "TO_LOWER(" + name + ")"
	var plainLits, lowerLits []string
	var alts []node
	for _, v := range values {
		shape, lit := translate.Classify(v.Segs)
		text := translate.Literal(v.Segs)
		plain := m.Cased || caseless(text)
		switch {
		case shape == translate.ShapeAny:
			alts = append(alts, atom{text: name + " IS NOT NULL", total: true, neg: name + " IS NULL"})
		case !plain && (!asciiCase(text) || hasOne(v.Segs)):
			alts = append(alts, atom{text: name + " RLIKE " + quoteString(foldRegex(v.Segs))})
		case shape == translate.ShapeExact && plain:
			plainLits = appendUnique(plainLits, quoteString(lit))
		case shape == translate.ShapeExact:
			lowerLits = appendUnique(lowerLits, quoteString(strings.ToLower(lit)))
		case plain:
			alts = append(alts, atom{text: name + " LIKE " + quoteString(likePattern(v.Segs, identity))})
		default:
			alts = append(alts, atom{text: lowerName + " LIKE " + quoteString(likePattern(v.Segs, strings.ToLower))})
		}
	}
	var head []node
	if len(plainLits) > 0 {
		head = append(head, list(name, plainLits))
	}
	if len(lowerLits) > 0 {
		head = append(head, list(lowerName, lowerLits))
	}
	return or(append(head, alts...)), nil
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// timeMatch renders a time modifier (minute, hour, day, month, year) with DATE_EXTRACT.
func timeMatch(m *translate.Match) (node, error) {
	f := m.Field
	if f.Elastic.Type != "date" {
		return nil, unsupported(m.Pos, m.TimePart, "field %s is %s %s in Elastic, not a date", f.Name, f.Elastic.Type, f.Elastic.Name)
	}
	var part string
	switch m.TimePart {
	case "minute":
		part = "MINUTE_OF_HOUR"
	case "hour":
		part = "HOUR_OF_DAY"
	case "day":
		part = "DAY_OF_MONTH"
	case "month":
		part = "MONTH_OF_YEAR"
	case "year":
		part = "YEAR"
	default:
		return nil, unsupported(m.Pos, m.TimePart, "Sigma does not define which week numbering %q means, so no DATE_EXTRACT part is exact", m.TimePart)
	}
	lhs := "DATE_EXTRACT(" + quoteString(part) + ", " + ident(f.Elastic.Name) + ")"
	if m.Op != translate.OpEq {
		if len(m.Values) != 1 {
			return nil, fmt.Errorf("esql: %v with %d values", m.Op, len(m.Values))
		}
		return atom{text: lhs + " " + m.Op.Symbol() + " " + formatNum(m.Values[0].Num)}, nil
	}
	var nums []string
	for _, v := range m.Values {
		lit, ok := numericLiteral(v, "long")
		if !ok {
			return nil, unsupported(v.Pos, m.TimePart, "the value %q is not a whole number", v.Raw)
		}
		nums = appendUnique(nums, lit)
	}
	return list(lhs, nums), nil
}

// fieldRef renders OpFieldRef: equality, or STARTS_WITH / ENDS_WITH / LOCATE for the
// startswith / endswith / contains forms.
func fieldRef(m *translate.Match) (node, error) {
	a, b := m.Field, m.Ref
	if b == nil {
		return nil, fmt.Errorf("esql: fieldref without a referenced field")
	}
	if err := elasticField(b, m.Pos); err != nil {
		return nil, err
	}
	an, bn := stringName(a), stringName(b)
	if an == "" || bn == "" {
		if !m.RefPrefix && !m.RefSuffix && a.Elastic.Type == b.Elastic.Type && isNumericType(a.Elastic.Type) {
			return atom{text: ident(a.Elastic.Name) + " == " + ident(b.Elastic.Name)}, nil
		}
		return nil, unsupported(m.Pos, "fieldref", "%s (%s %s) and %s (%s %s) cannot be compared as strings in ES|QL",
			a.Name, a.Elastic.Type, a.Elastic.Name, b.Name, b.Elastic.Type, b.Elastic.Name)
	}
	x, y := ident(an), ident(bn)
	if !m.Cased {
		x, y = "TO_LOWER("+x+")", "TO_LOWER("+y+")"
	}
	switch {
	case m.RefPrefix && m.RefSuffix:
		return atom{text: "LOCATE(" + x + ", " + y + ") > 0"}, nil
	case m.RefSuffix:
		return atom{text: "STARTS_WITH(" + x + ", " + y + ")"}, nil
	case m.RefPrefix:
		return atom{text: "ENDS_WITH(" + x + ", " + y + ")"}, nil
	}
	return atom{text: x + " == " + y}, nil
}
