package figures

import (
	"image/gif"
	"os"
	"path/filepath"
	"testing"
)

// TestLinkageGIF writes a two-panel animation of a pendulum and a cart
// with a pole and checks its frames: as many as the longest panel, each
// two panels wide, the rod's colour present; and the errors for a bad
// path, no frames and a bad bound.
func TestLinkageGIF(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.gif")
	panels := []Linkage{
		{Name: "pendulum", Frames: [][]float64{{0, 0, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1}}, Target: []float64{0, 0, 0, 1}},
		{Name: "cart", Frames: [][]float64{{0, 0, 0, 1}, {0.5, 0, 0.5, 1}}, Cart: true},
	}
	if err := LinkageGIF(path, panels, 1.5, 0.1, 10); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 3 || g.Image[0].Bounds().Dx() != 2*linkSide || g.Delay[0] != 10 {
		t.Fatalf("%d frames of width %d, delay %d; want 3 of %d, 10", len(g.Image), g.Image[0].Bounds().Dx(), g.Delay[0], 2*linkSide)
	}
	// The pendulum hangs in frame 0: the rod's colour below the pivot.
	r, gg, b, _ := g.Image[0].At(linkSide/2, linkHead+linkSide/2+linkSide/4).RGBA()
	if r>>8 != uint32(rodColour.R) || gg>>8 != uint32(rodColour.G) || b>>8 != uint32(rodColour.B) {
		t.Errorf("below the pivot in frame 0: %d %d %d, want the rod's colour", r>>8, gg>>8, b>>8)
	}
	for _, c := range []struct {
		name   string
		path   string
		panels []Linkage
		bound  float64
	}{
		{"png path", filepath.Join(dir, "a.png"), panels, 1},
		{"no frames", path, []Linkage{{Name: "x"}}, 1},
		{"zero bound", path, panels, 0},
	} {
		if err := LinkageGIF(c.path, c.panels, c.bound, 0.1, 10); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
