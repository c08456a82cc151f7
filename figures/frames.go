package figures

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

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
// magnified 4x with a small gap, and each row's Name written at its left.
// Rows may differ in length. It returns an error if path does not end in
// .png, there is nothing to draw, or the file cannot be written; it panics
// if a frame does not hold side*side values.
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

// labelSize is the font size of the row names of frame strips, in points
// of one pixel; labelColour their colour on the dark background.
const labelSize = 14

var (
	labelColour = color.RGBA{R: 0xf0, G: 0xf0, B: 0xf0, A: 0xff}
	background  = color.RGBA{R: 40, G: 40, B: 40, A: 255}
)

// labelFace returns the font of the row names.
func labelFace() font.Face { return font.DefaultCache.Lookup(plot.DefaultFont, labelSize) }

// stripLayout places the frames and row names of a strip (at < 0: one
// row of frames per FrameRow, names in a column at the left) or of an
// animation frame (at >= 0: one column per FrameRow, names above).
type stripLayout struct {
	w, h   int
	cell   int // frame side on screen plus the gap
	label  int // width of the name column (strip) or height of the name row (animation); 0 without names
	colW   int // width of a column of an animation frame
	ascent int
}

func newStripLayout(rows []FrameRow, side, cols int, animation bool) stripLayout {
	l := stripLayout{cell: side*frameScale + frameGap}
	face := labelFace()
	ext := face.Extents()
	l.ascent = int(math.Ceil(float64(ext.Ascent)))
	textW := 0
	for _, r := range rows {
		if r.Name != "" {
			textW = max(textW, int(math.Ceil(float64(face.Width(r.Name)))))
		}
	}
	named := textW > 0
	if !animation {
		if named {
			l.label = textW + 2*frameGap
		}
		l.w, l.h = l.label+cols*l.cell+frameGap, len(rows)*l.cell+frameGap
		return l
	}
	l.colW = l.cell
	if named {
		l.label = int(math.Ceil(float64(ext.Ascent+ext.Descent))) + frameGap
		l.colW = max(l.cell, textW+2*frameGap)
	}
	l.w, l.h = len(rows)*l.colW+frameGap, l.label+l.cell+frameGap
	return l
}

// frameAt returns the top-left corner of frame j of row i in a strip, or
// of row i's frame in an animation frame.
func (l stripLayout) frameAt(i, j int, animation bool) image.Point {
	if animation {
		return image.Pt(frameGap+i*l.colW+(l.colW-l.cell)/2, l.label+frameGap)
	}
	return image.Pt(l.label+frameGap+j*l.cell, frameGap+i*l.cell)
}

// nameAt returns where row i's name starts on its baseline: at the left
// of the row, centred on its height (strip), or centred above the
// column (animation).
func (l stripLayout) nameAt(i int, name string, animation bool) image.Point {
	if animation {
		face := labelFace()
		w := int(face.Width(name))
		return image.Pt(frameGap+i*l.colW+(l.colW-w)/2, l.label-frameGap/2-1)
	}
	top := frameGap + i*l.cell
	return image.Pt(frameGap, top+(l.cell-frameGap+l.ascent)/2-1)
}

// stripImage draws the rows side by side with their names; with at >= 0
// it draws only frame at of every row, as one column each (an animation
// frame).
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
	anim := at >= 0
	l := newStripLayout(rows, side, cols, anim)
	img := image.NewRGBA(image.Rect(0, 0, l.w, l.h))
	draw.Draw(img, img.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	for i, r := range rows {
		for j, f := range r.Frames {
			if !anim || j == at {
				pt := l.frameAt(i, j, anim)
				drawFrame(img, f, side, pt.X, pt.Y, gray)
			}
		}
	}
	if l.label > 0 {
		drawNames(img, rows, l, anim)
	}
	return img, nil
}

// drawNames writes the rows' names onto img where l places them, with
// plot's fonts at one point per pixel.
func drawNames(img *image.RGBA, rows []FrameRow, l stripLayout, animation bool) {
	b := img.Bounds()
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(b.Dx()), vg.Length(b.Dy())), vgimg.UseDPI(72),
		vgimg.UseBackgroundColor(color.Transparent))
	c.SetColor(labelColour)
	face := labelFace()
	for i, r := range rows {
		if r.Name == "" {
			continue
		}
		pt := l.nameAt(i, r.Name, animation)
		c.FillString(face, vg.Point{X: vg.Length(pt.X), Y: vg.Length(b.Dy() - pt.Y)}, r.Name)
	}
	draw.Draw(img, b, c.Image(), image.Point{}, draw.Over)
}

// FrameGIF writes an animated GIF of the rows side by side, each row's
// Name above its column: its frame t shows frame t of every row (a row
// that has ended keeps its last frame out), delay hundredths of a second
// apart. It returns the errors of
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
		appendFrame(anim, img, palette.Plan9, delay)
	}
	return writeGIF(path, anim)
}

// appendFrame adds img, drawn in the colours of pal, to anim as a frame
// shown for delay hundredths of a second.
func appendFrame(anim *gif.GIF, img image.Image, pal color.Palette, delay int) {
	p := image.NewPaletted(img.Bounds(), pal)
	draw.Draw(p, p.Bounds(), img, image.Point{}, draw.Src)
	anim.Image = append(anim.Image, p)
	anim.Delay = append(anim.Delay, delay)
}

// writeGIF writes anim to path atomically.
func writeGIF(path string, anim *gif.GIF) error {
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
