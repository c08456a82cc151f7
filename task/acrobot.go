package task

import "github.com/hnn-go/hnn/systems"

// SymODEN's task 4 (Zhong et al. 2020): the acrobot with a torque on its
// second joint, observed in (t1, t2, t1-dot, t2-dot) with both angles;
// 64 train and 64 test starts under u = 0, -1, 1, -2, 2, 20 samples 0.05
// apart (systems.AcrobotProtocol). Adam 1e-4, weight decay 5e-5.
func init() {
	pr := systems.AcrobotProtocol()
	Register(symodenTask("acrobot", "Acrobot (SymODEN task 4)", systems.Acrobot{}, pr,
		symodenTrain(pr, 1e-4, 5e-5), symodenQuick(5e-5),
		symodenModels,
		map[string]Published{
			"naive":     published(39.0, 88.1),
			"geometric": published(11.2, 14.5),
			"symoden":   published(0.809, 2.12),
		}))
}
