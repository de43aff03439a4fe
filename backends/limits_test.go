package backends

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// limitRule is a rule at one of the front end's size limits.
type limitRule struct {
	name string
	yaml []byte
}

// limitRules are the size limits every target must translate (or fail) quickly on: a rule file
// just under 1 MiB (a list of long values), a 10,000-value list, and a condition of 512 tokens
// (the front end's limit) over 256 selections. BenchmarkLimits measures them.
func limitRules() []limitRule {
	head := "title: Limit\nid: 5f1b2c3d-0000-4000-8000-000000000001\nstatus: test\nlogsource:\n    product: azure\n    service: signinlogs\n"
	list := func(n, width int) string {
		var b strings.Builder
		b.WriteString(head + "detection:\n    selection:\n        UserPrincipalName|contains:\n")
		for i := range n {
			v := fmt.Sprintf("user-%d@contoso.com", i)
			if pad := width - len(v); pad > 0 {
				v += strings.Repeat("x", pad)
			}
			fmt.Fprintf(&b, "            - '%s'\n", v)
		}
		b.WriteString("    condition: selection\nlevel: low\n")
		return b.String()
	}
	big := list(1, 0)
	for n := 1000; len(big) < rules.MaxFileSize-(64<<10); n += 1000 {
		big = list(n, 60)
	}
	// A condition of exactly 512 tokens (identifiers, keywords and parentheses count one each):
	// groups "( sel_a or not sel_b )" of 7 tokens joined by "and", then "and not sel_x" and "and sel_y" to reach the limit.
	var cond strings.Builder
	cond.WriteString(head + "detection:\n")
	for i := range 256 {
		fmt.Fprintf(&cond, "    sel_%d:\n        AppDisplayName: 'app %d'\n", i, i)
	}
	var toks []string
	for g := 0; len(toks)+8 <= 512-2; g++ {
		if g > 0 {
			toks = append(toks, "and")
		}
		toks = append(toks, "(", fmt.Sprintf("sel_%d", 2*g%256), "or", "not", fmt.Sprintf("sel_%d", (2*g+1)%256), ")")
	}
	if (512-len(toks))%2 == 1 {
		toks = append(toks, "and", "not", "sel_199")
	}
	for i := 0; len(toks) < 512; i++ {
		toks = append(toks, "and", fmt.Sprintf("sel_%d", 200+i))
	}
	if len(toks) != 512 {
		panic(fmt.Sprintf("limit condition has %d tokens", len(toks)))
	}
	fmt.Fprintf(&cond, "    condition: %s\nlevel: low\n", strings.Join(toks, " "))
	return []limitRule{
		{"file-1MiB", []byte(big)},
		{"list-10000", []byte(list(10000, 0))},
		{"condition-512-tokens", []byte(cond.String())},
	}
}

// TestLimitsTranslateOrFail checks that each limit rule loads and translates, and that every
// target either emits it or fails with an UnsupportedError (their speed is BenchmarkLimits').
func TestLimitsTranslateOrFail(t *testing.T) {
	for _, lr := range limitRules() {
		if len(lr.yaml) > rules.MaxFileSize {
			t.Fatalf("%s is %d bytes, over the limit", lr.name, len(lr.yaml))
		}
		q := limitQuery(t, lr)
		for _, b := range All(Options{}) {
			out, err := b.Emit(q)
			var ue *translate.UnsupportedError
			if err != nil && !errors.As(err, &ue) {
				t.Errorf("%s: %s: %v", b.Name(), lr.name, err)
			}
			if err == nil && out.Query == "" {
				t.Errorf("%s: %s: empty query", b.Name(), lr.name)
			}
		}
	}
}

func limitQuery(tb testing.TB, lr limitRule) *translate.Query {
	items := ruletest.Files([]*rules.File{rules.LoadFile(lr.name+".yml", lr.yaml)})
	if len(items) != 1 || items[0].Query == nil || items[0].Diags.HasErrors() {
		tb.Fatalf("%s: does not translate: %v", lr.name, items)
	}
	return items[0].Query
}

// BenchmarkLimits loads, translates and emits each limit rule per target. The target is "well
// under a second" per rule and target; the README records the measured times.
func BenchmarkLimits(b *testing.B) {
	for _, lr := range limitRules() {
		for _, be := range All(Options{}) {
			b.Run(lr.name+"/"+be.Name(), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					q := limitQuery(b, lr)
					_, _ = be.Emit(q)
				}
			})
		}
	}
}
