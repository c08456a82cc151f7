package systems_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/systems"
)

func ExampleGenerate() {
	rng := rand.New(rand.NewPCG(0, 0))
	ds, err := systems.Generate(systems.Spring{}, systems.SpringProtocol(), rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("train rows:", ds.Train.Len(), "test rows:", ds.Test.Len())
	fmt.Println("first test row: trajectory", ds.Test.Traj[0], "at t =", ds.Test.T[0])
	// Output:
	// train rows: 750 test rows: 750
	// first test row: trajectory 25 at t = 0
}

func ExamplePendulum() {
	var sys systems.Pendulum
	x := []float64{math.Pi / 2, 1} // horizontal, moving
	dx := make([]float64, sys.Dim())
	sys.Field(dx, x)
	fmt.Printf("%s: H = %.4g, dx/dt = %.4g\n", sys.Name(), sys.Energy(x), dx)
	// Output:
	// pendulum: H = 4, dx/dt = [2 -3]
}
