package task

import "github.com/hnn-go/hnn/systems"

// SymODEN's task 2 (Zhong et al. 2020): gym's pendulum (g 10, m 1, l 1)
// pushed by a torque u, observed through the angle embedded as
// (cos, sin) and the angular velocity; 64 train and 64 test starts from
// gym's reset under u = 0, -1, 1, -2, 2, 20 samples 0.05 apart
// (systems.PendulumEmbedProtocol), rows (q, q-dot, u) with q the angle
// from upright plus pi. Adam 1e-3, weight decay 1e-4.
func init() {
	pr := systems.PendulumEmbedProtocol()
	Register(symodenTask("pendulum-embed", "Pendulum, angle embedded (SymODEN task 2)", systems.TorquePendulum{}, pr,
		symodenTrain(pr, 1e-3, 1e-4), symodenQuick(1e-4),
		symodenModels,
		map[string]Published{
			"naive":     published(221, 412),
			"geometric": published(13.3, 27.0),
			"symoden":   published(0.0948, 0.249),
		}))
}
