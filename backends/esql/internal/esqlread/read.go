package esqlread

import (
	"fmt"
	"net/netip"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

const (
	indexPattern  = "logs-azure.signinlogs-*"
	datasetField  = "data_stream.dataset"
	dataset       = "azure.signinlogs"
	categoryField = "azure.signinlogs.category"
	// adfsCategory is the other category of the data stream (AD FS sign-ins), which no Sentinel
	// sign-in table holds: every query must exclude it.
	adfsCategory = "ADFSSignInLogs"
)

// Read rebuilds the meaning of a detection query: per sign-in table, the WHERE predicate with
// the data stream and category filters folded for that table, over canonical fields.
func Read(out string) (roundtrip.Meaning, error) {
	var m roundtrip.Meaning
	q, err := Parse(out)
	if err != nil {
		return m, err
	}
	where, err := detectionWhere(q)
	if err != nil {
		return m, err
	}
	if adfs := fold(where, adfsCategory); !isFalse(adfs) {
		return m, fmt.Errorf("the query does not exclude the %s category of the data stream", adfsCategory)
	}
	for _, t := range translate.SignIn().Tables() {
		p, err := TablePred(where, t)
		if err != nil {
			return m, fmt.Errorf("%s: %w", t.Name, err)
		}
		m[t.ID] = p
	}
	return m, nil
}

// detectionWhere checks the shape of a detection query (FROM the data stream, one WHERE) and
// returns its predicate.
func detectionWhere(q *Query) (Expr, error) {
	if !slices.Equal(q.Indices, []string{indexPattern}) {
		return nil, fmt.Errorf("FROM %v, want %s", q.Indices, indexPattern)
	}
	if len(q.Commands) != 1 || q.Commands[0].Where == nil {
		return nil, fmt.Errorf("a detection query is FROM ... | WHERE ...")
	}
	return q.Commands[0].Where, nil
}

// TablePred is the meaning of a WHERE predicate on table t's events.
func TablePred(where Expr, t *translate.Table) (roundtrip.Pred, error) {
	e := fold(where, t.Category)
	return toPred(e, t)
}

var (
	trueLit  = &Lit{Kind: LitBool, Bool: true}
	falseLit = &Lit{Kind: LitBool, Bool: false}
)

func boolLit(b bool) Expr {
	if b {
		return trueLit
	}
	return falseLit
}

func isFalse(e Expr) bool { l, ok := e.(*Lit); return ok && l.Kind == LitBool && !l.Bool }

// foldArgs folds the operands of an and (absorbing false) or an or (absorbing true): it returns
// the absorbing constant when an operand folds to it, the neutral constant when none is left, the
// single operand left, or else (nil result) the operands that remain.
func foldArgs(in []Expr, category string, absorbing bool) ([]Expr, Expr) {
	var args []Expr
	for _, a := range in {
		a = fold(a, category)
		if l, ok := a.(*Lit); ok && l.Kind == LitBool {
			if l.Bool == absorbing {
				return nil, boolLit(absorbing)
			}
			continue
		}
		args = append(args, a)
	}
	switch len(args) {
	case 0:
		return nil, boolLit(!absorbing)
	case 1:
		return nil, args[0]
	}
	return args, nil
}

// fold substitutes the data stream and the category of one kind of sign-in for their fields
// and folds the constant comparisons and boolean operators that results in.
func fold(e Expr, category string) Expr {
	constant := func(name string) (string, bool) {
		switch name {
		case datasetField:
			return dataset, true
		case categoryField:
			return category, true
		}
		return "", false
	}
	strLit := func(x Expr) (string, bool) {
		l, ok := x.(*Lit)
		if !ok || l.Kind != LitString {
			return "", false
		}
		return l.Str, true
	}
	switch x := e.(type) {
	case *And:
		args, c := foldArgs(x.Args, category, false)
		if c != nil {
			return c
		}
		return &And{Args: args}
	case *Or:
		args, c := foldArgs(x.Args, category, true)
		if c != nil {
			return c
		}
		return &Or{Args: args}
	case *Not:
		a := fold(x.Arg, category)
		if l, ok := a.(*Lit); ok && l.Kind == LitBool {
			return boolLit(!l.Bool)
		}
		return &Not{Arg: a}
	case *Cmp:
		if f, ok := x.L.(*Field); ok && (x.Op == "==" || x.Op == "!=") {
			if v, ok := constant(f.Name); ok {
				if s, ok := strLit(x.R); ok {
					return boolLit((v == s) == (x.Op == "=="))
				}
			}
		}
	case *In:
		if f, ok := x.L.(*Field); ok {
			if v, ok := constant(f.Name); ok {
				found := false
				for _, it := range x.List {
					s, ok := strLit(it)
					if !ok {
						return e
					}
					found = found || s == v
				}
				return boolLit(found != x.Neg)
			}
		}
	}
	return e
}

// nullable reports whether e can evaluate to null (three-valued logic: a field may be missing).
func nullable(e Expr) bool {
	switch x := e.(type) {
	case *Lit:
		return x.Kind == LitNull
	case *IsNull:
		return false
	case *Field:
		return true
	case *Call:
		if x.Name == "COALESCE" {
			for _, a := range x.Args {
				if !nullable(a) {
					return false
				}
			}
			return true
		}
		if x.Name == "CASE" {
			return true
		}
		for _, a := range x.Args {
			if nullable(a) {
				return true
			}
		}
		return false
	case *And:
		return slices.ContainsFunc(x.Args, nullable)
	case *Or:
		return slices.ContainsFunc(x.Args, nullable)
	case *Not:
		return nullable(x.Arg)
	case *Cmp:
		return nullable(x.L) || nullable(x.R)
	case *In:
		return nullable(x.L) || slices.ContainsFunc(x.List, nullable)
	case *Like:
		return nullable(x.L)
	case *Plus:
		return slices.ContainsFunc(x.Args, nullable)
	}
	return true
}

// toPred is "e is true" as a Pred (ES|QL's WHERE keeps the rows where the condition is true).
func toPred(e Expr, t *translate.Table) (roundtrip.Pred, error) {
	switch x := e.(type) {
	case *Lit:
		if x.Kind == LitBool {
			return roundtrip.Const(x.Bool), nil
		}
	case *And:
		if p, ok := nullOrEmpty(x.Args, t, true); ok {
			return p, nil
		}
		var args []roundtrip.Pred
		for _, a := range x.Args {
			p, err := toPred(a, t)
			if err != nil {
				return nil, err
			}
			args = append(args, p)
		}
		return &roundtrip.And{Args: args}, nil
	case *Or:
		if p, ok := nullOrEmpty(x.Args, t, false); ok {
			return p, nil
		}
		var args []roundtrip.Pred
		for _, a := range x.Args {
			p, err := toPred(a, t)
			if err != nil {
				return nil, err
			}
			args = append(args, p)
		}
		return &roundtrip.Or{Args: args}, nil
	case *Not:
		// NOT e is true exactly when e is false; that is "not (e is true)" only when e is never
		// null. NOT null is null and WHERE drops the row, so a NOT over a nullable operand would
		// drop events Sigma's `not` keeps.
		if nullable(x.Arg) {
			return nil, fmt.Errorf("NOT over an operand that can be null (three-valued logic drops the row): %s", describe(x.Arg))
		}
		p, err := toPred(x.Arg, t)
		if err != nil {
			return nil, err
		}
		return &roundtrip.Not{Arg: p}, nil
	case *Call:
		if x.Name == "COALESCE" && len(x.Args) == 2 && isFalse(x.Args[1]) {
			// COALESCE(e, false) is true exactly when e is true.
			return toPred(x.Args[0], t)
		}
		if x.Name == "CIDR_MATCH" && len(x.Args) >= 2 {
			return cidrPred(x, t)
		}
		if x.Name == "STARTS_WITH" || x.Name == "ENDS_WITH" {
			return refPred(x.Name, x.Args, t)
		}
	case *Cmp:
		return cmpPred(x, t)
	case *In:
		if x.Neg {
			break
		}
		var args []roundtrip.Pred
		for _, it := range x.List {
			p, err := cmpPred(&Cmp{Op: "==", L: x.L, R: it}, t)
			if err != nil {
				return nil, err
			}
			args = append(args, p)
		}
		return &roundtrip.Or{Args: args}, nil
	case *Like:
		if x.Neg {
			break
		}
		return likePred(x, t)
	case *IsNull:
		return isNullPred(x, t)
	}
	return nil, fmt.Errorf("unsupported predicate %s", describe(e))
}

// describe renders an expression for messages.
func describe(e Expr) string { return fmt.Sprintf("%#v", e) }

// field is a column operand resolved to the canonical field of table t.
type field struct {
	f       *translate.Field
	elastic string // the Elastic field named in the query
	typ     string // its mapping type
	lower   bool   // wrapped in TO_LOWER
	str     bool   // wrapped in TO_STRING
	double  bool   // wrapped in TO_DOUBLE
}

// Resolve maps an Elastic field name to the canonical field of table t it holds, with the
// Elastic mapping type of that name. Several canonical fields can share an Elastic field (Elastic
// keeps Location and LocationDetails.countryOrRegion in geo.country_iso_code, ResultType and
// Status.errorCode in azure.signinlogs.properties.status.error_code): the first in schema order
// that the table has is the one reported.
func Resolve(name string, t *translate.Table) (*translate.Field, string, bool) {
	for _, f := range translate.SignIn().Fields() {
		if !f.Tables.Has(t.ID) {
			continue
		}
		if f.Elastic.Name == name {
			return f, f.Elastic.Type, true
		}
		if f.Elastic.StringName == name {
			return f, "keyword", true
		}
	}
	return nil, "", false
}

func operand(e Expr, t *translate.Table) (*field, error) {
	var fl field
	for {
		c, ok := e.(*Call)
		if !ok || len(c.Args) != 1 {
			break
		}
		switch c.Name {
		case "TO_LOWER":
			fl.lower = true
		case "TO_STRING":
			fl.str = true
		case "TO_DOUBLE":
			fl.double = true
		default:
			return nil, fmt.Errorf("unsupported function %s", c.Name)
		}
		e = c.Args[0]
	}
	f, ok := e.(*Field)
	if !ok {
		return nil, fmt.Errorf("not a field: %s", describe(e))
	}
	cf, typ, ok := Resolve(f.Name, t)
	if !ok {
		return nil, fmt.Errorf("field %s is not a field of %s", f.Name, t.Name)
	}
	fl.f, fl.elastic, fl.typ = cf, f.Name, typ
	return &fl, nil
}

func isKeyword(typ string) bool { return typ == "keyword" || typ == "constant_keyword" }

func isNumber(typ string) bool { return typ == "long" || typ == "float" || typ == "double" }

// emptyIsValue reports whether an empty string indexed into a field of this mapping type is a
// value rather than nothing: a keyword keeps "" as a term, a boolean reads "" as false; long,
// float, ip and date fields cannot parse "" (with ignore_malformed, the field is then missing).
func emptyIsValue(typ string) bool { return isKeyword(typ) || typ == "boolean" }

func str(fl *field, re *syntax.Regexp) roundtrip.Pred {
	return &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindString, Re: re}
}

// anyString is the full-match regex of every string.
func anyString() *syntax.Regexp {
	return &syntax.Regexp{Op: syntax.OpStar, Sub: []*syntax.Regexp{{Op: syntax.OpAnyChar}}}
}

func isNullPred(x *IsNull, t *translate.Table) (roundtrip.Pred, error) {
	fl, err := operand(x.Arg, t)
	if err != nil {
		return nil, err
	}
	if fl.lower || fl.str || fl.double {
		return nil, fmt.Errorf("IS NULL over a function")
	}
	var present roundtrip.Pred
	if emptyIsValue(fl.typ) && !translate.ElasticMultiValued(fl.elastic) {
		// A present value, "" included: every string form matches .*.
		present = str(fl, anyString())
	} else {
		present = &roundtrip.Not{Arg: &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindNull}}
	}
	if x.Neg {
		return present, nil
	}
	return &roundtrip.Not{Arg: present}, nil
}

// nullOrEmpty recognizes `f IS NULL or f == ""` (and, negated, `f IS NOT NULL and f != ""`) on a
// keyword field: exactly the evaluator's null (absent, null or empty).
func nullOrEmpty(args []Expr, t *translate.Table, isAnd bool) (roundtrip.Pred, bool) {
	if len(args) != 2 {
		return nil, false
	}
	n, ok1 := args[0].(*IsNull)
	c, ok2 := args[1].(*Cmp)
	if !ok1 || !ok2 || n.Neg != isAnd {
		return nil, false
	}
	op := "=="
	if isAnd {
		op = "!="
	}
	f1, ok1 := n.Arg.(*Field)
	f2, ok2 := c.L.(*Field)
	l, ok3 := c.R.(*Lit)
	if !ok1 || !ok2 || !ok3 || f1.Name != f2.Name || c.Op != op || l.Kind != LitString || l.Str != "" {
		return nil, false
	}
	fl, err := operand(f1, t)
	if err != nil || !isKeyword(fl.typ) {
		return nil, false
	}
	null := &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindNull}
	if isAnd {
		return &roundtrip.Not{Arg: null}, true
	}
	return null, true
}

func cmpPred(x *Cmp, t *translate.Table) (roundtrip.Pred, error) {
	if c, ok := x.L.(*Call); ok && c.Name == "DATE_EXTRACT" {
		return timePred(x, c, t)
	}
	if c, ok := x.L.(*Call); ok && c.Name == "LOCATE" {
		if x.Op != ">" || !isZero(x.R) {
			return nil, fmt.Errorf("LOCATE must be compared > 0")
		}
		return refPred("LOCATE", c.Args, t)
	}
	fl, err := operand(x.L, t)
	if err != nil {
		return nil, err
	}
	if _, ok := x.R.(*Lit); !ok {
		if c, ok := x.R.(*Call); ok && c.Name == "TO_IP" {
			return ipPred(x, fl, c)
		}
		if x.Op == "==" {
			return refPred("==", []Expr{x.L, x.R}, t)
		}
		return nil, fmt.Errorf("comparison with %s", describe(x.R))
	}
	l := x.R.(*Lit)
	if x.Op != "==" {
		op, ok := map[string]translate.Op{"<": translate.OpLt, "<=": translate.OpLte, ">": translate.OpGt, ">=": translate.OpGte}[x.Op]
		if !ok || l.Kind != LitNumber || fl.lower || fl.str {
			return nil, fmt.Errorf("unsupported comparison %s", x.Op)
		}
		if !isNumber(fl.typ) && !(fl.double && isKeyword(fl.typ)) {
			return nil, fmt.Errorf("ordering on a %s field", fl.typ)
		}
		return &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindCmp, Op: op, Num: l.Num}, nil
	}
	if fl.double || fl.str {
		return nil, fmt.Errorf("equality over a conversion")
	}
	switch {
	case isKeyword(fl.typ) && l.Kind == LitString:
		if fl.lower {
			return str(fl, lowerPreimage(literalSegs(l.Str))), nil
		}
		return str(fl, roundtrip.LiteralRegex(l.Str, false)), nil
	case isNumber(fl.typ) && l.Kind == LitNumber && !fl.lower:
		if fl.f.Type == translate.TypeLong || fl.f.Type == translate.TypeReal {
			return &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindNum, Num: l.Num}, nil
		}
		// A number on a Sentinel string column (ResultType, ProcessingTimeInMilliseconds): the
		// backend only writes numbers in their canonical text, which then is the string Sigma
		// compares (the documented rewrite).
		return str(fl, roundtrip.LiteralRegex(l.Raw, false)), nil
	case fl.typ == "boolean" && l.Kind == LitBool && !fl.lower:
		return &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindBool, Bool: l.Bool}, nil
	}
	return nil, fmt.Errorf("comparison of a %s field with %s", fl.typ, describe(l))
}

func isZero(e Expr) bool { l, ok := e.(*Lit); return ok && l.Kind == LitNumber && l.Num == 0 }

func ipPred(x *Cmp, fl *field, c *Call) (roundtrip.Pred, error) {
	if x.Op != "==" || fl.typ != "ip" || fl.lower || fl.str || len(c.Args) != 1 {
		return nil, fmt.Errorf("unsupported TO_IP comparison")
	}
	l, ok := c.Args[0].(*Lit)
	if !ok || l.Kind != LitString {
		return nil, fmt.Errorf("TO_IP of a non-literal")
	}
	a, err := netip.ParseAddr(l.Str)
	if err != nil || a.String() != l.Str {
		return nil, fmt.Errorf("TO_IP(%q) is not an address in canonical form", l.Str)
	}
	// Equality of addresses is equality of their canonical text, case-insensitively (IPv6 hex).
	return str(fl, roundtrip.LiteralRegex(l.Str, true)), nil
}

func cidrPred(x *Call, t *translate.Table) (roundtrip.Pred, error) {
	fl, err := operand(x.Args[0], t)
	if err != nil {
		return nil, err
	}
	if fl.typ != "ip" || fl.lower || fl.str {
		return nil, fmt.Errorf("CIDR_MATCH on a %s field", fl.typ)
	}
	var args []roundtrip.Pred
	for _, a := range x.Args[1:] {
		l, ok := a.(*Lit)
		if !ok || l.Kind != LitString {
			return nil, fmt.Errorf("CIDR_MATCH with a non-literal block")
		}
		p, err := netip.ParsePrefix(l.Str)
		if err != nil {
			return nil, fmt.Errorf("CIDR_MATCH block %q: %v", l.Str, err)
		}
		args = append(args, &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindCIDR, Prefix: p.Masked()})
	}
	return &roundtrip.Or{Args: args}, nil
}

func likePred(x *Like, t *translate.Table) (roundtrip.Pred, error) {
	fl, err := operand(x.L, t)
	if err != nil {
		return nil, err
	}
	if fl.double || !(isKeyword(fl.typ) || fl.str && fl.typ == "ip") {
		return nil, fmt.Errorf("LIKE/RLIKE on a %s field", fl.typ)
	}
	if x.Regex {
		if fl.lower || fl.str {
			return nil, fmt.Errorf("RLIKE over a function")
		}
		re, err := LuceneRegex(x.Pattern)
		if err != nil {
			return nil, err
		}
		return str(fl, re), nil
	}
	segs, err := LikeSegments(x.Pattern)
	if err != nil {
		return nil, err
	}
	if fl.lower {
		return str(fl, lowerPreimage(segs)), nil
	}
	return str(fl, segsRegex(segs)), nil
}

// Seg is one piece of a LIKE pattern: literal text, `*` or `?`.
type Seg struct {
	Star, One bool
	Text      string
}

func literalSegs(s string) []Seg { return []Seg{{Text: s}} }

// LikeSegments parses an ES|QL LIKE pattern: `*` any run of characters, `?` exactly one, and a
// backslash escapes `*`, `?` or a backslash (any other escape is an error in ES|QL).
// Source: https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/operators#esql-like
func LikeSegments(p string) ([]Seg, error) {
	var segs []Seg
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			segs = append(segs, Seg{Text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 == len(p) || !strings.ContainsRune(`*?\`, rune(p[i+1])) {
				return nil, fmt.Errorf("LIKE pattern %q: a backslash must escape *, ? or a backslash", p)
			}
			i++
			lit.WriteByte(p[i])
		case '*':
			flush()
			segs = append(segs, Seg{Star: true})
		case '?':
			flush()
			segs = append(segs, Seg{One: true})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return segs, nil
}

func segsRegex(segs []Seg) *syntax.Regexp {
	var subs []*syntax.Regexp
	for _, s := range segs {
		switch {
		case s.Star:
			subs = append(subs, anyString())
		case s.One:
			subs = append(subs, &syntax.Regexp{Op: syntax.OpAnyChar})
		default:
			for _, r := range s.Text {
				subs = append(subs, lit(r))
			}
		}
	}
	return concat(subs)
}

func concat(subs []*syntax.Regexp) *syntax.Regexp {
	switch len(subs) {
	case 0:
		return &syntax.Regexp{Op: syntax.OpEmptyMatch}
	case 1:
		return subs[0]
	}
	return &syntax.Regexp{Op: syntax.OpConcat, Sub: subs}
}

// lowerPreimage is the full-match regex of the strings x such that TO_LOWER(x) matches the pattern
// segs: each literal character c becomes the class of the characters whose lower case is c (Java's
// Character.toLowerCase, which ES|QL's TO_LOWER applies with the root locale), `*` any run, `?`
// any character but U+0130 (İ lower-cases to two characters, i and a combining dot above).
// Not modelled: U+0130 matching two pattern positions, and Java's final-sigma rule (Σ at the end
// of a word lower-cases to ς), which only matter for pattern literals with those characters.
func lowerPreimage(segs []Seg) *syntax.Regexp {
	var subs []*syntax.Regexp
	for _, s := range segs {
		switch {
		case s.Star:
			subs = append(subs, anyString())
		case s.One:
			subs = append(subs, &syntax.Regexp{Op: syntax.OpCharClass, Rune: []rune{0, 0x12f, 0x131, unicode.MaxRune}})
		default:
			for _, c := range s.Text {
				var ranges []rune
				for _, r := range orbit(c) {
					if r != 0x130 && unicode.ToLower(r) == c {
						ranges = append(ranges, r, r)
					}
				}
				if len(ranges) == 0 {
					return &syntax.Regexp{Op: syntax.OpNoMatch}
				}
				subs = append(subs, &syntax.Regexp{Op: syntax.OpCharClass, Rune: normRanges(ranges)})
			}
		}
	}
	return concat(subs)
}

func orbit(c rune) []rune {
	out := []rune{c}
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	return out
}

func timePred(x *Cmp, c *Call, t *translate.Table) (roundtrip.Pred, error) {
	if len(c.Args) != 2 {
		return nil, fmt.Errorf("DATE_EXTRACT arity")
	}
	pl, ok := c.Args[0].(*Lit)
	if !ok || pl.Kind != LitString {
		return nil, fmt.Errorf("DATE_EXTRACT part is not a literal")
	}
	part, ok := map[string]string{"MINUTE_OF_HOUR": "minute", "HOUR_OF_DAY": "hour", "DAY_OF_MONTH": "day", "MONTH_OF_YEAR": "month", "YEAR": "year"}[pl.Str]
	if !ok {
		return nil, fmt.Errorf("DATE_EXTRACT part %q", pl.Str)
	}
	fl, err := operand(c.Args[1], t)
	if err != nil {
		return nil, err
	}
	if fl.typ != "date" || fl.lower || fl.str || fl.double {
		return nil, fmt.Errorf("DATE_EXTRACT of a %s field", fl.typ)
	}
	l, ok := x.R.(*Lit)
	if !ok || l.Kind != LitNumber {
		return nil, fmt.Errorf("DATE_EXTRACT compared with a non-number")
	}
	op, ok := map[string]translate.Op{"==": translate.OpEq, "<": translate.OpLt, "<=": translate.OpLte, ">": translate.OpGt, ">=": translate.OpGte}[x.Op]
	if !ok {
		return nil, fmt.Errorf("DATE_EXTRACT compared with %s", x.Op)
	}
	return &roundtrip.Atom{Field: fl.f.Name, Kind: roundtrip.KindTime, Part: part, Op: op, Num: l.Num}, nil
}

// refPred reads a field reference: a == b (TO_LOWER on both sides: case-insensitive),
// STARTS_WITH(a, b), ENDS_WITH(a, b), LOCATE(a, b) > 0.
func refPred(kind string, args []Expr, t *translate.Table) (roundtrip.Pred, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%s arity", kind)
	}
	a, err := operand(args[0], t)
	if err != nil {
		return nil, err
	}
	b, err := operand(args[1], t)
	if err != nil {
		return nil, err
	}
	if a.lower != b.lower || a.str || b.str || a.double || b.double {
		return nil, fmt.Errorf("field reference with mismatched conversions")
	}
	numeric := isNumber(a.typ) && isNumber(b.typ)
	if !numeric && !(isKeyword(a.typ) && isKeyword(b.typ)) {
		return nil, fmt.Errorf("field reference between %s and %s", a.typ, b.typ)
	}
	at := &roundtrip.Atom{Field: a.f.Name, Kind: roundtrip.KindRef, Ref: b.f.Name, Cased: !a.lower && !numeric}
	switch kind {
	case "STARTS_WITH":
		at.RefSuffix = true
	case "ENDS_WITH":
		at.RefPrefix = true
	case "LOCATE":
		at.RefPrefix, at.RefSuffix = true, true
	}
	if numeric && kind != "==" {
		return nil, fmt.Errorf("%s on numbers", kind)
	}
	return at, nil
}

// FormatNum renders a number as its shortest text.
func FormatNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Documented turns a rule's meaning into the meaning the esql backend documents for its output:
// Elastic keeps some canonical fields in one field, so a query on that field is read back as the
// first of them (Resolve). LocationDetails.countryOrRegion is Location (geo.country_iso_code);
// Status.errorCode is ResultType (azure.signinlogs.properties.status.error_code), a number there
// whose equality Read reports as ResultType's canonical text.
func Documented(_ *translate.Query, want roundtrip.Meaning) roundtrip.Meaning {
	for i, p := range want {
		t := translate.SignIn().Table(translate.TableID(i))
		want[i] = rename(p, t)
	}
	return want
}

func rename(p roundtrip.Pred, t *translate.Table) roundtrip.Pred {
	switch x := p.(type) {
	case *roundtrip.And:
		out := &roundtrip.And{}
		for _, a := range x.Args {
			out.Args = append(out.Args, rename(a, t))
		}
		return out
	case *roundtrip.Or:
		out := &roundtrip.Or{}
		for _, a := range x.Args {
			out.Args = append(out.Args, rename(a, t))
		}
		return out
	case *roundtrip.Not:
		return &roundtrip.Not{Arg: rename(x.Arg, t)}
	case *roundtrip.Atom:
		c := *x
		c.Field = canonical(c.Field, t)
		c.Ref = canonical(c.Ref, t)
		if c.Field != x.Field && c.Kind == roundtrip.KindNum {
			if f := translate.SignIn().Field(c.Field); f != nil && f.Type == translate.TypeString {
				c.Kind, c.Re = roundtrip.KindString, roundtrip.LiteralRegex(FormatNum(c.Num), false)
			}
		}
		return &c
	}
	return p
}

// canonical is the field Read reports for the canonical field name on table t.
func canonical(name string, t *translate.Table) string {
	f := translate.SignIn().Field(name)
	if f == nil || f.Elastic.Name == "" {
		return name
	}
	if g, _, ok := Resolve(f.Elastic.Name, t); ok {
		return g.Name
	}
	return name
}
