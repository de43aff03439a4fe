package kqlread

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseDecodes(t *testing.T) {
	cases := []struct {
		in   string
		want Value
	}{
		{`f: "a\"b\\c"`, Value{Quoted: true, Parts: []Part{{Text: `a"b\c`}}}},
		{`f: "tab\there\nnl\rcr"`, Value{Quoted: true, Parts: []Part{{Text: "tab\there\nnl\rcr"}}}},
		{`f: "a\xb"`, Value{Quoted: true, Parts: []Part{{Text: `a\xb`}}}}, // a lone backslash is literal
		{`f: "\u00e9"`, Value{Quoted: true, Parts: []Part{{Text: "é"}}}},
		{`f: "*?"`, Value{Quoted: true, Parts: []Part{{Text: "*?"}}}}, // never a wildcard when quoted
		{`f: a\*b*c`, Value{Parts: []Part{{Text: "a*b"}, {Wild: true}, {Text: "c"}}}},
		{`f: \(\)\:\<\>\"\\\{\}`, Value{Parts: []Part{{Text: `():<>"\{}`}}}},
		{`f: \not`, Value{Parts: []Part{{Text: "\not"}}}}, // `\n` is read first, as Kibana's grammar does
		{`f: \or\AND`, Value{Parts: []Part{{Text: "orAND"}}}},
		{`f: *`, Value{Parts: []Part{{Wild: true}}}},
		{`f: (*cannot)`, Value{Parts: []Part{{Wild: true}, {Text: "cannot"}}}},
	}
	for _, c := range cases {
		e, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		is, ok := e.(*Is)
		if !ok {
			t.Errorf("%s: parsed as %T", c.in, e)
			continue
		}
		if !reflect.DeepEqual(is.V, c.want) {
			t.Errorf("%s: value %#v, want %#v", c.in, is.V, c.want)
		}
	}
}

func TestParseStructure(t *testing.T) {
	cases := map[string]string{
		`a: 1 or b: 2 and c: 3`:              `a: 1 or b: 2 and c: 3`,
		`not a: 1 and b: 2`:                  `not a: 1 and b: 2`,
		`not (a: 1 or b: 2)`:                 `not (a: 1 or b: 2)`,
		`f: ("x" or y*)`:                     `f: ("x" or y*)`,
		`f: (* and not "")`:                  `f: (* and not "")`,
		`f >= 5 and g < -1.5`:                `f >= 5 and g < -1.5`,
		`f:"x"  AND  g:"y"`:                  `f: "x" and g: "y"`,
		`f: "x" OR g: "y"`:                   `f: "x" or g: "y"`,
		`(f: "x")`:                           `(f: "x")`,
		`source.ip: ("10.0.0.0/8" or "::1")`: `source.ip: ("10.0.0.0/8" or "::1")`,
	}
	for in, want := range cases {
		e, err := Parse(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := String(e); got != want {
			t.Errorf("%s: reads as %s, want %s", in, got, want)
		}
	}
	and, _ := Parse(`a: 1 or b: 2 and c: 3`)
	if o, ok := and.(*Or); !ok || len(o.Args) != 2 {
		t.Errorf("and must bind tighter than or: %#v", and)
	}
	not, _ := Parse(`not a: 1 and b: 2`)
	if a, ok := not.(*And); !ok || len(a.Args) != 2 {
		t.Errorf("not must bind to the sub-query after it: %#v", not)
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		`f: "abc`,             // unbalanced quote
		`(f: "abc"`,           // unbalanced parenthesis
		`f: "abc")`,           // extra parenthesis
		`f: :`,                // bare colon
		`f: ("a" or)`,         // empty operand
		`f:`,                  // missing value
		`f: a\b*`,             // invalid escape
		`f: a b`,              // whitespace inside an unquoted value
		`"free text"`,         // no field
		`f: *cannot or g: x`,  // Kibana reads `not ` as the keyword
		`not(f: x)`,           // not needs whitespace
		`f: "x"or g: "y"`,     // or needs whitespace
		`f: x or g: y extra`,  // trailing garbage
		`f: "x" and and g: y`, // doubled keyword
	} {
		if e, err := Parse(in); err == nil {
			t.Errorf("%s: accepted as %s", in, String(e))
		}
	}
}

func types(f string) string {
	return map[string]string{"kw": "keyword", "n": "long", "fl": "float", "b": "boolean", "ip": "ip"}[f]
}

func TestMatchSemantics(t *testing.T) {
	kw := func(s string) Doc { return Doc{"kw": {Type: "keyword", Str: s}} }
	cases := []struct {
		q    string
		doc  Doc
		want bool
	}{
		// keyword: exact and case-sensitive, quoted or not, wildcards on the whole value
		{`kw: "Admin"`, kw("Admin"), true},
		{`kw: "Admin"`, kw("admin"), false},
		{`kw: "Admin"`, kw("Admin "), false},
		{`kw: Adm*`, kw("Admin"), true},
		{`kw: adm*`, kw("Admin"), false},
		{`kw: *dmi*`, kw("Admin"), true},
		{`kw: A*n`, kw("Admin"), true},
		{`kw: A*n`, kw("Adminx"), false},
		{`kw: "a*"`, kw("abc"), false}, // a quoted star is a literal
		{`kw: "a*"`, kw("a*"), true},
		{`kw: a\*`, kw("a*"), true},
		{`kw: 00429`, kw("429"), true}, // Kibana sends an unquoted number as a JavaScript number
		{`kw: 00429`, kw("00429"), false},
		{`kw: "00429"`, kw("00429"), true},
		// exists: any indexed value, "" included; not on a missing field holds
		{`kw: *`, kw(""), true},
		{`kw: *`, Doc{}, false},
		{`kw: (* and not "")`, kw(""), false},
		{`kw: (* and not "")`, kw("x"), true},
		{`not kw: "x"`, Doc{}, true},
		{`kw: ""`, kw(""), true},
		// numbers
		{`n: 50126`, Doc{"n": {Type: "long", Num: 50126}}, true},
		{`n >= 50000 and n < 60000`, Doc{"n": {Type: "long", Num: 50126}}, true},
		{`n > 50126`, Doc{"n": {Type: "long", Num: 50126}}, false},
		{`n > 1`, Doc{}, false},
		{`fl: 1.5`, Doc{"fl": {Type: "float", Num: 1.5}}, true},
		// booleans
		{`b: false`, Doc{"b": {Type: "boolean", Bool: false}}, true},
		{`b: true`, Doc{"b": {Type: "boolean", Bool: false}}, false},
		// ip: addresses compare as addresses, CIDR blocks contain
		{`ip: "2001:DB8::1"`, Doc{"ip": {Type: "ip", Addr: netip.MustParseAddr("2001:db8::1")}}, true},
		{`ip: "10.0.0.0/8"`, Doc{"ip": {Type: "ip", Addr: netip.MustParseAddr("10.2.3.4")}}, true},
		{`ip: "10.0.0.0/8"`, Doc{"ip": {Type: "ip", Addr: netip.MustParseAddr("11.2.3.4")}}, false},
		{`ip: "::ffff:10.1.2.3"`, Doc{"ip": {Type: "ip", Addr: netip.MustParseAddr("10.1.2.3")}}, true},
	}
	for _, c := range cases {
		e, err := Parse(c.q)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		got, err := Match(e, c.doc, types)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s on %v = %t, want %t", c.q, c.doc, got, c.want)
		}
	}
}

func TestMatchErrors(t *testing.T) {
	for _, q := range []string{
		`n: abc`,        // a numeric field cannot parse it
		`n: 1.5`,        // an integer field
		`n: 5*`,         // wildcard on a number
		`kw > 5`,        // a range on a keyword
		`b: maybe`,      // not a boolean
		`ip: "10.0.0."`, // not an address
		`unknown: "x"`,  // not mapped
	} {
		e, err := Parse(q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if _, err := Match(e, Doc{}, types); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
}

// TestMatchWith: each relaxation changes only the field it names, and only as documented.
func TestMatchWith(t *testing.T) {
	raw := map[string]any{"b": "TRUE", "b2": "", "n": "5.5", "n2": "5.5"}
	opts := &Options{
		Fold:        map[string]bool{"kw": true},
		SigmaBool:   map[string]bool{"b": true, "b2": true},
		Untruncated: map[string]bool{"n": true},
		Raw: func(f string) (any, bool) {
			v, ok := raw[f]
			return v, ok
		},
	}
	doc := Doc{
		"kw":  {Type: "keyword", Str: "SuCcEss"},
		"kw2": {Type: "keyword", Str: "SuCcEss"},
		"b2":  {Type: "boolean", Bool: false}, // Elasticsearch indexes "" as false
		"n":   {Type: "long", Num: 5},
		"n2":  {Type: "long", Num: 5},
	}
	for _, c := range []struct {
		q    string
		want bool
	}{
		{`kw: "success"`, true},
		{`kw: succ*`, true},
		{`kw: "SUCCESS"`, true},
		{`kw2: "success"`, false}, // not named: exact
		{`kw2: succ*`, false},
		{`b: true`, true}, // "TRUE" is true for Sigma, malformed (absent) for Elasticsearch
		{`b: false`, false},
		{`b2: false`, false}, // "" is no value for Sigma
		{`b2: *`, false},
		{`n > 5`, true}, // 5.5 untruncated
		{`n <= 5`, false},
		{`n2 > 5`, false}, // not named: truncated to 5
	} {
		e, err := Parse(c.q)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		got, err := MatchWith(e, doc, func(f string) string {
			switch f {
			case "b", "b2":
				return "boolean"
			case "n", "n2":
				return "long"
			}
			return "keyword"
		}, opts)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %t, want %t", c.q, got, c.want)
		}
	}
	// GlobFold folds as translate.FoldEq: an ASCII letter equals only its ASCII partner.
	for _, c := range []struct {
		pat, s string
		want   bool
	}{{"k*", "\u212Aelvin", false}, {"*s", "\u017F", false}, {"\u00c9t\u00e9", "\u00e9T\u00c9", true}, {"a*B*c", "AxbYC", true}} {
		var parts []Part
		for i, lit := range strings.Split(c.pat, "*") {
			if i > 0 {
				parts = append(parts, Part{Wild: true})
			}
			if lit != "" {
				parts = append(parts, Part{Text: lit})
			}
		}
		if got := GlobFold(parts, c.s); got != c.want {
			t.Errorf("GlobFold(%q, %q) = %t, want %t", c.pat, c.s, got, c.want)
		}
	}
}
