package task

import "github.com/hnn-go/hnn/systems"

// SymODEN's fully actuated cart-pole (Zhong et al. 2020, their control
// experiment): the cart-pole with a force on the cart and a torque on
// the pole (systems.CartPole{FullyActuated: true}), observed in (x,
// theta, x-dot, theta-dot) with theta an angle; task 3's 64 train and 64
// test starts under nine input vectors (0, 0), (0, +-1), (0, +-2),
// (+-1, 0), (+-2, 0), 20 samples 0.02 apart
// (systems.FullyActuatedCartPoleProtocol). Adam 1e-4, weight decay 1e-4,
// as their script. A trained symoden or delan run drives the true system
// with `hnn control RUNDIR` (control's cartpole-full protocol). SymODEN
// prints no prediction error for it.
func init() {
	pr := systems.FullyActuatedCartPoleProtocol()
	Register(symodenTask("cartpole-full", "Fully actuated cart-pole (SymODEN)", systems.CartPole{FullyActuated: true}, pr,
		symodenTrain(pr, 1e-4, 1e-4), symodenQuick(1e-4), symodenModels, nil))
}
