package translate

import (
	"fmt"
	"strings"

	"github.com/entrasig/entrasig/rules"
)

// combinedService is the logsource service that routes to all four sign-in tables.
const combinedService = "combinedsigninlogs"

func supportedLogsources() string {
	var names []string
	for _, t := range SignIn().Tables() {
		names = append(names, t.Service)
	}
	return "product: azure with service: " + strings.Join(names, ", ") + " or " + combinedService
}

// Route maps a logsource to the sign-in tables it selects: product azure (any case) with service
// signinlogs, aadnoninteractiveusersigninlogs, aadserviceprincipalsigninlogs,
// aadmanagedidentitysigninlogs (one table each) or combinedsigninlogs (all four). Anything else is
// an error positioned at the offending key.
func Route(ls rules.Logsource) (TableSet, rules.Pos, error) {
	pos := func(p rules.Pos) rules.Pos {
		if p.IsValid() {
			return p
		}
		return ls.Pos
	}
	if ls.Category != "" {
		return 0, pos(ls.CategoryPos), fmt.Errorf("logsource: category %q is not supported; entrasig translates %s", ls.Category, supportedLogsources())
	}
	if !strings.EqualFold(ls.Product, "azure") {
		what := "product is missing"
		if ls.Product != "" {
			what = fmt.Sprintf("product %q is not supported", ls.Product)
		}
		return 0, pos(ls.ProductPos), fmt.Errorf("logsource: %s; entrasig translates %s", what, supportedLogsources())
	}
	svc := strings.ToLower(ls.Service)
	if svc == combinedService {
		return All, rules.Pos{}, nil
	}
	for _, t := range SignIn().Tables() {
		if svc == t.Service {
			return 1 << t.ID, rules.Pos{}, nil
		}
	}
	what := "service is missing"
	if ls.Service != "" {
		what = fmt.Sprintf("service %q is not supported", ls.Service)
	}
	return 0, pos(ls.ServicePos), fmt.Errorf("logsource: %s; entrasig translates %s", what, supportedLogsources())
}

// tablesOf returns the schema's tables in the set, in schema order.
func tablesOf(set TableSet) []*Table {
	var out []*Table
	for _, t := range SignIn().Tables() {
		if set.Has(t.ID) {
			out = append(out, t)
		}
	}
	return out
}
