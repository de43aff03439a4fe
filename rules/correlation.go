package rules

// Correlation and filter documents.
//
// Correlation section keys (Sigma v2.1 correlation spec, pySigma): type, rules, group-by,
// timespan, condition, aliases, generate. Unknown keys inside `correlation:` are errors.
//   - type: event_count, value_count, temporal, temporal_ordered, value_sum, value_avg,
//     value_percentile.
//   - rules: one or more references by id or name (a string or a list of strings).
//   - group-by: a field name or a list of field names (optional, as in pySigma).
//   - timespan: `<n>s|m|h|d` with n > 0 (the spec's units; pySigma's w, M, y are rejected).
//   - condition: a map of gt, gte, lt, lte, eq, neq (several are ANDed into a range) with numeric
//     values; `field` (a string or a list) is required for value_* types and not allowed for the
//     others; `percentile` (0-100) is required for value_percentile. Required for event_count and
//     value_* types, optional for temporal types.
//   - aliases: `alias: {rule name: field}`; each rule named must be listed in rules.
//   - generate: a boolean (also accepted at the document's top level, where the JSON schema puts it).
//
// Filter section keys: rules (references), searches and condition, as in a detection.

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

var timespanRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+)([a-zA-Z]+)$`) })

// ParseTimespan parses a Sigma timespan `<n>s|m|h|d`.
func ParseTimespan(s string) (time.Duration, error) {
	m := timespanRE().FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("timespan %q is not a number followed by s, m, h or d (e.g. 10m)", clip(s, 40))
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("timespan %q must be a positive number of s, m, h or d", clip(s, 40))
	}
	var unit time.Duration
	switch m[2] {
	case "s":
		unit = time.Second
	case "m":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		return 0, fmt.Errorf("timespan %q: unknown unit %q (expected s, m, h or d)", clip(s, 40), clip(m[2], 10))
	}
	if n > int64(math.MaxInt64/unit) {
		return 0, fmt.Errorf("timespan %q is too long", clip(s, 40))
	}
	return time.Duration(n) * unit, nil
}

func correlationTypes() []string {
	return []string{"event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile"}
}

func loadRefs(c *docCtx, n *yaml.Node, what string) []Ref {
	if isNull(n) {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	} else if n.Kind != yaml.ScalarNode {
		c.errorf(posOf(n), "%s must be a rule id or name, or a list of them, got %s", what, kindName(n))
		return nil
	}
	var out []Ref
	seen := map[string]bool{}
	for _, it := range items {
		s, ok := scalarString(it)
		if !ok || s == "" {
			c.errorf(posOf(it), "%s: each entry must be a rule id or name, got %s", what, kindName(it))
			continue
		}
		if seen[s] {
			c.errorf(posOf(it), "%s: %q is listed twice", what, clip(s, 60))
			continue
		}
		seen[s] = true
		out = append(out, Ref{Text: s, Pos: posOf(it)})
	}
	return out
}

func loadNames(c *docCtx, n *yaml.Node, what string) []Name {
	if isNull(n) {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	} else if n.Kind != yaml.ScalarNode {
		c.errorf(posOf(n), "%s must be a field name or a list of field names, got %s", what, kindName(n))
		return nil
	}
	var out []Name
	for _, it := range items {
		s, ok := scalarString(it)
		if !ok || s == "" {
			c.errorf(posOf(it), "%s: each entry must be a field name, got %s", what, kindName(it))
			continue
		}
		out = append(out, Name{Text: s, Pos: posOf(it)})
	}
	return out
}

func loadCorrelation(c *docCtx, d *Document, root *yaml.Node) {
	cr := d.Correlation
	sec, key := mapGet(root, "correlation")
	cr.Pos = posOf(sec)
	if g, _ := mapGet(root, "generate"); g != nil {
		cr.Generate = loadBool(c, g, "generate")
	}
	if sec.Kind != yaml.MappingNode {
		c.errorf(posOf(sec), "correlation must be a mapping (type, rules, group-by, timespan, condition), got %s", kindName(sec))
		return
	}
	var condNode *yaml.Node
	var typeOK bool
	for i := 0; i+1 < len(sec.Content); i += 2 {
		k, v := sec.Content[i], sec.Content[i+1]
		switch k.Value {
		case "type":
			s, ok := scalarString(v)
			cr.TypePos = posOf(v)
			if !ok {
				c.errorf(posOf(v), "correlation type must be a string, got %s", kindName(v))
				continue
			}
			cr.Type = s
			if contains(correlationTypes(), s) {
				typeOK = true
			} else {
				c.errorf(posOf(v), "unknown correlation type %s (expected event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile)", quoteSuggest(s, correlationTypes()))
			}
		case "rules":
			cr.Rules = loadRefs(c, v, "correlation rules")
			if len(cr.Rules) == 0 {
				c.errorf(posOf(v), "correlation rules: at least one rule is required")
			}
		case "group-by":
			cr.GroupBy = loadNames(c, v, "group-by")
		case "timespan":
			cr.TimespanPos = posOf(v)
			s, ok := scalarString(v)
			if !ok {
				c.errorf(posOf(v), "timespan must be a string such as 10m, got %s", kindName(v))
				continue
			}
			cr.TimespanRaw = s
			dur, err := ParseTimespan(s)
			if err != nil {
				c.errorf(posOf(v), "%s", err.Error())
			}
			cr.Timespan = dur
		case "condition":
			condNode = v
		case "aliases":
			loadAliases(c, cr, v)
		case "generate":
			cr.Generate = loadBool(c, v, "generate")
		case "timeframe":
			c.errorf(posOf(k), "unknown key \"timeframe\" in correlation: did you mean \"timespan\"?")
		default:
			c.errorf(posOf(k), "unknown key %s in correlation (expected type, rules, group-by, timespan, condition, aliases or generate)",
				quoteSuggest(k.Value, []string{"type", "rules", "group-by", "timespan", "condition", "aliases", "generate"}))
		}
	}
	for _, req := range []string{"type", "rules", "timespan"} {
		if v, _ := mapGet(sec, req); v == nil {
			c.errorf(posOf(key), "correlation has no %s (required)", req)
		}
	}
	if condNode != nil {
		loadCorrCondition(c, cr, condNode, typeOK)
	} else if typeOK && cr.Type != "temporal" && cr.Type != "temporal_ordered" {
		c.errorf(posOf(key), "correlation type %s needs a condition (e.g. condition: {gte: 10})", cr.Type)
	}
	// Aliases must name rules of this correlation, and only make sense in group-by.
	for _, a := range cr.Aliases {
		inGroup := false
		for _, g := range cr.GroupBy {
			if g.Text == a.Name {
				inGroup = true
			}
		}
		if !inGroup {
			c.warnf(a.Pos, "alias %q is not used in group-by", clip(a.Name, 40))
		}
		for _, af := range a.Fields {
			found := false
			for _, r := range cr.Rules {
				if r.Text == af.Rule.Text {
					found = true
				}
			}
			if !found {
				c.errorf(af.Rule.Pos, "alias %q names rule %q, which is not in this correlation's rules", clip(a.Name, 40), clip(af.Rule.Text, 60))
			}
		}
	}
}

func loadBool(c *docCtx, v *yaml.Node, what string) bool {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		c.errorf(posOf(v), "%s must be true or false, got %s", what, describe(v))
		return false
	}
	return v.Value == "true" || v.Value == "True" || v.Value == "TRUE"
}

func loadAliases(c *docCtx, cr *Correlation, v *yaml.Node) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		c.errorf(posOf(v), "aliases must be a mapping alias: {rule name: field}, got %s", kindName(v))
		return
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, m := v.Content[i], v.Content[i+1]
		a := Alias{Name: k.Value, Pos: posOf(k)}
		if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
			c.errorf(posOf(m), "alias %q must map rule names to field names, got %s", clip(k.Value, 40), kindName(m))
			continue
		}
		for j := 0; j+1 < len(m.Content); j += 2 {
			rk, fv := m.Content[j], m.Content[j+1]
			fs, ok := scalarString(fv)
			if !ok || fs == "" {
				c.errorf(posOf(fv), "alias %q: the field for rule %q must be a field name, got %s", clip(k.Value, 40), clip(rk.Value, 60), kindName(fv))
				continue
			}
			a.Fields = append(a.Fields, AliasField{Rule: Ref{Text: rk.Value, Pos: posOf(rk)}, Field: Name{Text: fs, Pos: posOf(fv)}})
		}
		cr.Aliases = append(cr.Aliases, a)
	}
}

func loadCorrCondition(c *docCtx, cr *Correlation, v *yaml.Node, typeOK bool) {
	if v.Kind != yaml.MappingNode {
		c.errorf(posOf(v), "correlation condition must be a mapping such as {gte: 10}, got %s", kindName(v))
		return
	}
	var fieldNode, pctNode *yaml.Node
	ops := 0
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		switch k.Value {
		case "gt", "gte", "lt", "lte", "eq", "neq":
			ops++
			t := Threshold{Op: k.Value, Raw: val.Value, Pos: posOf(val)}
			f, ok := numberValue(val)
			if !ok {
				c.errorf(posOf(val), "correlation condition %s must be a number, got %s %q", k.Value, tagName(val), clip(val.Value, 40))
				continue
			}
			t.Value = f
			cr.Conditions = append(cr.Conditions, t)
		case "field":
			fieldNode = val
			cr.Fields = loadNames(c, val, "condition field")
		case "percentile":
			pctNode = val
			f, ok := numberValue(val)
			if !ok || f < 0 || f > 100 {
				c.errorf(posOf(val), "percentile must be a number from 0 to 100, got %q", clip(val.Value, 40))
				continue
			}
			cr.Percentile = f
		default:
			c.errorf(posOf(k), "unknown key %s in correlation condition (expected gt, gte, lt, lte, eq, neq, field or percentile)",
				quoteSuggest(k.Value, []string{"gt", "gte", "lt", "lte", "eq", "neq", "field", "percentile"}))
		}
	}
	if ops == 0 {
		c.errorf(posOf(v), "correlation condition needs at least one of gt, gte, lt, lte, eq, neq")
	}
	if !typeOK {
		return
	}
	valueType := cr.Type == "value_count" || cr.Type == "value_sum" || cr.Type == "value_avg" || cr.Type == "value_percentile"
	switch {
	case valueType && fieldNode == nil:
		c.errorf(posOf(v), "correlation type %s needs condition.field (the field whose values are aggregated)", cr.Type)
	case !valueType && fieldNode != nil:
		c.errorf(posOf(fieldNode), "condition.field is only for value_count, value_sum, value_avg and value_percentile, not %s", cr.Type)
	}
	switch {
	case cr.Type == "value_percentile" && pctNode == nil:
		c.errorf(posOf(v), "correlation type value_percentile needs condition.percentile")
	case cr.Type != "value_percentile" && pctNode != nil:
		c.errorf(posOf(pctNode), "condition.percentile is only for value_percentile, not %s", cr.Type)
	}
}

// describe names a node for messages: `string "x"` for scalars, `a list` otherwise.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return fmt.Sprintf("%s %q", tagName(n), clip(n.Value, 40))
	}
	return kindName(n)
}

func tagName(n *yaml.Node) string {
	switch n.Tag {
	case "!!str":
		return "string"
	case "!!int":
		return "integer"
	case "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	case "!!null":
		return "null"
	}
	return kindName(n)
}

// numberValue accepts a YAML int or float with a finite value.
func numberValue(n *yaml.Node) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		return 0, false
	}
	switch n.Tag {
	case "!!int":
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			f, err2 := strconv.ParseFloat(n.Value, 64)
			return f, err2 == nil
		}
		return float64(i), true
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

func loadFilter(c *docCtx, d *Document, root *yaml.Node) {
	fl := d.Filter
	fl.Logsource = loadLogsource(c, root, d.Pos)
	sec, key := mapGet(root, "filter")
	if sec.Kind != yaml.MappingNode {
		c.errorf(posOf(sec), "filter must be a mapping of rules, searches and a condition, got %s", kindName(sec))
		return
	}
	rn, _ := mapGet(sec, "rules")
	if rn == nil {
		c.errorf(posOf(sec), "filter has no rules (required: the rules it applies to)")
	} else {
		fl.Rules = loadRefs(c, rn, "filter rules")
	}
	fl.Detection = loadDetection(c, sec, posOf(key), "filter", []string{"rules"})
}
