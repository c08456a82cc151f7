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

// legend holds the entries of one plot's legend. It is drawn outside the
// plot, in a strip below it (see drawRow), so that it never covers the
// curves it names: in as many columns as fit the plot's width, the
// entries filling one column before the next.
type legend struct {
	plot.Legend
	names  []string // entry texts, in order
	thumbs [][]plot.Thumbnailer
}

func newLegend() *legend {
	l := &legend{Legend: plot.NewLegend()}
	l.Top, l.Left = true, true
	l.TextStyle.Font = font.From(plot.DefaultFont, 10)
	l.ThumbnailWidth = vg.Points(16)
	return l
}

// add adds an entry to the legend.
func (l *legend) add(name string, thumbs ...plot.Thumbnailer) {
	l.names = append(l.names, name)
	l.thumbs = append(l.thumbs, thumbs)
}

// legendColumnGap is the space between two columns of a legend, and
// legendGap the space above and below the legend strip.
const (
	legendColumnGap = vg.Length(12)
	legendGap       = vg.Length(6)
)

// entryWidth returns the width of the widest entry: thumbnail, a space,
// text.
func (l *legend) entryWidth() vg.Length {
	sty := l.TextStyle
	var w vg.Length
	for _, n := range l.names {
		w = max(w, sty.Rectangle(n).Max.X)
	}
	return l.ThumbnailWidth + sty.Rectangle(" ").Max.X + w
}

// entryHeight returns the height of one row of entries.
func (l *legend) entryHeight() vg.Length {
	var h vg.Length
	for _, n := range l.names {
		h = max(h, l.TextStyle.Rectangle(n).Max.Y)
	}
	return h
}

// layout returns the number of columns and rows of entries that fit
// width, at least one column, and the size of the block they make; zero
// for a legend without entries.
func (l *legend) layout(width vg.Length) (cols, rows int, size vg.Point) {
	n := len(l.names)
	if n == 0 {
		return 0, 0, vg.Point{}
	}
	ew := l.entryWidth()
	cols = max(1, min(n, int((width+legendColumnGap)/(ew+legendColumnGap))))
	rows = (n + cols - 1) / cols
	cols = (n + rows - 1) / rows // no empty column
	size.X = vg.Length(cols)*ew + vg.Length(cols-1)*legendColumnGap
	size.Y = vg.Length(rows)*l.entryHeight() + vg.Length(rows-1)*l.Padding + l.TextStyle.FontExtents().Descent
	return cols, rows, size
}

// draw draws the legend's entries centred at the top of c, in the columns
// that fit c's width, and returns the box they take.
func (l *legend) draw(c draw.Canvas) vg.Rectangle {
	cols, rows, size := l.layout(c.Max.X - c.Min.X)
	if cols == 0 {
		return vg.Rectangle{}
	}
	x0 := (c.Min.X + c.Max.X - size.X) / 2
	box := vg.Rectangle{Min: vg.Point{X: x0, Y: c.Max.Y - size.Y}, Max: vg.Point{X: x0 + size.X, Y: c.Max.Y}}
	ew := l.entryWidth()
	for k := range cols {
		col := l.Legend
		for i := k * rows; i < min(len(l.names), (k+1)*rows); i++ {
			col.Add(l.names[i], l.thumbs[i]...)
		}
		x := x0 + vg.Length(k)*(ew+legendColumnGap)
		col.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: box.Min.Y}, Max: vg.Point{X: x + ew, Y: box.Max.Y}}})
	}
	return box
}
