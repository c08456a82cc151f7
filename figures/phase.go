package figures

import (
	"cmp"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	defaultGrid   = 15 // field arrows per axis
	energyGrid    = 64 // energy samples per axis for the contours
	energyLevels  = 10 // contour lines
	arrowFill     = 0.9
	arrowHeadFrac = 0.35 // head length as a fraction of the arrow
)

var (
	arrowColour = color.Gray{Y: 0x70}
	// Contour lines run from a muted blue at low energy to a muted red at
	// high energy.
	contourLow  = color.RGBA{R: 0x6a, G: 0x9c, B: 0xd8, A: 0xff}
	contourHigh = color.RGBA{R: 0xe0, G: 0x8a, B: 0x70, A: 0xff}
)

// panelPlot builds the plot of one phase panel and its legend.
func panelPlot(pn Panel, col *colours) (*plot.Plot, *legend, error) {
	if pn.Grid < 0 {
		return nil, nil, fmt.Errorf("negative grid size %d", pn.Grid)
	}
	xmin, xmax, ymin, ymax, err := panelBounds(pn)
	if err != nil {
		return nil, nil, err
	}
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text = cmp.Or(pn.XLabel, "q")
	p.Y.Label.Text = cmp.Or(pn.YLabel, "p")

	if pn.Energy != nil {
		if c := energyContours(pn.Energy, xmin, xmax, ymin, ymax); c != nil {
			p.Add(c)
		}
	}
	if pn.Field != nil {
		p.Add(newQuiver(pn.Field, xmin, xmax, ymin, ymax, cmp.Or(pn.Grid, defaultGrid)))
	}
	leg := newLegend()
	for _, s := range pn.Points {
		c := col.of(s.Name)
		sty := draw.GlyphStyle{Color: c, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
		for _, seg := range segments(s, false) {
			p.Add(&plotter.Scatter{XYs: seg, GlyphStyle: sty})
		}
		if s.Name != "" {
			leg.add(s.Name, &plotter.Scatter{GlyphStyle: sty})
		}
	}
	for _, s := range pn.Paths {
		th := addLine(p, s, col.of(s.Name), false)
		if s.Name != "" {
			leg.add(s.Name, th)
		}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	return p, leg, nil
}

// panelBounds returns the panel's ranges, derived from its data where
// both ends of a range are zero.
func panelBounds(pn Panel) (xmin, xmax, ymin, ymax float64, err error) {
	for _, v := range []float64{pn.XMin, pn.XMax, pn.YMin, pn.YMax} {
		if !finite(v) {
			return 0, 0, 0, 0, fmt.Errorf("bounds [%g, %g]×[%g, %g] not finite", pn.XMin, pn.XMax, pn.YMin, pn.YMax)
		}
	}
	xmin, xmax, ymin, ymax = pn.XMin, pn.XMax, pn.YMin, pn.YMax
	autoX := xmin == 0 && xmax == 0
	autoY := ymin == 0 && ymax == 0
	if autoX || autoY {
		dx0, dx1, dy0, dy1 := dataRange(pn)
		if autoX {
			xmin, xmax = dx0, dx1
		}
		if autoY {
			ymin, ymax = dy0, dy1
		}
	}
	if !(xmin < xmax) || !(ymin < ymax) {
		return 0, 0, 0, 0, fmt.Errorf("bounds [%g, %g]×[%g, %g] empty", xmin, xmax, ymin, ymax)
	}
	return xmin, xmax, ymin, ymax, nil
}

// dataRange returns the range of the finite points in the panel's paths
// and point sets, widened by 5% on each side, or [-1, 1] for a range with
// no extent.
func dataRange(pn Panel) (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, ss := range [][]Series{pn.Paths, pn.Points} {
		for _, s := range ss {
			for _, seg := range segments(s, false) {
				for _, pt := range seg {
					xmin, xmax = min(xmin, pt.X), max(xmax, pt.X)
					ymin, ymax = min(ymin, pt.Y), max(ymax, pt.Y)
				}
			}
		}
	}
	xmin, xmax = widen(xmin, xmax)
	ymin, ymax = widen(ymin, ymax)
	return xmin, xmax, ymin, ymax
}

// widen pads [lo, hi] by 5% of its width on each side. An empty range
// (lo > hi) becomes [-1, 1] and a single value v becomes v ± max(|v|/10, 1).
func widen(lo, hi float64) (float64, float64) {
	switch {
	case lo > hi:
		return -1, 1
	case lo == hi:
		d := max(math.Abs(lo)/10, 1)
		return lo - d, hi + d
	}
	d := (hi - lo) / 20
	return lo - d, hi + d
}

// quiver is a plot.Plotter drawing a vector field as arrows. Unlike
// plotter.Field it orients and scales the arrows in screen space, so they
// point along the field whatever the axes' aspect ratio.
type quiver struct {
	n                      int
	xmin, xmax, ymin, ymax float64
	v                      []float64 // field at lattice point (i, j) in v[2*(j*n+i):]
}

// newQuiver samples f at the centres of an n×n lattice over the bounds.
func newQuiver(f func(dst, x []float64), xmin, xmax, ymin, ymax float64, n int) *quiver {
	q := &quiver{n: n, xmin: xmin, xmax: xmax, ymin: ymin, ymax: ymax, v: make([]float64, 2*n*n)}
	x := make([]float64, 2)
	for j := range n {
		for i := range n {
			x[0], x[1] = q.at(i, j)
			f(q.v[2*(j*n+i):2*(j*n+i)+2], x)
		}
	}
	return q
}

// at returns the centre of lattice cell (i, j).
func (q *quiver) at(i, j int) (x, y float64) {
	hx := (q.xmax - q.xmin) / float64(q.n)
	hy := (q.ymax - q.ymin) / float64(q.n)
	return q.xmin + (float64(i)+0.5)*hx, q.ymin + (float64(j)+0.5)*hy
}

// Plot implements plot.Plotter.
func (q *quiver) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	// Screen length per data unit along each axis.
	sx := float64(trX(q.xmax)-trX(q.xmin)) / (q.xmax - q.xmin)
	sy := float64(trY(q.ymax)-trY(q.ymin)) / (q.ymax - q.ymin)
	cell := min(sx*(q.xmax-q.xmin), sy*(q.ymax-q.ymin)) / float64(q.n)

	longest := 0.0
	for k := 0; k < len(q.v); k += 2 {
		if m := math.Hypot(q.v[k]*sx, q.v[k+1]*sy); finite(m) {
			longest = max(longest, m)
		}
	}
	if longest == 0 {
		return
	}
	scale := arrowFill * cell / longest

	c.SetLineStyle(draw.LineStyle{Color: arrowColour, Width: vg.Points(0.8)})
	c.SetColor(arrowColour)
	for j := range q.n {
		for i := range q.n {
			k := 2 * (j*q.n + i)
			ux, uy := q.v[k]*sx, q.v[k+1]*sy
			m := math.Hypot(ux, uy)
			if !finite(m) || m == 0 {
				continue
			}
			ux, uy = ux/m, uy/m
			x, y := q.at(i, j)
			drawArrow(c, vg.Point{X: trX(x), Y: trY(y)}, ux, uy, m*scale)
		}
	}
}

// drawArrow draws an arrow of length l centred on mid and pointing along
// the unit vector (ux, uy).
func drawArrow(c draw.Canvas, mid vg.Point, ux, uy, l float64) {
	dir := vg.Point{X: vg.Length(ux), Y: vg.Length(uy)}
	perp := vg.Point{X: -dir.Y, Y: dir.X}
	half := vg.Length(l / 2)
	head := vg.Length(min(arrowHeadFrac*l, 6))
	tail, tip := mid.Sub(dir.Scale(half)), mid.Add(dir.Scale(half))
	base := tip.Sub(dir.Scale(head))

	var shaft vg.Path
	shaft.Move(tail)
	shaft.Line(base)
	c.Stroke(shaft)

	var tri vg.Path
	tri.Move(tip)
	tri.Line(base.Add(perp.Scale(head / 2)))
	tri.Line(base.Sub(perp.Scale(head / 2)))
	tri.Close()
	c.Fill(tri)
}

// energyGridXYZ is an energy sampled on a regular grid; it implements
// plotter.GridXYZ.
type energyGridXYZ struct {
	n                      int
	xmin, xmax, ymin, ymax float64
	z                      []float64 // energy at grid point (i, j) in z[j*n+i]
}

func (g *energyGridXYZ) Dims() (c, r int)   { return g.n, g.n }
func (g *energyGridXYZ) Z(c, r int) float64 { return g.z[r*g.n+c] }
func (g *energyGridXYZ) X(c int) float64 {
	return g.xmin + float64(c)*(g.xmax-g.xmin)/float64(g.n-1)
}
func (g *energyGridXYZ) Y(r int) float64 {
	return g.ymin + float64(r)*(g.ymax-g.ymin)/float64(g.n-1)
}

// energyContours samples h over the bounds and returns its contour
// plotter, or nil when h has no finite variation there.
func energyContours(h func(x []float64) float64, xmin, xmax, ymin, ymax float64) *plotter.Contour {
	g := &energyGridXYZ{n: energyGrid, xmin: xmin, xmax: xmax, ymin: ymin, ymax: ymax}
	g.z = make([]float64, g.n*g.n)
	lo, hi := math.Inf(1), math.Inf(-1)
	x := make([]float64, 2)
	for r := range g.n {
		for c := range g.n {
			x[0], x[1] = g.X(c), g.Y(r)
			e := h(x)
			if !finite(e) {
				e = math.NaN()
			} else {
				lo, hi = min(lo, e), max(hi, e)
			}
			g.z[r*g.n+c] = e
		}
	}
	if !(lo < hi) || !finite(hi-lo) {
		return nil
	}
	levels := make([]float64, energyLevels)
	for k := range levels {
		levels[k] = lo + float64(k+1)*(hi-lo)/float64(energyLevels+1)
	}
	c := plotter.NewContour(g, levels, levelPalette(energyLevels))
	c.LineStyles = []draw.LineStyle{{Width: vg.Points(0.8)}}
	return c
}

// levelPalette is n colours blended from contourLow to contourHigh; it
// implements palette.Palette.
type levelPalette int

func (n levelPalette) Colors() []color.Color {
	cs := make([]color.Color, n)
	a, b := contourLow, contourHigh
	for k := range cs {
		t := 0.0
		if n > 1 {
			t = float64(k) / float64(n-1)
		}
		mix := func(u, v uint8) uint8 { return uint8(math.Round((1-t)*float64(u) + t*float64(v))) }
		cs[k] = color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
	}
	return cs
}
