package backends

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

// FuzzConvert runs arbitrary input through the whole pipeline (load, resolve, translate, every
// backend). Invariants: nothing panics; a backend either emits a non-empty query deterministically
// or returns a *translate.UnsupportedError (anything else is a bug that reached a user as an
// internal error).
func FuzzConvert(f *testing.F) {
	for _, dir := range []string{rulesDir, packDir} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	bes := All(Options{})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, q := range roundtrip.FuzzQueries(data) {
			for _, b := range bes {
				o, err := b.Emit(q)
				var ue *translate.UnsupportedError
				switch {
				case err == nil:
					if o.Query == "" {
						t.Errorf("%s: empty query", b.Name())
					}
					if again, _ := b.Emit(q); again.Query != o.Query {
						t.Errorf("%s: output is not deterministic", b.Name())
					}
				case !errors.As(err, &ue):
					t.Errorf("%s: internal error: %v", b.Name(), err)
				}
			}
		}
	})
}
