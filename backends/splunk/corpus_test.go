package splunk

import (
	"path/filepath"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
)

// TestRuleSets runs the repository's test rules, the built-in pack and SigmaHQ's sign-in rules
// (where the shared corpus is present) through the real loader and translation: each either emits
// a search that passes the checker (emit checks it, and that a second Emit is identical) or fails
// with an UnsupportedError.
func TestRuleSets(t *testing.T) {
	ruletest.EmitSets(t, filepath.Join("..", ".."), func(t *testing.T, it ruletest.Item) error {
		_, err := emit(t, Backend{}, it.Query)
		return err
	})
}
