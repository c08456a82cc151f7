package pixels

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// centroid returns the red-minus-green intensity centroid of a frame
// relative to the pivot, in image coordinates (y down), and the total.
func centroid(t *testing.T, th float64) (x, y, total float64) {
	t.Helper()
	f := NewFrame()
	Render(f, th)
	for py := range Screen {
		for px := range Screen {
			i := py*f.Stride + 4*px
			v := float64(max(0, int(f.Pix[i])-int(f.Pix[i+1])))
			x += v * float64(px-Screen/2)
			y += v * float64(py-Screen/2)
			total += v
		}
	}
	return x / total, y / total, total
}

// TestRenderGeometry checks that the rod points where the angle says (0
// up, counterclockwise positive as seen), that its centroid sits half a rod
// from the pivot, and the colours: the rod's middle is (204, 77, 77), the
// corners white, the pivot black.
func TestRenderGeometry(t *testing.T) {
	t.Parallel()
	for _, th := range []float64{0, 0.5, -1, math.Pi, math.Pi + 0.4, 2.5} {
		x, y, _ := centroid(t, th)
		got := math.Atan2(-x, -y) // the angle of the centroid from "up", counterclockwise
		if d := math.Abs(math.Remainder(got-th, 2*math.Pi)); d > 2*math.Pi/180 {
			t.Errorf("th = %v: rod centroid at angle %v, %.2f degrees off", th, got, d*180/math.Pi)
		}
		// The rod (with its round ends) has its centroid near L/2 from
		// the pivot; the axle's black disc covers a little of its base.
		if r := math.Hypot(x, y) / scale; math.Abs(r-0.5) > 0.05 {
			t.Errorf("th = %v: centroid %.3f units from the pivot, want about 0.5", th, r)
		}
	}
	f := NewFrame()
	Render(f, 0)
	at := func(x, y float64) [3]uint8 {
		px, py := int(Screen/2+x*scale), int(Screen/2-y*scale)
		i := py*f.Stride + 4*px
		return [3]uint8{f.Pix[i], f.Pix[i+1], f.Pix[i+2]}
	}
	if c := at(0, 0.5); c != [3]uint8{204, 77, 77} {
		t.Errorf("rod middle %v, want (204, 77, 77)", c)
	}
	if c := at(-2.1, 2.1); c != [3]uint8{255, 255, 255} {
		t.Errorf("corner %v, want white", c)
	}
	if c := at(0, 0); c != [3]uint8{0, 0, 0} {
		t.Errorf("pivot %v, want the black axle", c)
	}
	if c := at(0, -0.5); c != [3]uint8{255, 255, 255} {
		t.Errorf("below the pivot %v, want white with the rod up", c)
	}
}

// TestEnvStep checks the semi-implicit Euler update and that the energy
// stays within a narrow band over a swing.
func TestEnvStep(t *testing.T) {
	t.Parallel()
	var e Env
	th, thdot := math.Pi+0.3, 0.2
	th2, thdot2 := e.Step(th, thdot)
	wantDot := thdot + 15*math.Sin(th)*0.05
	if thdot2 != wantDot || th2 != th+wantDot*0.05 {
		t.Errorf("Step = (%v, %v), want (%v, %v)", th2, thdot2, th+wantDot*0.05, wantDot)
	}
	if _, v := e.Step(math.Pi/2, 7.9); v != 8 {
		t.Errorf("speed %v, want clipped to 8", v)
	}
	// Semi-implicit Euler keeps the energy in a band of relative width
	// about dt w = 0.05 sqrt(15) = 0.19 around its start, without drift:
	// the band over 2000 steps is no wider than over the first 100.
	e0 := e.Energy(th, thdot)
	var early, all float64
	for i := range 2000 {
		th, thdot = e.Step(th, thdot)
		all = max(all, math.Abs(e.Energy(th, thdot)-e0)/e0)
		if i < 100 {
			early = all
		}
	}
	if !(all < 0.2) || all > 1.1*early {
		t.Errorf("energy band %.3g over the first 100 steps, %.3g over 2000; want bounded below 0.2", early, all)
	}
	if a := FromBottom(math.Pi + 0.3); math.Abs(a-0.3) > 1e-12 {
		t.Errorf("FromBottom(pi + 0.3) = %v", a)
	}
}

// TestPreprocess checks the preprocessed frame: 784 values in [0, 1], the
// rod present, and its mass moving with the angle.
func TestPreprocess(t *testing.T) {
	t.Parallel()
	p := NewPreprocessor()
	f := NewFrame()
	v := make([]float32, FrameSize)
	mass := func(th float64) (sum, cx float64) {
		Render(f, th)
		p.Preprocess(v, f)
		for i, x := range v {
			if x < 0 || x > 1 {
				t.Fatalf("value %v out of [0, 1]", x)
			}
			sum += float64(x)
			cx += float64(x) * float64(i%Side)
		}
		return sum, cx / sum
	}
	s0, c0 := mass(math.Pi)
	s1, c1 := mass(math.Pi + 0.5)
	_, c2 := mass(math.Pi - 0.5)
	if !(s0 > 10) || math.Abs(s1-s0) > 0.1*s0 {
		t.Errorf("rod mass %v, %v; want a visible rod of the same size", s0, s1)
	}
	// The angle from hanging down moves the rod right (positive) or left.
	if !(c1 > c0+2 && c2 < c0-2) {
		t.Errorf("horizontal centroid %v (down), %v (+0.5), %v (-0.5); want it to follow the angle", c0, c1, c2)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, f); err != nil || buf.Len() == 0 {
		t.Errorf("PNG encoding: %v", err)
	}
}

// TestGenerateAndCache checks a small dataset's shapes and determinism,
// that the cache is reused and that a changed setting rebuilds it.
func TestGenerateAndCache(t *testing.T) {
	t.Parallel()
	c := Config{Trials: 4, Frames: 6, TestTrials: 1, Seed: 3}
	d, err := Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Frames) != 24*FrameSize || len(d.States) != 48 {
		t.Fatalf("%d frame values and %d state values", len(d.Frames), len(d.States))
	}
	if tr, te := d.Samples(false), d.Samples(true); len(tr) != 9 || len(te) != 3 || te[0] != 1 || tr[0] != 7 {
		t.Errorf("samples %v / %v, want 3 per trial from frame 1", tr, te)
	}
	for k := range 4 {
		th, thdot := d.States[2*k*6], d.States[2*k*6+1]
		if math.Abs(FromBottom(th)) > math.Pi/6 || math.Abs(thdot) > 1 {
			t.Errorf("trial %d starts at (%v, %v), outside the start distribution", k, th, thdot)
		}
	}
	again, _ := Generate(c)
	if !slices.Equal(again.Frames, d.Frames) {
		t.Error("the same seed gave different frames")
	}
	dir := t.TempDir()
	d1, gen1, err := Load(dir, c)
	if err != nil || !gen1 {
		t.Fatalf("first Load: generated %v, err %v", gen1, err)
	}
	d2, gen2, err := Load(dir, c)
	if err != nil || gen2 {
		t.Fatalf("second Load: generated %v, err %v; want the cache", gen2, err)
	}
	if !slices.Equal(d1.Frames, d2.Frames) || !slices.Equal(d1.States, d2.States) {
		t.Error("the cached dataset differs from the generated one")
	}
	c.Seed = 4
	if _, gen3, _ := Load(dir, c); !gen3 {
		t.Error("a new seed reused the old cache")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pixels-*.npz"))
	if len(files) != 2 {
		t.Errorf("%d cache files, want 2", len(files))
	}
	os.WriteFile(files[0], []byte("not a zip"), 0o644)
	c.Seed = 3
	if _, _, err := Load(dir, c); err != nil {
		t.Errorf("a corrupt cache is not rebuilt: %v", err)
	}
	if _, err := Generate(Config{Trials: 2, TestTrials: 2}); err == nil {
		t.Error("no training trials: no error")
	}
}

func BenchmarkRender(b *testing.B) {
	f := NewFrame()
	p := NewPreprocessor()
	v := make([]float32, FrameSize)
	for b.Loop() {
		Render(f, math.Pi+0.3)
		p.Preprocess(v, f)
	}
}

// TestRendererMatchesRender checks that the reusable Renderer draws the
// same frames as Render and allocates little per frame.
func TestRendererMatchesRender(t *testing.T) {
	r := NewRenderer()
	f := NewFrame()
	for _, th := range []float64{0.3, math.Pi - 0.2, 2} {
		Render(f, th)
		if !bytes.Equal(r.Render(th).Pix, f.Pix) {
			t.Fatalf("th = %v: Renderer and Render differ", th)
		}
	}
	p := NewPreprocessor()
	v := make([]float32, FrameSize)
	if a := testing.AllocsPerRun(5, func() { p.Preprocess(v, r.Render(3)) }); a > 30 {
		t.Errorf("%v allocations per rendered and preprocessed frame, want under 30 (gg's stroker allocates a little; the context and the scaler are reused)", a)
	}
}

// ExampleGenerate renders a small dataset and reports its shapes.
func ExampleGenerate() {
	d, err := Generate(Config{Trials: 3, Frames: 5, TestTrials: 1, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(d.Frames)/FrameSize, "frames,", len(d.Samples(false)), "training samples,", len(d.Samples(true)), "test samples")
	// Output: 15 frames, 4 training samples, 2 test samples
}
