package rules

// Metadata validation. Errors for what breaks translation or identification: a missing or
// non-string title, a rule id that is not a UUID, a name that is not a string, an unknown level
// (backends map it to a severity). Warnings for style: title longer than 256 characters, unknown
// status, tags outside the spec's syntax, dates not YYYY-MM-DD (YYYY/MM/DD is read with a
// warning), malformed references, related entries.
//
// Unknown top-level keys: the spec allows arbitrary custom fields, so they are accepted silently,
// except a key within a small edit distance of a known key (`titel`, `lvel`), which gets a warning
// naming the known key. Keys inside structures (detection, logsource, correlation, filter) are
// checked strictly where the spec defines them.

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

var (
	uuidRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	})
	tagRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_-]+(\.[a-z0-9_-]+)+$`) })
	dateRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\d{4}([-/])(0[1-9]|1[012])([-/])(0[1-9]|[12][0-9]|3[01])$`)
	})
)

// IsUUID reports whether s has the 8-4-4-4-12 hexadecimal UUID form.
func IsUUID(s string) bool { return uuidRE().MatchString(s) }

func knownTopKeys(k DocKind) []string {
	common := []string{"title", "id", "name", "related", "taxonomy", "status", "description", "license",
		"author", "references", "date", "modified", "tags", "level", "falsepositives", "fields", "scope"}
	switch k {
	case KindRule:
		return append(common, "logsource", "detection")
	case KindCorrelation:
		return append(common, "correlation", "generate")
	case KindFilter:
		return append(common, "logsource", "filter")
	}
	return common
}

func loadMeta(c *docCtx, d *Document, root *yaml.Node) {
	m := &d.Meta
	known := knownTopKeys(d.Kind)
	all := []string{"title", "id", "name", "related", "taxonomy", "status", "description", "license",
		"author", "references", "date", "modified", "tags", "level", "falsepositives", "fields", "scope",
		"logsource", "detection", "correlation", "filter", "generate"}
	titleSeen := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		str := func(what string, sev Severity) (string, bool) {
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				c.add(posOf(v), sev, fmt.Sprintf("%s must be a string, got %s", what, kindName(v)))
				return "", false
			}
			return v.Value, true
		}
		switch k.Value {
		case "title":
			titleSeen = true
			if s, ok := str("title", SevError); ok {
				m.Title, m.TitlePos = s, posOf(v)
				if strings.TrimSpace(s) == "" {
					c.errorf(posOf(v), "title is empty")
				} else if n := utf8.RuneCountInString(s); n > 256 {
					c.warnf(posOf(v), "title is %d characters long, more than the spec's 256", n)
				}
			}
		case "id":
			if s, ok := str("id", SevError); ok {
				m.ID, m.IDPos = s, posOf(v)
				if !IsUUID(s) {
					if d.Kind == KindRule {
						c.errorf(posOf(v), "id %q is not a UUID (expected 8-4-4-4-12 hex digits)", clip(s, 60))
					} else {
						c.warnf(posOf(v), "id %q is not a UUID (recommended by the spec)", clip(s, 60))
					}
				}
			}
		case "name":
			if s, ok := str("name", SevError); ok {
				m.Name, m.NamePos = s, posOf(v)
				if strings.TrimSpace(s) == "" {
					c.errorf(posOf(v), "name is empty")
				}
			}
		case "status":
			if s, ok := str("status", SevWarning); ok {
				m.Status = s
				switch s {
				case "stable", "test", "experimental", "deprecated", "unsupported":
				default:
					c.warnf(posOf(v), "unknown status %s (expected stable, test, experimental, deprecated or unsupported)", quoteSuggest(s, []string{"stable", "test", "experimental", "deprecated", "unsupported"}))
				}
			}
		case "level":
			if s, ok := str("level", SevError); ok {
				m.Level = s
				switch s {
				case "informational", "low", "medium", "high", "critical":
				default:
					c.errorf(posOf(v), "unknown level %s (expected informational, low, medium, high or critical)", quoteSuggest(s, []string{"informational", "low", "medium", "high", "critical"}))
				}
			}
		case "description":
			if s, ok := str("description", SevWarning); ok {
				m.Description = s
			}
		case "license":
			if s, ok := str("license", SevWarning); ok {
				m.License = s
			}
		case "author":
			if s, ok := str("author", SevWarning); ok {
				m.Author = s
			}
		case "taxonomy":
			if s, ok := str("taxonomy", SevWarning); ok {
				m.Taxonomy = s
			}
		case "date", "modified":
			if s, ok := str(k.Value, SevWarning); ok {
				checkDate(c, k.Value, s, posOf(v))
				if k.Value == "date" {
					m.Date = s
				} else {
					m.Modified = s
				}
			}
		case "references":
			if v.Kind != yaml.SequenceNode && !isNull(v) {
				c.warnf(posOf(v), "references must be a list of strings, got %s", kindName(v))
			}
			m.References = stringList(c, v, "references", SevWarning)
		case "falsepositives":
			m.FalsePositives = stringList(c, v, "falsepositives", SevWarning)
		case "fields":
			m.Fields = stringList(c, v, "fields", SevWarning)
		case "scope":
			m.Scope = stringList(c, v, "scope", SevWarning)
		case "tags":
			if v.Kind == yaml.SequenceNode {
				for _, t := range v.Content {
					s, ok := scalarString(t)
					if !ok {
						c.warnf(posOf(t), "tags must be strings, got %s", kindName(t))
						continue
					}
					m.Tags = append(m.Tags, s)
					if !tagRE().MatchString(s) {
						c.warnf(posOf(t), "tag %q does not follow the spec's syntax namespace.name (lowercase letters, digits, _ and -, dot-separated)", clip(s, 60))
					}
				}
			} else if !isNull(v) {
				c.warnf(posOf(v), "tags must be a list of strings, got %s", kindName(v))
			}
		case "related":
			loadRelated(c, m, v)
		case "logsource", "detection", "correlation", "filter", "generate":
			// Loaded by the kind-specific loaders. detection, correlation and filter together
			// are a classification error; logsource or generate where they mean nothing are
			// ignored with a warning.
			if !contains(known, k.Value) {
				c.warnf(posOf(k), "%s has no meaning in a %s document (ignored)", k.Value, d.Kind)
			}
		default:
			if s := closest(k.Value, all); s != "" && !strings.Contains(k.Value, "_") {
				c.warnf(posOf(k), "unknown key %q: did you mean %q? (custom keys are allowed, but this one looks like a typo)", clip(k.Value, 60), s)
			}
		}
	}
	if !titleSeen {
		c.errorf(d.Pos, "missing title (required)")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkDate(c *docCtx, key, s string, p Pos) {
	m := dateRE().FindStringSubmatch(s)
	switch {
	case m == nil:
		c.warnf(p, "%s %q is not a date in the form YYYY-MM-DD", key, clip(s, 40))
	case m[1] != "-" || m[3] != "-":
		c.warnf(p, "%s %q uses the form YYYY/MM/DD; the spec's form is YYYY-MM-DD", key, s)
	}
}

func loadRelated(c *docCtx, m *Meta, v *yaml.Node) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.SequenceNode {
		c.warnf(posOf(v), "related must be a list of {id, type} entries, got %s", kindName(v))
		return
	}
	for _, it := range v.Content {
		if it.Kind != yaml.MappingNode {
			c.warnf(posOf(it), "related entries must be mappings with id and type, got %s", kindName(it))
			continue
		}
		r := Related{Pos: posOf(it)}
		idn, _ := mapGet(it, "id")
		tn, _ := mapGet(it, "type")
		if s, ok := scalarString(idn); ok {
			r.ID = s
			if !IsUUID(s) {
				c.warnf(posOf(idn), "related id %q is not a UUID", clip(s, 60))
			}
		} else {
			c.warnf(posOf(it), "related entry without id")
		}
		if s, ok := scalarString(tn); ok {
			r.Type = s
			switch s {
			case "derived", "obsolete", "merged", "renamed", "similar":
			default:
				c.warnf(posOf(tn), "unknown related type %s (expected derived, obsolete, merged, renamed or similar)", quoteSuggest(s, []string{"derived", "obsolete", "merged", "renamed", "similar"}))
			}
		} else {
			c.warnf(posOf(it), "related entry without type")
		}
		for i := 0; i+1 < len(it.Content); i += 2 {
			if k := it.Content[i].Value; k != "id" && k != "type" {
				c.warnf(posOf(it.Content[i]), "unknown key %q in a related entry (expected id and type)", clip(k, 40))
			}
		}
		m.Related = append(m.Related, r)
	}
}

// loadLogsource reads `logsource:`. Custom keys are allowed (the spec permits optional elements)
// but a key that looks like a misspelled category/product/service/definition is an error: it
// would silently change which telemetry the rule runs on.
func loadLogsource(c *docCtx, root *yaml.Node, docPos Pos) Logsource {
	var ls Logsource
	v, _ := mapGet(root, "logsource")
	if v == nil {
		c.errorf(docPos, "missing logsource (required)")
		return ls
	}
	ls.Pos = posOf(v)
	if v.Kind != yaml.MappingNode {
		c.errorf(posOf(v), "logsource must be a mapping (category, product, service), got %s", kindName(v))
		return ls
	}
	known := []string{"category", "product", "service", "definition"}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		s, ok := scalarString(val)
		if !ok && contains(known, k.Value) {
			c.errorf(posOf(val), "logsource %s must be a string, got %s", k.Value, kindName(val))
			continue
		}
		switch k.Value {
		case "category":
			ls.Category, ls.CategoryPos = s, posOf(val)
		case "product":
			ls.Product, ls.ProductPos = s, posOf(val)
		case "service":
			ls.Service, ls.ServicePos = s, posOf(val)
		case "definition":
			ls.Definition = s
		default:
			if m := closest(k.Value, known); m != "" {
				c.errorf(posOf(k), "unknown logsource key %q: did you mean %q?", clip(k.Value, 40), m)
			}
		}
	}
	return ls
}
