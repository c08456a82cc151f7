package metrics_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
)

// TestRowErrorsChunks evaluates sets of up to three chunks and a partial
// one with an HNN and requires, bit for bit, the errors of one batch of
// all rows: the chunks change how many rows a workspace holds, never a
// row's numbers. It also counts the workspaces made: two at most.
func TestRowErrorsChunks(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{16, 16}}, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 4095, 4096, 4097, 2*4096 + 1, 3*4096 + 17} {
		set := &data.Set{Dim: 2, X: make([]float64, 2*n), DX: make([]float64, 2*n)}
		for i := range set.X {
			set.X[i], set.DX[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		made := 0
		got := metrics.RowErrors(func(rows int) metrics.Fielder[float32] {
			made++
			return m.NewWorkspace(rows, false)
		}, set)
		// One batch of every row, as RowErrors evaluated before chunks.
		x, f := make([]float32, 2*n), make([]float32, 2*n)
		for i, v := range set.X {
			x[i] = float32(v)
		}
		m.NewWorkspace(n, false).Field(f, x)
		if len(got) != n {
			t.Fatalf("%d rows: %d errors", n, len(got))
		}
		for r := range n {
			var s float64
			for j := range 2 {
				e := float64(f[2*r+j]) - set.DX[2*r+j]
				s += e * e
			}
			if want := s / 2; math.Float64bits(got[r]) != math.Float64bits(want) {
				t.Fatalf("%d rows: row %d error %g, one batch gives %g", n, r, got[r], want)
			}
		}
		if made > 2 {
			t.Errorf("%d rows: %d workspaces made, want at most 2", n, made)
		}
	}
}
