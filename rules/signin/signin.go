// Package signin owns entrasig's built-in rule pack for Entra ID sign-in logs: the Sigma rules
// (<detection>.yml, one detection per file, with the rules a correlation builds on in the same
// file) and their test cases (<detection>.tests.yml beside each rule file), embedded in the binary.
// It holds data only; `entrasig convert` and `entrasig test` read it through FS when no PATH is
// given.
package signin

import (
	"embed"
	"io/fs"
)

// files is the embedded pack. go:embed needs a package-level variable; it is never written.
//
//go:embed *.yml
var files embed.FS

// FS returns the pack: rule files and test-case files at the root, in lexical order under
// fs.ReadDir.
func FS() fs.FS { return files }
