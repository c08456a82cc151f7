package figures

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// seriesColours are the colours given to series in order of first
// appearance: black for the first (the true system, by convention), then
// strong hues that stay distinct on white.
var seriesColours = []color.Color{
	color.RGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
	color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
	color.RGBA{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff},
	color.RGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff},
	color.RGBA{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff},
}

// colours assigns a colour to each series name of one figure, so that a
// name looks the same in every panel and chart. Unnamed series each get
// a colour of their own.
type colours struct {
	byName map[string]color.Color
	next   int
}

// newColours assigns colours to the curves of a figure first, in order,
// and then to its point sets.
func newColours(panels []Panel, charts []LineChart) *colours {
	c := &colours{byName: make(map[string]color.Color)}
	for _, pn := range panels {
		for _, s := range pn.Paths {
			c.of(s.Name)
		}
	}
	for _, ch := range charts {
		for _, s := range ch.Series {
			c.of(s.Name)
		}
	}
	for _, pn := range panels {
		for _, s := range pn.Points {
			c.of(s.Name)
		}
	}
	return c
}

// of returns the colour of the series called name, assigning the next
// free colour on first use.
func (c *colours) of(name string) color.Color {
	if col, ok := c.byName[name]; ok && name != "" {
		return col
	}
	col := seriesColours[c.next%len(seriesColours)]
	c.next++
	if name != "" {
		c.byName[name] = col
	}
	return col
}

// segments returns the maximal runs of consecutive points of s that are
// finite (and positive in y when positiveY is set). It panics if
// len(s.X) != len(s.Y).
func segments(s Series, positiveY bool) []plotter.XYs {
	if len(s.X) != len(s.Y) {
		panic("figures: series " + s.Name + " has len(X) != len(Y)")
	}
	var segs []plotter.XYs
	var cur plotter.XYs
	for i, x := range s.X {
		y := s.Y[i]
		if !finite(x) || !finite(y) || (positiveY && y <= 0) {
			if len(cur) > 0 {
				segs = append(segs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: x, Y: y})
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	return segs
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// addLine adds s to p as a line of colour col, broken at skipped points,
// and returns the legend thumbnail for it.
func addLine(p *plot.Plot, s Series, col color.Color, positiveY bool) plot.Thumbnailer {
	sty := draw.LineStyle{Color: col, Width: vg.Points(1.5)}
	for _, seg := range segments(s, positiveY) {
		p.Add(&plotter.Line{XYs: seg, LineStyle: sty})
	}
	return &plotter.Line{LineStyle: sty}
}

// legend is a plot.Plotter that draws a legend in the top right corner of
// the data area over a translucent white box, so that it stays readable
// above arrows and lines. Add it last.
type legend struct {
	plot.Legend
	names []string // entry texts, in order
}

func newLegend() *legend {
	l := &legend{Legend: plot.NewLegend()}
	l.Top = true
	l.TextStyle.Font = font.From(plot.DefaultFont, 10)
	l.ThumbnailWidth = vg.Points(16)
	return l
}

// legendInset is the gap between the legend box and the data area's edge,
// and between the box and its entries.
const legendInset = 3

// Plot implements plot.Plotter.
func (l *legend) Plot(c draw.Canvas, _ *plot.Plot) {
	n := vg.Length(len(l.names))
	if n == 0 {
		return
	}
	inner := draw.Crop(c, 0, -2*legendInset, 0, -2*legendInset)
	sty := l.TextStyle
	var width, height vg.Length
	for _, e := range l.names {
		width = max(width, sty.Rectangle(e).Max.X)
		height = max(height, sty.Rectangle(e).Max.Y)
	}
	width += l.ThumbnailWidth + sty.Rectangle(" ").Max.X
	height = n*height + (n-1)*l.Padding + sty.FontExtents().Descent
	box := vg.Rectangle{
		Min: vg.Point{X: inner.Max.X - width - legendInset, Y: inner.Max.Y - height - legendInset},
		Max: vg.Point{X: inner.Max.X + legendInset, Y: inner.Max.Y + legendInset},
	}
	c.SetColor(color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xd8})
	c.Fill(box.Path())
	c.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0xb0}, Width: vg.Points(0.5)})
	c.Stroke(box.Path())
	l.Draw(inner)
}

// add adds an entry to the legend.
func (l *legend) add(name string, thumbs ...plot.Thumbnailer) {
	l.Add(name, thumbs...)
	l.names = append(l.names, name)
}
