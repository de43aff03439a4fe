package kusto

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// kind is the top operator of a rendered fragment, for parenthesization.
type kind int

const (
	kAtom kind = iota
	kAnd
	kOr
)

type frag struct {
	text string
	kind kind
	// parts are the operands of a kAnd/kOr fragment as rendered in text (for line breaking).
	parts []string
}

// under renders f as an operand of a parent of kind parent: a child whose operator differs from
// its parent's is parenthesized.
func (f frag) under(parent kind) string {
	if f.kind != kAtom && f.kind != parent {
		return "(" + f.text + ")"
	}
	return f.text
}

func joinFrags(fs []frag, k kind) frag {
	if len(fs) == 1 {
		return fs[0]
	}
	op := " and "
	if k == kOr {
		op = " or "
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.under(k)
	}
	return frag{text: strings.Join(parts, op), kind: k, parts: parts}
}

func unsupported(pos rules.Pos, construct, reason string) error {
	return &translate.UnsupportedError{Target: target, Pos: pos, Construct: construct, Reason: reason}
}

// expr renders x. neg is true under an odd number of `not`s: then every predicate that Kusto may
// evaluate to null is made two-valued.
func (e *emitter) expr(x translate.Expr, sc scope, neg bool) (frag, error) {
	switch x := x.(type) {
	case *translate.And:
		return e.list(x.Args, kAnd, sc, neg)
	case *translate.Or:
		return e.list(x.Args, kOr, sc, neg)
	case *translate.Not:
		// In a tag (sc.bools) every nullable predicate is two-valued, negated or not.
		f, err := e.expr(x.Arg, sc, !neg || sc.bools)
		if err != nil {
			return frag{}, err
		}
		return frag{text: "not(" + f.text + ")", kind: kAtom}, nil
	case *translate.Const:
		return frag{text: strconv.FormatBool(x.Value), kind: kAtom}, nil
	case *translate.Match:
		return e.match(x, sc, neg)
	case *translate.Keyword:
		return frag{}, unsupported(x.Pos, "keyword search",
			"Sentinel rows carry no raw event text: `search` and `has` match whole terms, not substrings, and `where * contains` sees only the columns' string forms; match a named field instead")
	case nil:
		return frag{}, fmt.Errorf("kusto: nil expression")
	}
	return frag{}, fmt.Errorf("kusto: unknown expression %T", x)
}

func (e *emitter) list(args []translate.Expr, k kind, sc scope, neg bool) (frag, error) {
	if len(args) == 0 {
		return frag{}, fmt.Errorf("kusto: empty and/or")
	}
	fs := make([]frag, len(args))
	for i, a := range args {
		f, err := e.expr(a, sc, neg)
		if err != nil {
			return frag{}, err
		}
		fs[i] = f
	}
	return joinFrags(fs, k), nil
}

// valType is the Kusto type of a field's value expression.
type valType int

const (
	vString valType = iota + 1
	vLong
	vReal
	vBool
	vDatetime
	vDynamic
)

// access is how to read one field in a scope.
type access struct {
	ref string  // the raw value: a column, or a property path on a dynamic value
	vt  valType // the value's type
	sub bool    // ref is a property path (its Kusto type is dynamic)
}

// str is the value as a string: a string column as is, anything else through tostring()
// (tostring of a null dynamic or scalar is "").
func (a access) str() string {
	if !a.sub && a.vt == vString {
		return a.ref
	}
	return "tostring(" + a.ref + ")"
}

// nullReadsEmpty reports whether the value can be null yet reads as "" through tostring(): a
// property of a dynamic value (a missing key) or a non-string column. A plain string column cannot
// be null in Kusto, so it needs no guard.
func (a access) nullReadsEmpty() bool { return a.sub || !a.stringy() }

// guardEmpty returns the regex predicate p, guarded by isnotnull() when the value can be null and
// the regex matches the empty string: tostring() of a missing property or of a null long, bool or
// datetime is "", and Sigma never matches a null field.
func (a access) guardEmpty(rx, p string) frag {
	if !a.nullReadsEmpty() {
		return frag{text: p, kind: kAtom}
	}
	if !matchesEmpty(rx) {
		return frag{text: p, kind: kAtom}
	}
	return frag{text: "isnotnull(" + a.ref + ") and " + p, kind: kAnd}
}

// matchesEmpty reports whether the RE2 regex rx matches the empty string (Go's regexp is RE2).
func matchesEmpty(rx string) bool {
	re, err := regexp.Compile(rx)
	return err != nil || re.MatchString("")
}

// functionEmpty warns when, through the workspace function, a value that matches the empty string
// is compared with a text field that some tables lack: those tables' rows read it as "" there.
func (e *emitter) functionEmpty(m *translate.Match, sc scope) {
	if !sc.function || m.Field.Tables == translate.All {
		return
	}
	e.warn(translate.Warning{Pos: m.Pos, Msg: "through the workspace function, " + m.Field.Column +
		" reads as \"\" in the rows of the tables that lack it, so this value also matches them (Sigma: the field is absent there); without the function option the union is exact"})
}

// The never-null warnings (absentEmpty, fieldRef) read neverNull, the columns they name joined by
// " or ", then neverNullHolds: the round-trip test's Explain reads the columns back from them.
const (
	neverNull      = "Kusto strings are never null: a row whose "
	neverNullHolds = " has no value holds \"\""
)

// absentEmpty warns when a value that matches the empty string is compared with a plain string
// column: Kusto strings are never null and every column of a Sentinel table exists in each of its
// rows, so a row whose column has no value holds "" and matches, while Sigma's absent field (null)
// does not. The two cannot be told apart in Sentinel data.
func (e *emitter) absentEmpty(m *translate.Match, a access) {
	if a.nullReadsEmpty() {
		return
	}
	e.warn(translate.Warning{Pos: m.Pos, Msg: neverNull + m.Field.Column +
		neverNullHolds + ", which this value matches; Sigma does not match an absent field (the two cannot be told apart in Sentinel data)"})
}

// stringy reports whether the value is text for Sigma's purposes.
func (a access) stringy() bool { return a.vt == vString || a.vt == vDynamic }

func (e *emitter) columnType(f *translate.Field, sc scope) (string, error) {
	if sc.normalized && isNormColumn(f.Column) {
		return "dynamic", nil
	}
	if sc.function {
		for _, t := range f.KustoType {
			if t != "" {
				return t, nil
			}
		}
	} else if f.Tables.Has(sc.table) && f.KustoType[sc.table] != "" {
		return f.KustoType[sc.table], nil
	}
	return "", fmt.Errorf("kusto: internal: field %s has no column in table %d", f.Name, sc.table)
}

func (e *emitter) access(f *translate.Field, sc scope) (access, error) {
	if f == nil {
		return access{}, fmt.Errorf("kusto: match without a field")
	}
	col := f.Column
	if col == "" {
		col = f.Name
	}
	ct, err := e.columnType(f, sc)
	if err != nil {
		return access{}, err
	}
	if len(f.Path) == 0 {
		var vt valType
		switch ct {
		case "string":
			vt = vString
		case "long", "int":
			vt = vLong
		case "real", "double", "decimal":
			vt = vReal
		case "bool":
			vt = vBool
		case "datetime":
			vt = vDatetime
		case "dynamic":
			vt = vDynamic
		default:
			return access{}, fmt.Errorf("kusto: internal: column %s has unknown type %q", col, ct)
		}
		return access{ref: ident(col), vt: vt}, nil
	}
	ref := ident(col)
	if ct != "dynamic" {
		ref = "todynamic(" + ref + ")"
	}
	for _, k := range f.Path {
		if isPlainIdent(k) {
			ref += "." + k
		} else {
			ref += ident(k)
		}
	}
	var vt valType
	switch f.Type {
	case translate.TypeString, translate.TypeIP:
		vt = vString
	case translate.TypeLong:
		vt = vLong
	case translate.TypeReal:
		vt = vReal
	case translate.TypeBool:
		vt = vBool
	case translate.TypeDatetime:
		vt = vDatetime
	default:
		vt = vDynamic
	}
	return access{ref: ref, vt: vt, sub: true}, nil
}

// twoValued wraps a predicate that may be null so that it is false instead, where that matters
// (under `not`).
func twoValued(p string, neg bool) string {
	if neg {
		return "coalesce(" + p + ", false)"
	}
	return p
}

func (e *emitter) match(m *translate.Match, sc scope, neg bool) (frag, error) {
	a, err := e.access(m.Field, sc)
	if err != nil {
		return frag{}, err
	}
	if m.TimePart != "" {
		return e.timePart(m, a, neg)
	}
	switch m.Op {
	case translate.OpEq:
		return e.eq(m, a, sc, neg)
	case translate.OpRegex:
		return e.regex(m, a, sc)
	case translate.OpCIDR:
		return e.cidr(m, a, neg)
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		return e.compare(m, a, neg)
	case translate.OpNull:
		// A property is tested through its string form even when its type is long or bool: a
		// JSON "" there is not null in Kusto, but is null for Sigma (null or empty).
		if a.stringy() || a.sub {
			return frag{text: "isempty(" + a.str() + ")", kind: kAtom}, nil
		}
		return frag{text: "isnull(" + a.ref + ")", kind: kAtom}, nil
	case translate.OpExists:
		if a.stringy() || a.sub {
			return frag{text: "isnotempty(" + a.str() + ")", kind: kAtom}, nil
		}
		return frag{text: "isnotnull(" + a.ref + ")", kind: kAtom}, nil
	case translate.OpFieldRef:
		return e.fieldRef(m, a, sc)
	}
	return frag{}, unsupported(m.Pos, m.Op.String(), "the kusto backend does not know this operator")
}

// group collects values compared with one operator on one left-hand side, rendered as `==`/`in`
// or `=~`/`in~`.
type group struct {
	lhs, op  string // op is "==" or "=~"
	vals     []string
	nullable bool
}

func (g *group) render(neg bool) string {
	var p string
	if len(g.vals) == 1 {
		p = g.lhs + " " + g.op + " " + g.vals[0]
	} else {
		in := "in"
		if g.op == "=~" {
			in = "in~"
		}
		p = g.lhs + " " + in + " (" + strings.Join(g.vals, ", ") + ")"
	}
	if g.nullable {
		return twoValued(p, neg)
	}
	return p
}

// eqItems keeps the rendered alternatives of a value list in first-appearance order, merging
// equality values of the same operator into one group.
type eqItems struct {
	items  []any // *group or frag
	groups map[string]*group
}

func (l *eqItems) add(lhs, op, val string, nullable bool) {
	key := lhs + "\x00" + op
	if g, ok := l.groups[key]; ok {
		g.vals = append(g.vals, val)
		return
	}
	g := &group{lhs: lhs, op: op, vals: []string{val}, nullable: nullable}
	if l.groups == nil {
		l.groups = map[string]*group{}
	}
	l.groups[key] = g
	l.items = append(l.items, g)
}

// rxGroup is the anchored wildcard regexes of one value list with the same flags, matched as one
// alternation.
type rxGroup struct {
	a     access
	flags string
	alts  []string
}

func (l *eqItems) addRegex(a access, flags, rx string) {
	for _, it := range l.items {
		if g, ok := it.(*rxGroup); ok && g.flags == flags {
			g.alts = append(g.alts, rx)
			return
		}
	}
	l.items = append(l.items, &rxGroup{a: a, flags: flags, alts: []string{rx}})
}

func (l *eqItems) frag(neg bool) frag {
	fs := make([]frag, len(l.items))
	for i, it := range l.items {
		switch it := it.(type) {
		case *rxGroup:
			rx := it.flags + strings.Join(it.alts, "|")
			fs[i] = it.a.guardEmpty(rx, it.a.str()+" matches regex "+quoteRegex(rx))
		case *group:
			fs[i] = frag{text: it.render(neg), kind: kAtom}
		case frag:
			fs[i] = it
		}
	}
	return joinFrags(fs, kOr)
}

func (e *emitter) eq(m *translate.Match, a access, sc scope, neg bool) (frag, error) {
	if len(m.Values) == 0 {
		return frag{}, fmt.Errorf("kusto: equality without values")
	}
	var l eqItems
	for _, v := range m.Values {
		numeric := v.Kind == rules.ValInt || v.Kind == rules.ValFloat
		switch {
		case numeric && (a.vt == vLong || a.vt == vReal):
			n, err := number(v, m.Pos)
			if err != nil {
				return frag{}, err
			}
			lhs := a.ref
			if a.sub {
				lhs = "toreal(" + a.ref + ")"
				if a.vt == vLong {
					lhs = "tolong(" + a.ref + ")"
				}
			}
			l.add(lhs, "==", n, true)
		case v.Kind == rules.ValBool && a.vt == vBool:
			lhs := a.ref
			if a.sub {
				lhs = "tobool(" + a.ref + ")"
			}
			l.add(lhs, "==", strconv.FormatBool(v.Bool), true)
		default:
			if err := e.pattern(&l, m, a, v, sc); err != nil {
				return frag{}, err
			}
		}
	}
	return l.frag(neg), nil
}

// pattern adds the string comparison for one Sigma pattern value.
func (e *emitter) pattern(l *eqItems, m *translate.Match, a access, v translate.Value, sc scope) error {
	segs := v.Segs
	if segs == nil && v.Raw != "" {
		segs = []rules.Segment{{Kind: rules.SegLit, Text: v.Raw}}
	}
	for _, s := range segs {
		if s.Kind == rules.SegPlaceholder {
			return unsupported(v.Pos, "placeholder %"+s.Text+"%", "placeholders must be expanded before translation")
		}
	}
	shape, lit := translate.Classify(segs)
	s := a.str()
	ci := !m.Cased
	if shape == translate.ShapeAny {
		// `*` matches any value, the empty string included, but not null. Kusto strings are
		// never null, so on a string column this holds for every row.
		if !a.sub {
			e.functionEmpty(m, sc)
			e.absentEmpty(m, a)
		}
		l.items = append(l.items, frag{text: "isnotnull(" + a.ref + ")", kind: kAtom})
		return nil
	}
	if ci && nonASCIICase(segs) || shape == translate.ShapeComplex {
		// Kusto's case-insensitive operators fold ASCII only, so a value with a non-ASCII letter
		// (and any `?` or inner `*`) is an anchored regex. RE2's (?i) is Sigma's folding except that
		// it also folds k and s with U+212A and U+017F: a value with those letters spells its
		// letters out as classes instead (translate.FoldPatternRegex).
		flags, body := "(?s)", translate.PatternRegex(segs)
		if ci {
			if translate.FoldFlagExact(segs) {
				flags = "(?is)"
			} else {
				body = translate.FoldPatternRegex(segs)
			}
		}
		rx := flags + body
		if reason, _ := checkRE2(rx, syntax.Perl); reason != "" {
			return fmt.Errorf("kusto: internal: wildcard regex %q: %s", rx, reason)
		}
		if matchesEmpty(rx) && !a.nullReadsEmpty() {
			e.functionEmpty(m, sc) // a guarded value cannot match a missing column's ""
			e.absentEmpty(m, a)
		}
		l.addRegex(a, flags, body)
		return nil
	}
	suffix := "_cs"
	if ci {
		suffix = ""
	}
	switch shape {
	case translate.ShapeExact:
		if lit == "" && a.nullReadsEmpty() {
			// A missing property or a null non-string value reads as "" through tostring(); Sigma's
			// '' is a present, empty value.
			l.items = append(l.items, frag{text: "isnotnull(" + a.ref + ") and " + s + " == \"\"", kind: kAnd})
			return nil
		}
		if lit == "" {
			e.functionEmpty(m, sc)
			e.absentEmpty(m, a)
		}
		op := "=~"
		if !ci || !hasCase(lit) {
			op = "=="
		}
		l.add(s, op, quoteString(lit), false)
	case translate.ShapePrefix:
		l.items = append(l.items, frag{text: s + " startswith" + suffix + " " + quoteString(lit), kind: kAtom})
	case translate.ShapeSuffix:
		l.items = append(l.items, frag{text: s + " endswith" + suffix + " " + quoteString(lit), kind: kAtom})
	case translate.ShapeContains:
		l.items = append(l.items, frag{text: s + " contains" + suffix + " " + quoteString(lit), kind: kAtom})
	}
	return nil
}

// hasCase reports whether s holds a letter whose case can differ.
func hasCase(s string) bool {
	for _, r := range s {
		if unicode.SimpleFold(r) != r {
			return true
		}
	}
	return false
}

// nonASCIICase reports whether a pattern's literals hold a non-ASCII letter with case variants,
// which Kusto's case-insensitive operators do not fold (they fold ASCII only, as Sigma's
// case-insensitivity does for ASCII letters: translate.FoldEq).
func nonASCIICase(segs []rules.Segment) bool {
	for _, s := range segs {
		if s.Kind != rules.SegLit {
			continue
		}
		for _, r := range s.Text {
			if r >= 0x80 && len(translate.FoldSet(r)) > 1 {
				return true
			}
		}
	}
	return false
}

// number renders a numeric value as a KQL number literal.
func number(v translate.Value, pos rules.Pos) (string, error) {
	n := v.Num
	if math.IsNaN(n) || math.IsInf(n, 0) {
		p := v.Pos
		if !p.IsValid() {
			p = pos
		}
		return "", unsupported(p, "number "+v.Raw, "Kusto has no literal for infinity or NaN")
	}
	if v.Kind == rules.ValInt {
		// Exactly as written when it is a plain decimal integer (no float64 rounding), without
		// leading zeros.
		if i, err := strconv.ParseInt(strings.TrimPrefix(v.Raw, "+"), 10, 64); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
	}
	if n == math.Trunc(n) && math.Abs(n) < 1e15 {
		return strconv.FormatInt(int64(n), 10), nil
	}
	return strconv.FormatFloat(n, 'f', -1, 64), nil
}

func (e *emitter) regex(m *translate.Match, a access, sc scope) (frag, error) {
	if len(m.Values) == 0 {
		return frag{}, fmt.Errorf("kusto: regex without values")
	}
	fs := make([]frag, 0, len(m.Values))
	for _, v := range m.Values {
		flags := v.RegexFlags()
		if flags != "" {
			flags = "(?" + flags + ")"
		}
		pos := v.Pos
		if !pos.IsValid() {
			pos = m.Pos
		}
		reason, endText := checkRE2(flags+v.Regex, syntax.Perl)
		if reason != "" {
			return frag{}, unsupported(pos, "re", reason)
		}
		if endText {
			e.warn(translate.Warning{Pos: pos, Msg: "`$` in the regex matches only at the very end of the value in RE2 (Kusto); PCRE also matches before a final newline"})
		}
		if matchesEmpty(flags + v.Regex) {
			e.functionEmpty(m, sc)
			e.absentEmpty(m, a)
		}
		fs = append(fs, a.guardEmpty(flags+v.Regex, a.str()+" matches regex "+quoteRegex(flags+v.Regex)))
	}
	return joinFrags(fs, kOr), nil
}

func (e *emitter) cidr(m *translate.Match, a access, neg bool) (frag, error) {
	if len(m.Values) == 0 {
		return frag{}, fmt.Errorf("kusto: cidr without values")
	}
	fs := make([]frag, 0, len(m.Values))
	for _, v := range m.Values {
		if !v.Prefix.IsValid() {
			return frag{}, unsupported(m.Pos, "cidr "+v.Raw, "not a valid IP prefix")
		}
		fn := "ipv6_is_in_range"
		if v.Prefix.Addr().Is4() {
			fn = "ipv4_is_in_range"
		}
		// Both return null when the address does not parse (for example an IPv6 address given to
		// ipv4_is_in_range).
		p := fn + "(" + a.str() + ", " + quoteString(v.Prefix.Masked().String()) + ")"
		fs = append(fs, frag{text: twoValued(p, neg), kind: kAtom})
	}
	return joinFrags(fs, kOr), nil
}

func (e *emitter) compare(m *translate.Match, a access, neg bool) (frag, error) {
	if len(m.Values) != 1 {
		return frag{}, fmt.Errorf("kusto: %s needs exactly one value", m.Op)
	}
	v := m.Values[0]
	n, err := number(v, m.Pos)
	if err != nil {
		return frag{}, err
	}
	var lhs string
	switch {
	case !a.sub && (a.vt == vLong || a.vt == vReal):
		lhs = a.ref
	case a.vt == vBool || a.vt == vDatetime:
		return frag{}, unsupported(m.Pos, m.Op.String()+" on field "+m.Field.Name, "a numeric comparison needs a numeric field")
	default:
		// toreal, not tolong, even for a whole bound: a decimal text such as "50125.5" must compare
		// as the number it is (Sigma compares numbers), and tolong() of it has no documented value.
		lhs = "toreal(" + a.ref + ")"
	}
	return frag{text: twoValued(lhs+" "+m.Op.Symbol()+" "+n, neg), kind: kAtom}, nil
}

// timeParts maps Sigma's time modifiers to datetime_part() parts (week: ISO 8601 week_of_year).
func timePart(p string) string {
	switch p {
	case "minute", "hour", "day", "month", "year":
		return p
	case "week":
		return "week_of_year"
	}
	return ""
}

func (e *emitter) timePart(m *translate.Match, a access, neg bool) (frag, error) {
	part := timePart(m.TimePart)
	if part == "" {
		return frag{}, unsupported(m.Pos, m.TimePart, "unknown time part")
	}
	t := a.ref
	if a.sub || a.vt != vDatetime {
		t = "todatetime(" + a.ref + ")"
	}
	lhs := "datetime_part(" + quoteString(part) + ", " + t + ")"
	if len(m.Values) == 0 {
		return frag{}, fmt.Errorf("kusto: time part without values")
	}
	switch m.Op {
	case translate.OpEq:
		var l eqItems
		for _, v := range m.Values {
			if v.Kind != rules.ValInt && v.Kind != rules.ValFloat {
				return frag{}, unsupported(m.Pos, m.TimePart+" "+v.Raw, "a time part compares with a number")
			}
			n, err := number(v, m.Pos)
			if err != nil {
				return frag{}, err
			}
			l.add(lhs, "==", n, true)
		}
		return l.frag(neg), nil
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		n, err := number(m.Values[0], m.Pos)
		if err != nil {
			return frag{}, err
		}
		return frag{text: twoValued(lhs+" "+m.Op.Symbol()+" "+n, neg), kind: kAtom}, nil
	}
	return frag{}, unsupported(m.Pos, m.TimePart+" with "+m.Op.String(), "a time part is compared with eq, lt, lte, gt or gte")
}

func (e *emitter) fieldRef(m *translate.Match, a access, sc scope) (frag, error) {
	if m.Ref == nil {
		return frag{}, fmt.Errorf("kusto: fieldref without a referenced field")
	}
	r, err := e.access(m.Ref, sc)
	if err != nil {
		return frag{}, err
	}
	l, rr := a.str(), r.str()
	if !m.Cased {
		// =~ and the case-insensitive string operators fold ASCII only; tolower() is Unicode.
		l, rr = "tolower("+l+")", "tolower("+rr+")"
	}
	var op string
	switch {
	case m.RefPrefix && m.RefSuffix:
		op = "contains_cs"
	case m.RefPrefix:
		op = "endswith_cs"
	case m.RefSuffix:
		op = "startswith_cs"
	default:
		op = "=="
	}
	var parts []frag
	// A null property or non-string value reads as "" through tostring(); Sigma never matches a
	// null field.
	if a.nullReadsEmpty() {
		parts = append(parts, frag{text: "isnotnull(" + a.ref + ")", kind: kAtom})
	}
	if r.nullReadsEmpty() {
		parts = append(parts, frag{text: "isnotnull(" + r.ref + ")", kind: kAtom})
	}
	if !a.nullReadsEmpty() || !r.nullReadsEmpty() {
		// A plain string column is never null: an absent one reads as "" and compares as "".
		e.warn(translate.Warning{Pos: m.Pos, Msg: neverNull + m.Field.Column + " or " + m.Ref.Column +
			neverNullHolds + " there and is compared as \"\"; Sigma does not match an absent field (the two cannot be told apart in Sentinel data)"})
	}
	parts = append(parts, frag{text: l + " " + op + " " + rr, kind: kAtom})
	return joinFrags(parts, kAnd), nil
}
