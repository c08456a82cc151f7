package systems_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/hnn-go/hnn/systems"
)

// BenchmarkGenerateOrbits times the two-body data generation of the
// reference protocol (systems.TwoBodyProtocol: orbits of 50 points on
// t in [0, 20], Dormand-Prince at rtol 1e-9) at 100 orbits and at the
// protocol's 1000, from the data stream a run uses (seed 0, stream 1). It
// reports orbits per second beside the time per dataset.
func BenchmarkGenerateOrbits(b *testing.B) {
	for _, count := range []int{100, 1000} {
		b.Run("two-body/"+strconv.Itoa(count), func(b *testing.B) {
			o := systems.TwoBodyProtocol()
			o.Count = count
			b.ReportAllocs()
			for b.Loop() {
				if _, err := systems.GenerateOrbits(o, rand.New(rand.NewPCG(0, 1))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(count)*float64(b.N)/b.Elapsed().Seconds(), "orbits/s")
		})
	}
}

// BenchmarkGenerateDriven times SymODEN's data generation (Dormand-Prince
// at rtol 1e-10) for the torque pendulum of task 1 and the acrobot of
// task 4 at a tenth of their starts and at their full protocols. It
// reports trajectories per second beside the time per dataset.
func BenchmarkGenerateDriven(b *testing.B) {
	for _, c := range []struct {
		name string
		sys  systems.Driven
		pr   systems.DrivenProtocol
	}{
		{"pendulum-torque", systems.TorquePendulum{}, systems.PendulumTorqueProtocol()},
		{"acrobot", systems.Acrobot{}, systems.AcrobotProtocol()},
	} {
		for _, frac := range []int{10, 1} {
			pr := c.pr
			pr.Starts /= frac
			b.Run(c.name+"/"+strconv.Itoa(pr.Starts), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := systems.GenerateDriven(c.sys, pr, rand.New(rand.NewPCG(0, 1))); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(pr.Starts*len(pr.Inputs))*float64(b.N)/b.Elapsed().Seconds(), "trajectories/s")
			})
		}
	}
}
