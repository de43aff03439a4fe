package rules

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

func loadRule(c *docCtx, d *Document, root *yaml.Node) {
	d.Rule.Logsource = loadLogsource(c, root, d.Pos)
	det, key := mapGet(root, "detection")
	d.Rule.Detection = loadDetection(c, det, posOf(key), "detection", nil)
}

// loadDetection reads a detection-like mapping: named searches plus `condition`. skip lists
// keys that belong to the enclosing structure (a filter's `rules`).
func loadDetection(c *docCtx, n *yaml.Node, keyPos Pos, section string, skip []string) Detection {
	det := Detection{Pos: posOf(n)}
	if n.Kind != yaml.MappingNode {
		c.errorf(posOf(n), "%s must be a mapping of searches and a condition, got %s", section, kindName(n))
		return det
	}
	var condNode *yaml.Node
	var nearMiss []*yaml.Node
	tooMany := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case contains(skip, k.Value):
			continue
		case k.Value == "condition":
			condNode = v
		case k.Value == "timeframe":
			c.errorf(posOf(k), "%s.timeframe is Sigma v1 syntax, %s (timespan)", section, v1Rewrite)
		case closest(k.Value, []string{"condition"}) != "" && !strings.ContainsAny(k.Value, "_0123456789"):
			nearMiss = append(nearMiss, k)
			fallthrough
		default:
			if len(det.Searches) >= MaxSearches {
				if !tooMany {
					tooMany = true
					c.errorf(posOf(k), "%s has more than %d searches", section, MaxSearches)
				}
				continue
			}
			if s := loadSearch(c, k, v); s != nil {
				det.Searches = append(det.Searches, s)
			}
		}
	}
	for _, k := range nearMiss {
		if condNode == nil {
			c.errorf(posOf(k), "unknown key %q in %s: did you mean \"condition\"?", clip(k.Value, 40), section)
		} else {
			c.warnf(posOf(k), "search %q looks like a misspelled \"condition\"", clip(k.Value, 40))
		}
	}
	if condNode == nil {
		if len(nearMiss) == 0 {
			c.errorf(keyPos, "%s has no condition (required)", section)
		}
		return det
	}
	items := []*yaml.Node{condNode}
	ok := true
	if condNode.Kind == yaml.SequenceNode {
		items = condNode.Content
		if len(items) == 0 {
			c.errorf(posOf(condNode), "condition: empty list")
			ok = false
		}
		if len(items) > MaxConditions {
			c.errorf(posOf(items[MaxConditions]), "condition: more than %d conditions in the list", MaxConditions)
			return det
		}
	}
	used := map[string]bool{}
	for _, it := range items {
		if it.Kind != yaml.ScalarNode || it.Tag != "!!str" {
			got := kindName(it)
			if it.Kind == yaml.ScalarNode {
				got = fmt.Sprintf("%s %s", tagName(it), it.Value)
			}
			c.errorf(posOf(it), "condition must be a string (or a list of strings), got %s", clip(got, 40))
			ok = false
			continue
		}
		var at func(int) Pos
		if len(it.Value) <= MaxConditionLen {
			at = scalarPositions(c.rl, it)
		} else {
			at = func(int) Pos { return posOf(it) }
		}
		cond, cerr := parseCondition(it.Value, at)
		if cerr != nil {
			c.errorf(at(cerr.off), "%s", cerr.msg)
			ok = false
			continue
		}
		resolveCond(cond, det.Searches, used, c.full, func(p Pos, m string) {
			if w, isWarn := strings.CutPrefix(m, "warning: "); isWarn {
				c.warnf(p, "%s", w)
				return
			}
			c.errorf(p, "%s", m)
			ok = false
		})
		det.Conditions = append(det.Conditions, cond)
		det.ConditionPos = append(det.ConditionPos, posOf(it))
	}
	if ok {
		for _, s := range det.Searches {
			if !used[s.Name] {
				c.warnf(s.Pos, "search %q is not used by the condition", clip(s.Name, 60))
			}
		}
	}
	return det
}

// loadSearch reads one named search.
func loadSearch(c *docCtx, k, v *yaml.Node) *Search {
	s := &Search{Name: k.Value, Pos: posOf(k)}
	if s.Name == "" {
		c.errorf(posOf(k), "empty search identifier")
		return nil
	}
	if strings.ContainsAny(s.Name, " \t\n()") {
		c.errorf(posOf(k), "search identifier %q contains white space or parentheses: a condition cannot name it", clip(s.Name, 60))
	} else if strings.ContainsAny(s.Name, "|*") {
		c.warnf(posOf(k), "search identifier %q contains %q: only a pattern can select it (did you mean a modifier on a field inside the search?)", clip(s.Name, 60), string(s.Name[strings.IndexAny(s.Name, "|*")]))
	}
	switch v.Kind {
	case yaml.MappingNode:
		s.Kind = SearchMap
		fms := loadMap(c, v)
		if fms == nil {
			return s
		}
		s.Maps = [][]*FieldMatch{fms}
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			c.errorf(posOf(v), "search %q is an empty list", clip(s.Name, 60))
			return s
		}
		maps, scalars := 0, 0
		for _, it := range v.Content {
			switch it.Kind {
			case yaml.MappingNode:
				maps++
			case yaml.ScalarNode:
				scalars++
			default:
				c.errorf(posOf(it), "search %q: list items must be mappings or values, got %s", clip(s.Name, 60), kindName(it))
				return s
			}
		}
		if maps > 0 && scalars > 0 {
			c.errorf(posOf(v), "search %q mixes mappings and plain values in one list", clip(s.Name, 60))
			return s
		}
		if maps > 0 {
			s.Kind = SearchMapList
			for _, it := range v.Content {
				if fms := loadMap(c, it); fms != nil {
					s.Maps = append(s.Maps, fms)
				}
			}
			return s
		}
		s.Kind = SearchKeywords
		fm := &FieldMatch{Pos: posOf(v), IsList: true}
		for _, it := range v.Content {
			fm.Values = append(fm.Values, loadValueMod(c, it, false, false))
		}
		checkModifiers(fm, c.report)
		s.Keywords = fm
	case yaml.ScalarNode:
		if isNull(v) {
			c.errorf(posOf(k), "search %q is empty", clip(s.Name, 60))
			return s
		}
		s.Kind = SearchKeywords
		fm := &FieldMatch{Pos: posOf(v), Values: []*Value{loadValueMod(c, v, false, false)}}
		s.Keywords = fm
	default:
		c.errorf(posOf(v), "search %q must be a mapping, a list or a value", clip(s.Name, 60))
	}
	return s
}

// loadMap reads one mapping of field matches (AND).
func loadMap(c *docCtx, m *yaml.Node) []*FieldMatch {
	if len(m.Content) == 0 {
		c.errorf(posOf(m), "empty mapping in a search")
		return nil
	}
	var out []*FieldMatch
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		keyAt := func(int) Pos { return posOf(k) }
		if strings.Contains(k.Value, "|") {
			keyAt = scalarPositions(c.rl, k)
		}
		field, mods, _ := parseKey(k.Value, keyAt, c.full, c.report)
		fm := &FieldMatch{Field: field, Key: k.Value, Pos: posOf(k), Modifiers: mods}
		expand := fm.Has("expand")
		re := fm.Has("re")
		switch v.Kind {
		case yaml.SequenceNode:
			fm.IsList = true
			if len(v.Content) == 0 {
				c.errorf(posOf(v), "%q: empty value list (it would match nothing)", clip(k.Value, 60))
			}
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					c.errorf(posOf(it), "%q: values must be scalars, got %s", clip(k.Value, 60), kindName(it))
					continue
				}
				fm.Values = append(fm.Values, loadValueMod(c, it, expand, re))
			}
		case yaml.ScalarNode:
			fm.Values = []*Value{loadValueMod(c, v, expand, re)}
		default:
			c.errorf(posOf(v), "%q: the value must be a scalar or a list of scalars, got %s", clip(k.Value, 60), kindName(v))
			continue
		}
		checkModifiers(fm, c.report)
		out = append(out, fm)
	}
	return out
}

// loadValueMod builds a Value from a scalar. The YAML tag decides the kind; Raw is the scalar's
// text exactly. Strings get segments unless the value is a regex (re).
func loadValueMod(_ *docCtx, n *yaml.Node, expand, re bool) *Value {
	v := &Value{Raw: n.Value, Tag: n.Tag, Quoted: n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0, Pos: posOf(n)}
	switch n.Tag {
	case "!!int":
		v.Kind = ValInt
	case "!!float":
		v.Kind = ValFloat
	case "!!bool":
		v.Kind = ValBool
		v.Bool = n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
	case "!!null":
		v.Kind = ValNull
	default:
		v.Kind = ValString
	}
	switch v.Kind {
	case ValString:
		if !re {
			v.Segs = ParseSegments(n.Value, expand)
		}
	case ValInt, ValFloat, ValBool:
		v.Segs = []Segment{{Kind: SegLit, Text: n.Value}}
	}
	return v
}
