package evaluate

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// benchEvent is a full interactive sign-in row as a Log Analytics export writes it.
const benchEvent = `{"TenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","SourceSystem":"Azure AD","TimeGenerated":"2024-05-06T07:08:09.1234567Z","ResourceId":"/tenants/72f988bf-86f1-41af-91ab-2d7cd011db47/providers/Microsoft.aadiam","OperationName":"Sign-in activity","OperationVersion":"1.0","Category":"SignInLogs","ResultType":"50126","ResultSignature":"None","ResultDescription":"Invalid username or password or Invalid on-premises username or password.","DurationMs":0,"CorrelationId":"9d1f1a61-4c5c-4f0e-b1c2-4c7c2ab0f3d1","Resource":"Microsoft.aadiam","ResourceGroup":"Microsoft.aadiam","ResourceProvider":"","Identity":"Alice Example","Level":"4","Location":"NL","AlternateSignInName":"alice@contoso.com","AppDisplayName":"Azure Portal","AppId":"c44b4083-3bb0-49c1-b47d-974e53cbdf3c","AuthenticationContextClassReferences":"[]","AuthenticationDetails":"[{\"authenticationStepDateTime\":\"2024-05-06T07:08:09Z\",\"authenticationMethod\":\"Password\",\"succeeded\":false,\"authenticationStepResultDetail\":\"Invalid username or password or Invalid on-premises username or password.\",\"authenticationStepRequirement\":\"Primary authentication\"}]","AuthenticationMethodsUsed":"","AuthenticationProcessingDetails":"[{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]","AuthenticationRequirement":"singleFactorAuthentication","AuthenticationRequirementPolicies":"[]","ClientAppUsed":"Browser","ConditionalAccessPolicies":[{"id":"a1b2","displayName":"Require MFA for admins","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"notApplied"}],"ConditionalAccessStatus":"notApplied","CreatedDateTime":"2024-05-06T07:08:08.9876543Z","DeviceDetail":{"deviceId":"","operatingSystem":"Windows10","browser":"Edge 124.0.0","isCompliant":false,"isManaged":false,"trustType":""},"IsInteractive":true,"Id":"0b4e1c76-5b6a-4a3f-9c42-3f0f6f4a1b00","IPAddress":"203.0.113.9","IsRisky":false,"LocationDetails":{"city":"Amsterdam","state":"Noord-Holland","countryOrRegion":"NL","geoCoordinates":{"latitude":52.37403,"longitude":4.88969}},"MfaDetail":{},"NetworkLocationDetails":"[]","OriginalRequestId":"0b4e1c76-5b6a-4a3f-9c42-3f0f6f4a1b00","ProcessingTimeInMilliseconds":"118","RiskDetail":"none","RiskEventTypes":"[]","RiskEventTypes_V2":"[]","RiskLevelAggregated":"none","RiskLevelDuringSignIn":"none","RiskState":"none","ResourceDisplayName":"Windows Azure Service Management API","ResourceIdentity":"797f4846-ba00-4fd7-ba43-dac1f8f63013","ServicePrincipalId":"","Status":{"errorCode":50126,"failureReason":"Invalid username or password or Invalid on-premises username or password."},"TokenIssuerName":"","TokenIssuerType":"AzureAD","UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0","UserDisplayName":"Alice Example","UserId":"4f1c2d3e-0000-4000-8000-000000000001","UserPrincipalName":"alice@contoso.com","AADTenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","UserType":"Member","FlaggedForReview":false,"IPAddressFromResourceProvider":"","SignInIdentifier":"alice@contoso.com","SignInIdentifierType":"","ResourceTenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","HomeTenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","UniqueTokenIdentifier":"dGhpcyBpcyBub3QgYSB0b2tlbg","SessionLifetimePolicies":"[]","AutonomousSystemNumber":"64496","AuthenticationProtocol":"none","CrossTenantAccessType":"none","AppliedEventListeners":[],"RiskLevel":"","Type":"SigninLogs"}`

// benchRule is a typical sign-in rule: failed password sign-ins from scripts or outside the
// office, for a non-compliant device, excluding a service account.
const benchRule = `title: Benchmark
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType:
            - 50053
            - 50126
            - 50055
        ClientAppUsed|contains:
            - 'Browser'
            - 'Exchange ActiveSync'
    selection_ua:
        UserAgent|contains:
            - 'python'
            - 'curl'
            - 'Edg/'
    selection_ip:
        IPAddress|cidr: 203.0.113.0/24
    filter_device:
        DeviceDetail.isCompliant: true
    filter_svc:
        UserPrincipalName|startswith: 'svc_'
    condition: selection and 1 of selection_* and not 1 of filter_*
`

func BenchmarkMatch(b *testing.B) {
	ps := programs(&testing.T{}, "bench.yml", benchRule)
	p := ps[0]
	ev, err := DecodeEvent([]byte(benchEvent), "")
	if err != nil {
		b.Fatal(err)
	}
	if !p.Match(ev) {
		b.Fatal("the benchmark event does not match")
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Match(ev)
	}
}

// BenchmarkMatchTextColumn reads a sub-key from a JSON text column (as the non-interactive table
// stores DeviceDetail): the text is parsed once per event, here once per iteration.
func BenchmarkMatchTextColumn(b *testing.B) {
	ps := programs(&testing.T{}, "bench.yml", benchRule)
	p := ps[0]
	line := bytes.Replace([]byte(benchEvent), []byte(`"DeviceDetail":{"deviceId":"","operatingSystem":"Windows10","browser":"Edge 124.0.0","isCompliant":false,"isManaged":false,"trustType":""}`),
		[]byte(`"DeviceDetail":"{\"deviceId\":\"\",\"operatingSystem\":\"Windows10\",\"browser\":\"Edge 124.0.0\",\"isCompliant\":false,\"isManaged\":false,\"trustType\":\"\"}"`), 1)
	b.ReportAllocs()
	for b.Loop() {
		ev, err := DecodeEvent(line, "")
		if err != nil {
			b.Fatal(err)
		}
		if !p.Match(ev) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEvent)))
	for b.Loop() {
		if _, err := DecodeEvent([]byte(benchEvent), ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStream reads and matches 1000 events per iteration through a Reader.
func BenchmarkStream(b *testing.B) {
	ps := programs(&testing.T{}, "bench.yml", benchRule)
	p := ps[0]
	input := bytes.Repeat([]byte(benchEvent+"\n"), 1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(input), "bench", "")
		n := 0
		for {
			ev, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if p.Match(ev) {
				n++
			}
		}
		if n != 1000 {
			b.Fatalf("%d matches", n)
		}
	}
}
