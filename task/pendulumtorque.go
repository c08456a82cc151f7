package task

import "github.com/hnn-go/hnn/systems"

// SymODEN's task 1 (Zhong et al. 2020): the pendulum H = 1.5 p^2 +
// 5 (1 - cos q) pushed by a torque u, dp/dt = -dH/dq + u, observed in
// (q, p) with q an angle; 25 train and 25 test starts q, p ~ U[-pi, 2 pi)
// under u = -2, -1, 0, 1, 2, 45 samples 0.05 apart
// (systems.PendulumTorqueProtocol), rows (q, p, u). Adam 1e-3, weight
// decay 1e-4.
func init() {
	pr := systems.PendulumTorqueProtocol()
	Register(symodenTask("pendulum-torque", "Pendulum with torque (SymODEN task 1)", systems.TorquePendulum{}, pr,
		symodenTrain(pr, 1e-3, 1e-4), symodenQuick(1e-4),
		[]string{"symoden", "naive"},
		map[string]Published{
			"naive":   published(19.9, 17.8),
			"symoden": published(4.31, 5.63),
		}))
}
