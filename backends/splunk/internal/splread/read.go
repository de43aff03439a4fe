// Package splread reads the SPL the splunk backend emits back into its meaning (roundtrip.Meaning,
// roundtrip.CorrMeaning) and interprets it over events with Splunk's documented semantics
// (Eval). It works from the text alone: internal/splcheck parses it, this package gives the tree
// its meaning. The semantic facts it relies on, with their documentation, are listed in the
// backend's README ("How we know the output is right").
package splread

import (
	"fmt"
	"math"
	"net/netip"
	"regexp/syntax"
	"strconv"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/splunk/internal/splcheck"
	"github.com/entrasig/entrasig/translate"
)

// Markers for the domain tests eval guards use (Atom.Part): the field has a value (isnotnull), or
// its value reads as a number (isnotnull(tonumber(f))). They are simplified away where a sibling
// test implies them, and what is left becomes a plain atom.
const (
	partPresent = "splread:present"
	partNumber  = "splread:number"
)

// Read parses a detection query and returns its meaning per sign-in table.
func Read(out string) (roundtrip.Meaning, error) {
	q, err := splcheck.Parse(out)
	if err != nil {
		return roundtrip.Meaning{}, err
	}
	var wheres []*splcheck.EOr
	for _, c := range q.Commands {
		if c.Where == nil {
			return roundtrip.Meaning{}, fmt.Errorf("a detection query has only `| where` after the search")
		}
		wheres = append(wheres, c.Where)
	}
	return readFilter(q.Search, wheres)
}

func readFilter(search *splcheck.SOr, wheres []*splcheck.EOr) (roundtrip.Meaning, error) {
	var m roundtrip.Meaning
	if err := checkBase(search); err != nil {
		return m, err
	}
	for _, t := range translate.SignIn().Tables() {
		r := &reader{table: t}
		p, err := r.search(search)
		if err != nil {
			return m, err
		}
		args := []roundtrip.Pred{p}
		for _, w := range wheres {
			tp, _, err := r.where(w)
			if err != nil {
				return m, err
			}
			args = append(args, tp)
		}
		m[t.ID] = finish(&roundtrip.And{Args: args})
	}
	return m, nil
}

// checkBase requires the base filter: sourcetype="azure:monitor:aad" or a macro, as a top-level
// conjunct (the reader reads it as "the add-on's events").
func checkBase(s *splcheck.SOr) error {
	for _, chain := range andChains(s) {
		if len(chain) != 1 || chain[0].Prim == nil {
			continue
		}
		if chain[0].Prim.Macro != "" {
			return nil
		}
		if c := chain[0].Prim.Cmp; c != nil && c.Field == "sourcetype" && c.Op == "=" && c.Value.Str != nil && *c.Value.Str == `"azure:monitor:aad"` {
			return nil
		}
	}
	return fmt.Errorf("no base filter (sourcetype=\"azure:monitor:aad\" or a macro) as a top-level conjunct")
}

// andChains regroups a parsed search expression as Splunk reads it: the search command evaluates
// OR before AND (Search Manual, "Boolean expressions"), so `a b OR c` is `a AND (b OR c)`, while
// the grammar groups AND first. It returns the AND-ed operands, each an OR chain of terms.
func andChains(s *splcheck.SOr) [][]*splcheck.SUnary {
	var chains [][]*splcheck.SUnary
	for i, a := range s.Args {
		for j, u := range a.Args {
			if i > 0 && j == 0 {
				chains[len(chains)-1] = append(chains[len(chains)-1], u)
				continue
			}
			chains = append(chains, []*splcheck.SUnary{u})
		}
	}
	return chains
}

type reader struct {
	table *translate.Table
}

// field maps a Splunk field name to the canonical field it holds on the reader's table; twin is
// set when the name is a canonical field's numeric twin (Splunk.NumericName: ResultType's
// properties.status.errorCode, read as ResultType under the README's assumption that the two
// always agree).
func (r *reader) field(name string) (*translate.Field, error) {
	var any *translate.Field
	for _, f := range translate.SignIn().Fields() {
		if f.Splunk.NumericName == name && f.Tables.Has(r.table.ID) {
			return f, nil
		}
	}
	for _, f := range translate.SignIn().Fields() {
		if f.Splunk.Name != name {
			continue
		}
		if f.Tables.Has(r.table.ID) {
			return f, nil
		}
		any = f
	}
	if any == nil {
		return nil, fmt.Errorf("unknown Splunk field %q", name)
	}
	return any, nil
}

// search reads the search command. The search command evaluates OR before AND (Search Manual,
// "Boolean expressions"), so `a b OR c` is `a AND (b OR c)`; the grammar groups AND first, so
// the chain is regrouped here.
func (r *reader) search(s *splcheck.SOr) (roundtrip.Pred, error) {
	var ands []roundtrip.Pred
	for _, chain := range andChains(s) {
		var ors []roundtrip.Pred
		for _, u := range chain {
			p, err := r.unary(u)
			if err != nil {
				return nil, err
			}
			ors = append(ors, p)
		}
		ands = append(ands, orOf(ors))
	}
	return andOf(ands), nil
}

func orOf(ps []roundtrip.Pred) roundtrip.Pred {
	if len(ps) == 1 {
		return ps[0]
	}
	return &roundtrip.Or{Args: ps}
}

func andOf(ps []roundtrip.Pred) roundtrip.Pred {
	if len(ps) == 1 {
		return ps[0]
	}
	return &roundtrip.And{Args: ps}
}

func (r *reader) unary(u *splcheck.SUnary) (roundtrip.Pred, error) {
	if u.Not != nil {
		p, err := r.unary(u.Not)
		return &roundtrip.Not{Arg: p}, err
	}
	switch p := u.Prim; {
	case p.Group != nil:
		return r.search(p.Group)
	case p.Macro != "":
		return roundtrip.Const(true), nil
	case p.Cmp != nil:
		return r.cmp(p.Cmp)
	}
	return nil, fmt.Errorf("empty search term")
}

// value decodes a search-command value: a quoted string with \" and \\ decoded, or a bare word.
func value(v *splcheck.SValue) (string, error) {
	if v.Word != nil {
		return *v.Word, nil
	}
	return splcheck.SearchString(*v.Str)
}

func (r *reader) cmp(c *splcheck.SCmp) (roundtrip.Pred, error) {
	raws := c.In
	if c.Value != nil {
		raws = []*splcheck.SValue{c.Value}
	}
	vals := make([]string, len(raws))
	for i, v := range raws {
		s, err := value(v)
		if err != nil {
			return nil, err
		}
		vals[i] = s
	}
	switch c.Field {
	case "sourcetype":
		if c.Op != "=" || vals[0] != "azure:monitor:aad" {
			return nil, fmt.Errorf("unexpected sourcetype filter")
		}
		return roundtrip.Const(true), nil
	case "index":
		return roundtrip.Const(true), nil
	case "category":
		if c.Op != "" && c.Op != "=" {
			return nil, fmt.Errorf("category compared with %s", c.Op)
		}
		for _, v := range vals {
			if globFold(v).MatchString(r.table.Category) {
				return roundtrip.Const(true), nil
			}
		}
		return roundtrip.Const(false), nil
	}
	f, err := r.field(c.Field)
	if err != nil {
		return nil, err
	}
	switch c.Op {
	case "", "=":
		var alts []roundtrip.Pred
		for _, v := range vals {
			a, err := searchAtom(f, v)
			if err != nil {
				return nil, err
			}
			alts = append(alts, a)
		}
		return orOf(alts), nil
	case "<", "<=", ">", ">=":
		n, err := strconv.ParseFloat(vals[0], 64)
		if err != nil {
			return nil, fmt.Errorf("%s %s %q: not a number", c.Field, c.Op, vals[0])
		}
		return &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindCmp, Op: cmpOp(c.Op), Num: n}, nil
	}
	return nil, fmt.Errorf("search operator %s", c.Op)
}

func cmpOp(s string) translate.Op {
	switch s {
	case "<":
		return translate.OpLt
	case "<=":
		return translate.OpLte
	case ">":
		return translate.OpGt
	}
	return translate.OpGte
}

// searchAtom is the meaning of `field=value` in the search command (see matchSearch for the
// semantics): `*` alone is "has a value"; a value in CIDR notation is a CIDR match; a number on a
// numeric field, true/false on a bool field are those values; anything else is a whole-value
// match with `*` any run, ASCII letters case-insensitive (globPattern).
func searchAtom(f *translate.Field, v string) (roundtrip.Pred, error) {
	switch {
	case v == "*":
		return present(f.Name), nil
	case splcheck.CIDRLike(v):
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, fmt.Errorf("CIDR value %q: %v", v, err)
		}
		return &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindCIDR, Prefix: p.Masked()}, nil
	case (f.Type == translate.TypeLong || f.Type == translate.TypeReal) && splcheck.IsNumber(v):
		n, _ := strconv.ParseFloat(v, 64)
		return &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindNum, Num: n}, nil
	case f.Type == translate.TypeBool && (translate.EqualFold(v, "true") || translate.EqualFold(v, "false")):
		return &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindBool, Bool: translate.EqualFold(v, "true")}, nil
	}
	re, err := syntax.Parse(globPattern(v), syntax.Perl)
	if err != nil {
		return nil, err
	}
	return &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindString, Re: re}, nil
}

func present(field string) *roundtrip.Atom {
	return &roundtrip.Atom{Field: field, Kind: roundtrip.KindString, Part: partPresent, Re: anyRe()}
}

func number(field string) *roundtrip.Atom {
	return &roundtrip.Atom{Field: field, Kind: roundtrip.KindCmp, Part: partNumber, Op: translate.OpGte, Num: math.Inf(-1)}
}

func anyRe() *syntax.Regexp {
	re, _ := syntax.Parse(`(?s).*`, syntax.Perl)
	return re
}

// where reads an eval boolean expression as two predicates: when it is true and when it is false
// (eval logic has a third value, null: a comparison with a null field is null, and `where` keeps
// only true).
func (r *reader) where(e *splcheck.EOr) (t, f roundtrip.Pred, err error) {
	var ts, fs []roundtrip.Pred
	for _, a := range e.Args {
		at, af, err := r.whereAnd(a)
		if err != nil {
			return nil, nil, err
		}
		ts, fs = append(ts, at), append(fs, af)
	}
	return orOf(ts), andOf(fs), nil
}

func (r *reader) whereAnd(e *splcheck.EAnd) (t, f roundtrip.Pred, err error) {
	var ts, fs []roundtrip.Pred
	for _, n := range e.Args {
		nt, nf, err := r.whereNot(n)
		if err != nil {
			return nil, nil, err
		}
		ts, fs = append(ts, nt), append(fs, nf)
	}
	return andOf(ts), orOf(fs), nil
}

func (r *reader) whereNot(n *splcheck.ENot) (t, f roundtrip.Pred, err error) {
	if n.Not != nil {
		t, f, err := r.whereNot(n.Not)
		return f, t, err
	}
	return r.whereCmp(n.Cmp)
}

func two(p roundtrip.Pred) (roundtrip.Pred, roundtrip.Pred, error) {
	return p, &roundtrip.Not{Arg: p}, nil
}

// valued is a test that is null when its field is null: false needs the field's domain.
func valued(p roundtrip.Pred, dom ...roundtrip.Pred) (roundtrip.Pred, roundtrip.Pred, error) {
	return p, andOf(append(dom, &roundtrip.Not{Arg: p})), nil
}

func (r *reader) whereCmp(c *splcheck.ECmp) (t, f roundtrip.Pred, err error) {
	if c.Op == "" {
		a, ok := single(c.Left)
		if !ok {
			return nil, nil, fmt.Errorf("a sum is not a boolean")
		}
		switch {
		case a.Group != nil:
			return r.where(a.Group)
		case a.Call != nil:
			return r.call(a.Call)
		}
		return nil, nil, fmt.Errorf("operand used as a boolean")
	}
	l, lok := single(c.Left)
	rt, rok := single(c.Right)
	if !lok || !rok {
		return nil, nil, fmt.Errorf("sums are compared only after stats")
	}
	// category=="X"
	if name, ok := fieldName(l); ok && name == "category" {
		if c.Op != "==" || rt.Str == nil {
			return nil, nil, fmt.Errorf("unexpected category comparison")
		}
		s, err := splcheck.EvalString(*rt.Str)
		if err != nil {
			return nil, nil, err
		}
		return two(roundtrip.Const(s == r.table.Category))
	}
	// coalesce('f', "")=="": null or empty, two-valued
	if l.Call != nil && l.Call.Name == "coalesce" && c.Op == "==" && rt.Str != nil && *rt.Str == `""` {
		if len(l.Call.Args) != 2 || !isEmptyString(l.Call.Args[1]) {
			return nil, nil, fmt.Errorf("unexpected coalesce()")
		}
		name, ok := fieldOf(l.Call.Args[0])
		if !ok {
			return nil, nil, fmt.Errorf("coalesce() of a non-field")
		}
		fd, err := r.field(name)
		if err != nil {
			return nil, nil, err
		}
		return two(&roundtrip.Atom{Field: fd.Name, Kind: roundtrip.KindNull})
	}
	// lower('a')==lower('b') and 'a'=='b': field references
	if c.Op == "==" {
		if a, b, cased, ok := refPair(l, rt); ok {
			fa, err := r.field(a)
			if err != nil {
				return nil, nil, err
			}
			fb, err := r.field(b)
			if err != nil {
				return nil, nil, err
			}
			return valued(&roundtrip.Atom{Field: fa.Name, Kind: roundtrip.KindRef, Ref: fb.Name, Cased: cased}, present(fa.Name), present(fb.Name))
		}
	}
	// numeric comparisons: 'f' op N, tonumber('f') op N
	if rt.Word == nil || !splcheck.IsNumber(*rt.Word) {
		return nil, nil, fmt.Errorf("unsupported comparison")
	}
	n, _ := strconv.ParseFloat(*rt.Word, 64)
	viaToNumber := false
	name, ok := fieldName(l)
	if !ok && l.Call != nil && l.Call.Name == "tonumber" && len(l.Call.Args) == 1 {
		name, ok = fieldOf(l.Call.Args[0])
		viaToNumber = true
	}
	if !ok {
		return nil, nil, fmt.Errorf("unsupported comparison operand")
	}
	fd, err := r.field(name)
	if err != nil {
		return nil, nil, err
	}
	if c.Op == "==" {
		if viaToNumber {
			return nil, nil, fmt.Errorf("tonumber() == N is not emitted")
		}
		// eval compares a numeric field value with a number numerically
		if fd.Type == translate.TypeLong || fd.Type == translate.TypeReal {
			return valued(&roundtrip.Atom{Field: fd.Name, Kind: roundtrip.KindNum, Num: n}, present(fd.Name))
		}
		return valued(&roundtrip.Atom{Field: fd.Name, Kind: roundtrip.KindString, Re: roundtrip.LiteralRegex(*rt.Word, false)}, present(fd.Name))
	}
	switch c.Op {
	case "<", "<=", ">", ">=":
		return valued(&roundtrip.Atom{Field: fd.Name, Kind: roundtrip.KindCmp, Op: cmpOp(c.Op), Num: n}, number(fd.Name))
	}
	return nil, nil, fmt.Errorf("operator %s before stats", c.Op)
}

func isEmptyString(e *splcheck.EOr) bool {
	a, ok := singleOr(e)
	return ok && a.Str != nil && *a.Str == `""`
}

// single returns the only atom of an operand.
func single(s *splcheck.ESum) (*splcheck.EAtom, bool) {
	if s == nil || len(s.Terms) != 1 {
		return nil, false
	}
	return s.Terms[0], true
}

// singleOr returns the only atom of a whole expression (a function argument).
func singleOr(e *splcheck.EOr) (*splcheck.EAtom, bool) {
	if len(e.Args) != 1 || len(e.Args[0].Args) != 1 {
		return nil, false
	}
	n := e.Args[0].Args[0]
	if n.Not != nil || n.Cmp.Op != "" {
		return nil, false
	}
	return single(n.Cmp.Left)
}

// fieldName is the field an operand names: 'quoted' or a bare word that is not a number.
func fieldName(a *splcheck.EAtom) (string, bool) {
	switch {
	case a.Field != "":
		return a.Field[1 : len(a.Field)-1], true
	case a.Word != nil && !splcheck.IsNumber(*a.Word):
		return *a.Word, true
	}
	return "", false
}

func fieldOf(e *splcheck.EOr) (string, bool) {
	a, ok := singleOr(e)
	if !ok {
		return "", false
	}
	return fieldName(a)
}

func refPair(l, r *splcheck.EAtom) (a, b string, cased, ok bool) {
	if l.Call != nil && r.Call != nil && l.Call.Name == "lower" && r.Call.Name == "lower" && len(l.Call.Args) == 1 && len(r.Call.Args) == 1 {
		a, ok1 := fieldOf(l.Call.Args[0])
		b, ok2 := fieldOf(r.Call.Args[0])
		return a, b, false, ok1 && ok2
	}
	if l.Field != "" && r.Field != "" {
		return l.Field[1 : len(l.Field)-1], r.Field[1 : len(r.Field)-1], true, true
	}
	return "", "", false, false
}

func (r *reader) call(c *splcheck.ECall) (t, f roundtrip.Pred, err error) {
	switch c.Name {
	case "isnull", "isnotnull":
		if len(c.Args) != 1 {
			return nil, nil, fmt.Errorf("%s arity", c.Name)
		}
		a, ok := singleOr(c.Args[0])
		if !ok {
			return nil, nil, fmt.Errorf("%s of an expression", c.Name)
		}
		var dom roundtrip.Pred
		if name, ok := fieldName(a); ok {
			fd, err := r.field(name)
			if err != nil {
				return nil, nil, err
			}
			dom = present(fd.Name)
		} else if a.Call != nil && a.Call.Name == "tonumber" && len(a.Call.Args) == 1 {
			name, ok := fieldOf(a.Call.Args[0])
			if !ok {
				return nil, nil, fmt.Errorf("tonumber() of an expression")
			}
			fd, err := r.field(name)
			if err != nil {
				return nil, nil, err
			}
			dom = number(fd.Name)
		} else {
			return nil, nil, fmt.Errorf("%s of an expression", c.Name)
		}
		if c.Name == "isnull" {
			return &roundtrip.Not{Arg: dom}, dom, nil
		}
		return dom, &roundtrip.Not{Arg: dom}, nil
	case "match":
		if len(c.Args) != 2 {
			return nil, nil, fmt.Errorf("match arity")
		}
		name, ok := fieldOf(c.Args[0])
		pa, ok2 := singleOr(c.Args[1])
		if !ok || !ok2 || pa.Str == nil {
			return nil, nil, fmt.Errorf("match() takes a field and a string")
		}
		pat, err := splcheck.EvalString(*pa.Str)
		if err != nil {
			return nil, nil, err
		}
		re, err := pcre(pat)
		if err != nil {
			return nil, nil, fmt.Errorf("match() regex %q: %v", pat, err)
		}
		fd, err := r.field(name)
		if err != nil {
			return nil, nil, err
		}
		// match() is unanchored: some substring matches
		full := &syntax.Regexp{Op: syntax.OpConcat, Sub: []*syntax.Regexp{anyRe(), re, anyRe()}}
		return valued(&roundtrip.Atom{Field: fd.Name, Kind: roundtrip.KindString, Re: full}, present(fd.Name))
	case "cidrmatch":
		if len(c.Args) != 2 {
			return nil, nil, fmt.Errorf("cidrmatch arity")
		}
		ca, ok := singleOr(c.Args[0])
		name, ok2 := fieldOf(c.Args[1])
		if !ok || !ok2 || ca.Str == nil {
			return nil, nil, fmt.Errorf("cidrmatch() takes a string and a field")
		}
		s, err := splcheck.EvalString(*ca.Str)
		if err != nil {
			return nil, nil, err
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, nil, err
		}
		fd, err := r.field(name)
		if err != nil {
			return nil, nil, err
		}
		return valued(&roundtrip.Atom{Field: fd.Name, Kind: roundtrip.KindCIDR, Prefix: p.Masked()}, present(fd.Name))
	case "in":
		name, ok := fieldOf(c.Args[0])
		if !ok || name != "category" {
			return nil, nil, fmt.Errorf("in() is emitted for category only")
		}
		hit := false
		for _, a := range c.Args[1:] {
			sa, ok := singleOr(a)
			if !ok || sa.Str == nil {
				return nil, nil, fmt.Errorf("in() takes strings")
			}
			s, err := splcheck.EvalString(*sa.Str)
			if err != nil {
				return nil, nil, err
			}
			hit = hit || s == r.table.Category
		}
		return two(roundtrip.Const(hit))
	}
	return nil, nil, fmt.Errorf("eval function %s() in a filter", c.Name)
}
