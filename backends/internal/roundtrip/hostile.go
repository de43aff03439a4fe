package roundtrip

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// HostileValue is a value that tries to break out of its literal in some query language.
type HostileValue struct {
	Name  string
	Value string
}

// HostileValues are the values every backend must either round-trip exactly or reject with a
// clear error: quotes, backslashes (also trailing), control characters, every language's
// reserved characters, Sigma's own wildcards, a long string, and Unicode that renders misleadingly.
func HostileValues() []HostileValue {
	return []HostileValue{
		{"double-quote", `say "hi" "`},
		{"single-quote", `it's 'quoted'`},
		{"backslash", `C:\Users\admin`},
		{"trailing-backslash", `ends with \`},
		{"double-backslash", `a\\b`},
		{"newline", "line1\nline2\r\n"},
		{"tab", "a\tb"},
		{"nul", "a\x00b"},
		{"pipe", `a | where true`},
		{"brackets", `[a] [b]`},
		{"braces", `{x} (y)`},
		{"semicolon", `a; drop`},
		{"comment", `a // b /* c */ # d`},
		{"backtick", "a `b` c"},
		{"star", `a*b`},
		{"question", `a?b`},
		{"percent-underscore", `100%_done`},
		{"regex-meta", `^a.b+c$(d)|e`},
		{"lucene-meta", `a@b#c&d~e<f>g`},
		{"colon-equals", `key: value = x`},
		{"dollar-brace", `${jndi:x} $(id)`},
		{"rtl-marks", "admin\u202etxt.exe\u200f"},
		{"zero-width", "ad\u200bmin\ufeff"},
		{"combining", "e\u0301cole"},
		{"emoji", "\U0001F600 smile"},
		{"cjk", "管理者"},
		{"long", strings.Repeat(`ab"c\d*e|`, 500)},
		{"empty", ""},
	}
}

// hostileField is a string column every sign-in table has, and hostileSubKey a key of a dynamic
// column (a different lexical context in Kusto and Splunk).
const (
	hostileField  = "UserPrincipalName"
	hostileSubKey = "DeviceDetail.operatingSystem"
)

// HostileRule is one generated rule file.
type HostileRule struct {
	Name string // file name, e.g. hostile-eq-double-quote.yml
	YAML []byte
}

// HostileRules places every hostile value in every position a value can take: equality (the
// value as a literal, Sigma's wildcards escaped), contains, startswith|cased, a wildcard pattern
// around it, the value as written (its `*` and `?` are wildcards then), a regex matching it
// literally, a list, a dynamic sub-key, a field reference next to it, and a keyword.
func HostileRules() []HostileRule {
	var out []HostileRule
	for _, h := range HostileValues() {
		lit := sigmaEscape(h.Value)
		positions := []struct {
			name string
			det  *yaml.Node
		}{
			{"eq", sel(kv(hostileField, str(lit)))},
			{"contains", sel(kv(hostileField+"|contains", str(lit)))},
			{"startswith-cased", sel(kv(hostileField+"|startswith|cased", str(lit)))},
			{"wildcard", sel(kv(hostileField, str("*"+lit+"?x*")))},
			{"as-written", sel(kv(hostileField, str(h.Value)))},
			{"re", sel(kv(hostileField+"|re", str(regexQuote(h.Value))))},
			{"list", sel(kv(hostileField, seq(str(lit), str("plain"), str(lit+"*"))))},
			{"subkey", sel(kv(hostileSubKey+"|endswith", str(lit)))},
			{"fieldref", sel(kv(hostileField, str(lit)), kv("UserDisplayName|fieldref|contains", str(hostileField)))},
			{"keyword", seq(str(lit))},
		}
		for _, p := range positions {
			name := fmt.Sprintf("hostile-%s-%s.yml", p.name, h.Name)
			out = append(out, HostileRule{Name: name, YAML: ruleYAML(name, p.det)})
		}
	}
	return out
}

// sigmaEscape escapes Sigma's wildcards and its escape character so the value is a literal.
func sigmaEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '*' || r == '?' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// regexQuote quotes every regex metacharacter (as regexp.QuoteMeta) and writes control
// characters as \x{..} escapes, so the regex matches the value literally in any dialect.
func regexQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune(`\.+*?()|[]{}^$`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

type pair struct{ k, v *yaml.Node }

func kv(k string, v *yaml.Node) pair { return pair{plain(k), v} }

func mapping(ps ...pair) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, p := range ps {
		m.Content = append(m.Content, p.k, p.v)
	}
	return m
}

func sel(ps ...pair) *yaml.Node { return mapping(ps...) }

func ruleYAML(name string, det *yaml.Node) []byte {
	doc := mapping(
		kv("title", str("Hostile value "+name)),
		kv("id", plain(fmt.Sprintf("00000000-0000-4000-8000-%012x", hash(name)))),
		kv("status", plain("test")),
		kv("logsource", mapping(kv("product", plain("azure")), kv("service", plain("signinlogs")))),
		kv("detection", mapping(kv("selection", det), kv("condition", plain("selection")))),
		kv("level", plain("low")),
	)
	b, err := yaml.Marshal(doc)
	if err != nil {
		panic("roundtrip: hostile rule does not encode: " + err.Error()) // built from strings: a bug
	}
	return b
}

// hash is FNV-1a over name, cut to 48 bits (a stable id per generated rule).
func hash(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h & (1<<48 - 1)
}
