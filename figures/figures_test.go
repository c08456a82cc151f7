package figures

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

// The spring of the HNN paper: H = q² + p², so dq/dt = 2p and dp/dt = -2q.
func springEnergy(x []float64) float64 { return x[0]*x[0] + x[1]*x[1] }
func springField(dst, x []float64)     { dst[0], dst[1] = 2*x[1], -2*x[0] }

// springOrbit is the exact trajectory from (r, 0) at n times in [0, tmax],
// with the phase scaled by speed (1 for the true system) and the radius
// growing by grow per unit time (0 for the true system).
func springOrbit(name string, r, speed, grow, tmax float64, n int) (orbit, energy Series) {
	orbit.Name, energy.Name = name, name
	for k := range n {
		t := tmax * float64(k) / float64(n-1)
		rt := r * (1 + grow*t)
		q, p := rt*math.Cos(2*speed*t), -rt*math.Sin(2*speed*t)
		orbit.X, orbit.Y = append(orbit.X, q), append(orbit.Y, p)
		energy.X, energy.Y = append(energy.X, t), append(energy.Y, springEnergy([]float64{q, p}))
	}
	return orbit, energy
}

// springFigure returns the spring's Figure 2: noisy data, a baseline
// model whose orbit spirals out, an HNN whose orbit stays on the circle,
// and the energy along the three rollouts.
func springFigure() ([]Panel, []LineChart) {
	truth, eTrue := springOrbit("true", 1, 1, 0, 3, 200)
	base, eBase := springOrbit("baseline", 1, 0.97, 0.12, 3, 200)
	hnn, eHNN := springOrbit("hnn", 1, 0.99, 0, 3, 200)
	data := Series{Name: "data"}
	for k := range 40 {
		t := float64(k) * 0.3
		r := 0.8 + 0.1*math.Sin(7*t) // deterministic "noise"
		data.X = append(data.X, r*math.Cos(2*t))
		data.Y = append(data.Y, -r*math.Sin(2*t))
	}
	bnd := Panel{XMin: -1.5, XMax: 1.5, YMin: -1.5, YMax: 1.5}
	dataP, baseP, hnnP := bnd, bnd, bnd
	dataP.Title, dataP.Field, dataP.Energy, dataP.Points = "Data", springField, springEnergy, []Series{data}
	baseP.Title, baseP.Field, baseP.Paths = "Baseline NN", func(dst, x []float64) {
		springField(dst, x)
		dst[0] += 0.3 * x[0]
		dst[1] += 0.3 * x[1]
	}, []Series{truth, base}
	hnnP.Title, hnnP.Field, hnnP.Energy, hnnP.Paths = "Hamiltonian NN", springField, springEnergy, []Series{truth, hnn}
	chart := LineChart{Title: "Total energy", XLabel: "time", YLabel: "H", Series: []Series{eTrue, eBase, eHNN}}
	return []Panel{dataP, baseP, hnnP}, []LineChart{chart}
}

// readPNG decodes the PNG file at path.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// ink returns the number of pixels of img that are not white.
func ink(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
		}
	}
	return n
}

func TestWritesPNG(t *testing.T) {
	t.Parallel()
	panels, charts := springFigure()
	_, eBase := springOrbit("baseline", 1, 0.97, 0.12, 3, 50)
	tile := int(tileSize.Dots(dpi))
	for _, tc := range []struct {
		name  string
		write func(path string) error
		tiles int
	}{
		{"PhasePortraits", func(p string) error { return PhasePortraits(p, panels) }, 3},
		{"Lines", func(p string) error { return Lines(p, charts[0]) }, 1},
		{"LinesLogY", func(p string) error {
			return Lines(p, LineChart{Title: "energy", Series: []Series{eBase}, LogY: true})
		}, 1},
		{"Row", func(p string) error { return Row(p, panels, charts) }, 4},
		{"EmptyPanel", func(p string) error { return PhasePortraits(p, []Panel{{XMin: -1, XMax: 1, YMin: -2, YMax: 2}}) }, 1},
		{"AutoBounds", func(p string) error { return PhasePortraits(p, []Panel{{Paths: panels[1].Paths}}) }, 1},
		{"NoBoundsNoData", func(p string) error { return PhasePortraits(p, []Panel{{Title: "nothing"}}) }, 1},
		{"LogYNarrow", func(p string) error {
			return Lines(p, LineChart{Series: []Series{{X: []float64{0, 1, 2}, Y: []float64{0.05, 0.5, 0.9}}}, LogY: true})
		}, 1},
		{"EmptyChart", func(p string) error { return Lines(p, LineChart{LogY: true}) }, 1},
		{"ConstantSeries", func(p string) error {
			return Lines(p, LineChart{Series: []Series{{Name: "H", X: []float64{0, 1, 2}, Y: []float64{0.5, 0.5, 0.5}}}, LogY: true})
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "fig.png")
			if err := tc.write(path); err != nil {
				t.Fatal(err)
			}
			img := readPNG(t, path)
			if got := img.Bounds().Size(); got.X != tc.tiles*tile || got.Y < tile || got.Y > tile+tile/4 {
				t.Errorf("size %v, want %d wide and %d to %d high (tiles and a legend strip)", got, tc.tiles*tile, tile, tile+tile/4)
			}
			if ink(img) == 0 {
				t.Error("image is all white")
			}
		})
	}
}

func TestWritesSVG(t *testing.T) {
	t.Parallel()
	panels, charts := springFigure()
	path := filepath.Join(t.TempDir(), "fig.SVG")
	if err := Row(path, panels, charts); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("<?xml")) || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("not an SVG file: %.60q", b)
	}
}

// TestParts checks that each part of a panel adds ink to it.
func TestParts(t *testing.T) {
	t.Parallel()
	panels, _ := springFigure()
	bare := Panel{XMin: -1.5, XMax: 1.5, YMin: -1.5, YMax: 1.5}
	inkOf := func(pn Panel) int {
		path := filepath.Join(t.TempDir(), "p.png")
		if err := PhasePortraits(path, []Panel{pn}); err != nil {
			t.Fatal(err)
		}
		return ink(readPNG(t, path))
	}
	base := inkOf(bare)
	for _, tc := range []struct {
		name string
		set  func(*Panel)
	}{
		{"Field", func(p *Panel) { p.Field = springField }},
		{"Energy", func(p *Panel) { p.Energy = springEnergy }},
		{"Paths", func(p *Panel) { p.Paths = panels[2].Paths }},
		{"Points", func(p *Panel) { p.Points = panels[0].Points }},
	} {
		pn := bare
		tc.set(&pn)
		// A part must cover at least 0.25% of the 400×400 data tile; the
		// sparsest, 40 points, covers about 0.4% (its legend entry below
		// the tile included).
		if got := inkOf(pn); got < base+400 {
			t.Errorf("%s: %d non-white pixels, bare panel %d", tc.name, got, base)
		}
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	png := filepath.Join(dir, "fig.png")
	ok := []Panel{{XMin: -1, XMax: 1, YMin: -1, YMax: 1}}
	nan := math.NaN()
	for _, tc := range []struct {
		name, want string
		err        error
	}{
		{"EmptyPath", "empty path", PhasePortraits("", ok)},
		{"NoExtension", "unsupported extension", PhasePortraits(filepath.Join(dir, "fig"), ok)},
		{"BadExtension", "unsupported extension", Lines(filepath.Join(dir, "fig.jpg"), LineChart{})},
		{"NoPanels", "no panels", PhasePortraits(png, nil)},
		{"NothingToDraw", "nothing to draw", Row(png, nil, nil)},
		{"NaNBounds", "not finite", PhasePortraits(png, []Panel{{XMin: nan, XMax: 1, YMin: -1, YMax: 1}})},
		{"InfBounds", "not finite", PhasePortraits(png, []Panel{{XMin: -1, XMax: 1, YMin: -1, YMax: math.Inf(1)}})},
		{"EmptyBounds", "empty", PhasePortraits(png, []Panel{{XMin: 1, XMax: 1, YMin: -1, YMax: 1}})},
		{"ReversedBounds", "empty", PhasePortraits(png, []Panel{{XMin: -1, XMax: 1, YMin: 1, YMax: -1}})},
		{"NegativeGrid", "negative grid", PhasePortraits(png, []Panel{{XMin: -1, XMax: 1, YMin: -1, YMax: 1, Grid: -1}})},
		{"MissingDir", "no such file", PhasePortraits(filepath.Join(dir, "missing", "fig.png"), ok)},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) || !strings.HasPrefix(tc.err.Error(), "figures: ") {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Errorf("failed writes left %v (%v) in the directory", ents, err)
	}
}

// TestNonFinite checks that NaN and infinite values in series, fields and
// energies are skipped.
func TestNonFinite(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	s := Series{Name: "diverging", X: []float64{0, 0.5, nan, 1, inf, -1, 2, nan}, Y: []float64{0, 0.5, 1, nan, 0, -1, -2, nan}}
	allNaN := Series{Name: "nan", X: []float64{nan, nan}, Y: []float64{nan, inf}}
	pn := Panel{
		XMin: -2, XMax: 2, YMin: -2, YMax: 2,
		Field: func(dst, x []float64) {
			springField(dst, x)
			if x[0] > 1 {
				dst[0] = nan
			}
		},
		Energy: func(x []float64) float64 {
			if x[0] > 0.5 {
				return nan
			}
			if x[1] > 1 {
				return inf
			}
			return springEnergy(x)
		},
		Paths:  []Series{s, allNaN},
		Points: []Series{s, allNaN},
	}
	flatNaN := Panel{Energy: func([]float64) float64 { return nan }, Field: func(dst, _ []float64) { dst[0], dst[1] = nan, nan }}
	zero := Panel{Energy: func([]float64) float64 { return 1 }, Field: func(dst, _ []float64) { dst[0], dst[1] = 0, 0 }}
	auto := Panel{Paths: []Series{s}}
	chart := LineChart{Series: []Series{s, allNaN, {Name: "negative", X: []float64{0, 1}, Y: []float64{-1, 0}}}}
	logChart := chart
	logChart.LogY = true
	path := filepath.Join(t.TempDir(), "fig.png")
	if err := Row(path, []Panel{pn, flatNaN, zero, auto}, []LineChart{chart, logChart}); err != nil {
		t.Fatal(err)
	}
	if ink(readPNG(t, path)) == 0 {
		t.Error("image is all white")
	}
}

func TestMismatchedSeriesPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "figures: ") {
			t.Errorf("recovered %v, want a figures panic", r)
		}
	}()
	Lines(filepath.Join(t.TempDir(), "fig.png"), LineChart{Series: []Series{{X: []float64{1, 2}, Y: []float64{1}}}})
}

func TestOverwrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "fig.png")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Lines(path, LineChart{Title: "new"}); err != nil {
		t.Fatal(err)
	}
	readPNG(t, path)
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the figure", len(ents))
	}
}

// TestArrowDirection checks that arrows point along the field on screen
// even when the axes have very different scales: a field (1, 1) on
// [0, 100]×[0, 1] points almost straight up.
func TestArrowDirection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		xmax, ymax     float64
		wantX, wantY   float64 // screen direction of the field (1, 1)
		width, height  vg.Length
		fieldX, fieldY float64
	}{
		{"Square", 1, 1, 1 / math.Sqrt2, 1 / math.Sqrt2, 200, 200, 1, 1},
		{"WideX", 100, 1, 1 / math.Hypot(1, 100), 100 / math.Hypot(1, 100), 200, 200, 1, 1},
		{"WideCanvas", 1, 1, 2 / math.Sqrt(5), 1 / math.Sqrt(5), 400, 200, 1, 1},
		{"Left", 1, 1, -1, 0, 200, 200, -3, 0},
	} {
		q := newQuiver(func(dst, _ []float64) { dst[0], dst[1] = tc.fieldX, tc.fieldY }, 0, tc.xmax, 0, tc.ymax, 3)
		p := plot.New()
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, tc.xmax, 0, tc.ymax
		rec := &recorder.Canvas{}
		q.Plot(draw.Canvas{Canvas: rec, Rectangle: vg.Rectangle{Max: vg.Point{X: tc.width, Y: tc.height}}}, p)
		shafts := 0
		for _, a := range rec.Actions {
			s, ok := a.(*recorder.Stroke)
			if !ok {
				continue
			}
			shafts++
			d := s.Path[1].Pos.Sub(s.Path[0].Pos)
			l := math.Hypot(float64(d.X), float64(d.Y))
			// Directions agree to rounding; lengths fit in a cell.
			if gx, gy := float64(d.X)/l, float64(d.Y)/l; math.Abs(gx-tc.wantX) > 1e-9 || math.Abs(gy-tc.wantY) > 1e-9 {
				t.Errorf("%s: shaft direction (%.4f, %.4f), want (%.4f, %.4f)", tc.name, gx, gy, tc.wantX, tc.wantY)
			}
			if cell := float64(min(tc.width, tc.height)) / 3; l > cell {
				t.Errorf("%s: shaft length %.1f longer than a cell %.1f", tc.name, l, cell)
			}
		}
		if shafts != 9 {
			t.Errorf("%s: %d arrows, want 9", tc.name, shafts)
		}
	}
}

// horizonChart returns a chart of error curves against the rollout
// horizon whose long names (one per fit) need a wide legend, as the
// horizon figures' do.
func horizonChart() LineChart {
	c := LineChart{Title: "Prediction error against rollout horizon", XLabel: "rollout step", YLabel: "squared state error", LogY: true}
	for i, n := range []string{"separable derivative", "hnn derivative", "separable rollout/leapfrog/K=5",
		"separable rollout/leapfrog/K=10", "separable rollout/leapfrog/K=10+starts"} {
		s := Series{Name: n}
		for k := range 201 {
			s.X = append(s.X, float64(k))
			s.Y = append(s.Y, (0.05+0.1*float64(i%3))*math.Pow(float64(k+1), 0.8-0.1*float64(i)))
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// TestLegendOutside lays out rows of panels and charts and checks that
// every legend is drawn below the data areas, inside the image, and
// overlaps no data area, so that it covers no curve; that it writes
// every named series; and that the strip below the row is as tall as
// the tallest legend needs.
func TestLegendOutside(t *testing.T) {
	t.Parallel()
	panels, charts := springFigure()
	for _, tc := range []struct {
		name   string
		panels []Panel
		charts []LineChart
	}{
		{"Figure2", panels, charts},
		{"Horizon", nil, []LineChart{horizonChart()}},
		{"TwoCharts", nil, []LineChart{horizonChart(), charts[0]}},
	} {
		col := newColours(tc.panels, tc.charts)
		var plots []*plot.Plot
		var legends []*legend
		var names [][]string
		for _, pn := range tc.panels {
			p, l, err := panelPlot(pn, col)
			if err != nil {
				t.Fatal(err)
			}
			plots, legends = append(plots, p), append(legends, l)
			var n []string
			for _, s := range append(append([]Series(nil), pn.Points...), pn.Paths...) {
				n = append(n, s.Name)
			}
			names = append(names, n)
		}
		for _, c := range tc.charts {
			p, l := chartPlot(c, col)
			plots, legends = append(plots, p), append(legends, l)
			var n []string
			for _, s := range c.Series {
				n = append(n, s.Name)
			}
			names = append(names, n)
		}
		strip := legendStrip(legends)
		if strip <= 2*legendGap {
			t.Fatalf("%s: legend strip %v", tc.name, strip)
		}
		size := vg.Point{X: vg.Length(len(plots)) * tileSize, Y: tileSize + strip}
		rec := &recorder.Canvas{}
		areas, boxes := drawRow(draw.Canvas{Canvas: rec, Rectangle: vg.Rectangle{Max: size}}, plots, legends)
		for i, box := range boxes {
			if box.Size().X <= 0 || box.Size().Y <= 0 {
				t.Errorf("%s: plot %d has no legend box", tc.name, i)
				continue
			}
			if box.Min.X < 0 || box.Min.Y < 0 || box.Max.X > size.X || box.Max.Y > size.Y {
				t.Errorf("%s: legend %d at %v leaves the image %v", tc.name, i, box, size)
			}
			for j, a := range areas {
				if box.Max.Y > a.Min.Y {
					t.Errorf("%s: legend %d (top %v) is not below data area %d (bottom %v)", tc.name, i, box.Max.Y, j, a.Min.Y)
				}
				if box.Min.X < a.Max.X && a.Min.X < box.Max.X && box.Min.Y < a.Max.Y && a.Min.Y < box.Max.Y {
					t.Errorf("%s: legend %d %v overlaps data area %d %v", tc.name, i, box, j, a)
				}
			}
		}
		// The tallest legend fills the strip but for its gaps.
		tallest := vg.Length(0)
		for _, b := range boxes {
			tallest = max(tallest, b.Size().Y)
		}
		if math.Abs(float64(strip-2*legendGap-tallest)) > 1e-9 {
			t.Errorf("%s: strip %v for a tallest legend of %v", tc.name, strip, tallest)
		}
		written := map[string][]vg.Point{}
		for _, a := range rec.Actions {
			if fs, ok := a.(*recorder.FillString); ok {
				written[fs.String] = append(written[fs.String], fs.Point)
			}
		}
		for i, ns := range names {
			b := boxes[i]
			for _, n := range ns {
				in := slices.ContainsFunc(written[n], func(pt vg.Point) bool {
					return pt.X >= b.Min.X && pt.X <= b.Max.X && pt.Y >= b.Min.Y && pt.Y <= b.Max.Y
				})
				if !in {
					t.Errorf("%s: legend %d %v does not write %q (written at %v)", tc.name, i, b, n, written[n])
				}
			}
		}
	}
}

// TestLegendColumns checks that a legend takes as many columns as fit,
// filling one before the next, and no empty column.
func TestLegendColumns(t *testing.T) {
	t.Parallel()
	l := newLegend()
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		l.add(n)
	}
	ew := l.entryWidth()
	for _, tc := range []struct {
		width      vg.Length
		cols, rows int
	}{
		{0, 1, 5},
		{ew, 1, 5},
		{2*ew + legendColumnGap, 2, 3},
		{4*ew + 3*legendColumnGap, 3, 2}, // four columns would leave one entry in the last; 3 x 2 holds all
		{100 * ew, 5, 1},
	} {
		if cols, rows, _ := l.layout(tc.width); cols != tc.cols || rows != tc.rows {
			t.Errorf("width %v (entry %v): %d x %d, want %d x %d", tc.width, ew, cols, rows, tc.cols, tc.rows)
		}
	}
	if cols, rows, size := newLegend().layout(100); cols != 0 || rows != 0 || size != (vg.Point{}) {
		t.Errorf("empty legend: %d x %d, %v", cols, rows, size)
	}
}

func TestColoursByName(t *testing.T) {
	t.Parallel()
	panels, charts := springFigure()
	c := newColours(panels, charts)
	// Curves first, in order of first appearance, then point sets.
	for i, name := range []string{"true", "baseline", "hnn", "data"} {
		if got := c.of(name); got != seriesColours[i] {
			t.Errorf("colour of %q is %v, want %v", name, got, seriesColours[i])
		}
	}
	if a, b := c.of(""), c.of(""); a == b {
		t.Error("unnamed series share a colour")
	}
}

// TestGolden compares the spring's Figure 2 with testdata/spring.png. The
// fonts are embedded in gonum/plot, so the rendering is reproducible; a
// small fraction of pixels may differ by anti-aliasing between versions of
// the rasteriser. Run with -update to rewrite the golden image after an
// intended change, and look at it.
func TestGolden(t *testing.T) {
	t.Parallel()
	panels, charts := springFigure()
	golden := filepath.Join("testdata", "spring.png")
	path := filepath.Join(t.TempDir(), "spring.png")
	if *update {
		path = golden
	}
	if err := Row(path, panels[1:], charts); err != nil {
		t.Fatal(err)
	}
	got, want := readPNG(t, path), readPNG(t, golden)
	if got.Bounds() != want.Bounds() {
		t.Fatalf("size %v, golden %v", got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !near(got.At(x, y), want.At(x, y)) {
				differ++
			}
		}
	}
	if frac := float64(differ) / float64(b.Dx()*b.Dy()); frac > 0.002 {
		t.Errorf("%.2f%% of pixels differ from %s", 100*frac, golden)
	}
}

// near reports whether two colours differ by at most 1/16 of full scale in
// every channel.
func near(a, b color.Color) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	for _, d := range []int{int(ar) - int(br), int(ag) - int(bg), int(ab) - int(bb), int(aa) - int(ba)} {
		if d > 0x1000 || d < -0x1000 {
			return false
		}
	}
	return true
}

// TestFrameStripAndGIF draws a strip and an animation of two rows of
// frames and checks the image sizes, a bright pixel where a frame is
// bright, each row's name written in light pixels at its left (strip) or
// above its column (animation) and nowhere for rows without one, and the
// errors.
func TestFrameStripAndGIF(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	frame := func(v float32) []float32 {
		f := make([]float32, 9)
		f[4] = v
		return f
	}
	rows := []FrameRow{{"truth", [][]float32{frame(1), frame(0.5), frame(0)}}, {"Hamiltonian NN", [][]float32{frame(0), frame(0)}}}
	unnamed := []FrameRow{{"", rows[0].Frames}, {"", rows[1].Frames}}
	decode := func(path string) image.Image {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, _, err := image.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	// light counts the pixels brighter than any frame's background or
	// the strip's in the rectangle r of img.
	light := func(img image.Image, r image.Rectangle) int {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if v, _, _, _ := img.At(x, y).RGBA(); v>>8 > 128 {
					n++
				}
			}
		}
		return n
	}
	cell := 3*frameScale + frameGap
	plain := filepath.Join(dir, "plain.png")
	if err := FrameStrip(plain, unnamed, 3); err != nil {
		t.Fatal(err)
	}
	if b := decode(plain).Bounds(); b.Dx() != 3*cell+frameGap || b.Dy() != 2*cell+frameGap {
		t.Errorf("strip without names %v, want %dx%d", b, 3*cell+frameGap, 2*cell+frameGap)
	}
	strip := filepath.Join(dir, "s.png")
	if err := FrameStrip(strip, rows, 3); err != nil {
		t.Fatal(err)
	}
	img := decode(strip)
	b := img.Bounds()
	names := b.Dx() - (3*cell + frameGap) // the name column
	face := labelFace()
	if names < int(face.Width("Hamiltonian NN")) || b.Dy() != 2*cell+frameGap {
		t.Fatalf("strip %v: a name column of %d pixels, want the height %d and room for %q", b, names, 2*cell+frameGap, "Hamiltonian NN")
	}
	// The names are written in the column, one in each row's band; the
	// frames start after it, the centre of the first one white.
	for i := range rows {
		if n := light(img, image.Rect(0, frameGap+i*cell, names, (i+1)*cell)); n < 10 {
			t.Errorf("row %d's name %q: %d light pixels in its band of the name column", i, rows[i].Name, n)
		}
	}
	if r, _, _, _ := img.At(names+frameGap+frameScale+1, frameGap+frameScale+1).RGBA(); r>>8 != 255 {
		t.Errorf("centre of a bright frame is %d, want 255", r>>8)
	}
	if n := light(img, image.Rect(names, cell, b.Dx(), b.Dy())); n != 0 {
		t.Errorf("%d light pixels in the dark frames of the second row", n)
	}
	g := filepath.Join(dir, "a.gif")
	if err := FrameGIF(g, rows, 3, 10); err != nil {
		t.Fatal(err)
	}
	gf, _ := os.Open(g)
	anim, err := gif.DecodeAll(gf)
	gf.Close()
	if err != nil || len(anim.Image) != 3 {
		t.Fatalf("animation of %d frames (err %v), want 3", len(anim.Image), err)
	}
	// Each column has its name in the band above the frames.
	first := anim.Image[0]
	top := first.Bounds().Dy() - (cell + frameGap)
	colW := (first.Bounds().Dx() - frameGap) / len(rows)
	if top <= 0 || colW < int(face.Width("Hamiltonian NN")) {
		t.Fatalf("animation frame %v: name band %d, columns %d", first.Bounds(), top, colW)
	}
	for i := range rows {
		if n := light(first, image.Rect(frameGap+i*colW, 0, frameGap+(i+1)*colW, top)); n < 10 {
			t.Errorf("column %d's name %q: %d light pixels above it", i, rows[i].Name, n)
		}
	}
	if err := FrameStrip(filepath.Join(dir, "x.svg"), rows, 3); err == nil {
		t.Error("svg strip: no error")
	}
	if err := FrameStrip(filepath.Join(dir, "e.png"), nil, 3); err == nil {
		t.Error("no rows: no error")
	}
}
