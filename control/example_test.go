package control_test

import (
	"fmt"

	"github.com/hnn-go/hnn/control"
	"github.com/hnn-go/hnn/systems"
)

// The swing-up of SymODEN's pendulum with the law built from the true
// system: the reference line of a learned model's law.
func Example() {
	p, err := control.For(systems.TorquePendulum{})
	if err != nil {
		panic(err)
	}
	law, err := p.Law(control.True(p.System))
	if err != nil {
		panic(err)
	}
	r, err := p.Run(law)
	if err != nil {
		panic(err)
	}
	fmt.Printf("reached %v, within %v rad of upright from %.2f s, max |u| %.3g\n", r.Reached, p.Tol, *r.SettleTime, r.MaxInput)
	// Output: reached true, within 0.1 rad of upright from 6.65 s, max |u| 5
}
