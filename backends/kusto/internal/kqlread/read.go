package kqlread

import (
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

// Read parses an emitted detection query and returns its meaning per sign-in table (see
// roundtrip.Meaning): each union leg (or the single table) contributes the predicate of its
// `where` operators over canonical fields. It fails on anything the backend does not emit.
//
// The meaning is stated over canonical events seen as Sentinel rows (see Eval): a string column
// of the row's table always exists (its absence is ""), so `isnotnull(StringColumn)` is "the field
// is present" and a value test on a string column reads the column as is.
func Read(out string) (roundtrip.Meaning, error) {
	var m roundtrip.Meaning
	for i := range m {
		m[i] = roundtrip.Const(false)
	}
	s, err := Parse(out)
	if err != nil {
		return m, err
	}
	if len(s.Lets) > 0 {
		return m, fmt.Errorf("kqlread: a detection query has no let statements")
	}
	legs := []*Tabular{s.Body}
	if s.Body.Source == "" {
		if !s.Body.Fuzzy || len(s.Body.Ops) > 0 {
			return m, fmt.Errorf("kqlread: a detection union is `union isfuzzy=true (...), ...` with nothing after it")
		}
		legs = s.Body.Union
	}
	seen := map[translate.TableID]bool{}
	for _, leg := range legs {
		id, p, err := readLeg(leg)
		if err != nil {
			return m, err
		}
		if seen[id] {
			return m, fmt.Errorf("kqlread: table %s appears twice", leg.Source)
		}
		seen[id] = true
		m[id] = p
	}
	return m, nil
}

// tableByName returns the sign-in table named name.
func tableByName(name string) (*translate.Table, bool) {
	for _, t := range translate.SignIn().Tables() {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

func readLeg(t *Tabular) (translate.TableID, roundtrip.Pred, error) {
	tb, ok := tableByName(t.Source)
	if !ok || len(t.Union) > 0 {
		return 0, nil, fmt.Errorf("kqlread: leg source %q is not a sign-in table", t.Source)
	}
	sc := newScope(tb.ID)
	var preds []roundtrip.Pred
	for i, op := range t.Ops {
		switch op := op.(type) {
		case *Extend:
			if i != 0 || len(preds) > 0 {
				return 0, nil, fmt.Errorf("kqlread: extend only normalizes columns before the where")
			}
			if err := sc.normalize(op); err != nil {
				return 0, nil, err
			}
		case *Where:
			p, err := sc.where(op.Pred)
			if err != nil {
				return 0, nil, err
			}
			preds = append(preds, p)
		default:
			return 0, nil, fmt.Errorf("kqlread: unexpected %T in a detection query", op)
		}
	}
	switch len(preds) {
	case 0:
		return tb.ID, roundtrip.Const(true), nil
	case 1:
		return tb.ID, preds[0], nil
	}
	return tb.ID, &roundtrip.And{Args: preds}, nil
}

// scope types the columns of one table's rows: the table's Kusto column types, with the columns a
// leading `extend C = todynamic(C)` normalized to dynamic.
type scope struct {
	table translate.TableID
	types map[string]string // column -> Kusto type
}

func newScope(id translate.TableID) *scope {
	sc := &scope{table: id, types: map[string]string{}}
	for _, f := range translate.SignIn().Fields() {
		if len(f.Path) == 0 && f.Tables.Has(id) {
			sc.types[column(f)] = f.KustoType[id]
		}
	}
	return sc
}

func column(f *translate.Field) string {
	if f.Column != "" {
		return f.Column
	}
	return f.Name
}

func (sc *scope) normalize(op *Extend) error {
	for _, a := range op.Cols {
		c, ok := a.X.(*Call)
		if !ok || c.Fn != "todynamic" || len(c.Args) != 1 {
			return fmt.Errorf("kqlread: extend %s is not a todynamic() normalization", a.Name)
		}
		col, ok := c.Args[0].(*Col)
		if !ok || col.Name != a.Name {
			return fmt.Errorf("kqlread: extend %s = todynamic() of another column", a.Name)
		}
		if _, ok := sc.types[a.Name]; !ok {
			return fmt.Errorf("kqlread: extend of column %s, which the table lacks", a.Name)
		}
		sc.types[a.Name] = "dynamic"
	}
	return nil
}

// tf is an expression's meaning in Kusto's three-valued logic: T where it is true, F where it is
// false (null is neither). A predicate that can be null has no expressible F (fWhy says why); it
// may only be negated inside coalesce(p, false).
type tf struct {
	T, F       roundtrip.Pred
	tWhy, fWhy string
}

func twoValued(p roundtrip.Pred) tf { return tf{T: p, F: &roundtrip.Not{Arg: p}} }

func nullable(p roundtrip.Pred, what string) tf {
	return tf{T: p, fWhy: what + " can be null, and not(null) is null: the row would be dropped"}
}

func (sc *scope) where(x Expr) (roundtrip.Pred, error) {
	r, err := sc.pred(x, nil)
	if err != nil {
		return nil, err
	}
	if r.tWhy != "" {
		return nil, fmt.Errorf("kqlread: %s", r.tWhy)
	}
	return r.T, nil
}

// pred reads a boolean expression. guarded holds the fields an enclosing `and` tests with
// isnotnull(): a string test of tostring(F) next to it cannot see F's null.
func (sc *scope) pred(x Expr, guarded map[string]bool) (tf, error) {
	switch x := x.(type) {
	case *Lit:
		if x.V.Kind == KBool {
			return twoValued(roundtrip.Const(x.V.Bool)), nil
		}
	case *Binary:
		switch x.Op {
		case "and":
			return sc.and(flatten(x, "and"))
		case "or":
			var args []tf
			for _, y := range flatten(x, "or") {
				r, err := sc.pred(y, nil)
				if err != nil {
					return tf{}, err
				}
				args = append(args, r)
			}
			return junction(args, false), nil
		}
		return sc.compare(x, guarded)
	case *In:
		return sc.in(x)
	case *Call:
		return sc.call(x, guarded)
	}
	return tf{}, fmt.Errorf("kqlread: %s is not a predicate", show(x))
}

func flatten(x Expr, op string) []Expr {
	if b, ok := x.(*Binary); ok && b.Op == op {
		return append(flatten(b.L, op), flatten(b.R, op)...)
	}
	return []Expr{x}
}

// junction combines operands with and (isAnd) or or, in three-valued logic.
func junction(args []tf, isAnd bool) tf {
	var ts, fs []roundtrip.Pred
	var r tf
	for _, a := range args {
		ts = append(ts, a.T)
		fs = append(fs, a.F)
		if a.tWhy != "" {
			r.tWhy = a.tWhy
		}
		if a.fWhy != "" {
			r.fWhy = a.fWhy
		}
	}
	if isAnd {
		r.T, r.F = &roundtrip.And{Args: ts}, &roundtrip.Or{Args: fs}
	} else {
		r.T, r.F = &roundtrip.Or{Args: ts}, &roundtrip.And{Args: fs}
	}
	return r
}

// and reads an and-chain. An operand isnotnull(F) (F a property or a non-string column) guards
// its siblings: a string test of tostring(F) there is false where F is null, so it is the plain
// atom, and the guard, implied by that atom, is dropped (isnotnull(F) and (F is null or A) = A).
func (sc *scope) and(ops []Expr) (tf, error) {
	guards := map[string]int{}
	for i, o := range ops {
		if f, ok := sc.guard(o); ok {
			guards[f.Name] = i
		}
	}
	used := map[string]bool{}
	var args []tf
	for i, o := range ops {
		if f, ok := sc.guard(o); ok && guards[f.Name] == i {
			continue // decided below
		}
		g := map[string]bool{}
		for name := range guards {
			g[name] = true
		}
		r, err := sc.pred(o, g)
		if err != nil {
			return tf{}, err
		}
		for name := range g {
			if !g[name] {
				used[name] = true // the operand consumed the guard
			}
		}
		args = append(args, r)
	}
	for i, o := range ops {
		if f, ok := sc.guard(o); ok && guards[f.Name] == i && !used[f.Name] {
			r, err := sc.pred(o, nil)
			if err != nil {
				return tf{}, err
			}
			args = append(args, r)
		}
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return junction(args, true), nil
}

// guard recognizes isnotnull(F) for a property F or a non-string column.
func (sc *scope) guard(x Expr) (*translate.Field, bool) {
	c, ok := x.(*Call)
	if !ok || c.Fn != "isnotnull" || len(c.Args) != 1 {
		return nil, false
	}
	f, typ, err := sc.raw(c.Args[0])
	if err != nil || (len(f.Path) == 0 && typ == "string") {
		return nil, false
	}
	return f, true
}

// raw resolves a column or a property path: the canonical field and the Kusto type of the
// expression ("dynamic" for a property).
func (sc *scope) raw(x Expr) (*translate.Field, string, error) {
	var keys []string
	for {
		m, ok := x.(*Member)
		if !ok {
			break
		}
		keys = append([]string{m.Key}, keys...)
		x = m.X
	}
	var col string
	switch y := x.(type) {
	case *Col:
		col = y.Name
		if len(keys) > 0 && sc.types[col] != "dynamic" {
			return nil, "", fmt.Errorf("kqlread: property of %s, which is %q here, not dynamic", col, sc.types[col])
		}
	case *Call:
		c, ok := y.Args[0].(*Col)
		if y.Fn != "todynamic" || len(y.Args) != 1 || !ok || len(keys) == 0 {
			return nil, "", fmt.Errorf("kqlread: %s is not a field", show(x))
		}
		col = c.Name
		if sc.types[col] != "string" {
			return nil, "", fmt.Errorf("kqlread: todynamic(%s) of a %q column", col, sc.types[col])
		}
	default:
		return nil, "", fmt.Errorf("kqlread: %s is not a field", show(x))
	}
	typ, ok := sc.types[col]
	if !ok {
		return nil, "", fmt.Errorf("kqlread: column %s does not exist in %s", col, translate.SignIn().Table(sc.table).Name)
	}
	name := strings.Join(append([]string{col}, keys...), ".")
	f := translate.SignIn().Field(name)
	if f == nil || column(f) != col || len(f.Path) != len(keys) {
		return nil, "", fmt.Errorf("kqlread: %s is not a canonical field", name)
	}
	if len(keys) > 0 {
		typ = "dynamic"
	}
	return f, typ, nil
}

// str resolves a string form: a string column as is, or tostring(F). viaToString says tostring()
// reads a null F as "".
func (sc *scope) str(x Expr) (f *translate.Field, viaToString bool, err error) {
	if c, ok := x.(*Call); ok && c.Fn == "tostring" && len(c.Args) == 1 {
		f, _, err := sc.raw(c.Args[0])
		return f, true, err
	}
	f, typ, err := sc.raw(x)
	if err != nil {
		return nil, false, err
	}
	if typ != "string" {
		return nil, false, fmt.Errorf("kqlread: %s is %s, not a string (use tostring())", f.Name, typ)
	}
	return f, false, nil
}

// num resolves a numeric operand: a long/real/int column, or tolong(F) / toreal(F).
func (sc *scope) num(x Expr) (*translate.Field, error) {
	if c, ok := x.(*Call); ok && (c.Fn == "tolong" || c.Fn == "toreal") && len(c.Args) == 1 {
		f, _, err := sc.raw(c.Args[0])
		return f, err
	}
	f, typ, err := sc.raw(x)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "long", "int", "real", "double", "decimal":
		return f, nil
	}
	return nil, fmt.Errorf("kqlread: %s is %s, not a number", f.Name, typ)
}

// asciiFold is the full-match regex of s under Kusto's case-insensitive string operators, which
// fold ASCII letters only ("Case-insensitive operators are currently supported only for
// ASCII-text", equals-operator / datatypes-string-operators): each ASCII letter matches its two
// cases, every other character only itself.
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			fmt.Fprintf(&b, "[%c%c]", r, r-'a'+'A')
		case r >= 'A' && r <= 'Z':
			fmt.Fprintf(&b, "[%c%c]", r, r-'A'+'a')
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

// stringRegex is the full-match regex (RE2 syntax, (?s)) of a string operator with a literal.
func stringRegex(op, lit string) (string, bool) {
	cs := strings.HasSuffix(op, "_cs") || op == "==" || op == "in" || op == "!=" || op == "!in"
	body := regexp.QuoteMeta(lit)
	if !cs {
		body = asciiFold(lit)
	}
	switch strings.TrimSuffix(op, "_cs") {
	case "==", "=~", "in", "in~":
		return "(?s)" + body, true
	case "contains":
		return "(?s).*" + body + ".*", true
	case "startswith":
		return "(?s)" + body + ".*", true
	case "endswith":
		return "(?s).*" + body, true
	}
	return "", false
}

// strAtom is the meaning of a string test of x (a string column or tostring(F)) against the
// full-match regex re.
func (sc *scope) strAtom(x Expr, re *syntax.Regexp, guarded map[string]bool) (tf, error) {
	f, viaToString, err := sc.str(x)
	if err != nil {
		return tf{}, err
	}
	a := &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindString, Re: re}
	if !viaToString || !matchesEmpty(re) {
		return twoValued(a), nil
	}
	if guarded[f.Name] {
		guarded[f.Name] = false // consumed: the atom implies F is not null
		return twoValued(a), nil
	}
	// tostring(null) is "": the test also holds where F is null.
	return twoValued(&roundtrip.Or{Args: []roundtrip.Pred{&roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindNull}, a}}), nil
}

func matchesEmpty(re *syntax.Regexp) bool {
	rx, err := regexp.Compile("^(?:" + re.String() + ")$")
	return err == nil && rx.MatchString("")
}

func parseRe(s string) (*syntax.Regexp, error) { return syntax.Parse(s, syntax.Perl) }

func strLit(x Expr) (string, bool) {
	l, ok := x.(*Lit)
	if !ok || l.V.Kind != KString {
		return "", false
	}
	return l.V.Str, true
}

func (sc *scope) compare(x *Binary, guarded map[string]bool) (tf, error) {
	if lit, ok := strLit(x.R); ok {
		if x.Op == "matches regex" {
			re, err := roundtrip.SearchRegex(lit, "")
			if err != nil {
				return tf{}, fmt.Errorf("kqlread: regex %q: %w", lit, err)
			}
			return sc.strAtom(x.L, re, guarded)
		}
		rx, ok := stringRegex(x.Op, lit)
		if !ok {
			return tf{}, fmt.Errorf("kqlread: operator %s with a string is not emitted", x.Op)
		}
		re, err := parseRe(rx)
		if err != nil {
			return tf{}, err
		}
		return sc.strAtom(x.L, re, guarded)
	}
	if l, ok := x.R.(*Lit); ok {
		return sc.scalarCompare(x.Op, x.L, l.V)
	}
	return sc.fieldRef(x, guarded)
}

func cmpOp(op string) (translate.Op, bool) {
	switch op {
	case "==":
		return translate.OpEq, true
	case "<":
		return translate.OpLt, true
	case "<=":
		return translate.OpLte, true
	case ">":
		return translate.OpGt, true
	case ">=":
		return translate.OpGte, true
	}
	return 0, false
}

// scalarCompare reads `L op literal` for numbers, bools and time parts (each can be null).
func (sc *scope) scalarCompare(op string, l Expr, v Value) (tf, error) {
	o, ok := cmpOp(op)
	if !ok {
		return tf{}, fmt.Errorf("kqlread: operator %s with a %v literal is not emitted", op, v.Kind)
	}
	if c, ok := l.(*Call); ok && c.Fn == "datetime_part" {
		return sc.timePart(c, o, v)
	}
	if c, ok := l.(*Call); ok && c.Fn == "tobool" || v.Kind == KBool {
		if v.Kind != KBool || o != translate.OpEq {
			return tf{}, fmt.Errorf("kqlread: a bool compares with == true/false")
		}
		f, err := sc.boolField(l)
		if err != nil {
			return tf{}, err
		}
		return nullable(&roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindBool, Bool: v.Bool}, "a bool comparison"), nil
	}
	n, ok := numeric(v)
	if !ok {
		return tf{}, fmt.Errorf("kqlread: %s compared with a non-number", show(l))
	}
	f, err := sc.num(l)
	if err != nil {
		return tf{}, err
	}
	if o == translate.OpEq {
		return nullable(&roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindNum, Num: n}, "a numeric comparison"), nil
	}
	return nullable(&roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindCmp, Op: o, Num: n}, "a numeric comparison"), nil
}

func (sc *scope) boolField(x Expr) (*translate.Field, error) {
	if c, ok := x.(*Call); ok && c.Fn == "tobool" && len(c.Args) == 1 {
		f, _, err := sc.raw(c.Args[0])
		return f, err
	}
	f, typ, err := sc.raw(x)
	if err != nil {
		return nil, err
	}
	if typ != "bool" {
		return nil, fmt.Errorf("kqlread: %s is %s, not a bool", f.Name, typ)
	}
	return f, nil
}

var timeParts = map[string]string{"minute": "minute", "hour": "hour", "day": "day", "week_of_year": "week", "month": "month", "year": "year"}

func (sc *scope) timePart(c *Call, o translate.Op, v Value) (tf, error) {
	if len(c.Args) != 2 {
		return tf{}, fmt.Errorf("kqlread: datetime_part takes two arguments")
	}
	partName, ok := strLit(c.Args[0])
	part := timeParts[partName]
	if !ok || part == "" {
		return tf{}, fmt.Errorf("kqlread: datetime_part %s", show(c.Args[0]))
	}
	arg := c.Args[1]
	var f *translate.Field
	if d, ok := arg.(*Call); ok && d.Fn == "todatetime" && len(d.Args) == 1 {
		g, _, err := sc.raw(d.Args[0])
		if err != nil {
			return tf{}, err
		}
		f = g
	} else {
		g, typ, err := sc.raw(arg)
		if err != nil {
			return tf{}, err
		}
		if typ != "datetime" {
			return tf{}, fmt.Errorf("kqlread: datetime_part of %s (%s)", g.Name, typ)
		}
		f = g
	}
	n, ok := numeric(v)
	if !ok {
		return tf{}, fmt.Errorf("kqlread: a time part compares with a number")
	}
	return nullable(&roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindTime, Part: part, Op: o, Num: n}, "datetime_part"), nil
}

func (sc *scope) in(x *In) (tf, error) {
	var args []tf
	for _, item := range x.List {
		l, ok := item.(*Lit)
		if !ok {
			return tf{}, fmt.Errorf("kqlread: in-list item %s is not a literal", show(item))
		}
		op := map[string]string{"in": "==", "in~": "=~"}[x.Op]
		if op == "" {
			return tf{}, fmt.Errorf("kqlread: %s is not emitted", x.Op)
		}
		var r tf
		var err error
		if l.V.Kind == KString {
			r, err = sc.compare(&Binary{Op: op, L: x.L, R: l}, nil)
		} else if op == "==" {
			r, err = sc.scalarCompare("==", x.L, l.V)
		} else {
			err = fmt.Errorf("kqlread: in~ with a non-string")
		}
		if err != nil {
			return tf{}, err
		}
		args = append(args, r)
	}
	if len(args) == 0 {
		return tf{}, fmt.Errorf("kqlread: empty in-list")
	}
	return junction(args, false), nil
}

func (sc *scope) call(c *Call, guarded map[string]bool) (tf, error) {
	one := len(c.Args) == 1
	switch {
	case c.Fn == "not" && one:
		r, err := sc.pred(c.Args[0], nil)
		if err != nil {
			return tf{}, err
		}
		return tf{T: r.F, F: r.T, tWhy: r.fWhy, fWhy: r.tWhy}, nil
	case c.Fn == "coalesce" && len(c.Args) == 2:
		if l, ok := c.Args[1].(*Lit); !ok || l.V.Kind != KBool || l.V.Bool {
			return tf{}, fmt.Errorf("kqlread: coalesce(p, false) is the only coalesce emitted")
		}
		r, err := sc.pred(c.Args[0], guarded)
		if err != nil {
			return tf{}, err
		}
		if r.tWhy != "" {
			return tf{}, fmt.Errorf("kqlread: %s", r.tWhy)
		}
		return twoValued(r.T), nil
	case (c.Fn == "isempty" || c.Fn == "isnotempty") && one:
		f, _, err := sc.str(c.Args[0])
		if err != nil {
			return tf{}, err
		}
		// isempty(s): s is "" (a string is never null; tostring(null) is ""): the field is null or
		// empty, Sigma's `null` as the evaluator defines it.
		var p roundtrip.Pred = &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindNull}
		if c.Fn == "isnotempty" {
			p = &roundtrip.Not{Arg: p}
		}
		return twoValued(p), nil
	case (c.Fn == "isnull" || c.Fn == "isnotnull") && one:
		f, typ, err := sc.raw(c.Args[0])
		if err != nil {
			return tf{}, err
		}
		var p roundtrip.Pred
		switch {
		case len(f.Path) == 0 && typ == "string":
			// A string is never null: isnotnull is always true, and on a Sentinel row the column is
			// always present, which is what Sigma's `*` asks.
			p = &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindString, Re: mustRe("(?s).*")}
			if c.Fn == "isnull" {
				return tf{}, fmt.Errorf("kqlread: isnull() of the string column %s is always false", f.Name)
			}
		case len(f.Path) == 0 && typ != "dynamic":
			// A long/real/bool/datetime column holds no "": null is Sigma's null.
			p = &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindNull}
			if c.Fn == "isnotnull" {
				p = &roundtrip.Not{Arg: p}
			}
		default:
			// A dynamic value is null where it is absent (or JSON null); any other value, "" too,
			// is not null: the field has a string form, which (?s).* matches.
			p = &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindString, Re: mustRe("(?s).*")}
			if c.Fn == "isnull" {
				p = &roundtrip.Not{Arg: p}
			}
		}
		return twoValued(p), nil
	case (c.Fn == "ipv4_is_in_range" || c.Fn == "ipv6_is_in_range") && len(c.Args) == 2:
		f, _, err := sc.str(c.Args[0])
		if err != nil {
			return tf{}, err
		}
		lit, ok := strLit(c.Args[1])
		if !ok {
			return tf{}, fmt.Errorf("kqlread: %s range is not a literal", c.Fn)
		}
		pfx, err := netip.ParsePrefix(lit)
		if err != nil {
			return tf{}, fmt.Errorf("kqlread: %s range %q: %w", c.Fn, lit, err)
		}
		if pfx.Addr().Is4() != (c.Fn == "ipv4_is_in_range") {
			return tf{}, fmt.Errorf("kqlread: %s with the range %s of the other family", c.Fn, lit)
		}
		return nullable(&roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindCIDR, Prefix: pfx.Masked()}, c.Fn), nil
	}
	return tf{}, fmt.Errorf("kqlread: function %s/%d is not a predicate the backend emits", c.Fn, len(c.Args))
}

func mustRe(s string) *syntax.Regexp {
	re, err := parseRe(s)
	if err != nil {
		panic(err)
	}
	return re
}

// fieldRef reads a comparison of two fields: (tolower(a) op tolower(b)) or (a op b), op one of ==,
// contains_cs, startswith_cs, endswith_cs.
func (sc *scope) fieldRef(x *Binary, guarded map[string]bool) (tf, error) {
	unwrap := func(e Expr) (Expr, bool) {
		if c, ok := e.(*Call); ok && c.Fn == "tolower" && len(c.Args) == 1 {
			return c.Args[0], true
		}
		return e, false
	}
	l, lowL := unwrap(x.L)
	r, lowR := unwrap(x.R)
	if lowL != lowR {
		return tf{}, fmt.Errorf("kqlread: tolower() on one side only")
	}
	a, _, err := sc.str(l)
	if err != nil {
		return tf{}, err
	}
	b, _, err := sc.str(r)
	if err != nil {
		return tf{}, err
	}
	at := &roundtrip.Atom{Field: a.Name, Kind: roundtrip.KindRef, Ref: b.Name, Cased: !lowL}
	switch x.Op {
	case "==":
	case "contains_cs":
		at.RefPrefix, at.RefSuffix = true, true
	case "endswith_cs":
		at.RefPrefix = true
	case "startswith_cs":
		at.RefSuffix = true
	default:
		return tf{}, fmt.Errorf("kqlread: field comparison with %s is not emitted", x.Op)
	}
	for _, f := range []*translate.Field{a, b} {
		if _, ok := guarded[f.Name]; ok {
			guarded[f.Name] = false
		}
	}
	return twoValued(at), nil
}

// show renders an expression for messages.
func show(x Expr) string {
	switch x := x.(type) {
	case *Lit:
		if x.V.Kind == KString {
			return fmt.Sprintf("%q", x.V.Str)
		}
		return ToString(x.V)
	case *Col:
		return x.Name
	case *Member:
		return show(x.X) + "." + x.Key
	case *Call:
		var args []string
		for _, a := range x.Args {
			args = append(args, show(a))
		}
		return x.Fn + "(" + strings.Join(args, ", ") + ")"
	case *Binary:
		return "(" + show(x.L) + " " + x.Op + " " + show(x.R) + ")"
	case *In:
		var args []string
		for _, a := range x.List {
			args = append(args, show(a))
		}
		return show(x.L) + " " + x.Op + " (" + strings.Join(args, ", ") + ")"
	}
	return fmt.Sprintf("%T", x)
}
