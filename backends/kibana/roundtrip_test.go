package kibana

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/kibana/internal/kqlread"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// The round-trip proof for Kibana KQL (see backends/internal/roundtrip): every emitted query is
// parsed back by kqlread and read as a meaning per sign-in table (readKQL), and interpreted over
// Elastic documents built from the test events (evalKQL). Kibana emits no correlations, so
// ReadCorrelation is nil: roundtrip.Emitted skips what the backend refuses, correlations included.

var update = flag.Bool("update", false, "rewrite testdata/golden/differential/kibana.golden")

var kibanaTarget = roundtrip.Target{
	Backend:    Backend{},
	Read:       readKQL,
	Eval:       evalKQL,
	Documented: documented,
	Explain:    explainKQL,
}

func TestRoundTrip(t *testing.T) {
	items := roundtrip.Prove(t, "../..", kibanaTarget, "../../testdata/golden/differential/kibana.golden", *update)
	checkCaseWarnings(t, items)
}

// FuzzRoundTrip: random rules emit queries that read back to the rule's documented meaning and
// interpret over the events generated for them without error.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundtrip.Seeds("../..") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { roundtrip.FuzzOne(t, kibanaTarget, data) })
}

// ---- Fields ----------------------------------------------------------------------------------

// elasticType is the mapping type of a field a query names: the schema's Elastic fields and
// their keyword twins, the data stream's dataset (constant_keyword) and the category.
func elasticType(name string) string { return elasticTypes()[name] }

var elasticTypes = sync.OnceValue(func() map[string]string {
	m := map[string]string{"data_stream.dataset": "constant_keyword", categoryField: "keyword"}
	for _, f := range translate.SignIn().Fields() {
		if f.Elastic.Name != "" && m[f.Elastic.Name] == "" {
			m[f.Elastic.Name] = f.Elastic.Type
		}
		if f.Elastic.StringName != "" {
			m[f.Elastic.StringName] = "keyword"
		}
	}
	return m
})

// canonical is the canonical field an Elastic field name stands for in table t: the first field in
// schema order that table t has and whose Elastic name (or keyword twin) it is. Several canonical
// fields share one Elastic field (ResultType and Status.errorCode: error_code; Location and
// LocationDetails.countryOrRegion: geo.country_iso_code); the reader names the pair by its first,
// and documented renames the rule's side the same way (representative).
func canonical(name string, t translate.TableID) (*translate.Field, bool) {
	for _, f := range translate.SignIn().Fields() {
		if f.Tables.Has(t) && (f.Elastic.Name == name || f.Elastic.StringName == name) {
			return f, f.Elastic.StringName == name
		}
	}
	return nil, false
}

// representative is the canonical field the reader names f by in table t.
func representative(f *translate.Field, t translate.TableID) *translate.Field {
	if f.Elastic.Name == "" {
		return f
	}
	if r, _ := canonical(f.Elastic.Name, t); r != nil {
		return r
	}
	return f
}

// ---- Read ------------------------------------------------------------------------------------

// readKQL reads an emitted query back as its meaning per table. The documented shape is
//
//	data_stream.dataset: "azure.signinlogs" and <categories> [and (<body>)]
//	data_stream.dataset: "azure.signinlogs" and ((<categories> and (<body>)) or <categories> or ...)
//
// where <categories> is `azure.signinlogs.category: "X"` or `...: ("X" or "Y")`, the sign-in
// kinds a branch applies to. Anything else is an error.
func readKQL(out string) (roundtrip.Meaning, error) {
	var m roundtrip.Meaning
	for i := range m {
		m[i] = roundtrip.Const(false)
	}
	e, err := kqlread.Parse(out)
	if err != nil {
		return m, err
	}
	top, ok := e.(*kqlread.And)
	if !ok || len(top.Args) < 2 || len(top.Args) > 3 {
		return m, fmt.Errorf("not `dataset and ...`: %s", kqlread.String(e))
	}
	if err := checkDataset(top.Args[0]); err != nil {
		return m, err
	}
	type branch struct {
		tables []translate.TableID
		body   kqlread.Expr // nil: true
	}
	var branches []branch
	if len(top.Args) == 3 || isCategory(top.Args[1]) {
		tables, err := categories(top.Args[1])
		if err != nil {
			return m, err
		}
		b := branch{tables: tables}
		if len(top.Args) == 3 {
			g, ok := top.Args[2].(*kqlread.Group)
			if !ok {
				return m, fmt.Errorf("the body is not parenthesized: %s", kqlread.String(top.Args[2]))
			}
			b.body = g.Inner
		}
		branches = append(branches, b)
	} else {
		g, ok := top.Args[1].(*kqlread.Group)
		or, ok2 := func() (*kqlread.Or, bool) {
			if !ok {
				return nil, false
			}
			o, ok := g.Inner.(*kqlread.Or)
			return o, ok
		}()
		if !ok2 {
			return m, fmt.Errorf("not a parenthesized or of branches: %s", kqlread.String(top.Args[1]))
		}
		for _, a := range or.Args {
			if isCategory(a) {
				tables, err := categories(a)
				if err != nil {
					return m, err
				}
				branches = append(branches, branch{tables: tables})
				continue
			}
			g, ok := a.(*kqlread.Group)
			var and *kqlread.And
			if ok {
				and, ok = g.Inner.(*kqlread.And)
			}
			if !ok || len(and.Args) != 2 || !isCategory(and.Args[0]) {
				return m, fmt.Errorf("a branch is not `(categories and (body))`: %s", kqlread.String(a))
			}
			body, ok := and.Args[1].(*kqlread.Group)
			if !ok {
				return m, fmt.Errorf("a branch body is not parenthesized: %s", kqlread.String(and.Args[1]))
			}
			tables, err := categories(and.Args[0])
			if err != nil {
				return m, err
			}
			branches = append(branches, branch{tables: tables, body: body.Inner})
		}
	}
	seen := map[translate.TableID]bool{}
	for _, b := range branches {
		for _, t := range b.tables {
			if seen[t] {
				return m, fmt.Errorf("sign-in kind %s in two branches", translate.SignIn().Table(t).Category)
			}
			seen[t] = true
			if b.body == nil {
				m[t] = roundtrip.Const(true)
				continue
			}
			p, err := readExpr(b.body, t)
			if err != nil {
				return m, err
			}
			m[t] = p
		}
	}
	return m, nil
}

func checkDataset(e kqlread.Expr) error {
	is, ok := e.(*kqlread.Is)
	if ok && is.Field == "data_stream.dataset" && !is.List {
		if v, ok := is.V.(kqlread.Value); ok && v.Quoted && v.Text() == "azure.signinlogs" {
			return nil
		}
	}
	return fmt.Errorf(`the query does not start with data_stream.dataset: "azure.signinlogs": %s`, kqlread.String(e))
}

func isCategory(e kqlread.Expr) bool {
	is, ok := e.(*kqlread.Is)
	return ok && is.Field == categoryField
}

// categories reads the sign-in kinds of a category filter: one quoted value or an or-list of them.
func categories(e kqlread.Expr) ([]translate.TableID, error) {
	is := e.(*kqlread.Is)
	var vals []kqlread.Value
	switch v := is.V.(type) {
	case kqlread.Value:
		vals = []kqlread.Value{v}
	case *kqlread.VOr:
		for _, a := range v.Args {
			av, ok := a.(kqlread.Value)
			if !ok {
				return nil, fmt.Errorf("category filter %s is not a list of values", kqlread.String(e))
			}
			vals = append(vals, av)
		}
	default:
		return nil, fmt.Errorf("category filter %s is not a list of values", kqlread.String(e))
	}
	var out []translate.TableID
	for _, v := range vals {
		found := false
		for _, t := range translate.SignIn().Tables() {
			if v.Quoted && v.Text() == t.Category {
				out, found = append(out, t.ID), true
			}
		}
		if !found {
			return nil, fmt.Errorf("category value %s is not a sign-in kind", kqlread.String(e))
		}
	}
	return out, nil
}

// readExpr reads a body (over table t) as a Pred.
func readExpr(e kqlread.Expr, t translate.TableID) (roundtrip.Pred, error) {
	switch e := e.(type) {
	case *kqlread.Or:
		args, err := readList(e.Args, t)
		return &roundtrip.Or{Args: args}, err
	case *kqlread.And:
		args, err := readList(e.Args, t)
		return &roundtrip.And{Args: args}, err
	case *kqlread.Not:
		a, err := readExpr(e.Arg, t)
		return &roundtrip.Not{Arg: a}, err
	case *kqlread.Group:
		return readExpr(e.Inner, t)
	case *kqlread.Range:
		f, twin := canonical(e.Field, t)
		if f == nil || twin || !translate.ElasticNumeric(f.Elastic.Type) {
			return nil, fmt.Errorf("range on %s, not a numeric field of %s", e.Field, translate.SignIn().Table(t).Name)
		}
		n, err := strconv.ParseFloat(e.Value, 64)
		if err != nil {
			return nil, fmt.Errorf("range value %q: %v", e.Value, err)
		}
		op := map[string]translate.Op{"<": translate.OpLt, "<=": translate.OpLte, ">": translate.OpGt, ">=": translate.OpGte}[e.Op]
		return &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindCmp, Op: op, Num: n}, nil
	case *kqlread.Is:
		f, twin := canonical(e.Field, t)
		if f == nil {
			return nil, fmt.Errorf("field %s is not a field of %s", e.Field, translate.SignIn().Table(t).Name)
		}
		typ := f.Elastic.Type
		if twin {
			typ = "keyword"
		}
		// The documented exists-with-a-value form on keyword fields: `f: (* and not "")`.
		if isKeyword(typ) && isNonEmpty(e.V) {
			return &roundtrip.Not{Arg: &roundtrip.Atom{Field: f.Name, Kind: roundtrip.KindNull}}, nil
		}
		return readValues(e.V, f, typ)
	}
	return nil, fmt.Errorf("unexpected node %T", e)
}

func readList(es []kqlread.Expr, t translate.TableID) ([]roundtrip.Pred, error) {
	out := make([]roundtrip.Pred, 0, len(es))
	for _, e := range es {
		p, err := readExpr(e, t)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// isNonEmpty recognises `* and not ""`.
func isNonEmpty(v kqlread.VExpr) bool {
	and, ok := v.(*kqlread.VAnd)
	if !ok || len(and.Args) != 2 {
		return false
	}
	star, ok1 := and.Args[0].(kqlread.Value)
	not, ok2 := and.Args[1].(*kqlread.VNot)
	if !ok1 || !ok2 || !star.IsExists() {
		return false
	}
	empty, ok := not.Arg.(kqlread.Value)
	return ok && empty.Quoted && empty.Text() == ""
}

func readValues(v kqlread.VExpr, f *translate.Field, typ string) (roundtrip.Pred, error) {
	switch v := v.(type) {
	case *kqlread.VOr:
		var args []roundtrip.Pred
		for _, a := range v.Args {
			p, err := readValues(a, f, typ)
			if err != nil {
				return nil, err
			}
			args = append(args, p)
		}
		return &roundtrip.Or{Args: args}, nil
	case *kqlread.VAnd:
		var args []roundtrip.Pred
		for _, a := range v.Args {
			p, err := readValues(a, f, typ)
			if err != nil {
				return nil, err
			}
			args = append(args, p)
		}
		return &roundtrip.And{Args: args}, nil
	case *kqlread.VNot:
		p, err := readValues(v.Arg, f, typ)
		return &roundtrip.Not{Arg: p}, err
	case kqlread.Value:
		return readValue(v, f, typ)
	}
	return nil, fmt.Errorf("unexpected value node %T", v)
}

// readValue is the meaning of one value on field f whose Elastic field (as named) has mapping
// type typ, under the evaluator's semantics of the canonical field.
func readValue(v kqlread.Value, f *translate.Field, typ string) (roundtrip.Pred, error) {
	name := f.Name
	if v.IsExists() {
		if isKeyword(typ) {
			// Any indexed value, the empty string included: a string that matches anything.
			return &roundtrip.Atom{Field: name, Kind: roundtrip.KindString, Re: mustRegex(`(?s).*`)}, nil
		}
		// Numeric and ip fields index no value for "" (see docDoc); exists is the evaluator's exists.
		return &roundtrip.Not{Arg: &roundtrip.Atom{Field: name, Kind: roundtrip.KindNull}}, nil
	}
	if v.HasWildcard() {
		if !isKeyword(typ) {
			return nil, fmt.Errorf("wildcard value on %s (%s)", name, typ)
		}
		var b strings.Builder
		b.WriteString("(?s)")
		for _, p := range v.Parts {
			if p.Wild {
				b.WriteString(".*")
			} else {
				b.WriteString(regexp.QuoteMeta(p.Text))
			}
		}
		re, err := roundtrip.FullRegex(b.String())
		if err != nil {
			return nil, err
		}
		return &roundtrip.Atom{Field: name, Kind: roundtrip.KindString, Re: re}, nil
	}
	text, ok := v.SentText()
	if !ok {
		return nil, fmt.Errorf("unquoted null on %s", name)
	}
	switch {
	case isKeyword(typ):
		return &roundtrip.Atom{Field: name, Kind: roundtrip.KindString, Re: roundtrip.LiteralRegex(text, false)}, nil
	case translate.ElasticNumeric(typ):
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Errorf("value %q on the numeric field of %s", text, name)
		}
		if f.Type == translate.TypeLong || f.Type == translate.TypeReal {
			return &roundtrip.Atom{Field: name, Kind: roundtrip.KindNum, Num: n}, nil
		}
		// A string column stored as a number: the number stands for its canonical text.
		return &roundtrip.Atom{Field: name, Kind: roundtrip.KindString, Re: roundtrip.LiteralRegex(text, false)}, nil
	case typ == "boolean":
		if text != "true" && text != "false" {
			return nil, fmt.Errorf("value %q on the boolean field of %s", text, name)
		}
		return &roundtrip.Atom{Field: name, Kind: roundtrip.KindBool, Bool: text == "true"}, nil
	case typ == "ip":
		if p, err := netip.ParsePrefix(text); err == nil {
			return &roundtrip.Atom{Field: name, Kind: roundtrip.KindCIDR, Prefix: p.Masked()}, nil
		}
		if _, err := netip.ParseAddr(text); err != nil {
			return nil, fmt.Errorf("value %q on the ip field of %s", text, name)
		}
		// An address compares as an address: its text, hex digits in any case.
		return &roundtrip.Atom{Field: name, Kind: roundtrip.KindString, Re: roundtrip.LiteralRegex(text, true)}, nil
	}
	return nil, fmt.Errorf("value on %s of type %s", name, typ)
}

func mustRegex(s string) *syntax.Regexp {
	re, err := roundtrip.FullRegex(s)
	if err != nil {
		panic(err)
	}
	return re
}

// ---- What the backend documents ----------------------------------------------------------------

// documented is the rule's meaning as the backend documents its output (README "Case", "Forms"),
// rebuilt from the IR with the documented changes made per value:
//   - a case-insensitive match with letters on a keyword field: on a field with a known value set,
//     the known values it matches in their canonical spelling (so does a `?` pattern there);
//     otherwise the same match case-sensitively (announced by the case warning, which
//     checkCaseWarnings requires);
//   - a string "true"/"false" on a boolean field is that boolean;
//   - on ip fields an address compares as an address (hex digits in any case), and a prefix of
//     whole IPv4 octets ("10.") is its CIDR block;
//   - canonical fields stored in one Elastic field are named by their representative, and
//     Status.errorCode's number stands for ResultType's canonical text.
func documented(q *translate.Query, want roundtrip.Meaning) roundtrip.Meaning {
	q2 := *q
	q2.Legs = make([]translate.Leg, len(q.Legs))
	for i, leg := range q.Legs {
		q2.Legs[i] = translate.Leg{Table: leg.Table, Where: docExpr(leg.Where)}
	}
	m, err := roundtrip.FromQuery(&q2)
	if err != nil {
		return want
	}
	for i, p := range m {
		m[i] = docPred(p, translate.TableID(i))
	}
	return m
}

func docExpr(e translate.Expr) translate.Expr {
	switch e := e.(type) {
	case *translate.And:
		args := make([]translate.Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = docExpr(a)
		}
		return &translate.And{Args: args}
	case *translate.Or:
		args := make([]translate.Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = docExpr(a)
		}
		return &translate.Or{Args: args}
	case *translate.Not:
		return &translate.Not{Arg: docExpr(e.Arg)}
	case *translate.Match:
		return docMatch(e)
	}
	return e
}

// docMatch applies the documented per-value changes to one match (an Or of one match per value).
func docMatch(m *translate.Match) translate.Expr {
	f := m.Field
	et := f.Elastic.Type
	if m.Op != translate.OpEq || m.TimePart != "" {
		return m
	}
	var args []translate.Expr
	one := func(v translate.Value, cased bool) {
		c := *m
		c.Values, c.Cased = []translate.Value{v}, cased
		args = append(args, &c)
	}
	for _, v := range m.Values {
		segs := v.Segs
		if segs == nil {
			segs = []rules.Segment{{Kind: rules.SegLit, Text: v.Raw}}
		}
		lit := literalText(segs)
		switch {
		case et == "ip":
			if shape, text := translate.Classify(segs); shape == translate.ShapePrefix {
				if s, ok := octetPrefix(text); ok {
					c := *m
					c.Op, c.Values = translate.OpCIDR, []translate.Value{{Prefix: netip.MustParsePrefix(s)}}
					args = append(args, &c)
					continue
				}
			}
			one(v, false)
		case et == "boolean" && v.Kind == rules.ValString && !translate.HasWildcard(segs) &&
			(strings.EqualFold(lit, "true") || strings.EqualFold(lit, "false")) && (!m.Cased || lit == strings.ToLower(lit)):
			one(translate.Value{Kind: rules.ValBool, Bool: strings.EqualFold(lit, "true"), Raw: lit}, m.Cased)
		case isKeyword(et) || f.Elastic.StringName != "":
			sv := translate.Value{Kind: rules.ValString, Raw: v.Raw, Segs: segs, Pos: v.Pos}
			caseLost := !m.Cased && hasCase(lit)
			if len(f.Values) > 0 && (caseLost || hasQuestion(segs)) {
				re := regexp.MustCompile(`^(?:` + roundtrip.PatternRegex(segs, m.Cased).String() + `)$`)
				var known []string
				for _, k := range f.Values {
					if re.MatchString(k) {
						known = append(known, k)
					}
				}
				if len(known) > 0 && translate.HasWildcard(segs) {
					if _, err := unquotedValue(segs); err != nil {
						return m // the backend refuses it (a `?` or whitespace in the pattern)
					}
				}
				if len(known) > 0 {
					for _, k := range known {
						one(translate.Value{Kind: rules.ValString, Raw: k, Segs: []rules.Segment{{Kind: rules.SegLit, Text: k}}}, true)
					}
					if translate.HasWildcard(segs) {
						// The pattern itself, case-sensitively, for values outside the known set.
						one(v, true)
					}
					continue
				}
			}
			if v.Kind != rules.ValString {
				// A number or bool on a keyword field is its text (FromExpr folds its case, which
				// only matters for true/false).
				one(sv, m.Cased || caseLost)
				continue
			}
			one(v, m.Cased || caseLost)
		default:
			one(v, m.Cased)
		}
	}
	if len(args) == 1 {
		return args[0]
	}
	return &translate.Or{Args: args}
}

func docPred(p roundtrip.Pred, t translate.TableID) roundtrip.Pred {
	switch p := p.(type) {
	case *roundtrip.And:
		args := make([]roundtrip.Pred, len(p.Args))
		for i, a := range p.Args {
			args[i] = docPred(a, t)
		}
		return &roundtrip.And{Args: args}
	case *roundtrip.Or:
		args := make([]roundtrip.Pred, len(p.Args))
		for i, a := range p.Args {
			args[i] = docPred(a, t)
		}
		return &roundtrip.Or{Args: args}
	case *roundtrip.Not:
		return &roundtrip.Not{Arg: docPred(p.Arg, t)}
	case *roundtrip.Atom:
		f := translate.SignIn().Field(p.Field)
		if f == nil || p.Kind == roundtrip.KindKeyword {
			return p
		}
		c := *p
		rep := representative(f, t)
		c.Field = rep.Name
		if c.Kind == roundtrip.KindNum && rep.Type == translate.TypeString {
			c.Kind, c.Re = roundtrip.KindString, roundtrip.LiteralRegex(strconv.FormatFloat(p.Num, 'f', -1, 64), false)
		}
		return &c
	}
	return p
}

// checkCaseWarnings: every rule whose documented meaning makes a case-insensitive match with
// letters case-sensitive (a keyword field without a known value set, or none of its known values
// matching) carries the case warning naming that field.
func checkCaseWarnings(t *testing.T, items []roundtrip.Item) {
	t.Helper()
	for _, it := range items {
		fields := map[string]bool{}
		for _, leg := range it.Query.Legs {
			caseDropped(leg.Where, fields)
		}
		for name := range fields {
			found := false
			for _, w := range it.Out.Warnings {
				found = found || strings.Contains(w.Msg, "Kibana KQL matches "+name+" (")
			}
			if !found {
				t.Errorf("%s: %s is matched case-sensitively without the case warning\n%s", it.Path, name, it.Out.Query)
			}
		}
	}
}

func caseDropped(e translate.Expr, fields map[string]bool) {
	switch e := e.(type) {
	case *translate.And:
		for _, a := range e.Args {
			caseDropped(a, fields)
		}
	case *translate.Or:
		for _, a := range e.Args {
			caseDropped(a, fields)
		}
	case *translate.Not:
		caseDropped(e.Arg, fields)
	case *translate.Match:
		d := docMatch(e)
		var ms []*translate.Match
		switch d := d.(type) {
		case *translate.Match:
			ms = []*translate.Match{d}
		case *translate.Or:
			for _, a := range d.Args {
				ms = append(ms, a.(*translate.Match))
			}
		}
		for _, m := range ms {
			if m.Op != translate.OpEq || !m.Cased || e.Cased || len(m.Values) != 1 {
				continue
			}
			v := m.Values[0]
			known := false
			for _, k := range m.Field.Values {
				known = known || v.Raw == k
			}
			if !known && hasCase(v.Raw) && (isKeyword(m.Field.Elastic.Type) || m.Field.Elastic.StringName != "") {
				fields[m.Field.Name] = true
			}
		}
	}
}

// ---- Eval ------------------------------------------------------------------------------------

// evalKQL interprets out (parsed back) over the events, each converted to the Elastic document the
// integration would index (elasticDoc).
func evalKQL(out string, evs []roundtrip.Event) ([]string, error) {
	e, err := kqlread.Parse(out)
	if err != nil {
		return nil, err
	}
	var got []string
	for i, ev := range evs {
		doc, err := elasticDoc(ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		ok, err := kqlread.Match(e, doc, elasticType)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		if ok {
			got = append(got, strconv.Itoa(i))
		}
	}
	return got, nil
}

// ---- Explain ---------------------------------------------------------------------------------

// explainKQL interprets out as evalKQL does with exactly the approximations its warnings announce
// undone, each for the Elastic field the warning names (relaxations): the case warning and the
// known-value warning make that keyword field compare case-insensitively (translate.FoldEq); the
// boolean warning makes that boolean field read the event's raw value as Sigma reads a bool; the
// integer warning makes that integer field hold the raw number untruncated. A warning that is not
// one of these is an error: nothing else may be undone.
func explainKQL(out string, warnings []translate.Warning, evs []roundtrip.Event) ([]string, error) {
	opts, err := relaxations(warnings)
	if err != nil {
		return nil, err
	}
	e, err := kqlread.Parse(out)
	if err != nil {
		return nil, err
	}
	var got []string
	for i, ev := range evs {
		doc, raw, err := elasticDocRaw(ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		o := *opts
		o.Raw = func(field string) (any, bool) {
			v, ok := raw[field]
			return v, ok && v != nil
		}
		ok, err := kqlread.MatchWith(e, doc, elasticType, &o)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		if ok {
			got = append(got, strconv.Itoa(i))
		}
	}
	return got, nil
}

// relaxations turns the warnings of an output into the kqlread options that undo them. Each
// warning is recognised by being exactly the text the backend writes for some field and Elastic
// name (caseWarning, knownWarning, boolWarning, integerWarning), so the field it names is known.
func relaxations(warnings []translate.Warning) (*kqlread.Options, error) {
	opts := &kqlread.Options{Fold: map[string]bool{}, SigmaBool: map[string]bool{}, Untruncated: map[string]bool{}}
	texts := warningTexts()
	for _, w := range warnings {
		r, ok := texts[w.Msg]
		if !ok {
			return nil, fmt.Errorf("warning %q announces no approximation Explain can undo", w.Msg)
		}
		switch r.kind {
		case "case", "known":
			opts.Fold[r.field] = true
		case "bool":
			opts.SigmaBool[r.field] = true
		case "integer":
			opts.Untruncated[r.field] = true
		}
	}
	return opts, nil
}

type relaxation struct{ kind, field string }

// warningTexts maps every warning text the backend can write to the relaxation it announces.
var warningTexts = sync.OnceValue(func() map[string]relaxation {
	m := map[string]relaxation{}
	for _, f := range translate.SignIn().Fields() {
		for _, name := range []string{f.Elastic.Name, f.Elastic.StringName} {
			if name == "" {
				continue
			}
			m[caseWarning(f, name)] = relaxation{"case", name}
			m[knownWarning(f, name)] = relaxation{"known", name}
			m[boolWarning(f, name)] = relaxation{"bool", name}
			m[integerWarning(f, name)] = relaxation{"integer", name}
		}
	}
	return m
})

// keywordIgnoreAbove is the ignore_above of the integration's keyword fields: Fleet maps package
// keyword fields with ignore_above 1024 unless the package says otherwise, and longer strings are
// not indexed (no term, no exists).
const keywordIgnoreAbove = 1024

// elasticDoc converts a canonical event (Sentinel columns) to the document Elasticsearch indexes
// for the azure.signinlogs data stream. Choices, each as Elasticsearch documents them:
//   - data_stream.dataset is "azure.signinlogs" and azure.signinlogs.category the event's table's
//     category (the Category column is that same value in Sentinel);
//   - every schema field with an Elastic name that the event's table has is indexed under that
//     name with its mapping type; fields without an Elastic equivalent are absent. Where two
//     canonical fields share an Elastic field, the raw properties sub-key wins when it has a value
//     (Status.errorCode over ResultType, LocationDetails.countryOrRegion over Location);
//   - keyword: a string as is (absent when longer than ignore_above); a number as its JSON text; a
//     bool as true/false; objects and arrays absent;
//   - numeric: a JSON number, or a string in number syntax (coerce, fractions truncated for integer
//     types); "" is null (coerce); anything else is malformed and ignored (logs-*-* data streams
//     set index.mapping.ignore_malformed, elastic/elasticsearch#95224), so absent;
//   - boolean: true/false, "true"/"false", and "" is false (Elasticsearch's boolean type); other
//     strings are malformed (absent);
//   - ip: an address (IPv4-mapped IPv6 addresses unmapped, as Elasticsearch stores IPv4); other
//     values, "" included, are malformed (absent);
//   - null or a missing column or sub-key: absent.
func elasticDoc(ev roundtrip.Event) (kqlread.Doc, error) {
	doc, _, err := elasticDocRaw(ev)
	return doc, err
}

// elasticDocRaw is elasticDoc with, per Elastic field, the event value it is indexed from (whether
// or not the mapping could index it): what Explain's relaxations read.
func elasticDocRaw(ev roundtrip.Event) (kqlread.Doc, map[string]any, error) {
	tname, _ := ev["Type"].(string)
	var table *translate.Table
	for _, t := range translate.SignIn().Tables() {
		if t.Name == tname {
			table = t
		}
	}
	if table == nil {
		return nil, nil, fmt.Errorf("unknown table %q", tname)
	}
	doc := kqlread.Doc{
		"data_stream.dataset": {Type: "constant_keyword", Str: "azure.signinlogs"},
		categoryField:         {Type: "keyword", Str: table.Category},
	}
	type source struct {
		v   any
		sub bool
	}
	picked := map[string]source{}
	raw := map[string]any{}
	var order []string
	for _, f := range translate.SignIn().Fields() {
		if f.Elastic.Name == "" || !f.Tables.Has(table.ID) || f.Elastic.Name == categoryField {
			continue
		}
		v, ok := fieldValue(ev, f)
		if !ok {
			continue
		}
		if f.Elastic.StringName != "" {
			raw[f.Elastic.StringName] = v
			if fv, ok := toElastic(v, "keyword"); ok {
				doc[f.Elastic.StringName] = fv
			}
		}
		prev, seen := picked[f.Elastic.Name]
		if seen && prev.sub {
			continue
		}
		if !seen {
			order = append(order, f.Elastic.Name)
		}
		picked[f.Elastic.Name] = source{v: v, sub: len(f.Path) > 0}
	}
	for _, name := range order {
		raw[name] = picked[name].v
		if fv, ok := toElastic(picked[name].v, elasticType(name)); ok {
			doc[name] = fv
		}
	}
	return doc, raw, nil
}

// fieldValue reads a canonical field of the event: the column, then the sub-keys of a dynamic
// column given as an object or as JSON text. ok is false when the value is null or missing.
func fieldValue(ev roundtrip.Event, f *translate.Field) (any, bool) {
	v, ok := ev[f.Column]
	if !ok || v == nil {
		return nil, false
	}
	for _, k := range f.Path {
		if s, isText := v.(string); isText {
			d := json.NewDecoder(strings.NewReader(s))
			d.UseNumber()
			var parsed any
			if d.Decode(&parsed) != nil {
				return nil, false
			}
			v = parsed
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, false
		}
		v, ok = m[k]
		if !ok || v == nil {
			return nil, false
		}
	}
	return v, true
}

// toElastic is the indexed value of v in a field of mapping type typ (see elasticDoc).
func toElastic(v any, typ string) (kqlread.FieldValue, bool) {
	fv := kqlread.FieldValue{Type: typ}
	switch {
	case isKeyword(typ):
		switch v := v.(type) {
		case string:
			if utf8.RuneCountInString(v) > keywordIgnoreAbove {
				return fv, false
			}
			fv.Str = v
		case json.Number:
			fv.Str = v.String()
		case bool:
			fv.Str = strconv.FormatBool(v)
		default:
			return fv, false
		}
		return fv, true
	case translate.ElasticNumeric(typ):
		var s string
		switch v := v.(type) {
		case json.Number:
			s = v.String()
		case string:
			s = v
		default:
			return fv, false
		}
		n, err := strconv.ParseFloat(s, 64)
		if s == "" || err != nil || math.IsNaN(n) || math.IsInf(n, 0) || strings.ContainsAny(s, "xX_ \t\n\r") {
			return fv, false
		}
		if translate.ElasticIntegral(typ) {
			n = math.Trunc(n)
		}
		fv.Num = n
		return fv, true
	case typ == "boolean":
		switch v := v.(type) {
		case bool:
			fv.Bool = v
		case string:
			switch v {
			case "true":
				fv.Bool = true
			case "false", "":
			default:
				return fv, false
			}
		default:
			return fv, false
		}
		return fv, true
	case typ == "ip":
		s, ok := v.(string)
		if !ok {
			return fv, false
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return fv, false
		}
		fv.Addr = a.Unmap()
		return fv, true
	case typ == "date":
		s, ok := v.(string)
		if !ok {
			return fv, false
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return fv, false
		}
		fv.Str = s
		return fv, true
	}
	return fv, false
}
