package translate

import (
	"strings"

	"github.com/entrasig/entrasig/rules"
)

// maxCorrelationDepth bounds chains of correlations (Resolve already rejects cycles; this keeps a
// pathological but acyclic chain from recursing without end).
const maxCorrelationDepth = 16

// correlation lowers a correlation document: each referenced rule (or nested correlation) is
// translated on its own, then group-by fields are resolved per reference through `aliases`.
func correlation(doc *rules.Document, filters []*rules.Document, depth int) (*Query, rules.Diagnostics) {
	l := &lowerer{path: doc.Path, schema: SignIn()}
	c := doc.Correlation
	if c == nil {
		l.errorf(doc.Pos, "correlation document without a correlation section")
		return nil, l.diags
	}
	if len(c.Rules) == 0 {
		l.errorf(doc.Pos, "correlation: no rules to correlate")
		return nil, l.diags
	}
	if depth > maxCorrelationDepth {
		l.errorf(doc.Pos, "correlation chain is deeper than %d levels", maxCorrelationDepth)
		return nil, l.diags
	}
	out := &Correlation{
		Type:         c.Type,
		Timespan:     c.Timespan,
		TimespanText: c.TimespanRaw,
		Conditions:   c.Conditions,
		Percentile:   c.Percentile,
		Generate:     c.Generate,
		Pos:          c.TypePos,
	}
	for _, ref := range c.Rules {
		t := ref.Target
		switch {
		case t == nil:
			l.errorf(ref.Pos, "correlation: %q does not name a loaded rule or correlation (give its file on the command line)", ref.Text)
			continue
		case t.Diags.HasErrors():
			l.errorf(ref.Pos, "correlation: the referenced %s %q (%s) has errors", t.Kind, ref.Text, t.Path)
			continue
		}
		var sub *Query
		var diags rules.Diagnostics
		switch t.Kind {
		case rules.KindRule:
			sub, diags = Translate(t, filters)
		case rules.KindCorrelation:
			sub, diags = correlation(t, filters, depth+1)
		default:
			l.errorf(ref.Pos, "correlation: %q is a %s; a correlation references rules or correlations", ref.Text, t.Kind)
			continue
		}
		l.diags = append(l.diags, diags...)
		if sub == nil {
			if !diags.HasErrors() {
				l.errorf(ref.Pos, "correlation: the referenced %s %q could not be translated", t.Kind, ref.Text)
			}
			continue
		}
		for _, w := range sub.Warnings {
			if w.Path == "" && t.Path != doc.Path {
				w.Path = t.Path
			}
			l.warnings = append(l.warnings, w)
		}
		out.Rules = append(out.Rules, sub)
		out.RuleNames = append(out.RuleNames, ref.Text)
	}
	if l.diags.HasErrors() {
		return nil, l.diags
	}
	for _, g := range c.GroupBy {
		out.GroupBy = append(out.GroupBy, l.corrField(c, g, out))
	}
	if c.Type == "temporal_ordered" && len(c.Conditions) > 0 {
		// A group exists only when at least one rule has events, so counts 1..n are what a condition
		// can see; it must hold exactly for n (all rules, in order).
		n := len(out.Rules)
		for k := 1; k <= n; k++ {
			if Holds(c.Conditions, float64(k)) != (k == n) {
				l.errorf(c.Conditions[0].Pos, "correlation: temporal_ordered matches when all %d rules occur in order; a condition that accepts fewer rules has no ordered meaning (remove it, or use temporal)", n)
				break
			}
		}
	}
	switch {
	case strings.HasPrefix(c.Type, "value_") && len(c.Fields) == 0:
		l.errorf(c.TypePos, "correlation: %s needs `condition: field:`", c.Type)
	case len(c.Fields) > 1:
		l.errorf(c.Fields[1].Pos, "correlation: %s over several fields is not defined by Sigma; name one field", c.Type)
	case len(c.Fields) == 1:
		f := l.corrField(c, c.Fields[0], out)
		for i, src := range f.PerRule {
			if src.Field == nil && src.Column != "" {
				l.errorf(c.Fields[0].Pos, "correlation: %s cannot aggregate a field of the nested correlation %q", c.Type, out.RuleNames[i])
				continue
			}
			if src.Field != nil && c.Type != "value_count" && !summable(src.Field) {
				l.errorf(c.Fields[0].Pos, "correlation: %s needs a numeric field; %s is not numeric", c.Type, src.Field.Name)
			}
		}
		out.Fields = []CorrField{f}
	}
	if l.diags.HasErrors() {
		return nil, l.diags
	}
	return &Query{
		Path:        doc.Path,
		Title:       doc.Meta.Title,
		ID:          doc.Meta.ID,
		Level:       doc.Meta.Level,
		Warnings:    l.warnings,
		Correlation: out,
	}, l.diags
}

// Holds reports whether v satisfies every threshold of a correlation condition (they are ANDed, so
// several make a range).
func Holds(ts []rules.Threshold, v float64) bool {
	for _, t := range ts {
		var ok bool
		switch t.Op {
		case "gt":
			ok = v > t.Value
		case "gte":
			ok = v >= t.Value
		case "lt":
			ok = v < t.Value
		case "lte":
			ok = v <= t.Value
		case "eq":
			ok = v == t.Value
		case "neq":
			ok = v != t.Value
		}
		if !ok {
			return false
		}
	}
	return true
}

// summable reports whether value_sum/value_avg/value_percentile can aggregate f: numbers, or text
// columns that hold numbers (backends convert them).
func summable(f *Field) bool {
	return f.Type == TypeLong || f.Type == TypeReal || f.Type == TypeString
}

// corrField resolves one group-by (or value) name for every referenced rule, through aliases.
func (l *lowerer) corrField(c *rules.Correlation, name rules.Name, out *Correlation) CorrField {
	cf := CorrField{Name: name.Text, Pos: name.Pos}
	var alias *rules.Alias
	for i := range c.Aliases {
		if c.Aliases[i].Name == name.Text {
			alias = &c.Aliases[i]
		}
	}
	for i, sub := range out.Rules {
		fieldName, pos := name.Text, name.Pos
		if alias != nil {
			found := false
			for _, af := range alias.Fields {
				if refersTo(af.Rule, c.Rules[i], sub) {
					fieldName, pos, found = af.Field.Text, af.Field.Pos, true
				}
			}
			if !found {
				l.errorf(alias.Pos, "correlation: alias %q gives no field for %q", alias.Name, out.RuleNames[i])
				cf.PerRule = append(cf.PerRule, CorrSource{})
				continue
			}
		}
		if sub.Correlation != nil {
			if !groupsBy(sub.Correlation, fieldName) {
				l.errorf(pos, "correlation: the nested correlation %q does not group by %q", out.RuleNames[i], fieldName)
			}
			cf.PerRule = append(cf.PerRule, CorrSource{Column: fieldName})
			continue
		}
		res, err := l.schema.Resolve(fieldName)
		if err != nil {
			l.errorf(pos, "%v", err)
			cf.PerRule = append(cf.PerRule, CorrSource{})
			continue
		}
		if res.Warning != "" {
			l.warnf(pos, "%s", res.Warning)
		}
		present := false
		for _, leg := range sub.Legs {
			if res.Field.Tables.Has(leg.Table.ID) {
				present = true
			}
		}
		if !present {
			l.errorf(pos, "correlation: %s is not a column of any table %q routes to, so its events have no %s", res.Field.Name, out.RuleNames[i], name.Text)
		}
		cf.PerRule = append(cf.PerRule, CorrSource{Field: res.Field})
	}
	return cf
}

// refersTo reports whether an alias's rule reference names the i-th referenced rule.
func refersTo(aliasRule rules.Ref, ref rules.Ref, sub *Query) bool {
	if aliasRule.Target != nil && ref.Target != nil {
		return aliasRule.Target == ref.Target
	}
	return aliasRule.Text == ref.Text || (sub.ID != "" && aliasRule.Text == sub.ID)
}

func groupsBy(c *Correlation, name string) bool {
	for _, g := range c.GroupBy {
		if g.Name == name {
			return true
		}
	}
	return false
}
