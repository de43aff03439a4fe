package translate

import (
	"fmt"
	"strings"
)

// Resolution is the outcome of resolving a rule's field name.
type Resolution struct {
	Field *Field
	// Warning is set when the name was not the exact canonical spelling (case fixed, raw JSON path,
	// or a known alias); it names the canonical form.
	Warning string
}

// aliasOf returns the canonical name for a field name other exports or SigmaHQ/pySigma use whose
// meaning on sign-in events is certain (lower-cased key), or "".
func aliasOf(lower string) string {
	switch lower {
	case "clientapp": // SigmaHQ legacy-auth rule; pySigma's Entra pipeline
		return "ClientAppUsed"
	case "src_ip", "srcip", "source.ip", "client.ip": // CIM / ECS spellings of the caller IP
		return "IPAddress"
	case "user_agent", "user_agent.original": // CIM / ECS
		return "UserAgent"
	case "authenticationmethod": // pySigma's Entra pipeline
		return "AuthenticationMethodsUsed"
	}
	return ""
}

// noCertainMeaning returns the error for names SigmaHQ uses on sign-in rules whose meaning is
// not certain (lower-cased key), or "".
func noCertainMeaning(lower, written string) string {
	switch lower {
	case "username":
		return fmt.Sprintf("field %q has no certain sign-in equivalent (it could be UserPrincipalName, AlternateSignInName or UserDisplayName); name the column", written)
	case "activitydetails":
		return fmt.Sprintf("unknown field %q: no sign-in equivalent", written)
	}
	return ""
}

// Resolve maps a field name as written in a rule to a canonical field: the exact canonical name;
// the canonical name in another letter case (warning: sub-keys of dynamic columns are
// case-sensitive in Kusto, so the canonical spelling is what gets emitted); a raw JSON path as
// Splunk and the Azure export write it (warning); an alias of certain meaning (warning). Anything
// else is an error message (with a did-you-mean suggestion where one is close).
//
// The value-dependent pseudo-fields (`Status: Success`, `properties.message: ROPC`) are the
// lowering's business, not this function's.
func (s *Schema) Resolve(name string) (Resolution, error) {
	if f := s.byName[name]; f != nil {
		return Resolution{Field: f}, nil
	}
	lower := strings.ToLower(name)
	if msg := noCertainMeaning(lower, name); msg != "" {
		return Resolution{}, fmt.Errorf("%s", msg)
	}
	if f := s.byFold[lower]; f != nil {
		return Resolution{Field: f, Warning: fmt.Sprintf("field %q is spelled %q in the sign-in schema; using %q", name, f.Name, f.Name)}, nil
	}
	if u, ok := s.unverified[lower]; ok {
		return Resolution{}, fmt.Errorf("field %q: %s is an Elastic/Splunk field not verified as a Sentinel column; not supported", name, u)
	}
	if f := s.byRaw[lower]; f != nil {
		return Resolution{Field: f, Warning: fmt.Sprintf("field %q is a raw JSON path; using the sign-in column %q", name, f.Name)}, nil
	}
	if c := aliasOf(lower); c != "" {
		f := s.byName[c]
		return Resolution{Field: f, Warning: fmt.Sprintf("field %q is an alias; using the sign-in column %q", name, f.Name)}, nil
	}
	if sug := s.suggest(lower); sug != "" {
		return Resolution{}, fmt.Errorf("unknown field %q; did you mean %q?", name, sug)
	}
	return Resolution{}, fmt.Errorf("unknown field %q: no sign-in equivalent", name)
}

// suggest returns the closest canonical name (or alias target) by edit distance, or "" when
// nothing is close. Candidates are visited in schema order, so ties go to the earlier field.
func (s *Schema) suggest(lower string) string {
	best, bestD := "", -1
	limit := max(2, len(lower)/5)
	if len(lower) < 6 {
		limit = 1 // short names are all within two edits of each other
	}
	try := func(cand, target string) {
		d := editDistance(lower, strings.ToLower(cand))
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = target, d
		}
	}
	for _, f := range s.fields {
		try(f.Name, f.Name)
	}
	for _, a := range [...]string{"ClientApp", "src_ip", "user_agent", "AuthenticationMethod"} {
		try(a, aliasOf(strings.ToLower(a)))
	}
	return best
}

// editDistance is the Levenshtein distance over bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
