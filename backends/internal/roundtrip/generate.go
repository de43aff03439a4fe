package roundtrip

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// Limits keep generated streams small enough to interpret for every rule and target.
const (
	maxCandidates = 48   // values tried per field
	maxEvents     = 1500 // events per generated detection stream
)

// baseTime is the time of generated detection events: a Friday, 10:00 UTC, ISO week 48.
var baseTime = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// Generate builds one stream per sign-in table for the detection query q, meant to expose every
// way a target can differ from Sigma's meaning: a base event that gives each field of the rule its
// first candidate value, then one event per (field, candidate) with that field changed. A field's
// candidates come from the rule's own tests of it: each pattern instantiated with its wildcards
// empty and filled with metacharacters (`*?%_\` and a non-ASCII letter), in upper, lower and swapped
// case, with a character added before and after and with the last one dropped; a sample string of
// each regex and its variants (case, a leading newline); the edges of each CIDR prefix and a
// non-address; numbers around each threshold; time parts around their value; the referenced
// field's value (and variants) for field references; and always the field absent, null and "".
// Tables the query does not read get the same events (a target must not match them), and a table
// lacks the columns it does not have, so fields present in one table only are exercised.
func Generate(q *translate.Query) []Stream {
	if q.Correlation != nil {
		return nil
	}
	cands := candidates(q)
	prog, _ := evaluate.Compile(q) // nil when the evaluator cannot run the rule (then no search)
	var out []Stream
	for _, t := range translate.SignIn().Tables() {
		s := Stream{Name: "generated " + t.Name}
		base := matchingBase(prog, t, cands, q)
		// The base, then the event without any of the rule's fields (a negative for most rules).
		s.Events = append(s.Events, base, Event{"TimeGenerated": base["TimeGenerated"], "Type": t.Name})
		for _, fc := range cands {
			if !fc.field.Tables.Has(t.ID) {
				continue
			}
			for _, c := range fc.values {
				if len(s.Events) >= maxEvents {
					break
				}
				e := clone(base)
				apply(e, fc.field, c)
				s.Events = append(s.Events, e)
			}
		}
		out = append(out, s)
	}
	return out
}

type candidate struct {
	value  any
	absent bool
	time   *time.Time // set for time-part candidates of TimeGenerated
}

type fieldCands struct {
	field  *translate.Field
	values []candidate
	seen   map[string]bool
	mins   []string // the minimal instance of each string pattern tested
}

func (fc *fieldCands) add(c candidate) {
	if len(fc.values) >= maxCandidates {
		return
	}
	key := fmt.Sprintf("%T:%v:%t", c.value, c.value, c.absent)
	if c.time != nil {
		key = c.time.String()
	}
	if fc.seen[key] {
		return
	}
	fc.seen[key] = true
	fc.values = append(fc.values, c)
}

func (fc *fieldCands) addString(s string) {
	fc.add(candidate{value: typed(fc.field, s)})
}

// typed gives a candidate string the JSON type the field has in Sentinel data: numbers for
// numeric columns when the text is a JSON number, bools for bool columns when it is one.
func typed(f *translate.Field, s string) any {
	switch f.Type {
	case translate.TypeLong, translate.TypeReal:
		if json.Valid([]byte(s)) && s != "" && !strings.ContainsAny(s, "\"tfn[{") {
			return json.Number(s)
		}
	case translate.TypeBool:
		if s == "true" || s == "false" {
			return s == "true"
		}
	}
	return s
}

// candidates walks every leg of q and collects, per field in order of first appearance, the
// values that probe its tests.
func candidates(q *translate.Query) []*fieldCands {
	var order []*fieldCands
	by := map[string]*fieldCands{}
	get := func(f *translate.Field) *fieldCands {
		if fc, ok := by[f.Name]; ok {
			return fc
		}
		fc := &fieldCands{field: f, seen: map[string]bool{}}
		by[f.Name] = fc
		order = append(order, fc)
		return fc
	}
	var walk func(e translate.Expr)
	walk = func(e translate.Expr) {
		switch e := e.(type) {
		case *translate.And:
			for _, a := range e.Args {
				walk(a)
			}
		case *translate.Or:
			for _, a := range e.Args {
				walk(a)
			}
		case *translate.Not:
			walk(e.Arg)
		case *translate.Match:
			matchCandidates(get(e.Field), e, get)
		}
	}
	for _, leg := range q.Legs {
		walk(leg.Where)
	}
	for _, fc := range order {
		if fc.field.Name == "TimeGenerated" {
			continue // every event has its time
		}
		fc.add(candidate{absent: true})
		fc.add(candidate{value: nil})
		fc.add(candidate{value: ""})
		// All minimal instances joined: satisfies `|all` lists of contains.
		if len(fc.mins) > 1 {
			fc.addString(strings.Join(fc.mins[:min(len(fc.mins), 8)], " "))
		}
	}
	return order
}

func matchCandidates(fc *fieldCands, m *translate.Match, get func(*translate.Field) *fieldCands) {
	if m.TimePart != "" {
		for _, v := range m.Values {
			for _, d := range []float64{0, -1, 1} {
				if t, ok := withPart(m.TimePart, v.Num+d); ok {
					if fc.field.Name == "TimeGenerated" {
						fc.add(candidate{time: &t})
					} else {
						fc.addString(t.Format(time.RFC3339))
					}
				}
			}
		}
		return
	}
	switch m.Op {
	case translate.OpEq:
		for _, v := range m.Values {
			if v.Kind != rules.ValString {
				fc.addString(v.Raw)
				if v.Kind == rules.ValBool {
					fc.addString(strings.ToUpper(v.Raw))
				} else {
					fc.addString(v.Raw + "1")
				}
				continue
			}
			samples := patternSamples(v.Segs)
			fc.mins = append(fc.mins, samples[0])
			for _, s := range samples {
				fc.addString(s)
			}
		}
	case translate.OpRegex:
		for _, v := range m.Values {
			re, err := syntax.Parse(v.Regex, syntax.Perl)
			if err != nil {
				continue
			}
			s := sample(re)
			for _, x := range []string{s, swapCase(s), strings.ToUpper(s), "x" + s + "x", "\n" + s, s + "\n", ""} {
				fc.addString(x)
			}
		}
	case translate.OpCIDR:
		for _, v := range m.Values {
			for _, s := range cidrSamples(v.Prefix) {
				fc.addString(s)
			}
		}
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		for _, v := range m.Values {
			for _, d := range []float64{-1, 0, 1, -0.5} {
				fc.add(candidate{value: json.Number(strconv.FormatFloat(v.Num+d, 'g', -1, 64))})
			}
			fc.addString("not a number")
		}
	case translate.OpNull, translate.OpExists:
		fc.addString("x")
	case translate.OpFieldRef:
		ref := get(m.Ref)
		for _, s := range []string{"Ref-Value", "ref-value", "Ref-Value.x", "x.Ref-Value", "x.Ref-Value.x"} {
			fc.addString(s)
		}
		ref.addString("Ref-Value")
		ref.addString("REF-VALUE")
	}
}

// patternSamples are strings that probe a Sigma pattern: minimal and metacharacter-filled
// instances, case variants, and near misses.
func patternSamples(segs []rules.Segment) []string {
	inst := func(star, question string) string {
		var b strings.Builder
		for _, s := range segs {
			switch s.Kind {
			case rules.SegStar:
				b.WriteString(star)
			case rules.SegQuestion:
				b.WriteString(question)
			default:
				b.WriteString(s.Text)
			}
		}
		return b.String()
	}
	min := inst("", "x")
	meta := inst(`a*?%_\[`, "é")
	out := []string{min, meta, inst("", "ÿ"), swapCase(min), strings.ToUpper(min), strings.ToLower(min),
		swapCase(meta), "x" + min, min + "x", "x" + min + "x", compat(min)}
	if r := []rune(min); len(r) > 0 {
		out = append(out, string(r[:len(r)-1]), string(r[1:]))
	}
	out = append(out, inst("", ""), inst("\n", "\n"))
	return out
}

// compat writes k and s as the Kelvin sign and the long s, which Unicode folds to them but
// translate.FoldEq (Sigma's case-insensitivity in entrasig) does not: a target whose case folding
// goes beyond ASCII there selects them.
func compat(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'k', 'K':
			return '\u212a'
		case 's', 'S':
			return '\u017f'
		}
		return r
	}, s)
}

// swapCase swaps the case of every letter.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return unicode.ToLower(r)
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}

// sample returns a short string that re matches (unanchored), built from the first branch of
// every choice.
func sample(re *syntax.Regexp) string {
	var b strings.Builder
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			b.WriteString(string(r.Rune))
		case syntax.OpCharClass:
			if len(r.Rune) > 0 {
				c := r.Rune[0]
				for x := r.Rune[0]; x <= r.Rune[1] && x < r.Rune[0]+128; x++ {
					if unicode.IsPrint(x) {
						c = x
						break
					}
				}
				b.WriteRune(c)
			}
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpPlus:
			walk(r.Sub[0])
		case syntax.OpRepeat:
			for range min(r.Min, 16) {
				walk(r.Sub[0])
			}
		case syntax.OpConcat, syntax.OpCapture:
			for _, s := range r.Sub {
				walk(s)
			}
		case syntax.OpAlternate:
			walk(r.Sub[0])
		}
	}
	walk(re)
	return b.String()
}

// cidrSamples are the first and last address of p, the addresses just outside it, and a value
// that is not an address.
func cidrSamples(p netip.Prefix) []string {
	p = p.Masked()
	first := p.Addr()
	last := first
	bits := first.BitLen() - p.Bits()
	b := last.AsSlice()
	for i := len(b) - 1; i >= 0 && bits > 0; i-- {
		n := min(bits, 8)
		b[i] |= byte(1<<n - 1)
		bits -= n
	}
	last, _ = netip.AddrFromSlice(b)
	out := []string{first.String(), last.String()}
	if n := last.Next(); n.IsValid() {
		out = append(out, n.String())
	}
	if pr := first.Prev(); pr.IsValid() {
		out = append(out, pr.String())
	}
	return append(out, "not-an-ip", first.String()+"x")
}

// partTime is the reference time of time-part candidates: no part of it is at an edge (minute
// 30, hour 10, day 18, ISO week 25, month 6, year 2025), so a candidate changes one part only.
var partTime = time.Date(2025, 6, 18, 10, 30, 0, 0, time.UTC)

// withPart returns partTime with one part set to v, when v is a valid value of it.
func withPart(part string, v float64) (time.Time, bool) {
	if v != math.Trunc(v) {
		return time.Time{}, false
	}
	n := int(v)
	t := partTime
	var r time.Time
	switch part {
	case "minute":
		r = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), n, 0, 0, time.UTC)
		return r, n >= 0 && n < 60
	case "hour":
		r = time.Date(t.Year(), t.Month(), t.Day(), n, t.Minute(), 0, 0, time.UTC)
		return r, n >= 0 && n < 24
	case "day":
		r = time.Date(t.Year(), t.Month(), n, t.Hour(), t.Minute(), 0, 0, time.UTC)
		return r, n >= 1 && n <= 30
	case "month":
		r = time.Date(t.Year(), time.Month(n), 18, t.Hour(), t.Minute(), 0, 0, time.UTC)
		return r, n >= 1 && n <= 12
	case "year":
		r = time.Date(n, t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
		return r, n >= 1971 && n < 9999
	case "week":
		// Wednesday of ISO week n of 2025 (ISO week 1 of 2025 starts on Monday 2024-12-30).
		r = time.Date(2025, 1, 1, t.Hour(), t.Minute(), 0, 0, time.UTC).AddDate(0, 0, 7*(n-1))
		return r, n >= 1 && n <= 53
	}
	return time.Time{}, false
}

// matchingBase is an event of t meant to match the rule: each field gets its first candidate that
// passes every test the rule makes of it in a positive position (not under a not), as the
// evaluator decides one Match at a time; when the whole rule (prog) still rejects it, the first
// event one candidate away that matches. Most generated events are then near misses of a match.
func matchingBase(prog *evaluate.Program, t *translate.Table, cands []*fieldCands, q *translate.Query) Event {
	var where translate.Expr
	for _, leg := range q.Legs {
		if leg.Table.ID == t.ID {
			where = leg.Where
		}
	}
	positive := map[string][]*evaluate.Program{}
	var walk func(e translate.Expr, neg bool)
	walk = func(e translate.Expr, neg bool) {
		switch e := e.(type) {
		case *translate.And:
			for _, a := range e.Args {
				walk(a, neg)
			}
		case *translate.Or:
			for _, a := range e.Args {
				walk(a, neg)
			}
		case *translate.Not:
			walk(e.Arg, !neg)
		case *translate.Match:
			if neg {
				return
			}
			one := &translate.Query{Path: q.Path, Tables: []*translate.Table{t}, Where: e, Legs: []translate.Leg{{Table: t, Where: e}}}
			if p, err := evaluate.Compile(one); err == nil {
				positive[e.Field.Name] = append(positive[e.Field.Name], p)
			}
		}
	}
	if where != nil {
		walk(where, false)
	}
	base := Event{"TimeGenerated": baseTime.Format(time.RFC3339), "Type": t.Name}
	for _, fc := range cands {
		if !fc.field.Tables.Has(t.ID) {
			continue
		}
		chosen := -1
		for i, c := range fc.values {
			if c.absent || c.value == nil || c.value == "" {
				continue
			}
			if chosen < 0 {
				chosen = i // the first present value, when none passes
			}
			e := clone(base)
			apply(e, fc.field, c)
			ok := true
			for _, p := range positive[fc.field.Name] {
				ok = ok && matches(p, e)
			}
			if ok {
				chosen = i
				break
			}
		}
		if chosen >= 0 {
			apply(base, fc.field, fc.values[chosen])
		}
	}
	if prog == nil || matches(prog, base) {
		return base
	}
	for _, fc := range cands {
		if !fc.field.Tables.Has(t.ID) {
			continue
		}
		for _, c := range fc.values {
			e := clone(base)
			apply(e, fc.field, c)
			if matches(prog, e) {
				return e
			}
		}
	}
	return base
}

// apply sets one candidate on an event.
func apply(e Event, f *translate.Field, c candidate) {
	if c.time != nil {
		e["TimeGenerated"] = c.time.Format(time.RFC3339)
		return
	}
	setField(e, f, c.value, c.absent)
}

func matches(prog *evaluate.Program, e Event) bool {
	ev, err := evaluate.NewEvent(map[string]any(e), "")
	return err == nil && prog.Match(ev)
}

// baseEvent is an event of table t with every field of cands (that t has) set to its first
// present, non-empty candidate.
func baseEvent(t *translate.Table, cands []*fieldCands) Event {
	e := Event{"TimeGenerated": baseTime.Format(time.RFC3339), "Type": t.Name}
	for _, fc := range cands {
		if !fc.field.Tables.Has(t.ID) {
			continue
		}
		for _, c := range fc.values {
			if c.time != nil {
				e["TimeGenerated"] = c.time.Format(time.RFC3339)
				break
			}
			if !c.absent && c.value != nil && c.value != "" {
				setField(e, fc.field, c.value, false)
				break
			}
		}
	}
	return e
}

// setField sets (or with absent removes) a canonical field: a column, or a key under a dynamic
// column's object.
func setField(e Event, f *translate.Field, v any, absent bool) {
	if len(f.Path) == 0 {
		if absent {
			delete(e, f.Column)
		} else {
			e[f.Column] = v
		}
		return
	}
	obj, ok := e[f.Column].(map[string]any)
	if !ok {
		if absent {
			return
		}
		obj = map[string]any{}
		e[f.Column] = obj
	}
	for _, k := range f.Path[:len(f.Path)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			if absent {
				return
			}
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	last := f.Path[len(f.Path)-1]
	if absent {
		delete(obj, last)
	} else {
		obj[last] = v
	}
}

// clone copies an event deeply enough for setField (nested objects are copied).
func clone(e Event) Event {
	c := make(Event, len(e))
	for k, v := range e {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	if m, ok := v.(map[string]any); ok {
		c := make(map[string]any, len(m))
		for k, x := range m {
			c[k] = cloneValue(x)
		}
		return c
	}
	return v
}

// GenerateCorrelation builds streams for the correlation q around a bucket boundary: for each
// referenced rule its base event, in groups A, B and an empty group, with distinct and repeated
// values of the aggregated field, spread over the end of one bucket and the start of the next,
// in reference order, in reverse order, and all at one instant.
func GenerateCorrelation(q *translate.Query) []Stream {
	c := q.Correlation
	if c == nil || c.Timespan <= 0 {
		return nil
	}
	span := c.Timespan
	boundary := time.Unix(0, 0).UTC().Add(baseTime.Sub(time.Unix(0, 0)).Truncate(span) + span)
	k := 3
	for _, th := range c.Conditions {
		if v := int(th.Value) + 2; v > k {
			k = v
		}
	}
	k = min(k, 40)
	groups := []string{"group-a", "group-b", ""}
	mk := func(name string, order []int, spread bool) Stream {
		s := Stream{Name: name}
		step := span / time.Duration(k+1)
		start := boundary.Add(-span / 2)
		n := 0
		for _, ri := range order {
			base := corrBase(c.Rules[ri])
			if base == nil {
				continue
			}
			for i := range k {
				for gi, g := range groups {
					e := clone(base)
					for _, gb := range c.GroupBy {
						if f := gb.PerRule[ri].Field; f != nil {
							setField(e, f, typed(f, label(f, g, gi)), g == "" && i%2 == 0)
						}
					}
					if len(c.Fields) > 0 {
						if f := c.Fields[0].PerRule[ri].Field; f != nil {
							val := strconv.Itoa(i % 3 * 7)
							if c.Type == "value_count" {
								val = label(f, "value-"+strconv.Itoa(i%(k-1)), 10+i%(k-1))
							}
							setField(e, f, typed(f, val), false)
						}
					}
					t := boundary
					if spread {
						t = start.Add(time.Duration(n) * step / time.Duration(max(1, len(order)*len(groups))))
					}
					e["TimeGenerated"] = t.Truncate(time.Second).Format(time.RFC3339)
					s.Events = append(s.Events, e)
					n++
				}
			}
		}
		return s
	}
	fwd := make([]int, len(c.Rules))
	rev := make([]int, len(c.Rules))
	for i := range c.Rules {
		fwd[i], rev[len(c.Rules)-1-i] = i, i
	}
	return []Stream{
		mk("generated: rules in order across a bucket boundary", fwd, true),
		mk("generated: rules in reverse order across a bucket boundary", rev, true),
		mk("generated: every event at one instant", fwd, false),
	}
}

// label is a group or value label as the field's type can hold it: an IP address field (Elastic
// maps IPAddress as ip, which keeps no value for other text) gets a documentation address numbered
// n, every other field the label itself ("" stays "").
func label(f *translate.Field, l string, n int) string {
	if l == "" || f.Type != translate.TypeIP {
		return l
	}
	return fmt.Sprintf("198.51.100.%d", n+1)
}

// corrBase is a matching event of a referenced rule (its first table's base event), or for a
// nested correlation the base of its first rule; nil when none can be built.
func corrBase(q *translate.Query) Event {
	if q.Correlation != nil {
		if len(q.Correlation.Rules) == 0 {
			return nil
		}
		return corrBase(q.Correlation.Rules[0])
	}
	if len(q.Tables) == 0 {
		return nil
	}
	return baseEvent(q.Tables[0], candidates(q))
}
