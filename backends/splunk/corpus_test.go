package splunk

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/translate"
)

// TestRuleSets runs the repository's test rules, the built-in pack and SigmaHQ's sign-in rules
// (where the shared corpus is present) through the real loader and translation: each either emits
// a search that passes the checker (emit does that), deterministically, or fails with an
// UnsupportedError, never another error.
func TestRuleSets(t *testing.T) {
	for _, dir := range []string{
		filepath.Join("..", "..", "testdata", "rules"),
		filepath.Join("..", "..", "rules", "signin"),
		filepath.Join("..", "..", ruletest.SigmaHQSignin()),
	} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			items, err := ruletest.Dir(dir)
			if errors.Is(err, os.ErrNotExist) {
				t.Skipf("%s is absent", dir)
			}
			if err != nil {
				t.Fatal(err)
			}
			emitted := 0
			for _, it := range items {
				if it.Query == nil {
					continue
				}
				_, err := emit(t, Backend{}, it.Query)
				var ue *translate.UnsupportedError
				switch {
				case err == nil:
					emitted++
				case errors.As(err, &ue):
				default:
					t.Errorf("%s: %v", it.Path, err)
				}
			}
			if emitted == 0 {
				t.Errorf("no rule emitted")
			}
		})
	}
}
