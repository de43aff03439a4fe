package rules

import (
	"fmt"
	"sort"
	"strings"
)

// Resolve links every reference of the given files: correlation `rules:`, the rule names of
// correlation aliases, and filter `rules:`. A reference matches a document's id first, then its
// name. Problems become errors on the referencing document: unknown references (with a
// did-you-mean), references matching several documents (unless exactly one of them is in the
// referencing document's own file, which then wins), references to the wrong kind of document
// (a filter, or for filters anything but a rule), alias rules without a `name:`, and correlation
// cycles (chains of correlations are allowed). Resolve sets Ref.Target; call it once per set of
// files.
func Resolve(files []*File) {
	byID := map[string][]*Document{}
	byName := map[string][]*Document{}
	var names []string
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, d := range f.Docs {
			if d.Meta.ID != "" {
				byID[d.Meta.ID] = append(byID[d.Meta.ID], d)
			}
			if d.Meta.Name != "" {
				if len(byName[d.Meta.Name]) == 0 {
					names = append(names, d.Meta.Name)
				}
				byName[d.Meta.Name] = append(byName[d.Meta.Name], d)
			}
		}
	}
	sort.Strings(names)
	lookup := func(ref *Ref, from *Document) (*Document, string) {
		cands := byID[ref.Text]
		via := "id"
		if len(cands) == 0 {
			cands = byName[ref.Text]
			via = "name"
		}
		switch len(cands) {
		case 0:
			return nil, "unknown rule " + quoteSuggest(ref.Text, names)
		case 1:
			return cands[0], via
		}
		// Several files define the same name (common when a directory of rule files is loaded):
		// a document in the referencing file wins, as the file bundles what it refers to.
		var local []*Document
		for _, d := range cands {
			if d.Path == from.Path {
				local = append(local, d)
			}
		}
		if len(local) == 1 {
			return local[0], via
		}
		locs := make([]string, len(cands))
		for i, d := range cands {
			locs[i] = fmt.Sprintf("%s:%s", d.Path, d.Pos)
		}
		return nil, fmt.Sprintf("ambiguous reference %q: the %s of %d documents (%s)", ref.Text, via, len(cands), strings.Join(locs, ", "))
	}
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, d := range f.Docs {
			c := &docCtx{f: f, diags: &d.Diags, errs: len(d.Diags.Errors()), warns: len(d.Diags.Warnings())}
			switch {
			case d.Correlation != nil:
				cr := d.Correlation
				for i := range cr.Rules {
					r := &cr.Rules[i]
					t, msg := lookup(r, d)
					if t == nil {
						c.errorf(r.Pos, "correlation rules: %s", msg)
						continue
					}
					if t == d {
						c.errorf(r.Pos, "correlation rules: %q refers to this correlation itself", r.Text)
						continue
					}
					if t.Kind == KindFilter {
						c.errorf(r.Pos, "correlation rules: %q is a filter, not a rule or correlation", r.Text)
						continue
					}
					r.Target = t
				}
				for ai := range cr.Aliases {
					a := &cr.Aliases[ai]
					for fi := range a.Fields {
						r := &a.Fields[fi].Rule
						t, msg := lookup(r, d)
						if t == nil {
							c.errorf(r.Pos, "alias %q: %s", a.Name, msg)
							continue
						}
						r.Target = t
						if t.Meta.Name == "" {
							c.errorf(r.Pos, "alias %q: rule %q has no name (aliases refer to rules by their name:)", a.Name, r.Text)
						}
					}
				}
			case d.Filter != nil:
				for i := range d.Filter.Rules {
					r := &d.Filter.Rules[i]
					t, msg := lookup(r, d)
					if t == nil {
						c.errorf(r.Pos, "filter rules: %s", msg)
						continue
					}
					if t.Kind != KindRule {
						c.errorf(r.Pos, "filter rules: %q is a %s; filters apply to rules", r.Text, t.Kind)
						continue
					}
					r.Target = t
				}
			}
		}
	}
	findCycles(files)
}

// findCycles reports each correlation cycle once, on the reference that closes it.
func findCycles(files []*File) {
	const (
		white = iota
		grey
		black
	)
	state := map[*Document]int{}
	fileOf := map[*Document]*File{}
	var order []*Document
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, d := range f.Docs {
			if d.Correlation != nil {
				order = append(order, d)
				fileOf[d] = f
			}
		}
	}
	var stack []*Document
	var visit func(d *Document)
	visit = func(d *Document) {
		state[d] = grey
		stack = append(stack, d)
		for i := range d.Correlation.Rules {
			r := &d.Correlation.Rules[i]
			t := r.Target
			if t == nil || t.Correlation == nil {
				continue
			}
			switch state[t] {
			case white:
				visit(t)
			case grey:
				var chain []string
				start := 0
				for k, s := range stack {
					if s == t {
						start = k
					}
				}
				for _, s := range stack[start:] {
					chain = append(chain, docLabel(s))
				}
				chain = append(chain, docLabel(t))
				c := &docCtx{f: fileOf[d], diags: &d.Diags, errs: len(d.Diags.Errors())}
				c.errorf(r.Pos, "correlation cycle: %s", strings.Join(chain, " -> "))
				r.Target = nil
			}
		}
		stack = stack[:len(stack)-1]
		state[d] = black
	}
	for _, d := range order {
		if state[d] == white {
			visit(d)
		}
	}
}

func docLabel(d *Document) string {
	switch {
	case d.Meta.Name != "":
		return d.Meta.Name
	case d.Meta.ID != "":
		return d.Meta.ID
	}
	return fmt.Sprintf("%s:%s", d.Path, d.Pos)
}
