package metrics

import (
	"fmt"
	"math"
	"sort"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/nn"
)

// Summary is a mean with its standard error, and the median of the same
// values (robust where a few rollouts escape and dominate the mean).
type Summary struct {
	Mean   float64 `json:"mean"`
	SEM    float64 `json:"sem"`
	Median float64 `json:"median"`
}

// String formats s as "mean ± sem" with three significant digits for the
// mean and two for the standard error.
func (s Summary) String() string { return s.Text("", true) }

// Text formats s for a table: with spread set, as "mean ± sem", the mean
// and the standard error each with the fmt verb verb, or, with verb
// empty, as String does ("%.2e ± %.1e"); without spread, the mean alone,
// for a value that has no error bar, such as the mean over seeds of a
// single seed.
func (s Summary) Text(verb string, spread bool) string {
	mean, sem := verb, verb
	if verb == "" {
		mean, sem = "%.2e", "%.1e"
	}
	if !spread {
		return fmt.Sprintf(mean, s.Mean)
	}
	return fmt.Sprintf(mean+" ± "+sem, s.Mean, s.SEM)
}

// MeanSEM returns the mean of v and its standard error std(v)/sqrt(len(v))
// (population std, as numpy's default), the paper's error bar for the
// derivative MSE. It returns NaNs for an empty v.
func MeanSEM(v []float64) Summary {
	if len(v) == 0 {
		return Summary{math.NaN(), math.NaN(), math.NaN()}
	}
	m := Mean(v)
	return Summary{Mean: m, SEM: std(v, m) / math.Sqrt(float64(len(v))), Median: Median(v)}
}

// ChunkSEM returns the mean of v and the paper's error bar for the energy
// MSE: v is cut into chunks consecutive pieces of (nearly) equal size, and
// the error is the std of the chunk means divided by sqrt(chunks). It falls
// back to MeanSEM when v has fewer values than chunks.
func ChunkSEM(v []float64, chunks int) Summary {
	if len(v) < chunks || chunks < 2 {
		return MeanSEM(v)
	}
	means := make([]float64, chunks)
	for c := range chunks {
		lo, hi := c*len(v)/chunks, (c+1)*len(v)/chunks
		means[c] = Mean(v[lo:hi])
	}
	return Summary{Mean: Mean(v), SEM: std(means, Mean(means)) / math.Sqrt(float64(chunks)), Median: Median(v)}
}

// Median returns the median of v (the mean of the middle two of an even
// count) without reordering it, or NaN if v is empty.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Mean returns the arithmetic mean of v, or NaN if v is empty.
func Mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func std(v []float64, m float64) float64 {
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)))
}

// Fielder evaluates a model's field dx/dt on a batch of rows: Field writes
// the derivatives at the rows of x into dst, both row-major. A
// model.Workspace is one.
type Fielder[T nn.Float] interface {
	Field(dst, x []T)
}

// rowChunk is the most rows RowErrors evaluates at once: a workspace of a
// model whose field takes second derivatives (lnn: 12 stacked copies of
// the rows) holds about a kilobyte per row and layer, so a set of a
// million rows in one batch would need tens of gigabytes.
const rowChunk = 4096

// RowErrors returns, for every row of set, the mean over the D components of
// the squared difference between the model's field and the observed
// derivative; its mean is the paper's train or test loss. Rows are
// evaluated in order in the fewest chunks of at most 4096 rows, of equal
// sizes but for a last one that may be shorter by less than the number of
// chunks, by the Fielders that batch returns for the chunk's rows (one for
// the equal chunks and one for a shorter last; not called for an empty
// set). A row's field does not depend on the other rows of its batch as
// long as the batch has more than one (a single row takes the kernels'
// matrix-vector path, whose sums are ordered otherwise), so the errors are
// those of one batch of every row, bit for bit.
func RowErrors[T nn.Float](batch func(rows int) Fielder[T], set *data.Set) []float64 {
	n, d := set.Len(), set.Dim
	if n == 0 {
		return nil
	}
	chunks := (n + rowChunk - 1) / rowChunk
	c := (n + chunks - 1) / chunks
	x, f := make([]T, c*d), make([]T, c*d)
	ws := batch(c)
	out := make([]float64, n)
	for lo := 0; lo < n; lo += c {
		k := min(c, n-lo)
		if k < c {
			ws = batch(k)
		}
		xs, fs := x[:k*d], f[:k*d]
		for i, v := range set.X[lo*d : (lo+k)*d] {
			xs[i] = T(v)
		}
		ws.Field(fs, xs)
		dx := set.DX[lo*d:]
		for r := range k {
			var s float64
			for j := range d {
				e := float64(fs[r*d+j]) - dx[r*d+j]
				s += e * e
			}
			out[lo+r] = s / float64(d)
		}
	}
	return out
}
