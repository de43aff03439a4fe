package esql

import (
	"path/filepath"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
)

// TestRuleSets runs the repository's test rules, the built-in pack and SigmaHQ's sign-in rules
// (where the shared corpus is present) through the real loader and translation: each either emits
// a query that parses and checks, deterministically, or fails with an UnsupportedError.
func TestRuleSets(t *testing.T) {
	ruletest.EmitSets(t, filepath.Join("..", ".."), func(t *testing.T, it ruletest.Item) error {
		out, err := Backend{}.Emit(it.Query)
		if err != nil {
			return err
		}
		mustCheck(t, out.Query)
		if again, _ := (Backend{}).Emit(it.Query); again.Query != out.Query {
			t.Errorf("%s: output differs between runs", it.Path)
		}
		return nil
	})
}
