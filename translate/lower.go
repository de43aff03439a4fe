package translate

import (
	"fmt"
	"strings"

	"github.com/entrasig/entrasig/rules"
)

// maxErrors caps the errors collected for one rule.
const maxErrors = 20

// lowerer carries the state of translating one document.
type lowerer struct {
	path     string
	schema   *Schema
	diags    rules.Diagnostics
	warnings []Warning
}

func (l *lowerer) errorf(pos rules.Pos, format string, args ...any) {
	if len(l.diags) >= maxErrors {
		return
	}
	l.diags = append(l.diags, rules.Diagnostic{Path: l.path, Pos: pos, Severity: rules.SevError, Msg: fmt.Sprintf(format, args...)})
}

func (l *lowerer) warnf(pos rules.Pos, format string, args ...any) {
	l.warnings = append(l.warnings, Warning{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Translate lowers a rule document to a Query over the sign-in schema. filters are candidate
// filter documents: each one whose `rules:` names doc (by resolved target, id or name) is applied
// as `(rule) and (filter condition)`, and its logsource must route to the same tables. Errors are
// returned as positioned diagnostics (all of the rule's, capped) and then the Query is nil.
// Warnings (aliases, spelling fixes, semantic mappings) are in Query.Warnings.
func Translate(doc *rules.Document, filters []*rules.Document) (*Query, rules.Diagnostics) {
	l := &lowerer{path: doc.Path, schema: SignIn()}
	switch doc.Kind {
	case rules.KindRule:
	case rules.KindCorrelation:
		return correlation(doc, filters, 0)
	case rules.KindFilter:
		l.errorf(doc.Pos, "a filter document is applied to the rules it names; it is not translated on its own")
		return nil, l.diags
	default:
		l.errorf(doc.Pos, "document is neither a rule, a correlation nor a filter")
		return nil, l.diags
	}
	if doc.Rule == nil {
		l.errorf(doc.Pos, "rule document without a detection")
		return nil, l.diags
	}
	set, pos, err := Route(doc.Rule.Logsource)
	if err != nil {
		l.errorf(pos, "%v", err)
	}
	where := l.detection(&doc.Rule.Detection)
	for _, f := range filters {
		if f == nil || f.Kind != rules.KindFilter || f.Filter == nil || !filterTargets(f.Filter, doc) {
			continue
		}
		fl := &lowerer{path: f.Path, schema: l.schema}
		if f.Diags.HasErrors() {
			// Skipping a broken filter would widen the rule: fail it instead.
			l.errorf(doc.Pos, "the filter %s (document %d) applies to this rule but has errors", f.Path, f.Index+1)
			continue
		}
		fset, fpos, ferr := Route(f.Filter.Logsource)
		if ferr != nil {
			fl.errorf(fpos, "%v", ferr)
		} else if err == nil && fset != set {
			p := f.Filter.Logsource.Pos
			if !p.IsValid() {
				p = f.Pos
			}
			fl.errorf(p, "filter logsource routes to %s, but the rule it filters (%s) routes to %s", tableNames(fset), doc.Path, tableNames(set))
		}
		fw := fl.detection(&f.Filter.Detection)
		l.diags = append(l.diags, fl.diags...)
		l.warnings = append(l.warnings, fl.warnings...)
		if where != nil && fw != nil {
			where = &And{Args: []Expr{where, fw}}
		}
	}
	if l.diags.HasErrors() || where == nil {
		return nil, l.diags
	}
	where = simplify(where)
	q := &Query{
		Path:     doc.Path,
		Title:    doc.Meta.Title,
		ID:       doc.Meta.ID,
		Level:    doc.Meta.Level,
		Tables:   tablesOf(set),
		Where:    where,
		Warnings: l.warnings,
	}
	for _, t := range q.Tables {
		w := simplify(fold(where, t.ID))
		if c, ok := w.(*Const); ok && !c.Value {
			continue
		}
		q.Legs = append(q.Legs, Leg{Table: t, Where: w})
	}
	if len(q.Legs) == 0 {
		l.neverMatches(q)
		return nil, l.diags
	}
	return q, nil
}

// filterTargets reports whether a filter's `rules:` names doc.
func filterTargets(f *rules.Filter, doc *rules.Document) bool {
	for _, r := range f.Rules {
		if r.Target != nil {
			if r.Target == doc {
				return true
			}
			continue
		}
		if r.Text != "" && (r.Text == doc.Meta.ID || r.Text == doc.Meta.Name) {
			return true
		}
	}
	return false
}

func tableNames(set TableSet) string {
	var names []string
	for _, t := range tablesOf(set) {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

// neverMatches reports the all-legs-false error: for each routed table, the first field (in rule
// order) that the table lacks; one error per such field, listing its tables.
func (l *lowerer) neverMatches(q *Query) {
	type cause struct {
		m      *Match
		name   string
		tables TableSet
	}
	var causes []*cause
	for _, t := range q.Tables {
		m, name := firstAbsent(q.Where, t.ID)
		if m == nil {
			l.errorf(rules.Pos{}, "the rule can never match on %s", t.Name)
			continue
		}
		found := false
		for _, c := range causes {
			if c.m == m && c.name == name {
				c.tables |= 1 << t.ID
				found = true
			}
		}
		if !found {
			causes = append(causes, &cause{m: m, name: name, tables: 1 << t.ID})
		}
	}
	for _, c := range causes {
		l.errorf(c.m.Pos, "the rule can never match: %s is not a column of %s", c.name, tableNames(c.tables))
	}
}

// firstAbsent finds the first Match (depth-first, rule order) whose field or referenced field the
// table lacks.
func firstAbsent(e Expr, t TableID) (*Match, string) {
	switch e := e.(type) {
	case *And:
		for _, a := range e.Args {
			if m, n := firstAbsent(a, t); m != nil {
				return m, n
			}
		}
	case *Or:
		for _, a := range e.Args {
			if m, n := firstAbsent(a, t); m != nil {
				return m, n
			}
		}
	case *Not:
		return firstAbsent(e.Arg, t)
	case *Match:
		if !e.Field.Tables.Has(t) {
			return e, e.Field.Name
		}
		if e.Ref != nil && !e.Ref.Tables.Has(t) {
			return e, e.Ref.Name
		}
	}
	return nil, ""
}

// detection lowers the searches (all of them, in YAML order, so every error is reported) and the
// condition.
func (l *lowerer) detection(d *rules.Detection) Expr {
	searches := map[string]Expr{}
	for _, s := range d.Searches {
		if e := l.search(s); e != nil {
			searches[s.Name] = e
		}
	}
	if len(d.Conditions) == 0 {
		l.errorf(d.Pos, "detection has no condition")
		return nil
	}
	var items []Expr
	for _, c := range d.Conditions {
		items = append(items, l.cond(c, d, searches))
	}
	for _, it := range items {
		if it == nil {
			return nil
		}
	}
	return orOf(items)
}

func andOf(args []Expr) Expr {
	if len(args) == 1 {
		return args[0]
	}
	return &And{Args: args}
}

func orOf(args []Expr) Expr {
	if len(args) == 1 {
		return args[0]
	}
	return &Or{Args: args}
}

// cond lowers a condition node; nil when a referenced search failed or is unknown.
func (l *lowerer) cond(c rules.Cond, d *rules.Detection, searches map[string]Expr) Expr {
	switch c := c.(type) {
	case *rules.CondAnd, *rules.CondOr:
		var cargs []rules.Cond
		if a, ok := c.(*rules.CondAnd); ok {
			cargs = a.Args
		} else {
			cargs = c.(*rules.CondOr).Args
		}
		var args []Expr
		ok := true
		for _, a := range cargs {
			e := l.cond(a, d, searches)
			ok = ok && e != nil
			args = append(args, e)
		}
		if !ok {
			return nil
		}
		if _, isAnd := c.(*rules.CondAnd); isAnd {
			return andOf(args)
		}
		return orOf(args)
	case *rules.CondNot:
		e := l.cond(c.Arg, d, searches)
		if e == nil {
			return nil
		}
		return &Not{Arg: e}
	case *rules.CondIdent:
		return l.ident(c.Name, c.Pos, d, searches)
	case *rules.CondOf:
		if len(c.Names) == 0 {
			l.errorf(c.Pos, "condition: %q matches no search identifier", c.Pattern)
			return nil
		}
		var args []Expr
		for _, n := range c.Names {
			e := l.ident(n, c.Pos, d, searches)
			if e == nil {
				return nil
			}
			args = append(args, e)
		}
		if c.Quant == rules.QuantAll {
			return andOf(args)
		}
		return orOf(args)
	}
	l.errorf(rules.Pos{}, "condition: unknown node %T", c)
	return nil
}

func (l *lowerer) ident(name string, pos rules.Pos, d *rules.Detection, searches map[string]Expr) Expr {
	if e, ok := searches[name]; ok {
		return e
	}
	if d.SearchByName(name) == nil {
		l.errorf(pos, "condition: unknown search identifier %q", name)
	}
	return nil // the search itself failed and reported why
}

// search lowers one named search: a map is AND, a list of maps OR of ANDs, keywords OR.
func (l *lowerer) search(s *rules.Search) Expr {
	switch s.Kind {
	case rules.SearchKeywords:
		if s.Keywords == nil {
			l.errorf(s.Pos, "search %q has no keywords", s.Name)
			return nil
		}
		return l.keywords(s.Keywords)
	case rules.SearchMap, rules.SearchMapList:
		var alts []Expr
		ok := true
		for _, m := range s.Maps {
			if len(m) == 0 {
				l.errorf(s.Pos, "search %q has an empty map", s.Name)
				ok = false
				continue
			}
			var args []Expr
			for _, fm := range m {
				e := l.fieldMatch(fm)
				ok = ok && e != nil
				args = append(args, e)
			}
			alts = append(alts, andOf(args))
		}
		if !ok {
			return nil
		}
		if len(alts) == 0 {
			l.errorf(s.Pos, "search %q is empty", s.Name)
			return nil
		}
		return orOf(alts)
	}
	l.errorf(s.Pos, "search %q has an unknown shape", s.Name)
	return nil
}
