package translate

import (
	"reflect"
	"strings"
	"testing"
)

func TestSchemaTables(t *testing.T) {
	var got []string
	for i, tb := range SignIn().Tables() {
		if int(tb.ID) != i {
			t.Errorf("table %s has ID %d at index %d", tb.Name, tb.ID, i)
		}
		got = append(got, string(tb.Letter)+" "+tb.Name+" "+tb.Category+" "+tb.Service)
	}
	want := []string{
		"I SigninLogs SignInLogs signinlogs",
		"N AADNonInteractiveUserSignInLogs NonInteractiveUserSignInLogs aadnoninteractiveusersigninlogs",
		"S AADServicePrincipalSignInLogs ServicePrincipalSignInLogs aadserviceprincipalsigninlogs",
		"M AADManagedIdentitySignInLogs ManagedIdentitySignInLogs aadmanagedidentitysigninlogs",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tables:\n got %q\nwant %q", got, want)
	}
}

func set(letters string) TableSet {
	s, err := parseLetters(letters)
	if err != nil {
		panic(err)
	}
	return s
}

func TestSchemaFields(t *testing.T) {
	str4 := [4]string{"string", "string", "string", "string"}
	dynIN := [4]string{"dynamic", "string", "", ""}
	dynINSM := [4]string{"dynamic", "string", "string", "string"}
	yes := [4]bool{true, false, false, false}
	tests := []Field{
		{Name: "ResultType", Column: "ResultType", Type: TypeString, Tables: All, KustoType: str4,
			Elastic: ElasticField{Name: "azure.signinlogs.properties.status.error_code", Type: "long", StringName: "azure.signinlogs.result_type"},
			Splunk:  SplunkField{Name: "resultType", NumericName: "properties.status.errorCode"}},
		{Name: "IPAddress", Column: "IPAddress", Type: TypeIP, Tables: All, KustoType: str4,
			Elastic: ElasticField{Name: "source.ip", Type: "ip"},
			Splunk:  SplunkField{Name: "properties.ipAddress"}},
		{Name: "UserPrincipalName", Column: "UserPrincipalName", Type: TypeString, Tables: set("IN"), KustoType: [4]string{"string", "string", "", ""},
			Elastic: ElasticField{Name: "azure.signinlogs.properties.user_principal_name", Type: "keyword"},
			Splunk:  SplunkField{Name: "properties.userPrincipalName"}},
		{Name: "DeviceDetail.isCompliant", Column: "DeviceDetail", Path: []string{"isCompliant"}, Type: TypeBool, Tables: set("IN"),
			KustoType: dynIN, ColumnDynamic: yes,
			Elastic: ElasticField{Name: "azure.signinlogs.properties.device_detail.is_compliant", Type: "boolean"},
			Splunk:  SplunkField{Name: "properties.deviceDetail.isCompliant"}},
		{Name: "Status.errorCode", Column: "Status", Path: []string{"errorCode"}, Type: TypeLong, Tables: set("IN"),
			KustoType: dynIN, ColumnDynamic: yes,
			Elastic: ElasticField{Name: "azure.signinlogs.properties.status.error_code", Type: "long"},
			Splunk:  SplunkField{Name: "properties.status.errorCode", Numeric: true}},
		{Name: "LocationDetails.geoCoordinates.latitude", Column: "LocationDetails", Path: []string{"geoCoordinates", "latitude"}, Type: TypeReal, Tables: All,
			KustoType: dynINSM, ColumnDynamic: yes,
			Splunk: SplunkField{Name: "properties.location.geoCoordinates.latitude", Numeric: true}},
		{Name: "LocationDetails.countryOrRegion", Column: "LocationDetails", Path: []string{"countryOrRegion"}, Type: TypeString, Tables: All,
			KustoType: dynINSM, ColumnDynamic: yes,
			Elastic: ElasticField{Name: "geo.country_iso_code", Type: "keyword"},
			Splunk:  SplunkField{Name: "properties.location.countryOrRegion"}},
		{Name: "Location", Column: "Location", Type: TypeString, Tables: All, KustoType: str4,
			Elastic: ElasticField{Name: "geo.country_iso_code", Type: "keyword"},
			Splunk:  SplunkField{Name: "location"}},
		{Name: "AutonomousSystemNumber", Column: "AutonomousSystemNumber", Type: TypeString, Tables: set("IN"), KustoType: [4]string{"string", "string", "", ""},
			Elastic: ElasticField{Name: "azure.signinlogs.properties.autonomous_system_number", Type: "long"},
			Splunk:  SplunkField{Name: "properties.autonomousSystemNumber", Numeric: true}},
		{Name: "TimeGenerated", Column: "TimeGenerated", Type: TypeDatetime, Tables: All, KustoType: [4]string{"datetime", "datetime", "datetime", "datetime"},
			Elastic: ElasticField{Name: "@timestamp", Type: "date"},
			Splunk:  SplunkField{Name: "_time", Numeric: true}},
		{Name: "ConditionalAccessPolicies", Column: "ConditionalAccessPolicies", Type: TypeDynamic, Tables: All, KustoType: dynINSM, ColumnDynamic: yes,
			Elastic: ElasticField{Name: "azure.signinlogs.properties.applied_conditional_access_policies", Type: "flattened"}},
		{Name: "RiskLevelDuringSignIn", Column: "RiskLevelDuringSignIn", Type: TypeString, Tables: set("IN"), KustoType: [4]string{"string", "string", "", ""},
			Elastic: ElasticField{Name: "azure.signinlogs.properties.risk_level_during_signin", Type: "keyword"},
			Splunk:  SplunkField{Name: "properties.riskLevelDuringSignIn"},
			Values:  []string{"none", "low", "medium", "high", "hidden"}},
		{Name: "ServicePrincipalName", Column: "ServicePrincipalName", Type: TypeString, Tables: set("ISM"), KustoType: [4]string{"string", "", "string", "string"},
			Elastic: ElasticField{Name: "azure.signinlogs.properties.service_principal_name", Type: "keyword"},
			Splunk:  SplunkField{Name: "properties.servicePrincipalName"}},
		{Name: "UserType", Column: "UserType", Type: TypeString, Tables: set("IN"), KustoType: [4]string{"string", "string", "", ""},
			Elastic: ElasticField{Name: "azure.signinlogs.properties.user_type", Type: "keyword"},
			Splunk:  SplunkField{Name: "properties.userType"},
			Values:  []string{"Member", "Guest"}},
	}
	for _, want := range tests {
		got := SignIn().Field(want.Name)
		if got == nil {
			t.Errorf("field %s missing", want.Name)
			continue
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("field %s:\n got %+v\nwant %+v", want.Name, *got, want)
		}
	}
}

// TestSchemaPlatformNames pins which fields deliberately have no Elastic or Splunk equivalent;
// every other field must name one on both platforms.
func TestSchemaPlatformNames(t *testing.T) {
	noElastic := map[string]string{
		"Type":            "Kusto's table name; Elastic tells kinds apart by category",
		"DurationMs":      "event.duration is in nanoseconds: not the same value",
		"Status":          "decomposed by the integration",
		"IsRisky":         "not in the integration",
		"LocationDetails": "decomposed into geo.*",
		"LocationDetails.geoCoordinates.latitude":  "geo.location is a geo_point, no scalar field",
		"LocationDetails.geoCoordinates.longitude": "geo.location is a geo_point, no scalar field",
		"ResourceId":   "ambiguous source (resource GUID or ARM envelope id)",
		"TenantId":     "the Log Analytics workspace id",
		"MfaDetail":    "object; only its sub-keys are mapped",
		"DeviceDetail": "object; only its sub-keys are mapped",
	}
	noSplunk := map[string]string{
		"Type": "", "Status": "", "IsRisky": "", "LocationDetails": "", "ResourceId": "", "TenantId": "",
		"MfaDetail": "", "DeviceDetail": "",
		"NetworkLocationDetails":            "array: only sub-keys exist",
		"AuthenticationRequirementPolicies": "array: only sub-keys exist",
		"AuthenticationDetails":             "array: only sub-keys exist",
		"AuthenticationProcessingDetails":   "array: only sub-keys exist",
		"ConditionalAccessPolicies":         "array: only sub-keys exist",
	}
	for _, f := range SignIn().Fields() {
		if _, ok := noElastic[f.Name]; ok != (f.Elastic.Name == "") {
			t.Errorf("%s: Elastic name %q (deliberately empty: %v)", f.Name, f.Elastic.Name, ok)
		}
		if _, ok := noSplunk[f.Name]; ok != (f.Splunk.Name == "") {
			t.Errorf("%s: Splunk name %q (deliberately empty: %v)", f.Name, f.Splunk.Name, ok)
		}
		if f.Elastic.Name == "user.name" {
			t.Errorf("%s: user.name is only the part before @ in Elastic", f.Name)
		}
		if strings.HasPrefix(f.Elastic.Name, "source.geo.") {
			t.Errorf("%s: %s is GeoIP enrichment, not Entra data", f.Name, f.Elastic.Name)
		}
		if f.Tables == 0 || f.Type == 0 {
			t.Errorf("%s: tables %v type %v", f.Name, f.Tables, f.Type)
		}
		for id := range numTables {
			if f.Tables.Has(id) == (f.KustoType[id] == "") {
				t.Errorf("%s: table %d KustoType %q", f.Name, id, f.KustoType[id])
			}
		}
	}
	for _, m := range []map[string]string{noElastic, noSplunk} {
		for name := range m {
			if SignIn().Field(name) == nil {
				t.Errorf("exception list names unknown field %s", name)
			}
		}
	}
}

func TestSchemaDynamicColumns(t *testing.T) {
	var got []string
	for _, f := range SignIn().Fields() {
		if f.Path == nil && (f.KustoType[0] == "dynamic") != (f.KustoType[1] == "dynamic") {
			got = append(got, f.Name)
		}
	}
	want := []string{"Status", "LocationDetails", "ConditionalAccessPolicies", "MfaDetail", "DeviceDetail"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("columns dynamic only in SigninLogs: got %q want %q", got, want)
	}
}

func TestResolve(t *testing.T) {
	tests := []struct{ in, field, warn, err string }{
		{in: "ResultType", field: "ResultType"},
		{in: "DeviceDetail.isCompliant", field: "DeviceDetail.isCompliant"},
		{in: "resultType", field: "ResultType", warn: `field "resultType" is spelled "ResultType" in the sign-in schema; using "ResultType"`},
		{in: "Resultdescription", field: "ResultDescription", warn: `field "Resultdescription" is spelled "ResultDescription" in the sign-in schema; using "ResultDescription"`},
		{in: "DeviceDetail.trusttype", field: "DeviceDetail.trustType", warn: `field "DeviceDetail.trusttype" is spelled "DeviceDetail.trustType" in the sign-in schema; using "DeviceDetail.trustType"`},
		{in: "userAgent", field: "UserAgent", warn: `field "userAgent" is spelled "UserAgent" in the sign-in schema; using "UserAgent"`},
		{in: "IpAddress", field: "IPAddress", warn: `field "IpAddress" is spelled "IPAddress" in the sign-in schema; using "IPAddress"`},
		{in: "properties.appId", field: "AppId", warn: `field "properties.appId" is a raw JSON path; using the sign-in column "AppId"`},
		{in: "properties.deviceDetail.deviceId", field: "DeviceDetail.deviceId", warn: `field "properties.deviceDetail.deviceId" is a raw JSON path; using the sign-in column "DeviceDetail.deviceId"`},
		{in: "properties.authenticationRequirement", field: "AuthenticationRequirement", warn: `field "properties.authenticationRequirement" is a raw JSON path; using the sign-in column "AuthenticationRequirement"`},
		{in: "homeTenantId", field: "HomeTenantId", warn: `field "homeTenantId" is spelled "HomeTenantId" in the sign-in schema; using "HomeTenantId"`},
		{in: "callerIpAddress", field: "IPAddress", warn: `field "callerIpAddress" is a raw JSON path; using the sign-in column "IPAddress"`},
		{in: "properties.riskEventTypes_v2", field: "RiskEventTypes_V2", warn: `field "properties.riskEventTypes_v2" is a raw JSON path; using the sign-in column "RiskEventTypes_V2"`},
		{in: "properties.location", field: "LocationDetails", warn: `field "properties.location" is a raw JSON path; using the sign-in column "LocationDetails"`},
		{in: "ClientApp", field: "ClientAppUsed", warn: `field "ClientApp" is an alias; using the sign-in column "ClientAppUsed"`},
		{in: "src_ip", field: "IPAddress", warn: `field "src_ip" is an alias; using the sign-in column "IPAddress"`},
		{in: "ActivityDetails", err: `unknown field "ActivityDetails": no sign-in equivalent`},
		{in: "Username", err: `field "Username" has no certain sign-in equivalent (it could be UserPrincipalName, AlternateSignInName or UserDisplayName); name the column`},
		{in: "UserPrincipleName", err: `unknown field "UserPrincipleName"; did you mean "UserPrincipalName"?`},
		{in: "ClientAp", err: `unknown field "ClientAp"; did you mean "ClientAppUsed"?`},
		{in: "Foo", err: `unknown field "Foo": no sign-in equivalent`},
		{in: "SessionId", err: `field "SessionId": SessionId is an Elastic/Splunk field not verified as a Sentinel column; not supported`},
		{in: "incomingtokentype", err: `field "incomingtokentype": IncomingTokenType is an Elastic/Splunk field not verified as a Sentinel column; not supported`},
		{in: "properties.processingTimeInMilliseconds", err: `unknown field "properties.processingTimeInMilliseconds": no sign-in equivalent`},
	}
	for _, tt := range tests {
		r, err := SignIn().Resolve(tt.in)
		var gotErr, gotField string
		if err != nil {
			gotErr = err.Error()
		}
		if r.Field != nil {
			gotField = r.Field.Name
		}
		if gotField != tt.field || r.Warning != tt.warn || gotErr != tt.err {
			t.Errorf("Resolve(%q) = %q, %q, %q\nwant %q, %q, %q", tt.in, gotField, r.Warning, gotErr, tt.field, tt.warn, tt.err)
		}
	}
}

func TestParseSchemaErrors(t *testing.T) {
	head := "name\ttype\ttables\tkusto\telastic\telastic_type\telastic_string\tsplunk\tsplunk_num\tsplunk_numname\tvalues\n"
	tests := []struct{ data, err string }{
		{"A\tstring\tIN\tstring\t-\t-\t-\t-\t-\t-\t-\n", "line 2: 11 columns"},
		{"A\tstrung\tIN\tstring\t-\t-\t-\t-\t-\t-\t-\n", `line 2: bad type "strung"`},
		{"A\tstring\tIX\tstring\t-\t-\t-\t-\t-\t-\t-\n", `line 2: bad table letter 'X'`},
		{"A\tstring\tIN\tdynamic[I]\t-\t-\t-\t-\t-\t-\t-\n", "line 2: kusto type missing for table N"},
		{"A.b\tstring\t^\t^\t-\t-\t-\t-\t-\t-\t-\n", "line 2: sub-key A.b needs"},
		{"A\tstring\tIN\tstring\tx\t-\t-\t-\t-\t-\t-\n", "line 2: elastic name and type"},
	}
	for _, tt := range tests {
		data := head + tt.data
		if tt.err == "line 2: 11 columns" {
			data = head + "A\tstring\n"
			tt.err = "line 2: 2 columns, want 11"
		}
		_, err := parseSchema(data)
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("parseSchema(%q) error %v, want prefix %q", tt.data, err, tt.err)
		}
	}
}

func TestKnownValue(t *testing.T) {
	f := SignIn().Field("RiskState")
	if got, ok := f.KnownValue("ATRISK"); got != "atRisk" || !ok {
		t.Errorf("KnownValue(ATRISK) = %q, %v", got, ok)
	}
	if got, ok := f.KnownValue("risky"); got != "" || ok {
		t.Errorf("KnownValue(risky) = %q, %v", got, ok)
	}
	if got, ok := SignIn().Field("UserAgent").KnownValue("x"); got != "" || ok {
		t.Errorf("open-ended field: %q, %v", got, ok)
	}
}
