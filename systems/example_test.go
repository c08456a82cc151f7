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

func ExampleGenerateDriven() {
	sys, pr := systems.CartPole{}, systems.CartPoleProtocol()
	ds, err := systems.GenerateDriven(sys, pr, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("train rows:", ds.Train.Len(), "of", ds.Train.Dim, "columns", ds.Train.Layout.ColumnNames())
	fmt.Println("angles:", ds.Train.Layout.Angles, "velocities:", ds.Train.Layout.Velocities)
	// Output:
	// train rows: 6400 of 5 columns [q1 q2 v1 v2 u]
	// angles: [1] velocities: true
}

func ExampleDriven() {
	var sys systems.Acrobot
	q, qdot, u := []float64{0.5, -0.2}, []float64{0, 0}, []float64{1}
	acc := make([]float64, sys.Coords())
	sys.Accel(acc, q, qdot, u)
	fmt.Printf("%s: E = %.4f, q-ddot = %.4f\n", sys.Name(), sys.Energy(q, qdot), acc)
	// Output:
	// acrobot: E = -17.5816, q-ddot = [-3.8252 4.9664]
}
