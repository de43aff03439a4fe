package esqlread

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// evalCorrelation runs a correlation pipeline over the events' documents with ES|QL's semantics:
// the events WHERE keeps the rows where it is true; EVAL adds columns row by row (a column can use
// those to its left); STATS groups the rows by the BY columns, a null key forming its own group,
// and computes COUNT(*) (rows), COUNT(x) (non-null values), MIN/MAX, SUM/AVG of numbers (null
// without one) and PERCENTILE (an interpolating estimate, see percentile); the final WHERE keeps
// the groups whose condition is true. Each output row is reported as roundtrip.FindingKey of its
// bucket (Esql.time_window_date_trunc) and the last STATS' other BY columns, named by the
// canonical field an Elastic column holds (or the alias name of an Esql.<name> column); a null or
// "" value is the null group.
func evalCorrelation(q *Query, evs []roundtrip.Event) ([]string, error) {
	s, err := splitCorrelation(q)
	if err != nil {
		return nil, err
	}
	var rows []Doc
	for i, ev := range evs {
		doc, ok, err := Document(ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if !ok {
			continue
		}
		v, err := eval(s.where, doc)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if b, ok := v.(bool); ok && b {
			rows = append(rows, doc)
		}
	}
	if rows, err = evalAssigns(rows, s.evals); err != nil {
		return nil, err
	}
	last := s.stats
	if rows, err = runStats(s.stats, rows); err != nil {
		return nil, err
	}
	if s.stats2 != nil {
		last = s.stats2
		if rows, err = runStats(s.stats2, rows); err != nil {
			return nil, err
		}
	}
	if rows, err = evalAssigns(rows, s.post); err != nil {
		return nil, err
	}
	if s.final != nil {
		var keep []Doc
		for _, r := range rows {
			v, err := eval(s.final, r)
			if err != nil {
				return nil, err
			}
			if b, ok := v.(bool); ok && b {
				keep = append(keep, r)
			}
		}
		rows = keep
	}
	var out []string
	for _, r := range rows {
		w, ok := r[bucketCol].(time.Time)
		if !ok {
			return nil, fmt.Errorf("a row without its bucket %s", bucketCol)
		}
		var groups []evaluate.GroupValue
		for _, col := range last.By {
			if col == bucketCol {
				continue
			}
			v, err := groupText(r[col])
			if err != nil {
				return nil, fmt.Errorf("group-by %s: %w", col, err)
			}
			groups = append(groups, evaluate.GroupValue{Name: groupName(col), Value: v, Null: v == ""})
		}
		out = append(out, roundtrip.FindingKey(w, groups))
	}
	return out, nil
}

// groupName is the correlation's name for a group-by column: the alias of an Esql.<name> column,
// or the canonical field an Elastic field holds (the first table that has it, in schema order).
func groupName(col string) string {
	if n, ok := strings.CutPrefix(col, esqlPrefix); ok {
		return n
	}
	for _, t := range translate.SignIn().Tables() {
		if f, _, ok := Resolve(col, t); ok {
			return f.Name
		}
	}
	return col
}

// groupText is a group value's string form ("" for null).
func groupText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return FormatNum(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case netip.Addr:
		return x.String(), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	}
	return "", fmt.Errorf("a %T value", v)
}

func evalAssigns(rows []Doc, as []Assign) ([]Doc, error) {
	if len(as) == 0 {
		return rows, nil
	}
	out := make([]Doc, len(rows))
	for i, r := range rows {
		c := make(Doc, len(r)+len(as))
		for k, v := range r {
			c[k] = v
		}
		for _, a := range as {
			v, err := eval(a.Expr, c)
			if err != nil {
				return nil, fmt.Errorf("EVAL %s: %w", a.Name, err)
			}
			c[a.Name] = v
		}
		out[i] = c
	}
	return out, nil
}

// runStats groups rows by the BY columns and computes the aggregates: one output row per group
// (in order of first appearance) with the BY columns and the aggregates only. ES|QL's STATS keeps
// a group for a null key (https://www.elastic.co/docs/reference/query-languages/esql/commands/stats-by:
// the docs' example has a `null` group); a multi-valued key would put the row in each value's
// group, which the backend never emits (multi-valued group-by fields are rejected), so it is an
// error here.
func runStats(c *Command, rows []Doc) ([]Doc, error) {
	type group struct {
		keys []any
		rows []Doc
	}
	var order []string
	groups := map[string]*group{}
	for _, r := range rows {
		var kb strings.Builder
		keys := make([]any, len(c.By))
		for i, col := range c.By {
			v := r[col]
			if isMulti(v) {
				return nil, fmt.Errorf("STATS BY the multi-valued %s", col)
			}
			keys[i] = v
			if v == nil {
				kb.WriteString("\x00null\x01")
			} else {
				fmt.Fprintf(&kb, "%T\x00%v\x01", v, v)
			}
		}
		k := kb.String()
		g, ok := groups[k]
		if !ok {
			g = &group{keys: keys}
			groups[k] = g
			order = append(order, k)
		}
		g.rows = append(g.rows, r)
	}
	if len(c.By) == 0 {
		// STATS without BY returns one row even over no input.
		return nil, fmt.Errorf("STATS without BY")
	}
	var out []Doc
	for _, k := range order {
		g := groups[k]
		row := Doc{}
		for _, a := range c.Stats {
			v, err := aggregate(a.Expr, g.rows)
			if err != nil {
				return nil, fmt.Errorf("STATS %s: %w", a.Name, err)
			}
			row[a.Name] = v
		}
		for i, col := range c.By {
			row[col] = g.keys[i]
		}
		out = append(out, row)
	}
	return out, nil
}

// aggregate computes one aggregate over a group's rows. Null values are skipped by every
// aggregate but COUNT(*); MIN/MAX/SUM/AVG/PERCENTILE of no value are null.
// https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/aggregation-functions
func aggregate(e Expr, rows []Doc) (any, error) {
	c, ok := e.(*Call)
	if !ok {
		return nil, fmt.Errorf("not an aggregate: %s", describe(e))
	}
	if c.Name == "COUNT" && c.Star {
		return int64(len(rows)), nil
	}
	if len(c.Args) == 0 {
		return nil, fmt.Errorf("%s without an argument", c.Name)
	}
	var vals []any
	for _, r := range rows {
		v, err := eval(c.Args[0], r)
		if err != nil {
			return nil, err
		}
		if isMulti(v) {
			return nil, fmt.Errorf("%s of a multi-valued column", c.Name)
		}
		if v != nil {
			vals = append(vals, v)
		}
	}
	switch c.Name {
	case "COUNT":
		return int64(len(vals)), nil
	case "MIN", "MAX":
		var best any
		for _, v := range vals {
			if best == nil {
				best = v
				continue
			}
			op := "<"
			if c.Name == "MAX" {
				op = ">"
			}
			b, err := compare(op, v, best)
			if err != nil {
				return nil, err
			}
			if b == true {
				best = v
			}
		}
		return best, nil
	case "SUM", "AVG", "PERCENTILE":
		if len(vals) == 0 {
			return nil, nil
		}
		var nums []float64
		allLong := true
		var isum int64
		for _, v := range vals {
			switch n := v.(type) {
			case int64:
				isum += n
			case float64:
				allLong = false
			default:
				return nil, fmt.Errorf("%s of a %T", c.Name, v)
			}
			f, _ := toFloat(v)
			nums = append(nums, f)
		}
		switch c.Name {
		case "SUM":
			if allLong {
				return isum, nil // SUM of a long column is a long
			}
			var s float64
			for _, f := range nums {
				s += f
			}
			return s, nil
		case "AVG":
			var s float64
			for _, f := range nums {
				s += f
			}
			return s / float64(len(nums)), nil
		}
		if len(c.Args) != 2 {
			return nil, fmt.Errorf("PERCENTILE arity")
		}
		l, ok := c.Args[1].(*Lit)
		if !ok || l.Kind != LitNumber || l.Num < 0 || l.Num > 100 {
			return nil, fmt.Errorf("PERCENTILE's percentile is not a number in 0..100")
		}
		return percentile(nums, l.Num), nil
	}
	return nil, fmt.Errorf("aggregate %s", c.Name)
}

// percentile estimates ES|QL's PERCENTILE, a TDigest ("usually approximate", docs). For the small
// groups the tests build every value is its own centroid, and the digest interpolates linearly
// between the two values around rank p/100*(n-1) (the "linear" definition, R-7), so it can return
// a value between two observed ones; the evaluator's nearest-rank value is always an observed
// one. The backend warns, so a difference here is accepted and pinned.
// https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/aggregation-functions#esql-percentile
func percentile(nums []float64, p float64) float64 {
	s := slices.Clone(nums)
	slices.Sort(s)
	if len(s) == 1 {
		return s[0]
	}
	idx := p / 100 * float64(len(s)-1)
	lo := math.Floor(idx)
	hi := math.Ceil(idx)
	if lo == hi {
		return s[int(lo)]
	}
	w := idx - lo
	return s[int(lo)]*(1-w) + s[int(hi)]*w
}
