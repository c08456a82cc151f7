package task

import "github.com/hnn-go/hnn/systems"

// SymODEN's task 3 (Zhong et al. 2020): the cart-pole pushed by a force
// on the cart, observed in (x, theta, x-dot, theta-dot) with theta an
// angle; 64 train and 64 test starts under u = 0, -1, 1, -2, 2, 20
// samples 0.02 apart (systems.CartPoleProtocol). Adam 1e-4, weight decay
// 1e-4.
func init() {
	pr := systems.CartPoleProtocol()
	Register(symodenTask("cartpole", "Cart-pole (SymODEN task 3)", systems.CartPole{}, pr,
		symodenTrain(pr, 1e-4, 1e-4), symodenQuick(1e-4),
		symodenModels,
		map[string]Published{
			"naive":     published(37.3, 39.3),
			"geometric": published(10.5, 10.3),
			"symoden":   published(4.16, 2.85),
		}))
}
