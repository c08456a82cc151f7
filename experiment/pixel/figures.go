package pixel

import (
	"fmt"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/report"
	"github.com/hnn-go/hnn/figures"
	"github.com/hnn-go/hnn/pixels"
	"github.com/hnn-go/hnn/task"
)

// writePixelFigures draws, for the pixel task, seed 0's models on its
// first test trial: a strip of the true frames above each model's decoded
// latent rollout from the trial's first frame pair (every sixth step), the
// same as an animated GIF (every step), and the HNN's latent phase
// portrait: the encoded true frame pairs of the first test trials, the
// latent rollouts from their starts, and the contours of the learned H. It
// writes dir/<task>-frames.png, -frames.gif and -latent.png.
func writePixelFigures(out *report.FigureDir, t *task.Task, runs []*experiment.Run) error {
	if len(runs) == 0 {
		return nil
	}
	d, err := pixelData(runs[0].Spec, t)
	if err != nil {
		return err
	}
	c := d.Config
	maxWin := 0
	for _, r := range runs {
		maxWin = max(maxWin, window(r.Model.(*LatentModel).M.Config()))
	}
	steps := c.Frames - 1 - maxWin
	first := func(pair []float32) []float32 { return pair[:pixels.FrameSize] }
	truth := figures.FrameRow{Name: "truth"}
	for s := 0; s <= steps; s++ {
		f := 1 + s
		truth.Frames = append(truth.Frames, d.Frames[f*pixels.FrameSize:(f+1)*pixels.FrameSize])
	}
	rows := []figures.FrameRow{truth}
	trials := min(c.TestTrials, 5)
	var portrait *figures.Panel
	for _, r := range runs {
		m := r.Model.(*LatentModel).M
		win := window(m.Config())
		in := win * pixels.FrameSize
		x0 := make([]float32, trials*in)
		for k := range trials {
			copy(x0[k*in:(k+1)*in], frames(d, k*c.Frames+1, win))
		}
		ws := m.NewWorkspace(trials, false)
		z := make([]float32, (steps+1)*trials*2)
		xs := make([]float32, (steps+1)*trials*in)
		ws.Rollout(z, xs, x0, steps, rolloutSubsteps)
		row := figures.FrameRow{Name: report.ModelTitle(r.Spec.Model.Kind)}
		for s := 0; s <= steps; s++ {
			row.Frames = append(row.Frames, first(xs[s*trials*in:s*trials*in+in]))
		}
		rows = append(rows, row)
		// The portrait shows the first model with a learned energy.
		if portrait != nil || !ws.HasEnergy() {
			continue
		}
		title := report.ModelTitle(r.Spec.Model.Kind) + " latent space: encoded data, rollouts, learned H"
		p := &figures.Panel{Title: title, XLabel: "z_q", YLabel: "z_p"}
		enc := m.NewWorkspace(1, false)
		zz := make([]float32, 2)
		for k := range trials {
			path := figures.Series{Name: fmt.Sprintf("rollout %d", k)}
			data := figures.Series{Name: fmt.Sprintf("encoded %d", k)}
			for s := 0; s <= steps; s++ {
				path.X = append(path.X, float64(z[(s*trials+k)*2]))
				path.Y = append(path.Y, float64(z[(s*trials+k)*2+1]))
				enc.Encode(zz, frames(d, k*c.Frames+1+s, win))
				data.X, data.Y = append(data.X, float64(zz[0])), append(data.Y, float64(zz[1]))
			}
			p.Paths = append(p.Paths, path)
			p.Points = append(p.Points, data)
		}
		h := m.NewWorkspace(1, false)
		e := make([]float32, 1)
		p.Energy = func(x []float64) float64 {
			zz[0], zz[1] = float32(x[0]), float32(x[1])
			h.Energy(e, zz)
			return float64(e[0])
		}
		portrait = p
	}
	strip := make([]figures.FrameRow, len(rows))
	for i, r := range rows {
		strip[i].Name = r.Name
		for s := 0; s < len(r.Frames); s += 6 {
			strip[i].Frames = append(strip[i].Frames, r.Frames[s])
		}
	}
	if err := figures.FrameStrip(out.Path(t.Name, figFrames), strip, pixels.Side); err != nil {
		return err
	}
	if err := figures.FrameGIF(out.Path(t.Name, figAnimation), rows, pixels.Side, 5); err != nil {
		return err
	}
	if portrait != nil {
		if err := figures.PhasePortraits(out.Path(t.Name, figLatent), []figures.Panel{*portrait}); err != nil {
			return fmt.Errorf("pixel: %w", err)
		}
	}
	return nil
}
