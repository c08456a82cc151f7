package figures

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"strings"

	"github.com/hnn-go/hnn/internal/atomicfile"
)

// FrameRow is one row of a frame strip or animation: a name and a sequence
// of square grayscale frames (Side x Side values each, row-major, in
// [0, 1]; values outside are clipped).
type FrameRow struct {
	Name   string
	Frames [][]float32
}

// frameScale is the number of screen pixels per frame pixel, and
// frameGap the gap between frames.
const (
	frameScale = 4
	frameGap   = 4
)

// drawFrame paints frame f (side x side) scaled into dst at (x0, y0),
// brightest where the value is 1.
func drawFrame(dst draw.Image, f []float32, side, x0, y0 int, pal func(v float32) color.Color) {
	for y := range side {
		for x := range side {
			c := pal(f[y*side+x])
			for dy := range frameScale {
				for dx := range frameScale {
					dst.Set(x0+x*frameScale+dx, y0+y*frameScale+dy, c)
				}
			}
		}
	}
}

func gray(v float32) color.Color {
	return color.Gray{Y: uint8(255 * min(1, max(0, v)))}
}

// FrameStrip writes rows of frames (true frames above predicted ones, say)
// as one PNG: row i, column j is rows[i].Frames[j], each side x side frame
// magnified 4x with a small gap. Rows may differ in length. It returns an
// error if path does not end in .png, there is nothing to draw, or the
// file cannot be written; it panics if a frame does not hold side*side
// values.
func FrameStrip(path string, rows []FrameRow, side int) error {
	if !strings.HasSuffix(path, ".png") {
		return fmt.Errorf("figures: %s: a frame strip is a .png file", path)
	}
	img, err := stripImage(rows, side, -1)
	if err != nil {
		return fmt.Errorf("figures: %s: %w", path, err)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	defer f.Abort()
	if err := png.Encode(f, img); err != nil {
		return fmt.Errorf("figures: %s: %w", path, err)
	}
	return f.Commit()
}

// stripImage draws the rows side by side; with at >= 0 it draws only frame
// at of every row, as one column (an animation frame).
func stripImage(rows []FrameRow, side, at int) (*image.RGBA, error) {
	cols := 0
	for _, r := range rows {
		for _, f := range r.Frames {
			if len(f) != side*side {
				panic(fmt.Sprintf("figures: frame of %d values, want %d", len(f), side*side))
			}
		}
		cols = max(cols, len(r.Frames))
	}
	if len(rows) == 0 || cols == 0 {
		return nil, fmt.Errorf("no frames to draw")
	}
	cell := side*frameScale + frameGap
	w, h := cols*cell+frameGap, len(rows)*cell+frameGap
	if at >= 0 {
		w, h = len(rows)*cell+frameGap, cell+frameGap
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{40, 40, 40, 255}), image.Point{}, draw.Src)
	for i, r := range rows {
		for j, f := range r.Frames {
			switch {
			case at < 0:
				drawFrame(img, f, side, frameGap+j*cell, frameGap+i*cell, gray)
			case j == at:
				drawFrame(img, f, side, frameGap+i*cell, frameGap, gray)
			}
		}
	}
	return img, nil
}

// FrameGIF writes an animated GIF of the rows side by side: its frame t
// shows frame t of every row (a row that has ended keeps its last frame
// out), delay hundredths of a second apart. It returns the errors of
// FrameStrip for a path that does not end in .gif.
func FrameGIF(path string, rows []FrameRow, side, delay int) error {
	if !strings.HasSuffix(path, ".gif") {
		return fmt.Errorf("figures: %s: an animation is a .gif file", path)
	}
	n := 0
	for _, r := range rows {
		n = max(n, len(r.Frames))
	}
	anim := &gif.GIF{}
	for t := range n {
		img, err := stripImage(rows, side, t)
		if err != nil {
			return fmt.Errorf("figures: %s: %w", path, err)
		}
		p := image.NewPaletted(img.Bounds(), palette.Plan9)
		draw.Draw(p, p.Bounds(), img, image.Point{}, draw.Src)
		anim.Image = append(anim.Image, p)
		anim.Delay = append(anim.Delay, delay)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	defer f.Abort()
	if err := gif.EncodeAll(f, anim); err != nil {
		return fmt.Errorf("figures: %s: %w", path, err)
	}
	return f.Commit()
}
