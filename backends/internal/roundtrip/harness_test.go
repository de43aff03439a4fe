package roundtrip

import "testing"

func TestDescribeShowsTheDifferingEvents(t *testing.T) {
	evs := make([]Event, 100)
	for i := range evs {
		evs[i] = Event{"Type": "SigninLogs", "N": i}
	}
	got := describe(evs, []string{"3", "70"}, []string{"3", "99"})
	want := "  70: {\"N\":70,\"Type\":\"SigninLogs\"}\n  99: {\"N\":99,\"Type\":\"SigninLogs\"}\n"
	if got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	// Correlation keys are not indexes: the first events are listed.
	got = describe(evs[:2], []string{"2026-11-27T10:00:00Z"}, nil)
	want = "  0: {\"N\":0,\"Type\":\"SigninLogs\"}\n  1: {\"N\":1,\"Type\":\"SigninLogs\"}\n"
	if got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
}
