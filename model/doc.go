// Package model holds the learned vector fields hnn trains, one kind per
// file (Kinds lists the registered ones), among them:
//
//   - "baseline": an MLP outputs the time derivative dx/dt directly
//     (network "F").
//   - "hnn": the Hamiltonian neural network; an MLP learns a scalar energy
//     H(q, p) (network "H") and the field is its symplectic gradient
//     J grad H, that is dq/dt = dH/dp, dp/dt = -dH/dq.
//   - "dhnn": the dissipative HNN of Sosanya & Greydanus (2022); networks
//     "H" and "D" learn an energy and a Rayleigh dissipation function and
//     the field is J grad H + grad D.
//   - "separable": an HNN whose energy is H = T(p) + V(q), networks "T" on
//     the momenta and "V" on the positions; the field (grad T(p),
//     -grad V(q)) has the form the explicit symplectic integrators
//     (leapfrog) assume.
//   - "mass": an HNN with a learned constant mass matrix, H = p^T L L^T p
//     / 2 + V(q) with L = I + A lower-triangular (array "L") and V a
//     network ("V"); separable too.
//   - "symoden": SymODEN (Zhong et al. 2020), H = p^T M^-1(q) p / 2 + V(q)
//     with M^-1 = L L^T + 0.1 I from a Cholesky network ("Minv"), V ("V")
//     and an input matrix g(q) ("g"); field J grad H + (0, g u).
//   - "delan": DeLaN (Lutter et al. 2019), L = q-dot^T M(q) q-dot / 2 -
//     V(q) with M = L L^T + 0.01 I ("M"), V and g; q-ddot from the
//     Euler-Lagrange equation in closed form.
//   - "lnn": the Lagrangian neural network (Cranmer et al. 2020), a
//     network ("L") of (q, q-dot) plus |q-dot|^2 / 2 as the Lagrangian,
//     q-ddot from the Euler-Lagrange equation with its Hessian solved
//     (guarded against singularity), g(q) u as the generalised force; on
//     momentum rows the network is H(q, p) and the field J grad H + (0, g u).
//   - "naive" and "geometric": SymODEN's unstructured baselines, one
//     network ("F") of the state and inputs giving the derivatives of the
//     positions and velocities (naive, the baseline on canonical states),
//     or of the velocities alone with dq/dt = q-dot known (geometric, on
//     velocity rows).
//
// States use the canonical layout unless Config.Layout says otherwise: the
// first half of a state vector holds the positions q, the second half the
// momenta p, so every canonical kind needs an even state dimension. Kinds
// with Kind.Layouts (symoden, delan, lnn, naive, geometric) also take states (q, v, u) of n
// positions, n velocities or momenta and m inputs, with angles that their
// networks see as (cos q, sin q); their field is (q-dot, v-dot, 0), so an
// input is a state channel that stays constant and the fit modes and
// integrators work unchanged. A model is generic over its element type
// (float32 or float64); it is evaluated through a Workspace, one per
// goroutine, sized for a batch of rows. A workspace gives the field and its
// vector-Jacobian product (FieldVJP), from which the training loss and its
// gradient follow, and which lets a model's field sit inside a larger
// model (the latent dynamics of package latent). Workspaces of kinds with a
// learned energy implement Energy; those of dissipative kinds implement
// Dissipative; those with a learned potential and input matrix (symoden,
// delan) implement Mechanical, which energy-shaping control uses.
//
// A checkpoint is a directory holding model.json (the Config) and model.npz
// (every part of the parameter vector, each weight matrix and bias of
// every network, as a plain float64 array); loading one reads arrays and
// never runs code.
//
// # Adding a kind
//
// A kind is a value, not a name compared anywhere: Kinds, Validate, New,
// NumParams, Networks, Save and Load read its registered Kind, and so do
// the rest of hnn: the command line's -model (hnn train, hnn reproduce
// -models, a task's Models), the long-horizon integrators (package
// experiment), the scheduling cost (experiment/reproduce), the figures'
// titles (experiment/report), the rollout fit's integrator check (package
// fit), latent dynamics (package latent) and the benchmarks' FLOP model. A new kind is one file, say quartic.go,
// that
//
//   - declares its model type, embedding base[T] (Config and Params) and
//     holding its networks and arrays, and a builder from Pieces, the
//     parameter vector cut into the parts the kind declares (networks
//     drawn at initialisation, plain arrays starting at zero);
//   - implements NewWorkspace, and on the workspace Batch, Field, FieldVJP,
//     and Loss and LossGrad as one-line calls of fieldLoss and
//     fieldLossGrad, plus Energy (and Dissipative) where the kind has them,
//     which the energy metrics and figures look for; a workspace allocates
//     its buffers once and nothing per call;
//   - registers a Kind from an init function: name, title, whether it is
//     canonical and trained through input gradients, the state layouts it
//     takes beyond the canonical one (Layouts; its Parts and builders read
//     Config.StateLayout), its Parts, Build32
//     and Build64, its FLOPs per row (NetFLOPs for each network), the
//     integrators that suit it beyond the general ones, and its cost.
//
// Nothing else changes: no list of kinds is kept anywhere else. A kind may
// also be registered from outside this package, with a model type of its
// own that implements Model and Workspace (ExampleRegister registers a
// linear field that way).
//
// Its test goes in quartic_test.go and checks the structure the kind
// promises and that it learns a simple system. The package's tests loop
// over every registered kind, so they cover a new one with no table to
// edit: FieldVJP and the loss gradient against finite differences
// (TestFieldVJPFD, TestLossGradFD), its registration and parameter count
// (TestKindsRegistered), the checkpoint round trip
// (TestCheckpointRoundTrip) and no allocation per call (TestFieldAllocs);
// package fit's TestRolloutGradFD checks the rollout gradient through it
// with every integrator.
package model
