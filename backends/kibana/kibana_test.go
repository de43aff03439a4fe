package kibana

import (
	"errors"
	"reflect"
	"testing"

	"github.com/entrasig/entrasig/translate"
)

func TestEmit(t *testing.T) {
	for _, c := range allEmitCases() {
		t.Run(c.name, func(t *testing.T) {
			out, err := emit(t, c.q)
			if c.err != "" {
				var ue *translate.UnsupportedError
				if !errors.As(err, &ue) {
					t.Fatalf("got %v (%q), want UnsupportedError %q", err, out.Query, c.err)
				}
				if err.Error() != c.err {
					t.Fatalf("error\n got %s\nwant %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if out.Query != c.want {
				t.Errorf("query\n got %s\nwant %s", out.Query, c.want)
			}
			var got []string
			for _, w := range out.Warnings {
				if w.Pos != matchPos {
					t.Errorf("warning at %v, want %v", w.Pos, matchPos)
				}
				got = append(got, w.Msg)
			}
			if !reflect.DeepEqual(got, c.warns) {
				t.Errorf("warnings\n got %q\nwant %q", got, c.warns)
			}
			again, err := emit(t, c.q)
			if err != nil || again.Query != out.Query {
				t.Errorf("second Emit differs: %q, %v", again.Query, err)
			}
		})
	}
}

func TestBackendIdentity(t *testing.T) {
	var b translate.Backend = Backend{}
	if b.Name() != "kibana" {
		t.Errorf("Name() = %q", b.Name())
	}
	if b.Describe() != "Kibana Query Language (KQL) over Elastic's azure.signinlogs data stream" {
		t.Errorf("Describe() = %q", b.Describe())
	}
}

func BenchmarkEmit(b *testing.B) {
	cases := append(opCases(), shapeCases()...)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cases {
			if _, err := (Backend{}).Emit(c.q); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestEmitRejectsMalformedIR(t *testing.T) {
	for name, q := range map[string]*translate.Query{
		"no legs":      {Path: "r.yml"},
		"empty values": single(eq("UserId")),
		"false leg":    single(&translate.Const{Value: false}),
		"nested const": single(and(eq("UserId", pat("a")), &translate.Const{Value: true})),
	} {
		_, err := emit(t, q)
		var ue *translate.UnsupportedError
		if err == nil || errors.As(err, &ue) {
			t.Errorf("%s: got %v, want an internal (non-Unsupported) error", name, err)
		}
	}
}

func TestIntegralText(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "50126": true, "-1": true, "00429": false, "": false, "-": false, "1.0": false, "+1": false, "1e3": false, "-0": false, "-10": true} {
		if got := integralText(s); got != want {
			t.Errorf("integralText(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCanonicalNumber(t *testing.T) {
	for _, c := range []struct {
		s, typ string
		want   bool
	}{
		{"50126", "long", true}, {"00429", "long", false}, {"1.5", "long", false},
		{"1.5", "float", true}, {"1.50", "float", false}, {"-0", "float", false}, {"0", "float", true},
		{"1e3", "float", false}, {"NaN", "float", false}, {"+Inf", "float", false}, {"99999999999999999999", "long", false},
	} {
		if got := canonicalNumber(c.s, c.typ); got != c.want {
			t.Errorf("canonicalNumber(%q, %s) = %v, want %v", c.s, c.typ, got, c.want)
		}
	}
}
