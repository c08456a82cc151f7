package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// randomSet returns n rows of dimension d with states and derivatives drawn
// from N(0, 1).
func randomSet(n, d int, rng *rand.Rand) *data.Set {
	s := &data.Set{Dim: d, X: make([]float64, n*d), DX: make([]float64, n*d)}
	for i := range s.X {
		s.X[i], s.DX[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	return s
}

// TestPoolLossGrad checks the loss and gradient of a batch split over 1, 2
// and 3 workers against one workspace of the whole batch, for every model
// kind in both precisions. The shards' means are recombined with weights
// n_k/B, which is exact in real arithmetic; what remains is the rounding of
// sums taken in another order, a few units of the last place of the
// largest terms: 1e-12 relative to the largest gradient component in
// float64, 1e-5 in float32.
func TestPoolLossGrad(t *testing.T) {
	t.Parallel()
	for _, kind := range model.Kinds() {
		t.Run(kind+"/float64", func(t *testing.T) {
			t.Parallel()
			testPoolLossGrad[float64](t, kind, 1e-12)
		})
		t.Run(kind+"/float32", func(t *testing.T) {
			t.Parallel()
			testPoolLossGrad[float32](t, kind, 1e-5)
		})
	}
}

func testPoolLossGrad[T nn.Float](t *testing.T, kind string, tol float64) {
	const batch, d = 41, 4
	rng := rand.New(rand.NewPCG(11, 1))
	m, err := model.New[T](model.Config{Kind: kind, Dim: d, Hidden: []int{16, 16}}, rng)
	if err != nil {
		t.Fatal(err)
	}
	set := randomSet(batch, d, rng)
	x, y := convert[T](set.X), convert[T](set.DX)
	want := make([]T, len(m.Params()))
	wantLoss := m.NewWorkspace(batch, true).LossGrad(x, y, want)
	var scale float64
	for _, g := range want {
		scale = max(scale, math.Abs(float64(g)))
	}
	for _, n := range []int{1, 2, 3} {
		got := make([]T, len(want))
		var loss float64
		if n == 1 {
			loss = m.NewWorkspace(batch, true).LossGrad(x, y, got)
		} else {
			p := newPool(m, batch, n, len(got))
			loss = p.lossGrad(x, y, got)
			p.close()
		}
		if math.Abs(loss-wantLoss) > tol*wantLoss {
			t.Errorf("%d workers: loss %v, one workspace %v", n, loss, wantLoss)
		}
		var worst float64
		for i := range got {
			worst = max(worst, math.Abs(float64(got[i]-want[i]))/scale)
		}
		t.Logf("%d workers: loss differs by %.2g relative, gradient by %.2g of its largest component", n, math.Abs(loss-wantLoss)/wantLoss, worst)
		if worst > tol {
			t.Errorf("%d workers: gradient differs by %.3g of its largest component, want at most %.3g", n, worst, tol)
		}
	}
}

// TestPoolShards checks that the shards cover the batch in order with
// sizes differing by at most one.
func TestPoolShards(t *testing.T) {
	t.Parallel()
	m, _ := model.New[float64](model.Config{Kind: "baseline", Dim: 2, Hidden: []int{4}}, rand.New(rand.NewPCG(1, 1)))
	for _, tc := range []struct{ batch, n int }{{2, 2}, {10, 3}, {11, 4}, {200, 4}, {7, 7}} {
		p := newPool(m, tc.batch, tc.n, len(m.Params()))
		lo, small, large := 0, tc.batch, 0
		for _, s := range p.shards {
			if s.lo != lo || s.ws.Batch() != s.hi-s.lo {
				t.Errorf("%+v: shard [%d, %d) with a workspace of %d after row %d", tc, s.lo, s.hi, s.ws.Batch(), lo)
			}
			lo = s.hi
			small, large = min(small, s.hi-s.lo), max(large, s.hi-s.lo)
		}
		if lo != tc.batch || large-small > 1 || len(p.shards) != tc.n {
			t.Errorf("%+v: %d shards end at %d with sizes %d to %d", tc, len(p.shards), lo, small, large)
		}
		p.close()
		p.close()
	}
}

// TestStreamLoss checks the loss of a set streamed in chunks against one
// workspace of all its rows: it is the row-weighted mean of the chunks'
// means, equal up to the rounding of the sums (1e-13 relative in float64),
// and exactly the same when the set is one chunk.
func TestStreamLoss(t *testing.T) {
	t.Parallel()
	const n, d = 30, 2
	rng := rand.New(rand.NewPCG(12, 1))
	m, _ := model.New[float64](model.Config{Kind: "hnn", Dim: d, Hidden: []int{8}}, rng)
	set := randomSet(n, d, rng)
	want := m.NewWorkspace(n, false).Loss(set.X, set.DX)
	for _, chunk := range []int{1, 7, 10, 29, 30, 4096} {
		t.Run(fmt.Sprint(chunk), func(t *testing.T) {
			got, err := newStreamLoss(m, Source[float64](NewSetSource[float64](set)), chunk).loss()
			if err != nil {
				t.Fatal(err)
			}
			if chunk >= n && got != want {
				t.Errorf("one chunk: loss %v, want exactly %v", got, want)
			}
			if math.Abs(got-want) > 1e-13*want {
				t.Errorf("loss %v, want %v", got, want)
			}
		})
	}
}
