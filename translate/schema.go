package translate

// TableID identifies one of the four sign-in tables.
type TableID int

const (
	TableSignin           TableID = iota // SigninLogs (letter I)
	TableNonInteractive                  // AADNonInteractiveUserSignInLogs (N)
	TableServicePrincipal                // AADServicePrincipalSignInLogs (S)
	TableManagedIdentity                 // AADManagedIdentitySignInLogs (M)
	numTables
)

// Table is one Sentinel sign-in table and its platform discriminators.
type Table struct {
	ID       TableID
	Letter   byte   // 'I', 'N', 'S', 'M'
	Name     string // Sentinel table name, e.g. "SigninLogs"
	Category string // raw diagnostic category (Elastic azure.signinlogs.category, Splunk category)
	Service  string // Sigma logsource service routing to this table alone, e.g. "signinlogs"
}

// TableSet is a set of tables (bit i = TableID i).
type TableSet uint8

// Has reports whether t is in the set.
func (s TableSet) Has(t TableID) bool { return s&(1<<t) != 0 }

// Type is a value type of a field.
type Type int

const (
	TypeString   Type = iota + 1 // Kusto string; Elastic keyword
	TypeLong                     // integer
	TypeReal                     // floating point
	TypeBool                     // boolean
	TypeDatetime                 // date-time
	TypeDynamic                  // a whole JSON object/array (dynamic in Kusto or JSON text)
	TypeIP                       // an IP address (Elastic type ip; a string in Kusto)
)

// Field is one canonical sign-in field: a Sentinel column, or a sub-key of a dynamic column.
type Field struct {
	// Name is the canonical name: "ResultType", "DeviceDetail.isCompliant".
	Name string
	// Column is the Sentinel column ("DeviceDetail"); Path the sub-keys below it (["isCompliant"]),
	// empty for a plain column.
	Column string
	Path   []string
	// Type is the value's type in Sentinel (for a sub-key, the JSON value's type).
	Type Type
	// Tables says which tables have the column.
	Tables TableSet
	// ColumnDynamic says, per table, whether Column is of Kusto type dynamic there (false: the
	// column is text, and sub-keys need todynamic()). Only meaningful for tables in Tables.
	ColumnDynamic [numTables]bool
	// KustoType is the Kusto column type per table ("string", "long", "bool", "datetime", "dynamic",
	// "real", "int"); "" for tables without the column. For sub-keys, the Column's type.
	KustoType [numTables]string
	// Elastic is the field in Elastic's azure.signinlogs data stream, or Elastic.Name == "" when the
	// integration has no equivalent.
	Elastic ElasticField
	// Splunk is the field in the Azure add-on's azure:monitor:aad events, or Splunk.Name == "".
	Splunk SplunkField
	// Values is the known value set (canonical spelling) for enumeration-like fields, in a fixed
	// order; empty when open-ended.
	Values []string
}

// ElasticField is a field of the Elastic integration.
type ElasticField struct {
	Name string // e.g. "azure.signinlogs.properties.status.error_code"
	// Type is the Elasticsearch mapping type: keyword, long, float, boolean, ip, date, flattened,
	// match_only_text, geo_point, constant_keyword.
	Type string
	// StringName is the keyword twin to use for string operations (wildcards, contains, startswith)
	// when Name is numeric, e.g. "azure.signinlogs.result_type" for ResultType; "" if none.
	StringName string
}

// SplunkField is a field of the Splunk add-on's JSON events.
type SplunkField struct {
	Name string // e.g. "resultType", "properties.deviceDetail.isCompliant"
	// Numeric is true when the raw JSON value is a number (numeric comparisons work as is).
	Numeric bool
	// NumericName is the numeric twin for equality and comparisons when Name is a string, e.g.
	// "properties.status.errorCode" for ResultType; "" if none.
	NumericName string
}

// ElasticNumeric reports whether an Elasticsearch mapping type holds numbers (the integral types
// and the floating-point ones).
func ElasticNumeric(mapping string) bool {
	switch mapping {
	case "long", "integer", "short", "byte", "unsigned_long", "double", "float", "half_float", "scaled_float":
		return true
	}
	return false
}

// ElasticIntegral reports whether an Elasticsearch mapping type holds whole numbers (a fractional
// value given to it is truncated when coerced).
func ElasticIntegral(mapping string) bool {
	switch mapping {
	case "long", "integer", "short", "byte", "unsigned_long":
		return true
	}
	return false
}

// ElasticMultiValued reports whether Elastic's integration stores the field named elastic as an
// array: the Graph signIn properties that are collections. ES|QL compares a multi-valued field as
// null rather than "any element matches"; IS NULL holds when the array is empty or absent.
func ElasticMultiValued(elastic string) bool {
	switch elastic {
	case "azure.signinlogs.properties.risk_event_types",
		"azure.signinlogs.properties.risk_event_types_v2",
		"azure.signinlogs.properties.authentication_methods_used",
		"azure.signinlogs.properties.sign_in_event_types",
		"azure.signinlogs.properties.session_lifetime_policies",
		"azure.signinlogs.properties.authentication_context_class_references",
		"azure.signinlogs.properties.applied_event_listeners":
		return true
	}
	return false
}
