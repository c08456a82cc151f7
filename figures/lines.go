package figures

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// chartPlot builds the plot of a line chart and its legend.
func chartPlot(c LineChart, col *colours) (*plot.Plot, *legend) {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	leg := newLegend()
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		th := addLine(p, s, col.of(s.Name), c.LogY)
		if s.Name != "" {
			leg.add(s.Name, th)
		}
		for _, seg := range segments(s, c.LogY) {
			for _, pt := range seg {
				ylo, yhi = min(ylo, pt.Y), max(yhi, pt.Y)
			}
		}
	}
	switch {
	case c.LogY:
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		switch {
		case ylo > yhi: // no positive data
			ylo, yhi = 1, 10
		case ylo == yhi:
			ylo, yhi = ylo/2, yhi*2
		}
		p.Y.Min, p.Y.Max = ylo, yhi
	case ylo == yhi:
		// A constant series, such as a conserved energy: centre it in a
		// range that shows its scale rather than plot's default ±1.
		d := math.Abs(ylo) / 10
		if d == 0 {
			d = 1
		}
		p.Y.Min, p.Y.Max = ylo-d, yhi+d
	}
	return p, leg
}

// logTicks marks a logarithmic axis: at powers of ten when it spans a
// decade or more, and otherwise at round numbers, which would be too few
// with powers of ten alone.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	if max >= 10*min {
		// The powers of ten come out of a product that is not always
		// exact (0.10000000000000006): label them with three digits.
		ts := plot.LogTicks{Prec: -1}.Ticks(min, max)
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 3, 64)
			}
		}
		return ts
	}
	var ts []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
		if t.Value > 0 { // a log axis cannot place the others
			ts = append(ts, t)
		}
	}
	return ts
}
