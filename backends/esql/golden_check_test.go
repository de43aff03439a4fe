package esql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldensCheck parses and checks every non-error ES|QL golden (query text, optionally followed
// by a `-- warnings --` line and warning lines; goldens starting with "error: " are skipped).
func TestGoldensCheck(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "golden", "esql", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if strings.HasPrefix(text, "error: ") {
			continue
		}
		if i := strings.Index(text, "\n-- warnings --\n"); i >= 0 {
			text = text[:i]
		}
		t.Run(filepath.Base(f), func(t *testing.T) { mustCheck(t, strings.TrimSuffix(text, "\n")) })
	}
}
