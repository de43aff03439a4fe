package translate

import (
	"testing"

	"github.com/entrasig/entrasig/rules"
)

// windash multiplies the variants by five per dash: past the limit the rule fails fast with a
// positioned error instead of expanding billions of values.
func TestWindashLimit(t *testing.T) {
	rule := func(v string) string {
		return "title: w\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    selection:\n        UserAgent|windash|contains: '" + v + "'\n    condition: selection\n"
	}
	for _, c := range []struct{ value, want string }{
		{" -a -b -c -d -e", ""},
		{" -a -b -c -d -e -f", "x.yml:7:37: windash: the value has 6 dashes to vary, which gives 5^6 variants; at most 5 are allowed (split the value)"},
	} {
		f := rules.LoadFile("x.yml", []byte(rule(c.value)))
		q, diags := Translate(f.Docs[0], nil)
		if got := diags.Error(); got != c.want {
			t.Errorf("%q: got %q, want %q", c.value, got, c.want)
		}
		if c.want == "" && len(q.Where.(*Match).Values) != 3125 {
			t.Errorf("%q: %d variants, want 3125", c.value, len(q.Where.(*Match).Values))
		}
	}
}
