// Package rules is entrasig's front end: it reads Sigma files (rules, correlations and filters, the
// whole Sigma v2.1 language) from YAML into an ordered, positioned model, parses conditions into an
// AST whose positions point into the YAML file, validates everything a user can get wrong, and owns
// the diagnostic types every later stage reports through. It knows nothing about any SIEM or schema.
package rules
