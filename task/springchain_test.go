package task

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSpringChainData checks the spring chain's protocol: counts, times,
// a fixed chain and test set, noise of the stated level (the noisy
// states' energy spread around the clean one's), and derivatives that are
// the noisy states' differences.
func TestSpringChainData(t *testing.T) {
	t.Parallel()
	tk, err := Get("spring-chain")
	if err != nil {
		t.Fatal(err)
	}
	sys := chainSystem()
	for i, k := range sys.K {
		if k < 1 || sys.M[min(i, len(sys.M)-1)] < 0.2 {
			t.Fatalf("spring %d: stiffness %v, want >= 5*0.2; masses >= 0.2", i, k)
		}
	}
	s := chainTrajectories(rand.New(rand.NewPCG(1, 1)), 40, chainTrainSteps)
	n, d := chainTrainSteps+1, 2*chainMasses
	if s.Len() != 40*n || len(s.T) != 40*n || s.Dim != d {
		t.Fatalf("%d rows of dimension %d, want %d of %d", s.Len(), s.Dim, 40*n, d)
	}
	for r := 0; r+1 < s.Len(); r++ {
		if s.Traj[r] != s.Traj[r+1] {
			continue
		}
		if math.Abs(s.T[r+1]-s.T[r]-chainDT) > 1e-12 {
			t.Fatalf("row %d: step %v, want %v", r, s.T[r+1]-s.T[r], chainDT)
		}
		for j := range d {
			want := (s.X[(r+1)*d+j] - s.X[r*d+j]) / chainDT
			if math.Abs(s.DX[r*d+j]-want) > 1e-9 {
				t.Fatalf("row %d: derivative %v, want the forward difference %v", r, s.DX[r*d+j], want)
			}
		}
	}
	// Noise: the increments of consecutive states' differences
	// x_{t+1} - 2 x_t + x_{t-1} of the clean chain are at most about
	// (w dt)^2 |x| ~ 1 here, of the noise 6 sigma^2 in variance; their
	// variance over many states bounds the noise from both sides loosely.
	var v float64
	var cnt int
	for r := 1; r+1 < s.Len(); r++ {
		if s.Traj[r-1] != s.Traj[r+1] {
			continue
		}
		for j := range chainMasses { // positions move slowly
			e := s.X[(r+1)*d+j] - 2*s.X[r*d+j] + s.X[(r-1)*d+j]
			v += e * e
			cnt++
		}
	}
	if sigma := math.Sqrt(v / float64(cnt) / 6); sigma < chainNoise*0.8 {
		t.Errorf("noise about %.3g, want at least %.3g", sigma, chainNoise*0.8)
	}
	a, b := chainTest(), chainTest()
	if &a.X[0] != &b.X[0] || a.Len() != chainTestCount*(chainTestSteps+1) {
		t.Error("the test set is not made once with its stated size")
	}
	if !tk.Standardise {
		t.Error("the spring chain does not train in standardised units")
	}
	segs, err := tk.Segments()
	if err != nil || len(segs) != chainTestCount || len(segs[0].T) != chainTestSteps+1 {
		t.Fatalf("segments: %d, err %v", len(segs), err)
	}
}
