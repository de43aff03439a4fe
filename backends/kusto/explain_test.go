package kusto

import (
	"fmt"
	"strings"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/kusto/internal/kqlread"
	"github.com/entrasig/entrasig/translate"
)

// explain is the kusto target's roundtrip.Target.Explain: it interprets out as kqlread.Eval does,
// but with exactly the approximations its warnings announce undone (explainOptions).
func explain(out string, warnings []translate.Warning, evs []roundtrip.Event) ([]string, error) {
	o, err := explainOptions(warnings)
	if err != nil {
		return nil, err
	}
	return kqlread.EvalWith(out, evs, o)
}

// explainOptions turns the backend's warnings into the interpreter's relaxations, each undoing
// only what one warning names:
//   - "Kusto strings are never null: a row whose X (or X or Y) has no value holds "" ..."
//     (absentEmpty, fieldRef): the columns it names keep an absent value as null
//     (kqlread.Options.NullColumns), which the string operators treat as Sigma's absent field;
//   - percentile()'s T-Digest warning: nothing to undo, the interpreter already computes the
//     exact nearest-rank percentile (the evaluator's definition);
//   - the correlation window warning: nothing (the evaluator buckets as the output does);
//   - RE2's `$`: nothing (the evaluator's regex is RE2 as well);
//   - the workspace function's "" (functionEmpty): nothing, as the interpreter cannot run a
//     workspace function; the round trip emits the union form.
//
// Any other warning relaxes nothing, so a difference it is blamed for stays unexplained.
func explainOptions(warnings []translate.Warning) (kqlread.Options, error) {
	var o kqlread.Options
	for _, w := range warnings {
		rest, ok := strings.CutPrefix(w.Msg, neverNull)
		if !ok {
			continue
		}
		cols, _, ok := strings.Cut(rest, neverNullHolds)
		if !ok {
			return o, fmt.Errorf("a never-null warning without %q: %s", neverNullHolds, w.Msg)
		}
		for _, c := range strings.Split(cols, " or ") {
			if !plainColumn(c) {
				return o, fmt.Errorf("a never-null warning naming %q, not a column: %s", c, w.Msg)
			}
			if o.NullColumns == nil {
				o.NullColumns = map[string]bool{}
			}
			o.NullColumns[c] = true
		}
	}
	return o, nil
}

// plainColumn reports whether c is a plain Kusto column name (letters, digits, '_').
func plainColumn(c string) bool {
	if c == "" {
		return false
	}
	for _, r := range c {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
