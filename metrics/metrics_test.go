package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// tol is the tolerance for the hand-computed statistics below: they are
// sums of a few small numbers, so a correct implementation is within a few
// ulps; 1e-14 relative allows that rounding and nothing more.
const tol = 1e-14

func near(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// ms is an expected mean and standard error. (Summary may carry further
// statistics; these tests check the two the paper's error bars use.)
type ms struct{ Mean, SEM float64 }

func TestMeanSEM(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for _, c := range []struct {
		name string
		v    []float64
		want ms
	}{
		{"empty", nil, ms{nan, nan}},
		{"one value", []float64{5}, ms{5, 0}},
		{"constant", []float64{2, 2, 2}, ms{2, 0}},
		// mean 2.5; population variance (2.25+0.25+0.25+2.25)/4 = 1.25;
		// SEM = sqrt(1.25)/sqrt(4).
		{"1..4", []float64{1, 2, 3, 4}, ms{2.5, math.Sqrt(1.25) / 2}},
		// mean 2; variance (1+1)/2 = 1 (population, not 2 as ddof=1 gives);
		// SEM = 1/sqrt(2).
		{"1,3", []float64{1, 3}, ms{2, 1 / math.Sqrt2}},
		// mean 0; variance 4; SEM = 2/sqrt(4) = 1.
		{"symmetric", []float64{-2, 2, -2, 2}, ms{0, 1}},
	} {
		got := MeanSEM(c.v)
		if !near(got.Mean, c.want.Mean) || !near(got.SEM, c.want.SEM) {
			t.Errorf("%s: MeanSEM(%v) = %+v, want %+v", c.name, c.v, got, c.want)
		}
	}
}

func TestChunkSEM(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		v      []float64
		chunks int
		want   ms
	}{
		// Chunks [1 2] [3 4] [5 6] with means 1.5, 3.5, 5.5: their
		// population std is sqrt(8/3), divided by sqrt(3).
		{"even", []float64{1, 2, 3, 4, 5, 6}, 3, ms{3.5, math.Sqrt(8.0/3) / math.Sqrt(3)}},
		// Uneven: chunk c holds v[c*5/2 : (c+1)*5/2], [1 2] and [3 4 5],
		// means 1.5 and 4 with std 1.25, divided by sqrt(2). The mean is
		// of all values (3), not of the chunk means (2.75).
		{"uneven", []float64{1, 2, 3, 4, 5}, 2, ms{3, 1.25 / math.Sqrt2}},
		// One value per chunk: the chunk means are the values, so the
		// result equals MeanSEM.
		{"one per chunk", []float64{1, 2, 3, 4}, 4, ms{2.5, math.Sqrt(1.25) / 2}},
		// Chunk means all equal: no spread between chunks even though the
		// values vary.
		{"equal chunk means", []float64{0, 2, 2, 0, 1, 1}, 3, ms{1, 0}},
		// The paper's 15 starts in 5 chunks of 3: means 2, 5, 8, 11, 14,
		// population std sqrt(18), divided by sqrt(5).
		{"paper 15 in 5", seq(1, 15), 5, ms{8, math.Sqrt(18) / math.Sqrt(5)}},
		// Fallbacks to MeanSEM: fewer values than chunks, or fewer than two
		// chunks.
		{"fewer than chunks", []float64{1, 2, 3}, 5, ms{2, math.Sqrt(2.0/3) / math.Sqrt(3)}},
		{"one chunk", []float64{1, 2, 3, 4}, 1, ms{2.5, math.Sqrt(1.25) / 2}},
		{"zero chunks", []float64{1, 3}, 0, ms{2, 1 / math.Sqrt2}},
		{"empty", nil, 5, ms{math.NaN(), math.NaN()}},
	} {
		got := ChunkSEM(c.v, c.chunks)
		if !near(got.Mean, c.want.Mean) || !near(got.SEM, c.want.SEM) {
			t.Errorf("%s: ChunkSEM(%v, %d) = %+v, want %+v", c.name, c.v, c.chunks, got, c.want)
		}
	}
}

// seq returns lo, lo+1, ..., hi.
func seq(lo, hi int) []float64 {
	var v []float64
	for i := lo; i <= hi; i++ {
		v = append(v, float64(i))
	}
	return v
}

func TestSummaryString(t *testing.T) {
	t.Parallel()
	if got, want := (Summary{Mean: 3.84e-4, SEM: 6.5e-5}).String(), "3.84e-04 ± 6.5e-05"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestSummaryText(t *testing.T) {
	t.Parallel()
	s := Summary{Mean: 3.84e-4, SEM: 6.5e-5}
	for _, tc := range []struct {
		verb   string
		spread bool
		want   string
	}{
		{"", true, "3.84e-04 ± 6.5e-05"},
		{"", false, "3.84e-04"},
		{"%.6f", true, "0.000384 ± 0.000065"},
		{"%.6f", false, "0.000384"},
		{"%.1f", true, "0.0 ± 0.0"},
	} {
		if got := s.Text(tc.verb, tc.spread); got != tc.want {
			t.Errorf("Text(%q, %t) = %q, want %q", tc.verb, tc.spread, got, tc.want)
		}
	}
}

func TestEnergyErrors(t *testing.T) {
	t.Parallel()
	// H = (q^2 + p^2)/2, B = 2 rollouts of T = 2 times in D = 2.
	energy := func(x []float64) float64 { return (x[0]*x[0] + x[1]*x[1]) / 2 }
	truth := []float64{
		1, 0, 0, 1, // rollout 0: H = 0.5, 0.5
		2, 0, 0, 2, // rollout 1: H = 2, 2
	}
	pred := []float64{
		1, 0, 1, 1, // H = 0.5, 1     -> errors 0, 0.25  -> mean 0.125
		0, 0, 0, -2, // H = 0, 2      -> errors 4, 0     -> mean 2
	}
	got := EnergyErrors(energy, truth, pred, 2, 2, 2)
	want := []float64{0.125, 2}
	if len(got) != len(want) {
		t.Fatalf("EnergyErrors returned %d values, want %d", len(got), len(want))
	}
	for i := range want {
		if !near(got[i], want[i]) {
			t.Errorf("EnergyErrors[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// A perfect prediction has no error, and the error does not see the
	// phase: the model may run ahead on the same energy shell.
	shifted := []float64{0, 1, -1, 0, 0, -2, 2, 0}
	for i, e := range EnergyErrors(energy, truth, shifted, 2, 2, 2) {
		if e != 0 {
			t.Errorf("same-shell prediction: error[%d] = %v, want 0", i, e)
		}
	}
}

func TestEnergyErrorsPanics(t *testing.T) {
	t.Parallel()
	energy := func(x []float64) float64 { return x[0] }
	for _, c := range []struct {
		name        string
		truth, pred []float64
	}{
		{"short truth", make([]float64, 3), make([]float64, 4)},
		{"short pred", make([]float64, 4), make([]float64, 3)},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "metrics:") {
					t.Errorf("%s: recovered %v, want a panic with a metrics: message", c.name, r)
				}
			}()
			EnergyErrors(energy, c.truth, c.pred, 2, 2, 1)
		}()
	}
}

func TestTimes(t *testing.T) {
	t.Parallel()
	for _, p := range []EnergyProtocol{
		{TEnd: 2, Points: 5},
		{TEnd: 3, Points: 2},
		{TEnd: 20, Points: 200},
		{TEnd: 100, Points: 1000},
		{TEnd: 0.7, Points: 7},
	} {
		ts := p.Times()
		if len(ts) != p.Points {
			t.Fatalf("%+v: %d times, want %d", p, len(ts), p.Points)
		}
		// The start is exact. The end is TEnd*(Points-1)/(Points-1), which
		// is TEnd itself for the tasks' protocols but can be one ulp off
		// (0.7 with 7 points gives 0.6999999999999998), so allow one ulp.
		end := ts[len(ts)-1]
		if ts[0] != 0 || math.Abs(end-p.TEnd) > p.TEnd*0x1p-52 {
			t.Errorf("%+v: times run from %v to %v, want 0 to %v", p, ts[0], end, p.TEnd)
		}
		// Even spacing, to rounding: each time is one multiply and one
		// divide from exact, so 4 ulps of TEnd.
		h := p.TEnd / float64(p.Points-1)
		eps := 4 * p.TEnd * 0x1p-52
		for i := 1; i < len(ts); i++ {
			if d := ts[i] - ts[i-1]; math.Abs(d-h) > eps {
				t.Errorf("%+v: step %d is %v, want %v", p, i, d, h)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := EnergyProtocol{Starts: 15, TEnd: 100, Points: 1000, Integrator: "dopri5", RTol: 1e-9, ATol: 1e-9, Seed: 2019, Chunks: 5}
	if err := ok.Validate(); err != nil {
		t.Fatalf("reference protocol: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*EnergyProtocol)
		word string
	}{
		{"no starts", func(p *EnergyProtocol) { p.Starts = 0 }, "starts"},
		{"negative starts", func(p *EnergyProtocol) { p.Starts = -1 }, "starts"},
		{"one point", func(p *EnergyProtocol) { p.Points = 1 }, "points"},
		{"zero t_end", func(p *EnergyProtocol) { p.TEnd = 0 }, "t_end"},
		{"negative t_end", func(p *EnergyProtocol) { p.TEnd = -1 }, "t_end"},
		{"NaN t_end", func(p *EnergyProtocol) { p.TEnd = math.NaN() }, "t_end"},
		{"unknown integrator", func(p *EnergyProtocol) { p.Integrator = "euler9" }, "euler9"},
		{"no integrator", func(p *EnergyProtocol) { p.Integrator = "" }, "integrator"},
		{"negative rtol", func(p *EnergyProtocol) { p.RTol = -1 }, "RTol"},
		{"NaN atol", func(p *EnergyProtocol) { p.ATol = math.NaN() }, "ATol"},
	} {
		p := ok
		c.edit(&p)
		err := p.Validate()
		if err == nil {
			t.Errorf("%s: Validate(%+v) = nil, want an error", c.name, p)
			continue
		}
		if !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: error %q does not name %q", c.name, err, c.word)
		}
	}
}

func TestInitialStates(t *testing.T) {
	t.Parallel()
	draw := func(rng *rand.Rand) []float64 { return []float64{rng.NormFloat64(), rng.Float64()} }
	p := EnergyProtocol{Starts: 4, Seed: 2019}
	a, b := p.InitialStates(draw), p.InitialStates(draw)
	if len(a) != 2*p.Starts {
		t.Fatalf("%d values, want %d", len(a), 2*p.Starts)
	}
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different states:\n%v\n%v", a, b)
	}
	// Distinct starts, and another seed gives other states.
	if slices.Equal(a[:2], a[2:4]) {
		t.Errorf("starts 0 and 1 are equal: %v", a)
	}
	q := p
	q.Seed++
	if slices.Equal(a, q.InitialStates(draw)) {
		t.Errorf("seeds %d and %d give the same states", p.Seed, q.Seed)
	}
	// More starts extend the same sequence.
	q = p
	q.Starts = 6
	if c := q.InitialStates(draw); !slices.Equal(c[:len(a)], a) {
		t.Errorf("6 starts do not begin with the 4 starts:\n%v\n%v", c, a)
	}
}
