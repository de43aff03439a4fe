package translate

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// signinSchemaTSV is the project's cleaned copy of the sign-in field facts (see the file's header).
//
//go:embed signin-schema.tsv
var signinSchemaTSV string

// Schema is the sign-in schema: the four tables and every canonical field. It is built once from
// the embedded data and never mutated; share it freely.
type Schema struct {
	tables []*Table
	fields []*Field
	byName map[string]*Field // canonical name -> field (exact)
	// byFold maps strings.ToLower(canonical name) -> field.
	byFold map[string]*Field
	// byRaw maps a lower-cased raw JSON path (Splunk/Azure spelling) -> field. Ambiguous paths
	// (one raw path feeding two columns) are left out.
	byRaw map[string]*Field
	// unverified maps a lower-cased name of a field seen in Elastic/Splunk data but not verified
	// as a Sentinel column to its spelling.
	unverified map[string]string
}

// SignIn returns the sign-in schema (built once).
func SignIn() *Schema { return signInOnce() }

var signInOnce = sync.OnceValue(func() *Schema {
	s, err := parseSchema(signinSchemaTSV)
	if err != nil {
		// The data is embedded and covered by tests: a parse error is a build defect, not a user error.
		panic("translate: embedded signin-schema.tsv: " + err.Error())
	}
	return s
})

// Tables returns the four tables in schema order (I, N, S, M).
func (s *Schema) Tables() []*Table { return s.tables }

// Fields returns every canonical field in the data file's order.
func (s *Schema) Fields() []*Field { return s.fields }

// Field returns the field with exactly this canonical name, or nil.
func (s *Schema) Field(canonical string) *Field { return s.byName[canonical] }

// Table returns the table with the given ID.
func (s *Schema) Table(id TableID) *Table { return s.tables[id] }

// All is the set of all four tables.
const All TableSet = 1<<numTables - 1

// Letters renders the set as table letters in schema order, e.g. "IN".
func (s TableSet) Letters() string {
	var b strings.Builder
	for id := range numTables {
		if s.Has(id) {
			b.WriteByte(tableLetters[id])
		}
	}
	return b.String()
}

const tableLetters = "INSM"

func newTables() []*Table {
	return []*Table{
		{ID: TableSignin, Letter: 'I', Name: "SigninLogs", Category: "SignInLogs", Service: "signinlogs"},
		{ID: TableNonInteractive, Letter: 'N', Name: "AADNonInteractiveUserSignInLogs", Category: "NonInteractiveUserSignInLogs", Service: "aadnoninteractiveusersigninlogs"},
		{ID: TableServicePrincipal, Letter: 'S', Name: "AADServicePrincipalSignInLogs", Category: "ServicePrincipalSignInLogs", Service: "aadserviceprincipalsigninlogs"},
		{ID: TableManagedIdentity, Letter: 'M', Name: "AADManagedIdentitySignInLogs", Category: "ManagedIdentitySignInLogs", Service: "aadmanagedidentitysigninlogs"},
	}
}

func parseLetters(s string) (TableSet, error) {
	var set TableSet
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(tableLetters, s[i])
		if j < 0 {
			return 0, fmt.Errorf("bad table letter %q", s[i])
		}
		set |= 1 << j
	}
	if set == 0 {
		return 0, fmt.Errorf("no tables")
	}
	return set, nil
}

func parseType(s string) (Type, error) {
	switch s {
	case "string":
		return TypeString, nil
	case "long":
		return TypeLong, nil
	case "real":
		return TypeReal, nil
	case "bool":
		return TypeBool, nil
	case "datetime":
		return TypeDatetime, nil
	case "dynamic":
		return TypeDynamic, nil
	case "ip":
		return TypeIP, nil
	}
	return 0, fmt.Errorf("bad type %q", s)
}

// parseKusto fills f.KustoType from "string" (every table of f.Tables) or "dynamic[I] string[NSM]".
func parseKusto(f *Field, spec string) error {
	for _, part := range strings.Fields(spec) {
		typ, letters, ok := strings.Cut(part, "[")
		set := f.Tables
		if ok {
			var err error
			if set, err = parseLetters(strings.TrimSuffix(letters, "]")); err != nil {
				return err
			}
		}
		for id := range numTables {
			if set.Has(id) {
				if !f.Tables.Has(id) {
					return fmt.Errorf("kusto type for table %c the column lacks", tableLetters[id])
				}
				f.KustoType[id] = typ
			}
		}
	}
	for id := range numTables {
		if f.Tables.Has(id) != (f.KustoType[id] != "") {
			return fmt.Errorf("kusto type missing for table %c", tableLetters[id])
		}
		f.ColumnDynamic[id] = f.KustoType[id] == "dynamic"
	}
	return nil
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func parseSchema(data string) (*Schema, error) {
	s := &Schema{
		tables:     newTables(),
		byName:     map[string]*Field{},
		byFold:     map[string]*Field{},
		byRaw:      map[string]*Field{},
		unverified: map[string]string{},
	}
	ambiguous := map[string]bool{}
	addRaw := func(raw string, f *Field) {
		k := strings.ToLower(raw)
		if g, ok := s.byRaw[k]; ok && g != f {
			ambiguous[k] = true
		}
		s.byRaw[k] = f
	}
	header := true
	for n, line := range strings.Split(data, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if header { // the column-name line
			header = false
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 11 {
			return nil, fmt.Errorf("line %d: %d columns, want 11", n+1, len(c))
		}
		name := c[0]
		if c[2] == "?" {
			s.unverified[strings.ToLower(name)] = name
			continue
		}
		f := &Field{Name: name}
		f.Column, _, _ = strings.Cut(name, ".")
		if f.Column != name {
			f.Path = strings.Split(strings.TrimPrefix(name, f.Column+"."), ".")
		}
		var err error
		if f.Type, err = parseType(c[1]); err != nil {
			return nil, fmt.Errorf("line %d: %v", n+1, err)
		}
		if f.Path != nil {
			col := s.byName[f.Column]
			if col == nil || col.Type != TypeDynamic || c[2] != "^" || c[3] != "^" {
				return nil, fmt.Errorf("line %d: sub-key %s needs a dynamic column row above it and ^ tables/kusto", n+1, name)
			}
			f.Tables, f.KustoType, f.ColumnDynamic = col.Tables, col.KustoType, col.ColumnDynamic
		} else {
			if f.Tables, err = parseLetters(c[2]); err != nil {
				return nil, fmt.Errorf("line %d: %v", n+1, err)
			}
			if err := parseKusto(f, c[3]); err != nil {
				return nil, fmt.Errorf("line %d: %v", n+1, err)
			}
		}
		f.Elastic = ElasticField{Name: dash(c[4]), Type: dash(c[5]), StringName: dash(c[6])}
		if (f.Elastic.Name == "") != (f.Elastic.Type == "") {
			return nil, fmt.Errorf("line %d: elastic name and type must both be set or both be -", n+1)
		}
		f.Splunk = SplunkField{Name: dash(c[7]), Numeric: c[8] == "num", NumericName: dash(c[9])}
		if v := dash(c[10]); v != "" {
			f.Values = strings.Split(v, "|")
		}
		if s.byName[name] != nil || s.byFold[strings.ToLower(name)] != nil {
			return nil, fmt.Errorf("line %d: duplicate field %s", n+1, name)
		}
		s.fields = append(s.fields, f)
		s.byName[name] = f
		s.byFold[strings.ToLower(name)] = f
		if f.Splunk.Name != "" && !strings.HasPrefix(f.Splunk.Name, "_") {
			addRaw(f.Splunk.Name, f)
			if t, ok := strings.CutSuffix(f.Splunk.Name, "{}"); ok {
				addRaw(t, f)
			}
		}
	}
	for k := range ambiguous {
		delete(s.byRaw, k) // order-independent: only deletes
	}
	// Raw Azure paths of whole objects and top-level envelope names the Splunk column does not
	// carry (Splunk only exposes their sub-keys). These win over the Splunk index.
	for _, r := range [...][2]string{
		{"callerIpAddress", "IPAddress"},
		{"properties.status", "Status"},
		{"properties.deviceDetail", "DeviceDetail"},
		{"properties.mfaDetail", "MfaDetail"},
		{"properties.location", "LocationDetails"},
		{"properties.networkLocationDetails", "NetworkLocationDetails"},
		{"properties.appliedConditionalAccessPolicies", "ConditionalAccessPolicies"},
		{"properties.authenticationDetails", "AuthenticationDetails"},
		{"properties.authenticationRequirementPolicies", "AuthenticationRequirementPolicies"},
		{"properties.authenticationProcessingDetails", "AuthenticationProcessingDetails"},
		{"properties.tenantId", "AADTenantId"},
		{"properties.correlationId", "CorrelationId"},
		{"properties.createdDateTime", "CreatedDateTime"},
	} {
		f := s.byName[r[1]]
		if f == nil {
			return nil, fmt.Errorf("raw path %s: unknown field %s", r[0], r[1])
		}
		s.byRaw[strings.ToLower(r[0])] = f
	}
	if len(s.fields) == 0 {
		return nil, fmt.Errorf("no fields")
	}
	return s, nil
}

// KnownValue returns the canonical spelling of v in the field's known value set, compared
// case-insensitively, and whether the field has a known value set containing it. Fields without a
// value set return ("", false).
func (f *Field) KnownValue(v string) (string, bool) {
	for _, k := range f.Values {
		if EqualFold(k, v) {
			return k, true
		}
	}
	return "", false
}
