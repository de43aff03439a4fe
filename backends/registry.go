// Package backends is the registry of entrasig's targets: it names every backend, builds them from
// the CLI's options, and holds the cross-backend golden test. It adds no query logic of its own.
package backends

import (
	"fmt"
	"strings"

	"github.com/entrasig/entrasig/backends/esql"
	"github.com/entrasig/entrasig/backends/kibana"
	"github.com/entrasig/entrasig/backends/kusto"
	"github.com/entrasig/entrasig/backends/splunk"
	"github.com/entrasig/entrasig/translate"
)

// Options configures the backends that take settings. The zero value gives every default.
type Options struct {
	// KustoFunction names a Sentinel workspace function to query instead of a union when a rule
	// routes to all four sign-in tables (combinedsigninlogs). Empty: emit a union.
	KustoFunction string
	// SplunkIndex is an index to search (empty: none named).
	SplunkIndex string
	// SplunkMacro replaces the sourcetype filter with a macro such as azure_monitor_aad.
	SplunkMacro string
}

// All returns every backend, in the order `entrasig targets` lists them.
func All(o Options) []translate.Backend {
	return []translate.Backend{
		kusto.Backend{Function: o.KustoFunction},
		esql.Backend{},
		kibana.Backend{},
		splunk.Backend{Index: o.SplunkIndex, Macro: o.SplunkMacro},
	}
}

// Names returns the target names in All's order.
func Names() []string {
	all := All(Options{})
	names := make([]string, len(all))
	for i, b := range all {
		names[i] = b.Name()
	}
	return names
}

// Select parses a comma-separated target list ("all" for every target) into backends, in the order
// given, without duplicates. Unknown names are an error listing the known ones.
func Select(list string, o Options) ([]translate.Backend, error) {
	all := All(o)
	if strings.TrimSpace(list) == "all" {
		return all, nil
	}
	var out []translate.Backend
	seen := make(map[string]bool)
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		var found translate.Backend
		for _, b := range all {
			if b.Name() == name {
				found = b
			}
		}
		if found == nil {
			return nil, fmt.Errorf("unknown target %q (known: %s, or all)", name, strings.Join(Names(), ", "))
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, found)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no target given (known: %s, or all)", strings.Join(Names(), ", "))
	}
	return out, nil
}
