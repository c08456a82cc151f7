package task

import "github.com/hnn-go/hnn/systems"

// SymODEN's fully actuated acrobot (Zhong et al. 2020, their control
// experiment): the acrobot with a torque on each joint
// (systems.Acrobot{FullyActuated: true}), observed in (t1, t2, t1-dot,
// t2-dot) with both angles; task 4's 64 train and 64 test starts under
// nine input vectors (0, 0), (0, +-1), (0, +-2), (+-1, 0), (+-2, 0), 20
// samples 0.05 apart (systems.FullyActuatedAcrobotProtocol). Adam 1e-4,
// weight decay 5e-5, as their script. A trained symoden or delan run
// drives the true system with `hnn control RUNDIR` (control's
// acrobot-full protocol). SymODEN prints no prediction error for it.
func init() {
	pr := systems.FullyActuatedAcrobotProtocol()
	Register(symodenTask("acrobot-full", "Fully actuated acrobot (SymODEN)", systems.Acrobot{FullyActuated: true}, pr,
		symodenTrain(pr, 1e-4, 5e-5), symodenQuick(5e-5), symodenModels, nil))
}
