package pixels

import (
	"image"
	"image/color"
	"math"

	"git.sr.ht/~sbinet/gg"
	"golang.org/x/image/draw"
)

// Frame geometry of gymnasium's Pendulum-v1 rgb_array render.
const (
	// Screen is the side of a rendered frame in pixels.
	Screen = 500
	// Bound is the half-width of the world the screen shows.
	Bound = 2.2
	// RodLength and RodWidth are the rod's size in world units, and
	// AxleRadius the black axle's radius.
	RodLength  = 1.0
	RodWidth   = 0.2
	AxleRadius = 0.05
)

// RodColor is the rod's colour.
var RodColor = color.RGBA{204, 77, 77, 255}

// scale is the number of pixels per world unit.
const scale = Screen / (2 * Bound)

// NewFrame returns an empty Screen x Screen frame.
func NewFrame() *image.RGBA { return image.NewRGBA(image.Rect(0, 0, Screen, Screen)) }

// Render draws the pendulum at angle th into dst (Screen x Screen) as
// gymnasium's render does: white background, the pivot at the centre, the
// rod from the pivot to length 1 in the direction th (0 pointing up,
// positive angles counterclockwise as seen), width 0.2 with rounded ends,
// and a black axle of radius 0.05, anti-aliased. It panics if dst is not
// Screen x Screen. A Renderer draws repeatedly without allocating a
// drawing context per frame.
func Render(dst *image.RGBA, th float64) {
	if dst.Bounds().Dx() != Screen || dst.Bounds().Dy() != Screen {
		panic("pixels: frame is not 500 x 500")
	}
	draw1(gg.NewContextForRGBA(dst), th)
}

// Renderer draws frames into one image with one drawing context. It is
// used by one goroutine at a time.
type Renderer struct {
	frame *image.RGBA
	dc    *gg.Context
}

// NewRenderer returns a Renderer.
func NewRenderer() *Renderer {
	f := NewFrame()
	return &Renderer{frame: f, dc: gg.NewContextForRGBA(f)}
}

// Render draws the pendulum at angle th as the function Render does and
// returns the frame, which the next call overwrites.
func (r *Renderer) Render(th float64) *image.RGBA {
	draw1(r.dc, th)
	return r.frame
}

func draw1(dc *gg.Context, th float64) {
	dc.SetRGB255(255, 255, 255)
	dc.Clear()
	c := Screen / 2.0
	// gymnasium rotates the rod by th + pi/2 in a y-up world and flips the
	// image vertically: in image coordinates (y down) the tip is at
	// (c - L sin th, c - L cos th).
	tx := c - RodLength*scale*math.Sin(th)
	ty := c - RodLength*scale*math.Cos(th)
	dc.SetRGB255(int(RodColor.R), int(RodColor.G), int(RodColor.B))
	dc.SetLineWidth(RodWidth * scale)
	dc.SetLineCap(gg.LineCapRound)
	dc.DrawLine(c, c, tx, ty)
	dc.Stroke()
	dc.SetRGB255(0, 0, 0)
	dc.DrawCircle(c, c, AxleRadius*scale)
	dc.Fill()
}

// Side is the side of a preprocessed frame, and FrameSize its number of
// values.
const (
	Side      = 28
	FrameSize = Side * Side
)

// Crop is the square of the 500 x 500 frame that Preprocess keeps, in world
// units x in [-0.75, 0.75] and y in [-1.25, 0.25] around the pivot (170 x
// 170 px): the region below the pivot where the dataset's pendulum swings,
// like the reference's crop on its larger screen. The dataset's swings
// reach at most 34 degrees from hanging down (a start within 30 degrees and
// 1 rad/s), so the rod, 1.1 units long with its rounded end, stays inside
// (its tip at |x| <= 0.66); a swing beyond about 40 degrees leaves it.
var Crop = image.Rect(165, 222, 335, 392)

// Preprocessor turns frames into model inputs; it holds the work images so
// that repeated calls allocate nothing. It is used by one goroutine at a
// time.
type Preprocessor struct {
	gray   *image.Gray
	small  *image.Gray
	scaler draw.Scaler
}

// NewPreprocessor returns a Preprocessor.
func NewPreprocessor() *Preprocessor {
	return &Preprocessor{
		gray:   image.NewGray(image.Rect(0, 0, Crop.Dx(), Crop.Dy())),
		small:  image.NewGray(image.Rect(0, 0, Side, Side)),
		scaler: draw.CatmullRom.NewScaler(Side, Side, Crop.Dx(), Crop.Dy()),
	}
}

// Preprocess writes the model's view of frame into dst (FrameSize values in
// [0, 1], row-major): the red minus green channel over the Crop square
// (clipped at zero; 127/255 on the rod, 0 on the white background and the
// black axle), resized to 28 x 28 with the Catmull-Rom kernel of
// golang.org/x/image/draw (whose support grows with the shrink factor, so
// it averages like an antialiasing filter instead of sampling), divided by
// 255. It panics if len(dst) != FrameSize.
func (p *Preprocessor) Preprocess(dst []float32, frame *image.RGBA) {
	if len(dst) != FrameSize {
		panic("pixels: preprocessed frame has the wrong size")
	}
	for y := 0; y < Crop.Dy(); y++ {
		row := frame.Pix[(Crop.Min.Y+y)*frame.Stride+4*Crop.Min.X:]
		out := p.gray.Pix[y*p.gray.Stride:]
		for x := 0; x < Crop.Dx(); x++ {
			out[x] = uint8(max(0, int(row[4*x])-int(row[4*x+1])))
		}
	}
	p.scaler.Scale(p.small, p.small.Bounds(), p.gray, p.gray.Bounds(), draw.Src, nil)
	for y := range Side {
		for x := range Side {
			dst[y*Side+x] = float32(p.small.Pix[y*p.small.Stride+x]) / 255
		}
	}
}
