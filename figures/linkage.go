package figures

import (
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"strings"

	"git.sr.ht/~sbinet/gg"
)

// Linkage is one panel of a linkage animation: a name written above it,
// and per frame the joints of a chain of rods in world units, (x0, y0,
// x1, y1, ...), the first the pivot (or, with Cart, the centre of a cart
// that rides on the line y = 0). Target, if not nil, is drawn as a faint
// chain underneath every frame (the configuration a controller aims at).
type Linkage struct {
	Name   string
	Frames [][]float64
	Target []float64
	Cart   bool
}

// linkSide is the side of a panel of a linkage animation in pixels, and
// linkHead the height of its name row.
const (
	linkSide = 200
	linkHead = 20
)

// Linkage colours: rods as the pixel pendulum's, joints black, the target
// light grey.
var (
	rodColour    = color.RGBA{204, 77, 77, 255}
	targetColour = color.RGBA{215, 215, 215, 255}
	cartColour   = color.RGBA{90, 90, 160, 255}
)

// LinkageGIF writes an animated GIF of the panels side by side, each
// showing the square [-bound, bound]^2 of its world with its Name above
// it and, under the first, the time of the frame (frame k at k dt
// seconds): its frame k shows frame k of every panel (a panel that has
// ended keeps its last frame), delay hundredths of a second apart. It
// returns an error if path does not end in .gif, there is nothing to
// draw, bound is not positive, or the file cannot be written; it panics
// if a frame has an odd number of values or fewer than two points.
func LinkageGIF(path string, panels []Linkage, bound, dt float64, delay int) error {
	if !strings.HasSuffix(path, ".gif") {
		return fmt.Errorf("figures: %s: an animation is a .gif file", path)
	}
	n := 0
	for _, p := range panels {
		n = max(n, len(p.Frames))
	}
	if n == 0 {
		return fmt.Errorf("figures: %s: no frames to draw", path)
	}
	if !(bound > 0) {
		return fmt.Errorf("figures: %s: world bound %v, want a positive number", path, bound)
	}
	w, h := len(panels)*linkSide, linkSide+2*linkHead
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	dc := gg.NewContextForRGBA(img)
	pal := color.Palette{color.White, color.Black, rodColour, targetColour, cartColour, color.RGBA{120, 120, 120, 255}}
	anim := &gif.GIF{}
	for k := range n {
		dc.SetRGB255(255, 255, 255)
		dc.Clear()
		for i, p := range panels {
			x0 := float64(i * linkSide)
			dc.SetRGB255(0, 0, 0)
			dc.DrawStringAnchored(p.Name, x0+linkSide/2, linkHead/2, 0.5, 0.5)
			if p.Target != nil {
				drawChain(dc, p.Target, x0, bound, targetColour, false)
			}
			if len(p.Frames) > 0 {
				drawChain(dc, p.Frames[min(k, len(p.Frames)-1)], x0, bound, rodColour, p.Cart)
			}
			if i > 0 {
				dc.SetRGB255(120, 120, 120)
				dc.SetLineWidth(1)
				dc.DrawLine(x0, 0, x0, float64(h))
				dc.Stroke()
			}
		}
		dc.SetRGB255(0, 0, 0)
		dc.DrawStringAnchored(fmt.Sprintf("t = %.2f s", float64(k)*dt), float64(w)/2, float64(h)-linkHead/2, 0.5, 0.5)
		appendFrame(anim, img, pal, delay)
	}
	return writeGIF(path, anim)
}

// drawChain draws the chain of joints pts (world units) into the panel
// whose left edge is at x0: rods in colour c, black joints, and with cart
// a box around the first joint on a track.
func drawChain(dc *gg.Context, pts []float64, x0, bound float64, c color.RGBA, cart bool) {
	if len(pts)%2 != 0 || len(pts) < 4 {
		panic(fmt.Sprintf("figures: a linkage frame of %d values, want an even number of at least 4", len(pts)))
	}
	scale := linkSide / (2 * bound)
	at := func(j int) (float64, float64) {
		return x0 + linkSide/2 + pts[2*j]*scale, linkHead + linkSide/2 - pts[2*j+1]*scale
	}
	if cart {
		x, y := at(0)
		dc.SetRGB255(120, 120, 120)
		dc.SetLineWidth(1)
		dc.DrawLine(x0, y, x0+linkSide, y)
		dc.Stroke()
		dc.SetColor(cartColour)
		if c == targetColour {
			dc.SetColor(c)
		}
		dc.DrawRectangle(x-0.25*scale, y-0.12*scale, 0.5*scale, 0.24*scale)
		dc.Fill()
	}
	dc.SetColor(c)
	dc.SetLineWidth(0.12 * scale)
	dc.SetLineCap(gg.LineCapRound)
	for j := 1; j < len(pts)/2; j++ {
		xa, ya := at(j - 1)
		xb, yb := at(j)
		dc.DrawLine(xa, ya, xb, yb)
		dc.Stroke()
	}
	if c == targetColour {
		return
	}
	dc.SetRGB255(0, 0, 0)
	for j := range len(pts)/2 - 1 {
		x, y := at(j)
		dc.DrawCircle(x, y, 0.04*scale)
		dc.Fill()
	}
}
