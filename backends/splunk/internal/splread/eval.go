package splread

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/splunk/internal/splcheck"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// val is an eval value: null, a string, a number, a boolean, or (from the search) a multivalue.
type val struct {
	kind byte // 0 null, 's' string, 'n' number, 'b' bool
	s    string
	n    float64
	b    bool
	mv   []string // a multivalue field (kind 's', s = first value)
}

var null = val{}

func str(s string) val     { return val{kind: 's', s: s} }
func num(n float64) val    { return val{kind: 'n', n: n} }
func boolean(b bool) val   { return val{kind: 'b', b: b} }
func (v val) isNull() bool { return v.kind == 0 }
func (v val) truth() bool  { return v.kind == 'b' && v.b }
func (v val) text() string {
	switch v.kind {
	case 'n':
		return strconv.FormatFloat(v.n, 'f', -1, 64)
	case 'b':
		return strconv.FormatBool(v.b)
	}
	return v.s
}

// number reads a value as a number: a number, or a string in decimal number syntax (JSON number
// syntax: tonumber() and eval's comparisons read numeric strings as numbers).
func (v val) number() (float64, bool) {
	switch v.kind {
	case 'n':
		return v.n, true
	case 's':
		if jsonNumber.MatchString(v.s) {
			f, err := strconv.ParseFloat(v.s, 64)
			return f, err == nil
		}
	}
	return 0, false
}

var jsonNumber = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

type row map[string]val

func docRow(d *Doc) row {
	r := row{}
	for k, vs := range d.Fields {
		v := str(vs[0])
		if len(vs) > 1 {
			v.mv = vs
		}
		r[k] = v
	}
	r["_time"] = num(float64(d.Time.UnixNano()) / 1e9)
	return r
}

// Eval interprets an emitted query over canonical events (converted with ToDoc): for a
// detection query the indexes of the events it returns, for a correlation the FindingKey of
// each result row (bucket start and group-by values).
func Eval(out string, evs []roundtrip.Event) ([]string, error) {
	q, err := splcheck.Parse(out)
	if err != nil {
		return nil, err
	}
	if err := checkBase(q.Search); err != nil {
		return nil, err
	}
	var rows []row
	var idx []int
	for i, e := range evs {
		d, err := ToDoc(e)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		r := docRow(d)
		ok, err := searchOr(q.Search, r)
		if err != nil {
			return nil, err
		}
		if ok {
			rows = append(rows, r)
			idx = append(idx, i)
		}
	}
	stats := false
	var byFields []string
	for _, c := range q.Commands {
		switch {
		case c.Where != nil:
			var keep []row
			var keepIdx []int
			for i, r := range rows {
				v, err := eval(c.Where, r)
				if err != nil {
					return nil, err
				}
				if v.truth() {
					keep = append(keep, r)
					if !stats {
						keepIdx = append(keepIdx, idx[i])
					}
				}
			}
			rows, idx = keep, keepIdx
		case c.Eval != nil:
			for _, r := range rows {
				for _, a := range c.Eval {
					v, err := eval(a.Value, r)
					if err != nil {
						return nil, err
					}
					r[a.Name] = v
				}
			}
		case c.Fillnull != nil:
			fill := c.Fillnull.Value
			if strings.HasPrefix(fill, `"`) {
				if fill, err = splcheck.EvalString(fill); err != nil {
					return nil, err
				}
			}
			for _, r := range rows {
				for _, f := range c.Fillnull.Fields {
					if r[f].isNull() {
						r[f] = str(fill)
					}
				}
			}
		case c.Bin != nil:
			span, err := parseSpan(c.Bin.Span)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				t := r[c.Bin.Field]
				// bins of s, m and h spans start at multiples of the span from the Unix epoch
				r[c.Bin.Field] = num(math.Floor(t.n/span.Seconds()) * span.Seconds())
			}
		case c.Stats != nil:
			rows, err = runStats(c.Stats, rows)
			if err != nil {
				return nil, err
			}
			stats = true
			byFields = c.Stats.By
		}
	}
	var res []string
	if !stats {
		for _, i := range idx {
			res = append(res, strconv.Itoa(i))
		}
		return res, nil
	}
	for _, r := range rows {
		var groups []evaluate.GroupValue
		var window time.Time
		for _, f := range byFields {
			if f == "_time" {
				sec, frac := math.Modf(r[f].n)
				window = time.Unix(int64(sec), int64(frac*1e9)).UTC()
				continue
			}
			v := r[f].text()
			groups = append(groups, evaluate.GroupValue{Name: f, Value: v, Null: v == ""})
		}
		res = append(res, roundtrip.FindingKey(window, groups))
	}
	return res, nil
}

func parseSpan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("span %q", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("span %q", s)
	}
	switch s[len(s)-1] {
	case 's':
		return time.Duration(n) * time.Second, nil
	case 'm':
		return time.Duration(n) * time.Minute, nil
	case 'h':
		return time.Duration(n) * time.Hour, nil
	}
	return 0, fmt.Errorf("span %q: only s, m and h spans are epoch-aligned", s)
}

// runStats groups rows by the by-fields (a row whose by-field is null is dropped, as stats does;
// the backend fills them first) and computes each aggregate.
func runStats(s *splcheck.Stats, rows []row) ([]row, error) {
	type group struct {
		key  row
		rows []row
	}
	var groups []*group
	index := map[string]*group{}
	for _, r := range rows {
		var kb strings.Builder
		skip := false
		for _, f := range s.By {
			v := r[f]
			if v.isNull() {
				skip = true
			}
			kb.WriteString(strconv.Quote(v.text()))
			kb.WriteByte(0)
		}
		if skip {
			continue
		}
		g := index[kb.String()]
		if g == nil {
			g = &group{key: row{}}
			for _, f := range s.By {
				g.key[f] = r[f]
			}
			index[kb.String()] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	var out []row
	for _, g := range groups {
		r := row{}
		for k, v := range g.key {
			r[k] = v
		}
		for _, a := range s.Aggs {
			v, err := aggregate(a, g.rows)
			if err != nil {
				return nil, err
			}
			r[a.As] = v
		}
		out = append(out, r)
	}
	return out, nil
}

func aggregate(a *splcheck.Agg, rows []row) (val, error) {
	if a.Func == "count" {
		return num(float64(len(rows))), nil
	}
	if a.Arg == nil {
		return null, fmt.Errorf("%s without a field", a.Func)
	}
	var vals []val
	for _, r := range rows {
		if v := r[*a.Arg]; !v.isNull() {
			vals = append(vals, v)
		}
	}
	nums := func() []float64 {
		var ns []float64
		for _, v := range vals {
			if n, ok := v.number(); ok {
				ns = append(ns, n)
			}
		}
		return ns
	}
	switch {
	case a.Func == "dc":
		seen := map[string]bool{}
		for _, v := range vals {
			seen[v.text()] = true
		}
		return num(float64(len(seen))), nil
	case a.Func == "sum" || a.Func == "avg":
		ns := nums()
		if len(ns) == 0 {
			return null, nil
		}
		sum := 0.0
		for _, n := range ns {
			sum += n
		}
		if a.Func == "avg" {
			return num(sum / float64(len(ns))), nil
		}
		return num(sum), nil
	case a.Func == "min" || a.Func == "max":
		ns := nums()
		if len(ns) == 0 || len(ns) != len(vals) {
			if len(vals) == 0 {
				return null, nil
			}
			return null, fmt.Errorf("%s over non-numeric values is not emitted", a.Func)
		}
		if a.Func == "min" {
			return num(slices.Min(ns)), nil
		}
		return num(slices.Max(ns)), nil
	case strings.HasPrefix(a.Func, "exactperc"):
		p, err := strconv.Atoi(strings.TrimPrefix(a.Func, "exactperc"))
		if err != nil {
			return null, err
		}
		ns := nums()
		if len(ns) == 0 {
			return null, nil
		}
		sort.Float64s(ns)
		// nearest rank: the ceil(p/100*n)-th smallest (limits.conf [stats] perc_method default)
		k := int(math.Ceil(float64(p) / 100 * float64(len(ns))))
		if k < 1 {
			k = 1
		}
		return num(ns[k-1]), nil
	}
	return null, fmt.Errorf("aggregate %s", a.Func)
}

// searchOr evaluates the search command (OR before AND, as read()).
func searchOr(s *splcheck.SOr, r row) (bool, error) {
	for _, chain := range andChains(s) {
		hit := false
		for _, u := range chain {
			v, err := searchUnary(u, r)
			if err != nil {
				return false, err
			}
			hit = hit || v
		}
		if !hit {
			return false, nil
		}
	}
	return true, nil
}

func searchUnary(u *splcheck.SUnary, r row) (bool, error) {
	if u.Not != nil {
		v, err := searchUnary(u.Not, r)
		return !v, err
	}
	switch p := u.Prim; {
	case p.Group != nil:
		return searchOr(p.Group, r)
	case p.Macro != "":
		return true, nil
	case p.Cmp != nil:
		return searchCmp(p.Cmp, r)
	}
	return false, fmt.Errorf("empty search term")
}

// searchCmp is `field=value`, `field IN (...)` or a numeric comparison in the search command:
//   - values match the whole field value, ASCII letters case-insensitively (globPattern), `*`
//     matching any run (the only wildcard); a multivalue field matches when any value does; a
//     missing field matches nothing (and NOT of it holds);
//   - `*` alone matches any value, the empty string included (assumed: a glob);
//   - a value in CIDR notation matches addresses in that range (IPv4 and IPv6);
//   - <, <=, >, >= compare numerically, and a value that is not a number does not match.
func searchCmp(c *splcheck.SCmp, r row) (bool, error) {
	raws := c.In
	if c.Value != nil {
		raws = []*splcheck.SValue{c.Value}
	}
	f, ok := r[c.Field]
	if c.Field == "index" {
		return true, nil
	}
	if !ok || f.isNull() {
		return false, nil
	}
	fvals := f.mv
	if fvals == nil {
		fvals = []string{f.text()}
	}
	for _, raw := range raws {
		v, err := value(raw)
		if err != nil {
			return false, err
		}
		for _, fv := range fvals {
			hit, err := matchSearch(c.Op, v, fv)
			if err != nil {
				return false, err
			}
			if hit {
				return true, nil
			}
		}
	}
	return false, nil
}

func matchSearch(op, v, fv string) (bool, error) {
	switch op {
	case "<", "<=", ">", ">=":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false, fmt.Errorf("comparison with %q", v)
		}
		x, ok := str(fv).number()
		if !ok {
			return false, nil
		}
		switch op {
		case "<":
			return x < n, nil
		case "<=":
			return x <= n, nil
		case ">":
			return x > n, nil
		}
		return x >= n, nil
	}
	if splcheck.CIDRLike(v) {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return false, err
		}
		a, err := netip.ParseAddr(fv)
		return err == nil && p.Masked().Contains(a), nil
	}
	return globFold(v).MatchString(fv), nil
}

// eval evaluates an eval expression with three-valued logic: a comparison or function of a null
// value is null, NOT null is null, false AND null is false, true OR null is true.
func eval(e *splcheck.EOr, r row) (val, error) {
	if len(e.Args) == 1 {
		return evalAnd(e.Args[0], r)
	}
	sawNull := false
	for _, a := range e.Args {
		v, err := evalAnd(a, r)
		if err != nil {
			return null, err
		}
		switch {
		case v.truth():
			return boolean(true), nil
		case v.kind != 'b':
			sawNull = true
		}
	}
	if sawNull {
		return null, nil
	}
	return boolean(false), nil
}

func evalAnd(e *splcheck.EAnd, r row) (val, error) {
	if len(e.Args) == 1 {
		return evalNot(e.Args[0], r)
	}
	sawNull := false
	for _, n := range e.Args {
		v, err := evalNot(n, r)
		if err != nil {
			return null, err
		}
		switch {
		case v.kind == 'b' && !v.b:
			return boolean(false), nil
		case v.kind != 'b':
			sawNull = true
		}
	}
	if sawNull {
		return null, nil
	}
	return boolean(true), nil
}

func evalNot(n *splcheck.ENot, r row) (val, error) {
	if n.Not != nil {
		v, err := evalNot(n.Not, r)
		if err != nil || v.isNull() {
			return null, err
		}
		return boolean(!v.truth()), nil
	}
	c := n.Cmp
	l, err := evalSum(c.Left, r)
	if err != nil || c.Op == "" {
		return l, err
	}
	rt, err := evalSum(c.Right, r)
	if err != nil {
		return null, err
	}
	if l.isNull() || rt.isNull() {
		return null, nil
	}
	// both numbers: numeric comparison; otherwise a case-sensitive string comparison
	var cmp int
	ln, lok := l.number()
	rn, rok := rt.number()
	if lok && rok {
		switch {
		case ln < rn:
			cmp = -1
		case ln > rn:
			cmp = 1
		}
	} else {
		cmp = strings.Compare(l.text(), rt.text())
	}
	switch c.Op {
	case "==":
		return boolean(cmp == 0), nil
	case "!=":
		return boolean(cmp != 0), nil
	case "<":
		return boolean(cmp < 0), nil
	case "<=":
		return boolean(cmp <= 0), nil
	case ">":
		return boolean(cmp > 0), nil
	case ">=":
		return boolean(cmp >= 0), nil
	}
	return null, fmt.Errorf("operator %s", c.Op)
}

func evalSum(s *splcheck.ESum, r row) (val, error) {
	if len(s.Terms) == 1 {
		return evalAtom(s.Terms[0], r)
	}
	total := 0.0
	for _, t := range s.Terms {
		v, err := evalAtom(t, r)
		if err != nil {
			return null, err
		}
		n, ok := v.number()
		if !ok {
			return null, nil
		}
		total += n
	}
	return num(total), nil
}

func fieldVal(name string, r row) (val, error) {
	v := r[name]
	if len(v.mv) > 1 {
		return null, fmt.Errorf("multivalue field %s in an eval expression", name)
	}
	return v, nil
}

func evalAtom(a *splcheck.EAtom, r row) (val, error) {
	switch {
	case a.Group != nil:
		return eval(a.Group, r)
	case a.Call != nil:
		return call(a.Call, r)
	case a.Field != "":
		return fieldVal(a.Field[1:len(a.Field)-1], r)
	case a.Str != nil:
		s, err := splcheck.EvalString(*a.Str)
		return str(s), err
	case a.Word != nil:
		if splcheck.IsNumber(*a.Word) {
			n, _ := strconv.ParseFloat(*a.Word, 64)
			return num(n), nil
		}
		return fieldVal(*a.Word, r)
	}
	return null, fmt.Errorf("empty operand")
}

func call(c *splcheck.ECall, r row) (val, error) {
	args := make([]val, len(c.Args))
	lazy := c.Name == "if" || c.Name == "case" || c.Name == "coalesce"
	if !lazy {
		for i, a := range c.Args {
			v, err := eval(a, r)
			if err != nil {
				return null, err
			}
			args[i] = v
		}
	}
	switch c.Name {
	case "isnull":
		return boolean(args[0].isNull()), nil
	case "isnotnull":
		return boolean(!args[0].isNull()), nil
	case "null":
		return null, nil
	case "lower":
		if args[0].isNull() {
			return null, nil
		}
		return str(strings.ToLower(args[0].text())), nil
	case "tonumber":
		if n, ok := args[0].number(); ok {
			return num(n), nil
		}
		return null, nil
	case "match":
		if args[0].isNull() || args[1].isNull() {
			return null, nil
		}
		tree, err := pcre(args[1].text())
		if err != nil {
			return null, fmt.Errorf("match() regex %q: %v", args[1].text(), err)
		}
		re, err := regexp.Compile(tree.String())
		if err != nil {
			return null, err
		}
		return boolean(re.MatchString(args[0].text())), nil
	case "cidrmatch":
		if args[0].isNull() || args[1].isNull() {
			return null, nil
		}
		p, err := netip.ParsePrefix(args[0].text())
		if err != nil {
			return null, err
		}
		ip, err := netip.ParseAddr(args[1].text())
		return boolean(err == nil && p.Masked().Contains(ip)), nil
	case "in":
		if args[0].isNull() {
			return null, nil
		}
		for _, a := range args[1:] {
			if a.text() == args[0].text() {
				return boolean(true), nil
			}
		}
		return boolean(false), nil
	case "if":
		cond, err := eval(c.Args[0], r)
		if err != nil {
			return null, err
		}
		if cond.truth() {
			return eval(c.Args[1], r)
		}
		return eval(c.Args[2], r)
	case "case":
		for i := 0; i+1 < len(c.Args); i += 2 {
			cond, err := eval(c.Args[i], r)
			if err != nil {
				return null, err
			}
			if cond.truth() {
				return eval(c.Args[i+1], r)
			}
		}
		return null, nil
	case "coalesce":
		for _, a := range c.Args {
			v, err := eval(a, r)
			if err != nil {
				return null, err
			}
			if !v.isNull() {
				return v, nil
			}
		}
		return null, nil
	}
	return null, fmt.Errorf("eval function %s()", c.Name)
}
