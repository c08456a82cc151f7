package figures

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/hnn-go/hnn/internal/atomicfile"
)

// Layout of a figure: every panel and chart gets a square tile.
const (
	tileSize = 4 * vg.Inch
	dpi      = 100
	tilePad  = 0.1 * vg.Inch
)

// Series is a named curve or point set. Points whose X or Y is NaN or
// infinite are skipped; a curve is broken where they occur.
type Series struct {
	Name string
	X, Y []float64
}

// Panel is one phase-space plot of a 2-D (q, p) system. Its parts are drawn
// bottom to top: energy contours, field arrows, points, paths.
//
// When XMin and XMax are both zero, the q range is that of the finite
// values in Paths and Points ([-1, 1] if there are none); likewise for YMin
// and YMax. Field and Energy are evaluated on that range, one point at a
// time, from the goroutine that draws the figure.
type Panel struct {
	Title          string
	XLabel, YLabel string // axis labels; "q" and "p" if empty

	XMin, XMax, YMin, YMax float64

	// Grid is the number of field arrows per axis; 15 if zero.
	Grid int

	// Field, if not nil, stores the vector field at x = (q, p) in dst. It
	// is drawn as arrows centred on a Grid×Grid lattice, their lengths
	// proportional to the field's magnitude and normalised so that the
	// longest fills about a lattice cell. Non-finite vectors are skipped.
	Field func(dst, x []float64)

	// Energy, if not nil, returns the energy at x = (q, p). It is drawn
	// as ten evenly spaced contour lines between its extremes on the
	// panel; non-finite values leave gaps.
	Energy func(x []float64) float64

	Paths  []Series // trajectories, drawn as lines with a legend
	Points []Series // point sets such as noisy data, drawn as dots
}

// LineChart is a plot of series against a shared x axis, such as the
// energy along rollouts over time. With LogY the y axis is logarithmic and
// points with y <= 0 are skipped like non-finite ones.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	LogY                  bool
}

// PhasePortraits draws the panels side by side and writes the figure to
// path, whose extension, .png or .svg, chooses the format. It returns an
// error if there are no panels, if path is empty or has another extension,
// if a panel's bounds are NaN, infinite or empty, if its Grid is negative,
// or if the file cannot be written. It panics if a series has len(X) !=
// len(Y).
func PhasePortraits(path string, panels []Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("figures: %s: no panels to draw", path)
	}
	return Row(path, panels, nil)
}

// Lines draws the chart and writes it to path, whose extension, .png or
// .svg, chooses the format. It returns an error if path is empty or has
// another extension, or if the file cannot be written. It panics if a
// series has len(X) != len(Y).
func Lines(path string, c LineChart) error {
	return Row(path, nil, []LineChart{c})
}

// Row draws the panels followed by the charts in one row, the layout of
// the HNN paper's Figure 2 (data | baseline | HNN | energy), and writes
// the figure to path, whose extension, .png or .svg, chooses the format.
// It returns the errors of PhasePortraits and Lines, and an error if there
// is nothing to draw. It panics if a series has len(X) != len(Y).
func Row(path string, panels []Panel, charts []LineChart) error {
	format, err := formatOf(path)
	if err != nil {
		return err
	}
	if len(panels)+len(charts) == 0 {
		return fmt.Errorf("figures: %s: nothing to draw", path)
	}
	col := newColours(panels, charts)
	plots := make([]*plot.Plot, 0, len(panels)+len(charts))
	legends := make([]*legend, 0, len(panels)+len(charts))
	for i, pn := range panels {
		p, leg, err := panelPlot(pn, col)
		if err != nil {
			return fmt.Errorf("figures: %s: panel %d (%q): %w", path, i, pn.Title, err)
		}
		plots, legends = append(plots, p), append(legends, leg)
	}
	for _, c := range charts {
		p, leg := chartPlot(c, col)
		plots, legends = append(plots, p), append(legends, leg)
	}
	data, err := render(plots, legends, format)
	if err != nil {
		return fmt.Errorf("figures: %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, data, 0o666); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	return nil
}

// formatOf returns the image format named by path's extension.
func formatOf(path string) (string, error) {
	if path == "" {
		return "", errors.New("figures: empty path")
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png", ".svg":
		return ext[1:], nil
	default:
		return "", fmt.Errorf("figures: %s: unsupported extension %q (want .png or .svg)", path, ext)
	}
}

// render draws plots side by side, their data areas aligned, each with
// its legend below it (drawRow), and encodes the result in format.
func render(plots []*plot.Plot, legends []*legend, format string) ([]byte, error) {
	w, h := vg.Length(len(plots))*tileSize, tileSize+legendStrip(legends)
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(
			vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))}
	case "svg":
		c = vgsvg.New(w, h)
	default:
		panic("figures: unknown format " + format)
	}
	drawRow(draw.New(c), plots, legends)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", format, err)
	}
	return buf.Bytes(), nil
}

// legendWidth is the width a legend's columns may take under a tile.
const legendWidth = tileSize - 4*tilePad

// legendStrip returns the height of the strip below a row of plots that
// holds their legends: the tallest legend and a gap above and below it,
// or zero if no plot has a legend entry.
func legendStrip(legends []*legend) vg.Length {
	var h vg.Length
	for _, l := range legends {
		if _, _, size := l.layout(legendWidth); size.Y > 0 {
			h = max(h, size.Y+2*legendGap)
		}
	}
	return h
}

// drawRow draws plots side by side on dc, one tile each, their data areas
// aligned, above a strip that holds each plot's legend under its tile:
// outside every data area, so a legend never covers a curve. It returns
// the data area of each plot and the box of each legend (empty without
// entries). It panics unless there is one legend per plot.
func drawRow(dc draw.Canvas, plots []*plot.Plot, legends []*legend) (areas, boxes []vg.Rectangle) {
	if len(legends) != len(plots) {
		panic("figures: one legend per plot")
	}
	strip := legendStrip(legends)
	tiles := draw.Tiles{
		Rows: 1, Cols: len(plots),
		PadTop: tilePad, PadBottom: tilePad, PadLeft: tilePad, PadRight: tilePad,
		PadX: 2 * tilePad,
	}
	cs := plot.Align([][]*plot.Plot{plots}, tiles, draw.Crop(dc, 0, 0, strip, 0))
	for i, p := range plots {
		p.Draw(cs[0][i])
		areas = append(areas, p.DataCanvas(cs[0][i]).Rectangle)
		tile := cs[0][i].Rectangle
		mid := (tile.Min.X + tile.Max.X) / 2
		under := vg.Rectangle{
			Min: vg.Point{X: mid - legendWidth/2, Y: dc.Min.Y + legendGap},
			Max: vg.Point{X: mid + legendWidth/2, Y: dc.Min.Y + strip - legendGap},
		}
		boxes = append(boxes, legends[i].draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: under}))
	}
	return areas, boxes
}
