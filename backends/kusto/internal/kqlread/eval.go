package kqlread

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// Row is one Kusto row: column name to value.
type Row map[string]Value

// eventCol is the hidden column that carries a row's event index (0-based) through a detection
// query; project drops it, as it drops every column it does not list.
const eventCol = "\x00event"

// EventRow converts a canonical event to the row Sentinel holds for it in table t: exactly the
// columns t has (the schema's Tables and per-table KustoType), each typed:
//   - string: the event's string form (a number as its JSON text, a bool as true/false, an object
//     or array as compact JSON text); an absent or null value is "" (Kusto strings are never null,
//     and every column of a Sentinel table exists in each of its rows);
//   - long/int/real: a JSON number, or a string in number syntax (ingestion converts it); anything
//     else is null;
//   - bool: a JSON bool or "true"/"false"; anything else is null;
//   - datetime: an RFC 3339 string; anything else is null;
//   - dynamic: a JSON value as is; JSON text is parsed (a dynamic column holds the object, whatever
//     form the export gave it); text that is not JSON stays a dynamic string; null stays null.
//
// Columns the table does not have are dropped: a Sentinel row has no such column.
func EventRow(ev roundtrip.Event, t *translate.Table) Row { return eventRow(ev, t, Options{}) }

// eventRow is EventRow with o's relaxations: a string column of o.NullColumns whose value is
// absent or JSON null is a null string instead of "".
func eventRow(ev roundtrip.Event, t *translate.Table, o Options) Row {
	r := Row{}
	for _, f := range translate.SignIn().Fields() {
		if len(f.Path) > 0 || !f.Tables.Has(t.ID) {
			continue
		}
		col := column(f)
		raw := ev[col]
		if col == "Type" {
			raw = t.Name
		}
		typ := f.KustoType[t.ID]
		if raw == nil && typ == "string" && o.NullColumns[col] {
			r[col] = nullStr()
			continue
		}
		r[col] = convert(raw, typ)
	}
	return r
}

func convert(raw any, typ string) Value {
	switch typ {
	case "string":
		switch x := raw.(type) {
		case nil:
			return Str("")
		case string:
			return Str(x)
		case json.Number:
			return Str(string(x))
		case bool:
			return Str(strconv.FormatBool(x))
		}
		return Str(jsonText(raw))
	case "long", "int":
		switch x := raw.(type) {
		case json.Number:
			return parseLong(string(x))
		case string:
			return parseLong(x)
		}
		return Null(KLong)
	case "real", "double", "decimal":
		switch x := raw.(type) {
		case json.Number:
			return ToReal(Str(string(x)))
		case string:
			return ToReal(Str(x))
		}
		return Null(KReal)
	case "bool":
		switch x := raw.(type) {
		case bool:
			return boolean(x)
		case string:
			switch strings.ToLower(x) {
			case "true":
				return boolean(true)
			case "false":
				return boolean(false)
			}
		}
		return Null(KBool)
	case "datetime":
		if s, ok := raw.(string); ok {
			return ToDatetime(Str(s))
		}
		return Null(KDatetime)
	case "dynamic":
		switch x := raw.(type) {
		case nil:
			return Null(KDynamic)
		case string:
			return ParseJSON(x)
		}
		return Value{Kind: KDynamic, Dyn: raw}
	}
	return Null(KDynamic)
}

// rowset is a tabular result; serialized says whether window functions may run over it
// (serialize-operator: sort makes a serialized row set, extend/where/project keep it, summarize
// and union do not).
type rowset struct {
	rows       []Row
	serialized bool
}

// Options are relaxations of Kusto's semantics, each undoing one approximation the backend
// announces with a warning (the round-trip test's Explain): the zero Options is Kusto as
// documented, which Eval runs. A relaxation changes nothing for a column it does not name.
type Options struct {
	// NullColumns are string columns that keep null: a row whose column has no value (absent or
	// JSON null in the event) holds a null string there instead of "" (undoing "Kusto strings are
	// never null"). The string operators then treat that null as Sigma treats an absent field:
	// ==, =~, in, in~, contains, startswith, endswith and matches regex are false on it (not null,
	// so not() of them is true, as Sigma's not of a failed match), tolower keeps it null, isempty
	// and isnull are true, isnotempty and isnotnull false, and tostring reads it as "".
	NullColumns map[string]bool
}

type interp struct {
	opts    Options
	events  []roundtrip.Event
	lets    map[string]*Let
	letTabs map[string]rowset
}

// Eval runs an emitted query over events (in order) with Kusto's semantics. A detection query
// returns the indexes (decimal, from 0) of the events whose rows it returns; a correlation query
// returns roundtrip.FindingKey of each row it returns, read from its TimeGenerated column (the
// bucket) and the group-by columns of its last summarize (a "" value is the null group).
func Eval(out string, evs []roundtrip.Event) ([]string, error) {
	return EvalWith(out, evs, Options{})
}

// EvalWith is Eval with the relaxations of o.
func EvalWith(out string, evs []roundtrip.Event, o Options) ([]string, error) {
	s, err := Parse(out)
	if err != nil {
		return nil, err
	}
	in := &interp{opts: o, events: evs, lets: map[string]*Let{}, letTabs: map[string]rowset{}}
	for _, l := range s.Lets {
		if _, dup := in.lets[l.Name]; dup {
			return nil, fmt.Errorf("kqlread: let %s twice", l.Name)
		}
		in.lets[l.Name] = l
	}
	res, err := in.tabular(s.Body)
	if err != nil {
		return nil, err
	}
	sum := lastSummarize(s.Body)
	var out2 []string
	for _, r := range res.rows {
		if sum == nil {
			v, ok := r[eventCol]
			if !ok {
				return nil, fmt.Errorf("kqlread: a detection row without its event")
			}
			out2 = append(out2, strconv.FormatInt(v.Long, 10))
			continue
		}
		w, ok := r["TimeGenerated"]
		if !ok || w.Kind != KDatetime || w.Null {
			return nil, fmt.Errorf("kqlread: a correlation row without its bucket TimeGenerated")
		}
		var groups []evaluate.GroupValue
		for _, b := range sum.By {
			if b.Name == "TimeGenerated" {
				continue
			}
			v := r[b.Name]
			if v.Kind != KString {
				return nil, fmt.Errorf("kqlread: group-by column %s is not a string", b.Name)
			}
			groups = append(groups, evaluate.GroupValue{Name: b.Name, Value: v.Str, Null: v.Str == ""})
		}
		out2 = append(out2, roundtrip.FindingKey(w.Time, groups))
	}
	return out2, nil
}

func lastSummarize(t *Tabular) *Summarize {
	var s *Summarize
	for _, op := range t.Ops {
		if x, ok := op.(*Summarize); ok {
			s = x
		}
	}
	return s
}

func (in *interp) source(name string) (rowset, error) {
	if l, ok := in.lets[name]; ok {
		if l.Tab == nil {
			return rowset{}, fmt.Errorf("kqlread: %s is a scalar, not a table", name)
		}
		if rs, ok := in.letTabs[name]; ok {
			return rs, nil
		}
		rs, err := in.tabular(l.Tab)
		if err != nil {
			return rowset{}, err
		}
		rs.serialized = false
		in.letTabs[name] = rs
		return rs, nil
	}
	t, ok := tableByName(name)
	if !ok {
		return rowset{}, fmt.Errorf("kqlread: unknown table %s", name)
	}
	var rs rowset
	for i, ev := range in.events {
		if typ, _ := ev["Type"].(string); typ != t.Name {
			continue
		}
		r := eventRow(ev, t, in.opts)
		r[eventCol] = Value{Kind: KLong, Long: int64(i)}
		rs.rows = append(rs.rows, r)
	}
	return rs, nil
}

func (in *interp) tabular(t *Tabular) (rowset, error) {
	var rs rowset
	if t.Source != "" {
		var err error
		if rs, err = in.source(t.Source); err != nil {
			return rowset{}, err
		}
	} else {
		// union (union-operator): the rows of every leg; a column a leg lacks is null there.
		for _, leg := range t.Union {
			l, err := in.tabular(leg)
			if err != nil {
				return rowset{}, err
			}
			rs.rows = append(rs.rows, l.rows...)
		}
	}
	for _, op := range t.Ops {
		var err error
		if rs, err = in.op(op, rs); err != nil {
			return rowset{}, err
		}
	}
	return rs, nil
}

func (in *interp) op(op Op, rs rowset) (rowset, error) {
	switch op := op.(type) {
	case *Where:
		// where keeps the rows whose predicate is true (null is not; null-values page).
		out := rowset{serialized: rs.serialized}
		for i, r := range rs.rows {
			v, err := in.eval(op.Pred, &ctx{rows: rs.rows, i: i, row: r, serialized: rs.serialized})
			if err != nil {
				return rowset{}, err
			}
			if v.Kind != KBool {
				return rowset{}, fmt.Errorf("kqlread: where predicate is not a bool: %s", show(op.Pred))
			}
			if !v.Null && v.Bool {
				out.rows = append(out.rows, r)
			}
		}
		return out, nil
	case *Extend:
		out := rowset{serialized: rs.serialized, rows: make([]Row, len(rs.rows))}
		cum := map[*Call]Value{}
		for i, r := range rs.rows {
			nr := Row{}
			for k, v := range r {
				nr[k] = v
			}
			c := &ctx{rows: out.rows, i: i, row: nr, serialized: rs.serialized, cum: cum}
			for _, a := range op.Cols {
				v, err := in.eval(a.X, c)
				if err != nil {
					return rowset{}, err
				}
				nr[a.Name] = v
			}
			out.rows[i] = nr
		}
		return out, nil
	case *Project:
		out := rowset{serialized: rs.serialized}
		for i, r := range rs.rows {
			nr := Row{}
			for _, a := range op.Cols {
				v, err := in.eval(a.X, &ctx{rows: rs.rows, i: i, row: r, serialized: rs.serialized})
				if err != nil {
					return rowset{}, err
				}
				nr[a.Name] = v
			}
			out.rows = append(out.rows, nr)
		}
		return out, nil
	case *Sort:
		out := rowset{serialized: true, rows: append([]Row(nil), rs.rows...)}
		keys := make([][]Value, len(out.rows))
		for i, r := range out.rows {
			for _, k := range op.Keys {
				v, err := in.eval(k.X, &ctx{row: r})
				if err != nil {
					return rowset{}, err
				}
				keys[i] = append(keys[i], v)
			}
		}
		idx := make([]int, len(out.rows))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool {
			for j, k := range op.Keys {
				c := order(keys[idx[a]][j], keys[idx[b]][j])
				if k.Desc {
					c = -c
				}
				if c != 0 {
					return c < 0
				}
			}
			return false
		})
		sorted := make([]Row, len(idx))
		for i, j := range idx {
			sorted[i] = out.rows[j]
		}
		out.rows = sorted
		return out, nil
	case *Summarize:
		return in.summarize(op, rs)
	}
	return rowset{}, fmt.Errorf("kqlread: unknown operator %T", op)
}

// order compares two values for sort: nulls first in ascending order, then by value (strings
// ordinally).
func order(a, b Value) int {
	switch {
	case a.isNull() && b.isNull():
		return 0
	case a.isNull():
		return -1
	case b.isNull():
		return 1
	}
	if x, ok := numeric(a); ok {
		if y, ok := numeric(b); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	if a.Kind == KDatetime && b.Kind == KDatetime {
		return a.Time.Compare(b.Time)
	}
	return strings.Compare(ToString(a), ToString(b))
}

// ctx is where a scalar expression is evaluated: a row, and for window functions its position in
// a serialized row set and the running sums of row_cumsum.
type ctx struct {
	rows       []Row
	i          int
	row        Row
	serialized bool
	cum        map[*Call]Value
	group      []Row // summarize: the group's rows (aggregates)
}

func (in *interp) eval(x Expr, c *ctx) (Value, error) {
	switch x := x.(type) {
	case *Lit:
		return x.V, nil
	case *Col:
		if c.row != nil {
			if v, ok := c.row[x.Name]; ok {
				return v, nil
			}
		}
		if l, ok := in.lets[x.Name]; ok && l.Scalar != nil {
			return in.eval(l.Scalar, c)
		}
		return Value{}, fmt.Errorf("kqlread: unknown column %s", x.Name)
	case *Member:
		v, err := in.eval(x.X, c)
		if err != nil {
			return Value{}, err
		}
		if v.Kind != KDynamic {
			return Value{}, fmt.Errorf("kqlread: property %s of a non-dynamic value", x.Key)
		}
		// A missing property, or a property of a non-object, is null (dynamic data type).
		m, ok := v.Dyn.(map[string]any)
		if v.Null || !ok {
			return Null(KDynamic), nil
		}
		p, ok := m[x.Key]
		if !ok || p == nil {
			return Null(KDynamic), nil
		}
		return Value{Kind: KDynamic, Dyn: p}, nil
	case *Binary:
		return in.binary(x, c)
	case *In:
		l, err := in.eval(x.L, c)
		if err != nil {
			return Value{}, err
		}
		neg := strings.HasPrefix(x.Op, "!")
		op := "=="
		if strings.HasSuffix(x.Op, "~") {
			op = "=~"
		}
		found := false
		for _, item := range x.List {
			r, err := in.eval(item, c)
			if err != nil {
				return Value{}, err
			}
			v, err := compare(op, l, r)
			if err != nil {
				return Value{}, err
			}
			if !v.Null && v.Bool {
				found = true
			}
		}
		if l.Kind == KString && l.Null {
			return boolean(false), nil // a null string (Options.NullColumns) is in no list
		}
		if l.isNull() {
			return Null(KBool), nil
		}
		return boolean(found != neg), nil
	case *Call:
		return in.call(x, c)
	}
	return Value{}, fmt.Errorf("kqlread: cannot evaluate %T", x)
}

func (in *interp) binary(x *Binary, c *ctx) (Value, error) {
	l, err := in.eval(x.L, c)
	if err != nil {
		return Value{}, err
	}
	r, err := in.eval(x.R, c)
	if err != nil {
		return Value{}, err
	}
	return binaryValues(x.Op, l, r)
}

func binaryValues(op string, l, r Value) (Value, error) {
	switch op {
	case "and", "or":
		// Three-valued logic (logical-operators): false and null = false, true or null = true.
		if l.Kind != KBool || r.Kind != KBool {
			return Value{}, fmt.Errorf("kqlread: %s of non-bools", op)
		}
		if op == "and" {
			switch {
			case !l.Null && !l.Bool, !r.Null && !r.Bool:
				return boolean(false), nil
			case l.Null || r.Null:
				return Null(KBool), nil
			}
			return boolean(true), nil
		}
		switch {
		case !l.Null && l.Bool, !r.Null && r.Bool:
			return boolean(true), nil
		case l.Null || r.Null:
			return Null(KBool), nil
		}
		return boolean(false), nil
	case "+", "-":
		if l.isNull() || r.isNull() {
			return Null(KLong), nil
		}
		if l.Kind == KLong && r.Kind == KLong {
			if op == "+" {
				return Value{Kind: KLong, Long: l.Long + r.Long}, nil
			}
			return Value{Kind: KLong, Long: l.Long - r.Long}, nil
		}
		a, ok1 := numeric(l)
		b, ok2 := numeric(r)
		if !ok1 || !ok2 {
			return Value{}, fmt.Errorf("kqlread: %s of non-numbers", op)
		}
		if op == "+" {
			return Value{Kind: KReal, Real: a + b}, nil
		}
		return Value{Kind: KReal, Real: a - b}, nil
	}
	return compare(op, l, r)
}

// asciiLower lowers ASCII letters only: Kusto's case-insensitive string operators fold ASCII only
// (datatypes-string-operators, equals-operator: "Case-insensitive operators are currently supported
// only for ASCII-text").
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func compare(op string, l, r Value) (Value, error) {
	switch op {
	case "=~", "!~", "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs", "has", "has_cs", "matches regex":
		if l.Kind != KString || r.Kind != KString {
			return Value{}, fmt.Errorf("kqlread: %s needs strings", op)
		}
		if l.Null || r.Null {
			// A null string exists only under Options.NullColumns: Sigma's absent field matches
			// nothing.
			return boolean(false), nil
		}
		a, b := l.Str, r.Str
		if !strings.HasSuffix(op, "_cs") && op != "matches regex" {
			a, b = asciiLower(a), asciiLower(b)
		}
		switch strings.TrimSuffix(op, "_cs") {
		case "=~":
			return boolean(a == b), nil
		case "!~":
			return boolean(a != b), nil
		case "contains":
			return boolean(strings.Contains(a, b)), nil
		case "startswith":
			return boolean(strings.HasPrefix(a, b)), nil
		case "endswith":
			return boolean(strings.HasSuffix(a, b)), nil
		case "matches regex":
			// RE2 (matches-regex-operator, re2 page), unanchored: Go's regexp is RE2.
			re, err := regexp.Compile(b)
			if err != nil {
				return Value{}, fmt.Errorf("kqlread: regex %q: %w", b, err)
			}
			return boolean(re.MatchString(a)), nil
		}
		return Value{}, fmt.Errorf("kqlread: %s (a term match) is never emitted for Sigma's substring tests", op)
	}
	if (l.Kind == KString && l.Null) || (r.Kind == KString && r.Null) {
		// A null string exists only under Options.NullColumns: Sigma's absent field is equal to
		// nothing (and is never compared by order).
		return boolean(false), nil
	}
	if l.isNull() || r.isNull() {
		return Null(KBool), nil // comparisons with null are null (null-values)
	}
	var c int
	switch {
	case l.Kind == KString && r.Kind == KString:
		c = strings.Compare(l.Str, r.Str)
	case l.Kind == KBool && r.Kind == KBool:
		if op != "==" && op != "!=" {
			return Value{}, fmt.Errorf("kqlread: %s on bools", op)
		}
		if l.Bool != r.Bool {
			c = 1
		}
	case l.Kind == KDatetime && r.Kind == KDatetime:
		c = l.Time.Compare(r.Time)
	case l.Kind == KLong && r.Kind == KLong:
		switch {
		case l.Long < r.Long:
			c = -1
		case l.Long > r.Long:
			c = 1
		}
	default:
		a, ok1 := numeric(l)
		b, ok2 := numeric(r)
		if !ok1 || !ok2 {
			return Value{}, fmt.Errorf("kqlread: %s between %v and %v", op, l.Kind, r.Kind)
		}
		switch {
		case a < b:
			c = -1
		case a > b:
			c = 1
		}
	}
	switch op {
	case "==":
		return boolean(c == 0), nil
	case "!=":
		return boolean(c != 0), nil
	case "<":
		return boolean(c < 0), nil
	case "<=":
		return boolean(c <= 0), nil
	case ">":
		return boolean(c > 0), nil
	case ">=":
		return boolean(c >= 0), nil
	}
	return Value{}, fmt.Errorf("kqlread: unknown operator %s", op)
}

func (in *interp) args(c *Call, cx *ctx, n int) ([]Value, error) {
	if len(c.Args) != n {
		return nil, fmt.Errorf("kqlread: %s takes %d arguments", c.Fn, n)
	}
	out := make([]Value, n)
	for i, a := range c.Args {
		v, err := in.eval(a, cx)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (in *interp) call(c *Call, cx *ctx) (Value, error) {
	if isAggregate(c.Fn) {
		if cx.group == nil {
			return Value{}, fmt.Errorf("kqlread: aggregate %s outside summarize", c.Fn)
		}
		return in.aggregate(c, cx)
	}
	switch c.Fn {
	case "prev":
		if !cx.serialized {
			return Value{}, fmt.Errorf("kqlread: prev() needs a serialized row set (sort first)")
		}
		if len(c.Args) != 1 {
			return Value{}, fmt.Errorf("kqlread: prev takes one argument")
		}
		if cx.i == 0 {
			v, err := in.eval(c.Args[0], cx)
			if err != nil {
				return Value{}, err
			}
			return Null(v.Kind), nil
		}
		return in.eval(c.Args[0], &ctx{rows: cx.rows, i: cx.i - 1, row: cx.rows[cx.i-1], serialized: true})
	case "row_cumsum":
		// row_cumsum(term, restart) (row-cumsum-function): the running sum, restarting at a row
		// where restart is true.
		if !cx.serialized || cx.cum == nil {
			return Value{}, fmt.Errorf("kqlread: row_cumsum() needs a serialized row set (sort first)")
		}
		a, err := in.args(c, cx, 2)
		if err != nil {
			return Value{}, err
		}
		acc, seen := cx.cum[c]
		restart := !a[1].Null && a[1].Bool
		if !seen || restart || cx.i == 0 {
			acc = Value{Kind: KLong}
		}
		if !a[0].isNull() {
			acc.Long += a[0].Long
		}
		cx.cum[c] = acc
		return acc, nil
	}
	switch c.Fn {
	case "real", "long", "string", "bool":
		// A typed null: real(null).
		if len(c.Args) == 1 {
			if col, ok := c.Args[0].(*Col); ok && col.Name == "null" {
				return Null(map[string]Kind{"real": KReal, "long": KLong, "string": KString, "bool": KBool}[c.Fn]), nil
			}
		}
		return Value{}, fmt.Errorf("kqlread: %s(...) is only emitted as a typed null", c.Fn)
	}
	one := func() (Value, error) {
		a, err := in.args(c, cx, 1)
		if err != nil {
			return Value{}, err
		}
		return a[0], nil
	}
	switch c.Fn {
	case "tostring", "tolong", "toreal", "tobool", "todatetime", "todynamic", "tolower", "isempty", "isnotempty", "isnull", "isnotnull", "not":
		v, err := one()
		if err != nil {
			return Value{}, err
		}
		switch c.Fn {
		case "tostring":
			return Str(ToString(v)), nil
		case "tolong":
			return ToLong(v), nil
		case "toreal":
			return ToReal(v), nil
		case "tobool":
			return ToBool(v), nil
		case "todatetime":
			return ToDatetime(v), nil
		case "todynamic":
			return ToDynamic(v), nil
		case "tolower":
			if v.Kind != KString {
				return Value{}, fmt.Errorf("kqlread: tolower of a non-string")
			}
			if v.Null {
				return v, nil // a null string (Options.NullColumns) stays null
			}
			return Str(strings.ToLower(v.Str)), nil
		case "isempty", "isnotempty":
			// isempty (isempty-function): true for "" and for null.
			e := v.isNull() || (v.Kind == KString && v.Str == "")
			return boolean(e == (c.Fn == "isempty")), nil
		case "isnull", "isnotnull":
			// isnull (isnull-function): a string is never null (but under Options.NullColumns).
			return boolean(v.isNull() == (c.Fn == "isnull")), nil
		case "not":
			if v.Kind != KBool {
				return Value{}, fmt.Errorf("kqlread: not() of a non-bool")
			}
			if v.Null {
				return v, nil
			}
			return boolean(!v.Bool), nil
		}
	case "coalesce":
		// coalesce (coalesce-function): the first non-null argument.
		var last Value
		for _, a := range c.Args {
			v, err := in.eval(a, cx)
			if err != nil {
				return Value{}, err
			}
			if !v.isNull() {
				return v, nil
			}
			last = v
		}
		return last, nil
	case "iff":
		a, err := in.args(c, cx, 3)
		if err != nil {
			return Value{}, err
		}
		if !a[0].Null && a[0].Bool {
			return a[1], nil
		}
		return a[2], nil
	case "ipv4_is_in_range", "ipv6_is_in_range":
		a, err := in.args(c, cx, 2)
		if err != nil {
			return Value{}, err
		}
		return inRange(c.Fn == "ipv4_is_in_range", ToString(a[0]), ToString(a[1])), nil
	case "datetime_part":
		a, err := in.args(c, cx, 2)
		if err != nil {
			return Value{}, err
		}
		return datetimePart(a[0].Str, a[1])
	case "bin", "bin_at":
		n := 2
		if c.Fn == "bin_at" {
			n = 3
		}
		a, err := in.args(c, cx, n)
		if err != nil {
			return Value{}, err
		}
		return bin(c.Fn, a)
	}
	return Value{}, fmt.Errorf("kqlread: unknown function %s", c.Fn)
}

// inRange is ipv4_is_in_range / ipv6_is_in_range: true or false, or null when either string does
// not convert (ipv4-is-in-range-function). An IPv4 function converts only dotted IPv4 text (an
// IPv4-mapped IPv6 address is not IPv4); the IPv6 function also takes IPv4 addresses, as IPv6
// (ipv6-is-in-range-function).
func inRange(v4 bool, addr, rng string) Value {
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return Null(KBool)
	}
	p, err := netip.ParsePrefix(rng)
	if err != nil {
		return Null(KBool)
	}
	if v4 {
		if !a.Is4() || !p.Addr().Is4() {
			return Null(KBool)
		}
		return boolean(p.Contains(a))
	}
	if a.Is4() {
		a = netip.AddrFrom16(a.As16())
	}
	if p.Addr().Is4() {
		p = netip.PrefixFrom(netip.AddrFrom16(p.Addr().As16()), p.Bits()+96)
	}
	return boolean(p.Masked().Contains(a))
}

// datetimePart is datetime_part (datetime-part-function) in UTC; week_of_year is the ISO 8601 week.
func datetimePart(part string, v Value) (Value, error) {
	if v.Kind != KDatetime {
		return Value{}, fmt.Errorf("kqlread: datetime_part of a non-datetime")
	}
	if v.Null {
		return Null(KLong), nil
	}
	t := v.Time.UTC()
	var n int
	switch part {
	case "year":
		n = t.Year()
	case "month":
		n = int(t.Month())
	case "day":
		n = t.Day()
	case "hour":
		n = t.Hour()
	case "minute":
		n = t.Minute()
	case "week_of_year":
		_, n = t.ISOWeek()
	default:
		return Value{}, fmt.Errorf("kqlread: datetime_part %q", part)
	}
	return Value{Kind: KLong, Long: int64(n)}, nil
}

// bin rounds a datetime down to a multiple of the size (bin-function: bin(datetime(1970-05-11
// 13:45:07), 1d) is 1970-05-11, so a size dividing a day aligns to midnights, i.e. to the epoch);
// bin_at aligns to the given fixed point (bin-at-function). A bin() size that does not divide a
// day has no documented alignment and is refused.
func bin(fn string, a []Value) (Value, error) {
	if a[0].Kind != KDatetime || a[1].Kind != KTimespan {
		return Value{}, fmt.Errorf("kqlread: %s of a non-datetime or by a non-timespan", fn)
	}
	if a[0].Null || a[1].Span <= 0 {
		return Null(KDatetime), nil
	}
	size := a[1].Span
	origin := time.Unix(0, 0).UTC()
	if fn == "bin_at" {
		if a[2].Kind != KDatetime {
			return Value{}, fmt.Errorf("kqlread: bin_at fixed point is not a datetime")
		}
		origin = a[2].Time
	} else if (24*time.Hour)%size != 0 {
		return Value{}, fmt.Errorf("kqlread: bin() by %s, which does not divide a day: its alignment is not documented", size)
	}
	d := a[0].Time.Sub(origin)
	k := d / size
	if d%size < 0 {
		k--
	}
	return Value{Kind: KDatetime, Time: origin.Add(k * size)}, nil
}

func isAggregate(fn string) bool {
	switch fn {
	case "count", "min", "max", "minif", "maxif", "sum", "avg", "percentile", "count_distinctif", "count_distinct", "dcount":
		return true
	}
	return false
}

func (in *interp) summarize(op *Summarize, rs rowset) (rowset, error) {
	type group struct {
		key  []Value
		rows []Row
	}
	var groups []*group
	index := map[string]*group{}
	for i, r := range rs.rows {
		var key []Value
		var kb strings.Builder
		for _, b := range op.By {
			v, err := in.eval(b.X, &ctx{rows: rs.rows, i: i, row: r})
			if err != nil {
				return rowset{}, err
			}
			if v.Kind == KDynamic {
				return rowset{}, fmt.Errorf("kqlread: summarize by a dynamic value")
			}
			key = append(key, v)
			fmt.Fprintf(&kb, "%d|%t|%s\x00", v.Kind, v.isNull(), ToString(v))
		}
		g, ok := index[kb.String()]
		if !ok {
			g = &group{key: key}
			index[kb.String()] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	var out rowset
	for _, g := range groups {
		nr := Row{}
		for i, b := range op.By {
			nr[b.Name] = g.key[i]
		}
		for _, a := range op.Aggs {
			v, err := in.eval(a.X, &ctx{group: g.rows})
			if err != nil {
				return rowset{}, err
			}
			nr[a.Name] = v
		}
		out.rows = append(out.rows, nr)
	}
	return out, nil
}

// aggregate computes one aggregation function over a group's rows (summarize-operator; nulls are
// ignored by min, max, sum, avg, percentile and the distinct counts).
func (in *interp) aggregate(c *Call, cx *ctx) (Value, error) {
	var vals []Value
	want := len(c.Args)
	switch c.Fn {
	case "count":
		if want != 0 {
			return Value{}, fmt.Errorf("kqlread: count() takes no argument")
		}
		return Value{Kind: KLong, Long: int64(len(cx.group))}, nil
	case "minif", "maxif", "count_distinctif":
		if want != 2 {
			return Value{}, fmt.Errorf("kqlread: %s takes two arguments", c.Fn)
		}
	case "percentile":
		if want != 2 {
			return Value{}, fmt.Errorf("kqlread: percentile takes two arguments")
		}
	default:
		if want != 1 {
			return Value{}, fmt.Errorf("kqlread: %s takes one argument", c.Fn)
		}
	}
	kind := KLong
	for i, r := range cx.group {
		rc := &ctx{rows: cx.group, i: i, row: r}
		v, err := in.eval(c.Args[0], rc)
		if err != nil {
			return Value{}, err
		}
		kind = v.Kind
		if c.Fn == "minif" || c.Fn == "maxif" || c.Fn == "count_distinctif" {
			p, err := in.eval(c.Args[1], rc)
			if err != nil {
				return Value{}, err
			}
			if p.Kind != KBool {
				return Value{}, fmt.Errorf("kqlread: %s predicate is not a bool", c.Fn)
			}
			if p.Null || !p.Bool {
				continue
			}
		}
		if v.isNull() {
			continue
		}
		vals = append(vals, v)
	}
	switch c.Fn {
	case "min", "max", "minif", "maxif":
		if len(vals) == 0 {
			return Null(kind), nil
		}
		best := vals[0]
		for _, v := range vals[1:] {
			o := order(v, best)
			if (o < 0) == (c.Fn == "min" || c.Fn == "minif") && o != 0 {
				best = v
			}
		}
		return best, nil
	case "count_distinctif", "count_distinct":
		// count_distinct (count-distinct-aggfunction): the exact number of distinct values.
		seen := map[string]bool{}
		for _, v := range vals {
			seen[ToString(v)] = true
		}
		return Value{Kind: KLong, Long: int64(len(seen))}, nil
	case "sum", "avg":
		var s float64
		for _, v := range vals {
			f, ok := numeric(v)
			if !ok {
				return Value{}, fmt.Errorf("kqlread: %s of a non-number", c.Fn)
			}
			s += f
		}
		if c.Fn == "sum" {
			// sum() of no value is 0 (summarize-operator, default values of aggregations).
			return Value{Kind: KReal, Real: s}, nil
		}
		if len(vals) == 0 {
			return Null(KReal), nil
		}
		return Value{Kind: KReal, Real: s / float64(len(vals))}, nil
	case "percentile":
		// Kusto estimates the nearest-rank percentile (percentiles-aggregation-function); this
		// interpreter computes the nearest rank exactly (the backend warns that Kusto's is an
		// estimate).
		p, err := in.eval(c.Args[1], &ctx{})
		if err != nil {
			return Value{}, err
		}
		pf, ok := numeric(p)
		if !ok {
			return Value{}, fmt.Errorf("kqlread: percentile of a non-number rank")
		}
		var fs []float64
		for _, v := range vals {
			f, ok := numeric(v)
			if !ok {
				return Value{}, fmt.Errorf("kqlread: percentile of a non-number")
			}
			fs = append(fs, f)
		}
		if len(fs) == 0 {
			return Null(KReal), nil
		}
		sort.Float64s(fs)
		k := int(math.Ceil(pf / 100 * float64(len(fs))))
		if k < 1 {
			k = 1
		}
		if k > len(fs) {
			k = len(fs)
		}
		return Value{Kind: KReal, Real: fs[k-1]}, nil
	}
	return Value{}, fmt.Errorf("kqlread: aggregate %s is not emitted", c.Fn)
}
