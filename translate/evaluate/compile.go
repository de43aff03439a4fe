package evaluate

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// CompileError says why a query cannot be evaluated: a regex RE2 cannot compile (a user error,
// at the value's position) or a malformed query (a translation bug).
type CompileError struct {
	Path string    // the rule's path (Query.Path)
	Pos  rules.Pos // the construct's position (may be zero)
	Msg  string
}

func (e *CompileError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.Pos.IsValid() {
			fmt.Fprintf(&b, ":%d:%d", e.Pos.Line, e.Pos.Col)
		}
		b.WriteString(": ")
	} else if e.Pos.IsValid() {
		fmt.Fprintf(&b, "%d:%d: ", e.Pos.Line, e.Pos.Col)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// posError is an error inside compilation that CompileError gets its position from.
type posError struct {
	pos rules.Pos
	msg string
}

func (e *posError) Error() string { return e.msg }

func errorf(format string, args ...any) error {
	return &posError{msg: fmt.Sprintf(format, args...)}
}

func errorAt(pos rules.Pos, format string, args ...any) error {
	return &posError{pos: pos, msg: fmt.Sprintf(format, args...)}
}

// Program is a compiled query: a plain rule (legs) or a correlation (corr). It is immutable and
// safe for concurrent use.
type Program struct {
	query *translate.Query
	legs  []leg
	corr  *corrProgram
}

type leg struct {
	table *translate.Table
	where node
}

// maxErrors caps the errors Compile reports for one query.
const maxErrors = 10

// Compile prepares q for evaluation: patterns, regexes, prefixes and numbers are compiled once.
// A correlation compiles each referenced rule and nested correlation too. The error is a
// *CompileError, or for several problems their errors.Join (each a *CompileError, in expression
// order, without repeats across legs, at most maxErrors).
func Compile(q *translate.Query) (*Program, error) {
	if q == nil {
		return nil, &CompileError{Msg: "nil query"}
	}
	if q.Correlation != nil {
		return compileCorrelation(q)
	}
	p := &Program{query: q}
	var errs []error
	for _, l := range q.Legs {
		if l.Table == nil {
			errs = append(errs, errorf("query leg without a table"))
			continue
		}
		n, err := compileExpr(l.Where)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.legs = append(p.legs, leg{table: l.Table, where: n})
	}
	if len(errs) > 0 {
		return nil, compileErrors(q.Path, errs)
	}
	return p, nil
}

// compileErrors flattens joined errors into distinct *CompileErrors.
func compileErrors(path string, errs []error) error {
	var out []error
	seen := map[CompileError]bool{}
	var add func(err error)
	add = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				add(e)
			}
			return
		}
		ce := CompileError{Path: path, Msg: err.Error()}
		var pe *posError
		if errors.As(err, &pe) {
			ce.Pos = pe.pos
		}
		if seen[ce] || len(out) == maxErrors {
			return
		}
		seen[ce] = true
		out = append(out, &ce)
	}
	for _, err := range errs {
		add(err)
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// Query returns the query the program was compiled from.
func (p *Program) Query() *translate.Query { return p.query }

// Match reports whether the event matches: the leg of the event's table decides; an event of a
// table the query is not routed to does not match. A correlation matches groups of events, not one
// event: Match is false for it (use NewRun).
func (p *Program) Match(ev *Event) bool {
	if ev.Table == nil {
		return false
	}
	for i := range p.legs {
		if p.legs[i].table.Name == ev.Table.Name {
			return p.legs[i].where.eval(ev)
		}
	}
	return false
}

// node is a compiled expression.
type node interface {
	eval(ev *Event) bool
}

func compileExpr(e translate.Expr) (node, error) {
	switch x := e.(type) {
	case *translate.Const:
		return constNode(x.Value), nil
	case *translate.And:
		args, err := compileArgs(x.Args)
		return andNode(args), err
	case *translate.Or:
		args, err := compileArgs(x.Args)
		return orNode(args), err
	case *translate.Not:
		arg, err := compileExpr(x.Arg)
		if err != nil {
			return nil, err
		}
		return notNode{arg}, nil
	case *translate.Match:
		return compileMatch(x)
	case *translate.Keyword:
		return compileKeyword(x)
	case nil:
		return nil, errorf("missing expression")
	}
	return nil, errorf("unknown expression %T", e)
}

func compileArgs(args []translate.Expr) ([]node, error) {
	if len(args) == 0 {
		return nil, errorf("and/or without operands")
	}
	out := make([]node, len(args))
	var errs []error
	for i, a := range args {
		n, err := compileExpr(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[i] = n
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

type constNode bool

func (c constNode) eval(*Event) bool { return bool(c) }

type andNode []node

func (a andNode) eval(ev *Event) bool {
	for _, n := range a {
		if !n.eval(ev) {
			return false
		}
	}
	return true
}

type orNode []node

func (o orNode) eval(ev *Event) bool {
	for _, n := range o {
		if n.eval(ev) {
			return true
		}
	}
	return false
}

type notNode struct{ arg node }

func (n notNode) eval(ev *Event) bool { return !n.arg.eval(ev) }

func compileMatch(m *translate.Match) (node, error) {
	if m.Field == nil {
		return nil, errorAt(m.Pos, "match without a field")
	}
	acc := newAccessor(m.Field)
	if m.TimePart != "" {
		return compileTimePart(m, acc)
	}
	switch m.Op {
	case translate.OpEq:
		if len(m.Values) == 0 {
			return nil, errorAt(m.Pos, "%s: no values", m.Field.Name)
		}
		n := &eqNode{acc: acc}
		for _, v := range m.Values {
			ev, err := compileEqValue(v, m.Field.Type, m.Cased)
			if err != nil {
				return nil, errorAt(firstPos(v.Pos, m.Pos), "%s: %v", m.Field.Name, err)
			}
			n.values = append(n.values, ev)
		}
		return n, nil
	case translate.OpRegex:
		if len(m.Values) == 0 {
			return nil, errorAt(m.Pos, "%s: no values", m.Field.Name)
		}
		n := &regexNode{acc: acc}
		var errs []error
		for _, v := range m.Values {
			flags := v.RegexFlags()
			src := v.Regex
			if flags != "" {
				src = "(?" + flags + ")" + src
			}
			re, err := regexp.Compile(src)
			if err != nil {
				errs = append(errs, errorAt(firstPos(v.Pos, m.Pos), "%s|re: the regular expression %q cannot be evaluated (RE2 syntax): %v", m.Field.Name, v.Regex, regexCause(err)))
				continue
			}
			n.res = append(n.res, re)
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		return n, nil
	case translate.OpCIDR:
		if len(m.Values) == 0 {
			return nil, errorAt(m.Pos, "%s: no values", m.Field.Name)
		}
		n := &cidrNode{acc: acc}
		for _, v := range m.Values {
			if !v.Prefix.IsValid() {
				return nil, errorAt(firstPos(v.Pos, m.Pos), "%s|cidr: invalid prefix %q", m.Field.Name, v.Raw)
			}
			n.prefixes = append(n.prefixes, v.Prefix.Masked())
		}
		return n, nil
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		if len(m.Values) != 1 {
			return nil, errorAt(m.Pos, "%s|%s: want one value, got %d", m.Field.Name, m.Op, len(m.Values))
		}
		return &cmpNode{acc: acc, op: m.Op, num: m.Values[0].Num}, nil
	case translate.OpNull:
		return nullNode{acc}, nil
	case translate.OpExists:
		return notNode{nullNode{acc}}, nil
	case translate.OpFieldRef:
		if m.Ref == nil {
			return nil, errorAt(m.Pos, "%s|fieldref: no referenced field", m.Field.Name)
		}
		return &refNode{acc: acc, ref: newAccessor(m.Ref), prefix: m.RefPrefix, suffix: m.RefSuffix, cased: m.Cased}, nil
	}
	return nil, errorAt(m.Pos, "%s: unknown operator %s", m.Field.Name, m.Op)
}

func firstPos(a, b rules.Pos) rules.Pos {
	if a.IsValid() {
		return a
	}
	return b
}

// regexCause drops regexp's "error parsing regexp: " prefix, which the message already says.
func regexCause(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Code.String() + ": `" + se.Expr + "`"
	}
	return err.Error()
}

// eqValue is one compiled OpEq operand.
type eqValue struct {
	kind  rules.ValueKind
	pat   *matcher // strings
	raw   string   // numbers: the text as written
	num   float64  // numbers
	i     int64    // numbers, when isInt
	isInt bool
	b     bool // bools
}

// compileEqValue prepares one OpEq operand. A string value without wildcards that is a decimal
// number, on a numeric field (DurationMs: '120'), is compared as the number it spells, as the
// backends type it for the field.
func compileEqValue(v translate.Value, typ translate.Type, cased bool) (eqValue, error) {
	kind := v.Kind
	if kind == rules.ValString && (typ == translate.TypeLong || typ == translate.TypeReal) &&
		len(v.Segs) == 1 && v.Segs[0].Kind == rules.SegLit && v.Segs[0].Text == v.Raw && isJSONNumber(v.Raw) {
		kind = rules.ValFloat
		if !strings.ContainsAny(v.Raw, ".eE") {
			kind = rules.ValInt
		}
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			return eqValue{}, fmt.Errorf("value %q is out of range", v.Raw)
		}
		v.Kind, v.Num = kind, f
	}
	switch kind {
	case rules.ValString:
		m, err := newMatcher(v.Segs, cased)
		if err != nil {
			return eqValue{}, err
		}
		return eqValue{kind: rules.ValString, pat: m}, nil
	case rules.ValInt, rules.ValFloat:
		ev := eqValue{kind: v.Kind, raw: v.Raw, num: v.Num}
		if v.Kind == rules.ValInt {
			if i, err := strconv.ParseInt(v.Raw, 10, 64); err == nil && float64(i) == v.Num {
				ev.i, ev.isInt = i, true
			}
		}
		return ev, nil
	case rules.ValBool:
		return eqValue{kind: rules.ValBool, b: v.Bool}, nil
	}
	return eqValue{}, fmt.Errorf("value %q of kind %s cannot be compared for equality", v.Raw, v.Kind)
}

func (e *eqValue) match(ev *Event, acc *accessor, v any) bool {
	switch e.kind {
	case rules.ValString:
		return e.pat.match(ev.text(acc.name, v))
	case rules.ValInt, rules.ValFloat:
		switch x := v.(type) {
		case json.Number:
			s := string(x)
			if e.isInt {
				if i, err := strconv.ParseInt(s, 10, 64); err == nil {
					return i == e.i
				}
			}
			f, err := strconv.ParseFloat(s, 64)
			return err == nil && f == e.num
		case string:
			return x == e.raw
		}
		return false
	case rules.ValBool:
		switch x := v.(type) {
		case bool:
			return x == e.b
		case string:
			if e.b {
				return translate.EqualFold(x, "true")
			}
			return translate.EqualFold(x, "false")
		}
	}
	return false
}

type eqNode struct {
	acc    accessor
	values []eqValue
}

func (n *eqNode) eval(ev *Event) bool {
	v, ok := n.acc.get(ev)
	if !ok {
		return false
	}
	for i := range n.values {
		if n.values[i].match(ev, &n.acc, v) {
			return true
		}
	}
	return false
}

type regexNode struct {
	acc accessor
	res []*regexp.Regexp
}

func (n *regexNode) eval(ev *Event) bool {
	v, ok := n.acc.get(ev)
	if !ok {
		return false
	}
	s := ev.text(n.acc.name, v)
	for _, re := range n.res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

type cidrNode struct {
	acc      accessor
	prefixes []netip.Prefix
}

func (n *cidrNode) eval(ev *Event) bool {
	v, ok := n.acc.get(ev)
	if !ok {
		return false
	}
	s, isStr := v.(string)
	if !isStr {
		return false
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	for _, p := range n.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

type cmpNode struct {
	acc accessor
	op  translate.Op
	num float64
}

func (n *cmpNode) eval(ev *Event) bool {
	v, ok := n.acc.get(ev)
	if !ok {
		return false
	}
	f, ok := number(v)
	return ok && compare(n.op, f, n.num)
}

func compare(op translate.Op, a, b float64) bool {
	switch op {
	case translate.OpLt:
		return a < b
	case translate.OpLte:
		return a <= b
	case translate.OpGt:
		return a > b
	case translate.OpGte:
		return a >= b
	case translate.OpEq:
		return a == b
	}
	return false
}

// number returns a JSON number, or a string in JSON number syntax, as a float64.
func number(v any) (float64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		if !isJSONNumber(x) {
			return 0, false
		}
		s = x
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of float64 range: ParseFloat gives ±Inf with the error, which still orders right.
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// isJSONNumber reports whether s is a number in JSON syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

type nullNode struct{ acc accessor }

func (n nullNode) eval(ev *Event) bool {
	v, ok := n.acc.get(ev)
	return !ok || v == ""
}

type refNode struct {
	acc, ref       accessor
	prefix, suffix bool
	cased          bool
}

func (n *refNode) eval(ev *Event) bool {
	v, ok := n.acc.get(ev)
	if !ok {
		return false
	}
	r, ok := n.ref.get(ev)
	if !ok {
		return false
	}
	s, want := ev.text(n.acc.name, v), ev.text(n.ref.name, r)
	switch {
	case n.prefix && n.suffix:
		if n.cased {
			return strings.Contains(s, want)
		}
		return foldContains(s, want)
	case n.prefix: // *ref: ends with
		if n.cased {
			return strings.HasSuffix(s, want)
		}
		return foldSuffix(s, want)
	case n.suffix: // ref*: starts with
		if n.cased {
			return strings.HasPrefix(s, want)
		}
		_, ok := foldPrefix(s, want)
		return ok
	}
	if n.cased {
		return s == want
	}
	return translate.EqualFold(s, want)
}

// Time parts.

type timePart int

const (
	partMinute timePart = iota + 1
	partHour
	partDay
	partWeek
	partMonth
	partYear
)

func parsePart(s string) (timePart, bool) {
	switch s {
	case "minute":
		return partMinute, true
	case "hour":
		return partHour, true
	case "day":
		return partDay, true
	case "week":
		return partWeek, true
	case "month":
		return partMonth, true
	case "year":
		return partYear, true
	}
	return 0, false
}

func (p timePart) of(t time.Time) int {
	switch p {
	case partMinute:
		return t.Minute()
	case partHour:
		return t.Hour()
	case partDay:
		return t.Day()
	case partWeek:
		_, w := t.ISOWeek()
		return w
	case partMonth:
		return int(t.Month())
	}
	return t.Year()
}

type timeNode struct {
	acc  accessor
	part timePart
	op   translate.Op // OpEq (any of nums) or an ordering (nums[0])
	nums []float64
}

func compileTimePart(m *translate.Match, acc accessor) (node, error) {
	part, ok := parsePart(m.TimePart)
	if !ok {
		return nil, errorAt(m.Pos, "%s: unknown time part %q", m.Field.Name, m.TimePart)
	}
	switch m.Op {
	case translate.OpEq, translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
	default:
		return nil, errorAt(m.Pos, "%s|%s: operator %s cannot compare a time part", m.Field.Name, m.TimePart, m.Op)
	}
	if len(m.Values) == 0 || (m.Op != translate.OpEq && len(m.Values) != 1) {
		return nil, errorAt(m.Pos, "%s|%s: wrong number of values (%d)", m.Field.Name, m.TimePart, len(m.Values))
	}
	n := &timeNode{acc: acc, part: part, op: m.Op}
	for _, v := range m.Values {
		f := v.Num
		if v.Kind == rules.ValString {
			var err error
			if f, err = strconv.ParseFloat(v.Raw, 64); err != nil || !isJSONNumber(v.Raw) {
				return nil, errorAt(firstPos(v.Pos, m.Pos), "%s|%s: %q is not a number", m.Field.Name, m.TimePart, v.Raw)
			}
		} else if v.Kind != rules.ValInt && v.Kind != rules.ValFloat {
			return nil, errorAt(firstPos(v.Pos, m.Pos), "%s|%s: %q is not a number", m.Field.Name, m.TimePart, v.Raw)
		}
		n.nums = append(n.nums, f)
	}
	return n, nil
}

func (n *timeNode) eval(ev *Event) bool {
	var t time.Time
	if n.acc.column == "TimeGenerated" && len(n.acc.path) == 0 {
		t = ev.Time
	} else {
		v, ok := n.acc.get(ev)
		if !ok {
			return false
		}
		s, isStr := v.(string)
		if !isStr {
			return false
		}
		var err error
		if t, err = parseTime(s); err != nil {
			return false
		}
	}
	got := float64(n.part.of(t))
	for _, want := range n.nums {
		if compare(n.op, got, want) {
			return true
		}
	}
	return false
}

// Keywords.

type keywordNode struct {
	pats []*matcher
}

func compileKeyword(k *translate.Keyword) (node, error) {
	if len(k.Values) == 0 {
		return nil, errorAt(k.Pos, "keyword search without values")
	}
	n := &keywordNode{}
	for _, v := range k.Values {
		m, err := newMatcher(v.Segs, k.Cased)
		if err != nil {
			return nil, errorAt(firstPos(v.Pos, k.Pos), "keyword %q: %v", v.Raw, err)
		}
		n.pats = append(n.pats, m)
	}
	return n, nil
}

func (n *keywordNode) eval(ev *Event) bool {
	for col, v := range ev.Fields {
		if v == nil {
			continue
		}
		s := ev.text(col, v)
		for _, m := range n.pats {
			if m.match(s) {
				return true
			}
		}
	}
	return false
}
