package metrics

// The sections of the report, in the order of their first metric.
var (
	// MainTable is the report's first table, the paper's Table 1 beside
	// ours.
	MainTable = &Section{
		Text: "Losses are derivative MSEs (mean ± std/sqrt(rows), all seeds' rows pooled); the energy MSE is " +
			"the mean over the protocol's starts of all seeds ± the std of 5 chunk means / sqrt(5), and their median. " +
			"Published numbers are the paper's Table 1.",
	}
	// SegmentRollouts holds the metrics of rollouts over measured test
	// segments.
	SegmentRollouts = &Section{
		Title: "Rollouts over the measured test segments",
		Text: "Mean squared state error of a Dormand-Prince rollout (rtol = atol = 1e-9) from the first test row " +
			"over the test segment's times, mean over seeds ± std/sqrt(seeds).",
	}
	// PixelRollouts holds the metrics of the pixel task's latent rollouts.
	PixelRollouts = &Section{
		Title: "Pixel rollouts",
		Text: "From the first frame pair of every test trial, a latent rollout (the learned field integrated over each frame with 4 RK4 steps), " +
			"decoded: mean squared pixel error against the true frames, and the valid prediction time in steps " +
			"(first step where mean((true - pred)^2) / mean(true^2) exceeds 0.025); " +
			"phase rate: the angle the model turns in one frame from each encoded true frame pair, about its trial's mean latent, " +
			"over the angle the encoded truth turns (1: in time, above 1: ahead); " +
			"SyMetric R² and symplecticity (Higgins et al. 2021): a cubic polynomial fitted from the training latents to the true (angle, angular velocity), " +
			"its R² on the test latents, and the mean over test latents of ||A Aᵀ / c² - I||² / 2 with A = J E Jᵀ, J the fit's Jacobian and " +
			"c² the mean of ||A||² / 2 (0: canonical coordinates up to a constant scale; the paper counts R² > 0.9 and a score below 0.05 as canonical); " +
			"mean over seeds ± std/sqrt(seeds).",
	}
	// Predictions holds SymODEN's prediction error of the tasks of driven
	// systems.
	Predictions = &Section{
		Title: "Prediction error (SymODEN)",
		Text: "From every test start with zero input, 40 samples at the data's spacing, the model rolled out by RK4 " +
			"with one step per sample: the sum over the samples and every state channel of the squared error " +
			"(angles modulo 2 pi), mean ± std over the test starts of all seeds, and the median. " +
			"Published: SymODEN's printed values (Zhong et al. 2020), mean ± std over their test starts.",
	}
	// EnergyErrorSection holds the Lagrangian-network paper's energy error.
	EnergyErrorSection = &Section{
		Title: "Energy error (LNN)",
		Text: "From every start of the task's energy protocol, the model rolled out to its horizon: the error of the " +
			"system's exact energy at the end, |E(x(T)) - E(x(0))|, over the task's energy scale (the double pendulum's " +
			"largest potential energy, 29.4), mean over the starts of all seeds ± std/sqrt(starts), and the median. " +
			"Published: the Lagrangian-network paper's (Cranmer et al. 2020), LNN over 40 starts and its baseline over 44.",
	}
)

// The metrics runs report, in the order of their columns. Each names where
// a run computes it.
var (
	// TrainLoss is the derivative MSE on the training rows (experiment's
	// Run.evaluate; for the pixel task the reference's total loss per
	// sample, Run.evaluatePixels).
	TrainLoss = Register(Metric{Key: "train_loss", Column: "train loss", Section: MainTable,
		RowsArray: "train", Aggregate: Pooled})
	// TestLoss is the same on the test rows.
	TestLoss = Register(Metric{Key: "test_loss", Column: "test loss", Section: MainTable,
		RowsArray: "test", Aggregate: Pooled})
	// EnergyMSE is the energy MSE of the task's protocol (experiment's
	// EnergyTruth.Errors), along measured test segments
	// (Run.evaluateSegments) or through the pixel task's probe
	// (Run.evaluatePixels); absent for tasks without a true energy.
	EnergyMSE = Register(Metric{Key: "energy_mse", Column: "energy MSE", Section: MainTable,
		SamplesKey: "energy_mse_per_start", Aggregate: PooledChunks, Median: "energy median"})
	// RolloutMSE is, on measured data, the mean squared state error of
	// rollouts along the test segments (experiment's Run.evaluateSegments).
	RolloutMSE = Register(Metric{Key: "rollout_mse", Column: "rollout MSE", Section: SegmentRollouts,
		Aggregate: SeedMeans})
	// PixelMSE is, on the pixel task, the mean squared pixel error of the
	// decoded latent rollouts (experiment's Run.evaluatePixels).
	PixelMSE = Register(Metric{Key: "pixel_mse", Column: "pixel MSE", Section: PixelRollouts,
		Scalar: true, Aggregate: SeedMeans})
	// ValidSteps is, on the pixel task, the valid prediction time of those
	// rollouts in steps (experiment's Run.evaluatePixels).
	ValidSteps = Register(Metric{Key: "valid_time", Column: "valid steps", Section: PixelRollouts,
		Aggregate: SeedMeans})
	// PhaseRate is, on the pixel task, the model's angular speed around
	// the encoded orbits over the truth's (experiment's phaseRate).
	PhaseRate = Register(Metric{Key: "phase_rate", Column: "phase rate", Section: PixelRollouts,
		Aggregate: SeedMeans, Verb: "%.4f"})
	// SyMetricR2 is, on the pixel task, the held-out R^2 of a polynomial
	// fit from the latents to the true state (experiment's symetric).
	SyMetricR2 = Register(Metric{Key: "symetric_r2", Column: "SyMetric R²", Section: PixelRollouts,
		Scalar: true, Aggregate: SeedMeans, Verb: "%.4f"})
	// Symplecticity is, on the pixel task, the SyMetric symplecticity
	// score of that fit's Jacobian (experiment's symetric).
	Symplecticity = Register(Metric{Key: "symplecticity", Column: "symplecticity", Section: PixelRollouts,
		Scalar: true, Aggregate: SeedMeans})
	// PredictionError is, on a task of a driven system, SymODEN's
	// prediction error (PredictionSSE) along the task's prediction
	// trajectories, mean ± std over them (experiment's scorePrediction).
	PredictionError = Register(Metric{Key: "prediction_error", Column: "prediction error", Section: Predictions,
		SamplesKey: "prediction_error_per_start", Aggregate: PooledStd, Median: "prediction median"})
	// EnergyError is, on a driven task with an energy scale, the
	// Lagrangian-network paper's energy error at the end of the energy
	// protocol's rollouts (experiment's scoreEnergyError).
	EnergyError = Register(Metric{Key: "energy_error", Column: "energy error", Section: EnergyErrorSection,
		SamplesKey: "energy_error_per_start", Aggregate: Pooled, Median: "energy error median"})
)
