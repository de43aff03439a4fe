package splunk

import (
	"testing"

	"github.com/entrasig/entrasig/translate"
)

// TestNoPanicOnDegenerateIR: every operator, with no values, under NOT and cased, either renders
// or returns an error; it never panics.
func TestNoPanicOnDegenerateIR(t *testing.T) {
	ops := []translate.Op{translate.OpEq, translate.OpRegex, translate.OpCIDR, translate.OpLt, translate.OpLte,
		translate.OpGt, translate.OpGte, translate.OpNull, translate.OpExists, translate.OpFieldRef, translate.Op(99)}
	for _, op := range ops {
		for _, c := range []bool{false, true} {
			for _, f := range []string{upn, "ResultType", "RiskEventTypes", "IsRisky"} {
				m := &translate.Match{Field: fld(t, f), Op: op, Cased: c}
				for _, e := range []translate.Expr{m, not(m), and(m, not(m)), &translate.Match{Op: op}} {
					func() {
						defer func() {
							if r := recover(); r != nil {
								t.Errorf("%v cased=%v field=%s: panic %v", op, c, f, r)
							}
						}()
						_, _ = Backend{}.Emit(query(e))
					}()
				}
			}
		}
	}
	if _, err := (Backend{}).Emit(nil); err == nil {
		t.Errorf("Emit(nil): want an error")
	}
	if _, err := (Backend{}).Emit(&translate.Query{}); err == nil {
		t.Errorf("Emit(empty query): want an error")
	}
}
