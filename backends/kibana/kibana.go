// Package kibana is entrasig's Kibana Query Language (KQL) backend: it renders a translated sign-in
// query as one line of KQL over Elastic's azure.signinlogs data stream. It owns the KQL forms of
// every IR construct, the mapping of canonical fields to the integration's fields and types, and
// the KQL escaping (escape.go). Not to be confused with Kusto (the kusto backend).
//
// What it keeps exact, and what it refuses:
//   - KQL matches keyword, numeric, date and boolean fields exactly and case-sensitively (Elastic's
//     KQL reference; the integration defines no normalizer, and the case_insensitive switch of
//     Kibana's query builder is an API option no KQL text reaches). A case-insensitive Sigma match
//     on letters therefore uses the field's known value set where the schema has one (the canonical
//     spelling, or the values a wildcard pattern matches) and otherwise the exact form with a
//     warning naming esql as the exact alternative.
//   - Quoted values are phrases (never wildcards); `*` is the only wildcard and only unquoted.
//     There is no `?` wildcard, no regex, no field-to-field comparison and no way to search the
//     whole event for a substring: those are UnsupportedErrors.
//   - Fields the integration stores as flattened (matching leaf values, not the JSON text) or as
//     analysed text, and fields it lacks, are UnsupportedErrors naming the field.
package kibana

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Name is the target name.
const Name = "kibana"

// Field names of the data stream filter.
const (
	datasetFilter = `data_stream.dataset: "azure.signinlogs"`
	categoryField = "azure.signinlogs.category"
)

// Backend renders Kibana KQL. It is stateless.
type Backend struct{}

// Name returns "kibana".
func (Backend) Name() string { return Name }

// Describe says what the target emits.
func (Backend) Describe() string {
	return "Kibana Query Language (KQL) over Elastic's azure.signinlogs data stream"
}

// Emit renders q as one line of KQL.
func (Backend) Emit(q *translate.Query) (translate.Output, error) {
	if q.Correlation != nil {
		return translate.Output{}, unsupported(q.Correlation.Pos, "correlation",
			"Kibana KQL only filters events and cannot count or group them; use the esql target")
	}
	if len(q.Legs) == 0 {
		return translate.Output{}, fmt.Errorf("kibana: query %s has no table legs", q.Path)
	}
	e := &emitter{}
	// One group per distinct folded predicate (translate.GroupLegs), each keeping its sign-in kinds.
	type group struct {
		body   string // rendered predicate; "" for true
		tables []*translate.Table
	}
	var groups []group
	for _, legs := range translate.GroupLegs(q) {
		body, err := e.predicate(legs[0].Where)
		if err != nil {
			return translate.Output{}, err
		}
		g := group{body: body}
		for _, leg := range legs {
			g.tables = append(g.tables, leg.Table)
		}
		groups = append(groups, g)
	}
	var b strings.Builder
	b.WriteString(datasetFilter)
	// A category filter even when a rule covers all four kinds: AD FS sign-ins
	// (ADFSSignInLogs) share the data stream, and no Sentinel sign-in table holds them.
	switch {
	case len(groups) == 1:
		b.WriteString(" and " + categoryFilter(groups[0].tables))
		if groups[0].body != "" {
			b.WriteString(" and (" + groups[0].body + ")")
		}
	default:
		b.WriteString(" and (")
		for i, g := range groups {
			if i > 0 {
				b.WriteString(" or ")
			}
			if g.body == "" {
				b.WriteString(categoryFilter(g.tables))
				continue
			}
			b.WriteString("(" + categoryFilter(g.tables) + " and (" + g.body + "))")
		}
		b.WriteString(")")
	}
	return translate.Output{Query: b.String(), Warnings: e.warnings}, nil
}

// categoryFilter restricts the data stream to the sign-in kinds of tables.
func categoryFilter(tables []*translate.Table) string {
	if len(tables) == 1 {
		return categoryField + `: "` + tables[0].Category + `"`
	}
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = `"` + t.Category + `"`
	}
	return categoryField + ": (" + strings.Join(parts, " or ") + ")"
}

func unsupported(pos rules.Pos, construct, reason string) *translate.UnsupportedError {
	return &translate.UnsupportedError{Target: Name, Pos: pos, Construct: construct, Reason: reason}
}

// emitter carries the warnings of one Emit call.
type emitter struct {
	warnings []translate.Warning
}

func (e *emitter) warn(pos rules.Pos, msg string) {
	for _, w := range e.warnings {
		if w.Pos == pos && w.Msg == msg {
			return
		}
	}
	e.warnings = append(e.warnings, translate.Warning{Pos: pos, Msg: msg})
}

// predicate renders one leg's predicate; "" means true.
func (e *emitter) predicate(x translate.Expr) (string, error) {
	if c, ok := x.(*translate.Const); ok {
		if c.Value {
			return "", nil
		}
		return "", fmt.Errorf("kibana: a leg whose predicate is false reached the backend")
	}
	n, err := e.expr(x)
	if err != nil {
		return "", err
	}
	return n.render(), nil
}

// op is the operator of a rendered node.
type op int

const (
	opLeaf op = iota // `field: value`, `field: (a or b)`, `field >= n`: never needs parentheses
	opAnd
	opOr
	opNot
)

// node is a KQL expression before rendering; parentheses are decided only in render.
type node struct {
	op   op
	text string // opLeaf
	kids []node // opAnd, opOr (len >= 2), opNot (len 1)
}

// render writes n, parenthesizing every and/or child whose operator differs from its parent and
// every compound operand of not.
func (n node) render() string {
	switch n.op {
	case opAnd, opOr:
		sep := " and "
		if n.op == opOr {
			sep = " or "
		}
		parts := make([]string, len(n.kids))
		for i, k := range n.kids {
			parts[i] = k.render()
			if k.op != opLeaf && k.op != n.op {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return strings.Join(parts, sep)
	case opNot:
		k := n.kids[0]
		if k.op == opLeaf {
			return "not " + k.render()
		}
		return "not (" + k.render() + ")"
	}
	return n.text
}

func (e *emitter) expr(x translate.Expr) (node, error) {
	switch x := x.(type) {
	case *translate.And:
		return e.list(opAnd, x.Args)
	case *translate.Or:
		return e.list(opOr, x.Args)
	case *translate.Not:
		k, err := e.expr(x.Arg)
		if err != nil {
			return node{}, err
		}
		return node{op: opNot, kids: []node{k}}, nil
	case *translate.Match:
		return e.match(x)
	case *translate.Keyword:
		return node{}, unsupported(x.Pos, "keyword search",
			"Kibana KQL free text searches the index's default fields for whole terms or phrases, "+
				"case-sensitively on keyword fields; Sigma's keyword matches any substring of the event, "+
				"case-insensitively; name the field instead")
	case *translate.Const:
		return node{}, fmt.Errorf("kibana: a constant inside a predicate reached the backend")
	}
	return node{}, fmt.Errorf("kibana: unknown expression %T", x)
}

func (e *emitter) list(o op, args []translate.Expr) (node, error) {
	n := node{op: o, kids: make([]node, 0, len(args))}
	for _, a := range args {
		k, err := e.expr(a)
		if err != nil {
			return node{}, err
		}
		n.kids = append(n.kids, k)
	}
	if len(n.kids) == 1 {
		return n.kids[0], nil
	}
	return n, nil
}

func isKeyword(t string) bool { return t == "keyword" || t == "constant_keyword" }

// fieldError says why a field cannot be queried at all, or nil.
func fieldError(m *translate.Match) error {
	f := m.Field
	switch t := f.Elastic.Type; {
	case f.Elastic.Name == "":
		return unsupported(m.Pos, "field "+f.Name,
			"Elastic's azure.signinlogs integration has no field for it; use the kusto target")
	case t == "flattened":
		return unsupported(m.Pos, "field "+f.Name,
			"Elastic stores it as the flattened field "+f.Elastic.Name+", which KQL matches leaf value "+
				"by leaf value (across array elements, keys left out), not as the JSON text Sigma compares")
	case t == "match_only_text" || t == "text":
		return unsupported(m.Pos, "field "+f.Name,
			"Elastic keeps it only inside the analysed text field "+f.Elastic.Name+
				", which KQL matches by tokens, not by the exact value")
	case t == "geo_point":
		return unsupported(m.Pos, "field "+f.Name, "Elastic stores it as a geo_point, which KQL cannot compare with a value")
	case isKeyword(t) || translate.ElasticNumeric(t) || t == "boolean" || t == "ip" || t == "date":
		return nil
	default:
		return unsupported(m.Pos, "field "+f.Name, "its Elastic type "+t+" has no KQL translation here")
	}
}

func (e *emitter) match(m *translate.Match) (node, error) {
	f := m.Field
	if err := fieldError(m); err != nil {
		return node{}, err
	}
	name := f.Elastic.Name
	if m.TimePart != "" {
		return node{}, unsupported(m.Pos, "time modifier "+m.TimePart,
			"Kibana KQL cannot extract a part of a date; use the esql target")
	}
	if len(m.Values) == 0 && m.Op != translate.OpExists && m.Op != translate.OpNull && m.Op != translate.OpFieldRef {
		return node{}, fmt.Errorf("kibana: %s match on %s without values reached the backend", m.Op, f.Name)
	}
	switch m.Op {
	case translate.OpExists:
		return leaf(name + ": " + hasValue(f.Elastic.Type)), nil
	case translate.OpNull:
		return node{op: opNot, kids: []node{leaf(name + ": " + hasValue(f.Elastic.Type))}}, nil
	case translate.OpRegex:
		return node{}, unsupported(m.Pos, "re", "Kibana KQL has no regular expressions; use the esql target (RLIKE)")
	case translate.OpFieldRef:
		return node{}, unsupported(m.Pos, "fieldref", "Kibana KQL cannot compare one field with another; use the esql target")
	case translate.OpCIDR:
		if f.Elastic.Type != "ip" {
			return node{}, unsupported(m.Pos, "cidr on "+f.Name,
				"its Elastic field "+name+" is of type "+f.Elastic.Type+", not ip")
		}
		var as []atom
		for _, v := range m.Values {
			as = append(as, atom{name, `"` + v.Prefix.Masked().String() + `"`})
		}
		return atomsNode(as), nil
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		if !translate.ElasticNumeric(f.Elastic.Type) {
			return node{}, unsupported(m.Pos, m.Op.String()+" on "+f.Name,
				"its Elastic field "+name+" is of type "+f.Elastic.Type+", which KQL ranges compare as text or dates, not numbers")
		}
		if translate.ElasticIntegral(f.Elastic.Type) && f.Type != translate.TypeLong {
			e.warn(m.Pos, integerWarning(f, name))
		}
		sym := m.Op.Symbol()
		var kids []node
		for _, v := range m.Values {
			kids = append(kids, leaf(name+" "+sym+" "+strconv.FormatFloat(v.Num, 'f', -1, 64)))
		}
		if len(kids) == 1 {
			return kids[0], nil
		}
		return node{op: opOr, kids: kids}, nil
	case translate.OpEq:
		var as []atom
		for i := range m.Values {
			a, err := e.eq(m, &m.Values[i])
			if err != nil {
				return node{}, err
			}
			as = append(as, a...)
		}
		return atomsNode(as), nil
	}
	return node{}, fmt.Errorf("kibana: unknown operator %v", m.Op)
}

// integerWarning is the warning for a range on a canonical field that is not an integer but is stored
// in an Elastic integer field, which truncates a fractional value (coerce).
func integerWarning(f *translate.Field, name string) string {
	return fmt.Sprintf("Kibana KQL compares %s as Elastic's integer field %s, which stores a fractional "+
		"value truncated (coerce), so a non-integer value near the bound compares differently", f.Name, name)
}

// boolWarning is the warning for a match on a boolean field: Elasticsearch indexes a boolean from
// JSON true/false and the strings "true", "false" and "" (as false), while Sigma (the evaluator)
// also reads "TRUE"/"False" as booleans and "" as no value.
func boolWarning(f *translate.Field, name string) string {
	return fmt.Sprintf("Kibana KQL matches %s (%s) as an Elasticsearch boolean, which indexes only true and false "+
		"(the empty string as false, other spellings not at all), so a value that is not a JSON boolean may be read "+
		"differently than Sigma reads it", f.Name, name)
}

// knownWarning is the warning for a case-insensitive (or `?`) match on a field with a known value
// set, emitted as the known values it matches in their canonical spelling.
func knownWarning(f *translate.Field, name string) string {
	return fmt.Sprintf("Kibana KQL matches %s (%s) case-sensitively against its known values in their canonical "+
		"spelling, so a value in another spelling is missed; the esql target translates this exactly", f.Name, name)
}

// hasValue is the value list that holds when a field of Elastic type t has a value in Sigma's
// sense (non-null and, as the evaluator defines it, non-empty). `field: *` is an exists query,
// which Kibana documents as matching "any indexed value, including an empty string", and a keyword
// field indexes "" (Elasticsearch's exists query: an empty string is a non-null value); so on
// keyword fields the empty string is excluded with `(* and not "")`. Numeric fields read "" as
// null (coerce) and ip fields cannot index it, so `*` is exact there.
func hasValue(t string) string {
	if isKeyword(t) {
		return `(* and not "")`
	}
	return "*"
}

// caseWarning is the warning for a case-insensitive Sigma match emitted as KQL's exact match.
func caseWarning(f *translate.Field, name string) string {
	return fmt.Sprintf("Kibana KQL matches %s (%s) case-sensitively while Sigma matches case-insensitively, "+
		"so values that differ only in case are missed; the esql target translates this exactly", f.Name, name)
}

func leaf(s string) node { return node{op: opLeaf, text: s} }

// atom is one `field: value` alternative of a Match.
type atom struct{ field, value string }

// atomsNode ORs atoms, grouping the values of one field into `field: (a or b)` in order of first
// appearance and dropping repeated values.
func atomsNode(as []atom) node {
	var fields []string
	vals := map[string][]string{}
	for _, a := range as {
		if _, ok := vals[a.field]; !ok {
			fields = append(fields, a.field)
		}
		dup := false
		for _, v := range vals[a.field] {
			dup = dup || v == a.value
		}
		if !dup {
			vals[a.field] = append(vals[a.field], a.value)
		}
	}
	kids := make([]node, 0, len(fields))
	for _, f := range fields { // fields is a slice in first-appearance order, never the map
		vs := vals[f]
		if len(vs) == 1 {
			kids = append(kids, leaf(f+": "+vs[0]))
		} else {
			kids = append(kids, leaf(f+": ("+strings.Join(vs, " or ")+")"))
		}
	}
	if len(kids) == 1 {
		return kids[0]
	}
	return node{op: opOr, kids: kids}
}

// integralText reports whether s is an integer in canonical decimal: an optional `-`, then `0` or
// digits without a leading zero (so "-0" is not canonical either).
func integralText(s string) bool {
	s, neg := strings.CutPrefix(s, "-")
	if s == "" || (len(s) > 1 || neg) && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalNumber reports whether s is a number whose value, read by a numeric field of type t,
// is spelled exactly s (so equality on the number keeps Sigma's equality on the text).
func canonicalNumber(s, t string) bool {
	if translate.ElasticIntegral(t) {
		if !integralText(s) {
			return false
		}
		_, err := strconv.ParseInt(s, 10, 64)
		return err == nil
	}
	v, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) && strconv.FormatFloat(v, 'f', -1, 64) == s && s != "-0"
}

// eq renders one value of an OpEq match as its atoms.
func (e *emitter) eq(m *translate.Match, v *translate.Value) ([]atom, error) {
	f := m.Field
	ef := f.Elastic
	segs := v.Segs
	if segs == nil && v.Kind != rules.ValString {
		segs = []rules.Segment{{Kind: rules.SegLit, Text: v.Raw}}
	}
	shape, lit := translate.Classify(segs)
	if shape == translate.ShapeAny {
		return []atom{{ef.Name, "*"}}, nil
	}
	wild := shape != translate.ShapeExact
	switch t := ef.Type; {
	case isKeyword(t):
		return e.keyword(m, v, ef.Name, segs)
	case ef.StringName != "" && (wild || !(translate.ElasticNumeric(t) && canonicalNumber(lit, t))):
		// A string operation (or a value the numeric field would read differently) on a field with
		// a keyword twin: compare the text.
		return e.keyword(m, v, ef.StringName, segs)
	case translate.ElasticNumeric(t):
		if !wild && canonicalNumber(lit, t) {
			return []atom{{ef.Name, lit}}, nil
		}
		return nil, unsupported(v.Pos, "value "+strconv.Quote(v.Raw)+" of "+f.Name,
			"its Elastic field "+ef.Name+" is numeric ("+t+") and has no keyword twin for text or wildcard matching")
	case t == "boolean":
		if v.Kind == rules.ValBool {
			e.warn(m.Pos, boolWarning(f, ef.Name))
			return []atom{{ef.Name, strconv.FormatBool(v.Bool)}}, nil
		}
		if !wild && (strings.EqualFold(lit, "true") || strings.EqualFold(lit, "false")) &&
			(!m.Cased || lit == "true" || lit == "false") {
			e.warn(m.Pos, boolWarning(f, ef.Name))
			return []atom{{ef.Name, strings.ToLower(lit)}}, nil
		}
		return nil, unsupported(v.Pos, "value "+strconv.Quote(v.Raw)+" of "+f.Name,
			"its Elastic field "+ef.Name+" is boolean and only takes true or false")
	case t == "ip":
		return ipAtoms(m, v, ef.Name, shape, lit)
	case t == "date":
		return nil, unsupported(v.Pos, "value "+strconv.Quote(v.Raw)+" of "+f.Name,
			"its Elastic field "+ef.Name+" is a date, which KQL compares as an instant, not as the text Sigma compares")
	}
	return nil, fmt.Errorf("kibana: unhandled Elastic type %q", ef.Type)
}

// ipAtoms renders a value of an ip field: an address compares as an address (which also makes
// IPv6 hex digits case-insensitive), and a prefix of whole IPv4 octets ("10.", "192.168.")
// becomes the CIDR block it spells. Other patterns cannot be expressed on type ip.
func ipAtoms(m *translate.Match, v *translate.Value, name string, shape translate.Shape, lit string) ([]atom, error) {
	if shape == translate.ShapeExact {
		if a, err := netip.ParseAddr(lit); err == nil && a.Zone() == "" {
			return []atom{{name, `"` + lit + `"`}}, nil
		}
		return nil, unsupported(v.Pos, "value "+strconv.Quote(v.Raw)+" of "+m.Field.Name,
			"its Elastic field "+name+" is of type ip and only holds IP addresses")
	}
	if shape == translate.ShapePrefix {
		if p, ok := octetPrefix(lit); ok {
			return []atom{{name, `"` + p + `"`}}, nil
		}
	}
	return nil, unsupported(v.Pos, "pattern "+strconv.Quote(v.Raw)+" on "+m.Field.Name,
		"its Elastic field "+name+" is of type ip, which KQL matches by address or CIDR block, "+
			"not by wildcard; only a prefix of whole IPv4 octets (\"10.\") has a CIDR form; use cidr or the esql target")
}

// octetPrefix turns "10." / "10.1." / "10.1.2." (canonical decimal octets) into the CIDR block of
// the IPv4 addresses whose text starts with it.
func octetPrefix(lit string) (string, bool) {
	body, ok := strings.CutSuffix(lit, ".")
	if !ok {
		return "", false
	}
	octs := strings.Split(body, ".")
	if len(octs) > 3 {
		return "", false
	}
	full := make([]string, 4)
	for i := range full {
		full[i] = "0"
	}
	for i, o := range octs {
		if !integralText(o) || strings.HasPrefix(o, "-") {
			return "", false
		}
		n, err := strconv.Atoi(o)
		if err != nil || n > 255 {
			return "", false
		}
		full[i] = o
	}
	return strings.Join(full, ".") + "/" + strconv.Itoa(8*len(octs)), true
}

// hasCase reports whether s has a letter whose case could matter.
func hasCase(s string) bool {
	for _, r := range s {
		if unicode.SimpleFold(r) != r {
			return true
		}
	}
	return false
}

func literalText(segs []rules.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Kind == rules.SegLit {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// keyword renders a value on the keyword field name.
func (e *emitter) keyword(m *translate.Match, v *translate.Value, name string, segs []rules.Segment) ([]atom, error) {
	f := m.Field
	if n := minLength(segs); n > ignoreAbove {
		return nil, unsupported(v.Pos, "value of "+strconv.Itoa(n)+" characters on "+f.Name,
			fmt.Sprintf("Elastic's integration maps %s as a keyword with ignore_above %d (Fleet's default), so a longer "+
				"value is not indexed and no Elastic query can match it; use the kusto or splunk target",
				name, ignoreAbove))
	}
	wild := translate.HasWildcard(segs)
	caseLost := !m.Cased && hasCase(literalText(segs))
	if !wild {
		lit := translate.Literal(segs)
		if caseLost {
			if c, ok := f.KnownValue(lit); ok {
				// The field only takes its known values (in Entra's data): the canonical spelling is
				// the match, exact for those values only.
				lit, caseLost = c, false
				e.warn(m.Pos, knownWarning(f, name))
			}
		}
		q, err := quotePhrase(lit)
		if err != nil {
			return nil, unsupported(v.Pos, "value "+strconv.Quote(v.Raw)+" of "+f.Name, err.Error())
		}
		if caseLost {
			e.warn(m.Pos, caseWarning(f, name))
		}
		return []atom{{name, q}}, nil
	}
	text, err := unquotedValue(segs)
	if len(f.Values) > 0 && (err != nil || caseLost) {
		// The field only takes the schema's values: the pattern means exactly the values it matches.
		var as []atom
		for _, c := range f.Values {
			if globMatch(segs, c, !m.Cased) {
				q, qerr := quotePhrase(c)
				if qerr != nil {
					return nil, unsupported(v.Pos, "value "+strconv.Quote(c)+" of "+f.Name, qerr.Error())
				}
				as = append(as, atom{name, q})
			}
		}
		if len(as) > 0 && err == nil {
			// The known values in their canonical spelling, and the pattern itself (case-sensitive,
			// announced by the case warning) for the values outside the known set it matches.
			e.warn(m.Pos, knownWarning(f, name))
			if caseLost {
				e.warn(m.Pos, caseWarning(f, name))
			}
			return append(as, atom{name, text}), nil
		}
	}
	switch {
	case hasQuestion(segs):
		return nil, unsupported(v.Pos, "wildcard ? in "+strconv.Quote(v.Raw)+" on "+f.Name,
			"Kibana KQL has no single-character wildcard; use the esql target")
	case errors.Is(err, errWhitespace):
		return nil, unsupported(v.Pos, "pattern "+strconv.Quote(v.Raw)+" on "+f.Name,
			"Kibana sends a KQL wildcard value as a query_string query when it does not know the field's type "+
				"(as in detection rules), and query_string splits the value at whitespace into separate terms; "+
				"use the esql target")
	case err != nil:
		return nil, unsupported(v.Pos, "value "+strconv.Quote(v.Raw)+" of "+f.Name, err.Error())
	}
	if caseLost {
		e.warn(m.Pos, caseWarning(f, name))
	}
	return []atom{{name, text}}, nil
}

// ignoreAbove is the ignore_above of the integration's keyword fields: Fleet maps a package's
// keyword fields with ignore_above 1024 (DEFAULT_IGNORE_ABOVE in Fleet's index template builder,
// elastic/kibana#88307), and Elasticsearch does not index a longer string
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-above.html).
const ignoreAbove = 1024

// minLength is the length in characters of the shortest value a pattern matches.
func minLength(segs []rules.Segment) int {
	n := 0
	for _, s := range segs {
		switch s.Kind {
		case rules.SegQuestion:
			n++
		case rules.SegLit:
			n += utf8.RuneCountInString(s.Text)
		}
	}
	return n
}

func hasQuestion(segs []rules.Segment) bool {
	for _, s := range segs {
		if s.Kind == rules.SegQuestion {
			return true
		}
	}
	return false
}

// globMatch reports whether s matches the pattern (`*` any run, `?` one character), folding case
// when fold is set.
func globMatch(segs []rules.Segment, s string, fold bool) bool {
	var pat []rune // literal runes, with -1 for `*` and -2 for `?`
	for _, g := range segs {
		switch g.Kind {
		case rules.SegStar:
			pat = append(pat, -1)
		case rules.SegQuestion:
			pat = append(pat, -2)
		default:
			pat = append(pat, []rune(g.Text)...)
		}
	}
	return globRunes(pat, []rune(s), fold)
}

func globRunes(p, s []rune, fold bool) bool {
	for len(p) > 0 {
		switch p[0] {
		case -1:
			for i := 0; i <= len(s); i++ {
				if globRunes(p[1:], s[i:], fold) {
					return true
				}
			}
			return false
		case -2:
			if len(s) == 0 {
				return false
			}
		default:
			if len(s) == 0 || !(p[0] == s[0] || fold && equalFold(p[0], s[0])) {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return len(s) == 0
}

func equalFold(a, b rune) bool {
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
