package figures_test

import (
	"fmt"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/hnn-go/hnn/figures"
)

// The phase portrait of the spring H = q² + p²: its field (2p, -2q) as
// arrows over circular energy contours, with one exact orbit.
func ExamplePhasePortraits() {
	dir, err := os.MkdirTemp("", "figures")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	orbit := figures.Series{Name: "orbit"}
	for k := range 100 {
		t := 2 * math.Pi * float64(k) / 99
		orbit.X = append(orbit.X, math.Cos(t))
		orbit.Y = append(orbit.Y, -math.Sin(t))
	}
	path := filepath.Join(dir, "spring.png")
	err = figures.PhasePortraits(path, []figures.Panel{{
		Title: "Spring",
		XMin:  -1.5, XMax: 1.5, YMin: -1.5, YMax: 1.5,
		Field:  func(dst, x []float64) { dst[0], dst[1] = 2*x[1], -2*x[0] },
		Energy: func(x []float64) float64 { return x[0]*x[0] + x[1]*x[1] },
		Paths:  []figures.Series{orbit},
	}})
	if err != nil {
		log.Fatal(err)
	}

	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d×%d pixels\n", cfg.Width, cfg.Height)
	// Output: 400×431 pixels
}
