package experiment

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
)

// fieldModel is a Trained whose field is a given function: the true
// system's (a perfect model) or a wrong one.
type fieldModel struct {
	d int
	f func(dst, x []float64)
}

func (m fieldModel) Config() model.Config { return model.Config{Kind: "hnn", Dim: m.d} }
func (m fieldModel) FieldFunc() func() ode.Func {
	return func() ode.Func { return func(dst []float64, _ float64, x []float64) { m.f(dst, x) } }
}
func (m fieldModel) BatchFieldFunc(rows int) ode.BatchFunc {
	return func(dst, _, x []float64) {
		for r := range rows {
			m.f(dst[r*m.d:(r+1)*m.d], x[r*m.d:(r+1)*m.d])
		}
	}
}
func (m fieldModel) Energy() func([]float64) float64      { return nil }
func (m fieldModel) Dissipation() func([]float64) float64 { return nil }
func (m fieldModel) Parts() func(cons, diss, x []float64) { return nil }
func (m fieldModel) RowErrors(*data.Set) []float64        { return nil }
func (m fieldModel) Save(string) error                    { return nil }

// TestLongHorizonPerfectAndWrongModels checks the long-horizon metrics on
// the spring: the true field rolled out with Dormand-Prince is accurate far
// below the chaos floor, keeps its energy and stays valid over the whole
// horizon; RK4 at the protocol's step drifts more than the adaptive
// solver; a field with the wrong frequency loses validity early, its error
// is far above the floor, and a damped field drifts in energy.
func TestLongHorizonPerfectAndWrongModels(t *testing.T) {
	t.Parallel()
	tk, err := task.Get("spring")
	if err != nil {
		t.Fatal(err)
	}
	p := tk.LongHorizon
	p.Starts, p.Integrators = 3, []string{"dopri5", "rk4"}
	lt, err := NewLongTruth(tk, p)
	if err != nil {
		t.Fatal(err)
	}
	if !(lt.Floor > 1e-6 && lt.Floor < 1e-3) {
		t.Errorf("chaos floor %v, want about the 1e-4 perturbation", lt.Floor)
	}
	sys := systems.Spring{}
	perfect, _, err := lt.Evaluate(fieldModel{2, sys.Field}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dp, rk := perfect["dopri5"], perfect["rk4"]
	if !(float64(dp.RelativeError) < 1e-6) || !(float64(dp.EnergyDrift) < 1e-7) || float64(dp.ValidTime) != p.TEnd || dp.Failed != 0 {
		t.Errorf("perfect model, dopri5: %+v, want error < 1e-6, drift < 1e-7, valid over the horizon %v", dp, p.TEnd)
	}
	if !(float64(rk.EnergyDrift) > float64(dp.EnergyDrift)) || rk.Step != p.Step || dp.Step != 0 {
		t.Errorf("perfect model: rk4 %+v, dopri5 %+v; want rk4 to drift more, steps recorded for rk4 only", rk, dp)
	}

	fast := func(dst, x []float64) { sys.Field(dst, x); dst[0], dst[1] = 1.2*dst[0], 1.2*dst[1] }
	wrong, _, _ := lt.Evaluate(fieldModel{2, fast}, []string{"dopri5"})
	if w := wrong["dopri5"]; !(float64(w.ValidTime) < p.TEnd/10) || !(float64(w.RelativeError) > 100*lt.Floor) {
		t.Errorf("wrong frequency: %+v, want an early valid time and an error far above the floor %v", w, lt.Floor)
	}
	damped := func(dst, x []float64) { sys.Field(dst, x); dst[1] -= 0.1 * x[1] }
	d, _, _ := lt.Evaluate(fieldModel{2, damped}, []string{"dopri5"})
	if w := d["dopri5"]; !(float64(w.EnergyDrift) > 0.3) {
		t.Errorf("damped field: drift %v, want the energy to decay by a large fraction", float64(w.EnergyDrift))
	}
	if _, _, err := lt.Evaluate(fieldModel{2, sys.Field}, []string{"euler"}); err == nil || !strings.Contains(err.Error(), "unknown integrator") {
		t.Errorf("unknown integrator: err = %v", err)
	}

	// A field that blows up fails its rollouts, which are counted, and the
	// metrics become null in JSON.
	blow := func(dst, x []float64) { dst[0], dst[1] = (x[0]*x[0]+1)*1e3, 0 }
	b, _, _ := lt.Evaluate(fieldModel{2, blow}, []string{"dopri5"})
	if b["dopri5"].Failed != p.Starts {
		t.Errorf("blow-up: %d failed rollouts, want %d", b["dopri5"].Failed, p.Starts)
	}
	js, err := json.Marshal(b["dopri5"])
	if err != nil || !strings.Contains(string(js), `"energy_drift":null`) {
		t.Errorf("blow-up JSON %s (err %v), want null metrics", js, err)
	}
	var back LongHorizon
	if err := json.Unmarshal(js, &back); err != nil || !math.IsNaN(float64(back.EnergyDrift)) {
		t.Errorf("JSON round trip: %+v, %v", back, err)
	}
}
