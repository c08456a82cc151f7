package fit

import (
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// The derivative fit: the mean squared error of the field against the
// rows' time derivatives, which train.Train minimises (the paper's).
func init() {
	Register(Mode{
		Name:        "derivative",
		Title:       "derivative fit",
		Derivatives: true,
		Train32:     trainDerivative[float32],
		Train64:     trainDerivative[float64],
	})
}

func trainDerivative[T nn.Float](m model.Model[T], trainSet, testSet *data.Set, _ Config, tc train.Config, rng *rand.Rand, progress train.Progress) (train.History, error) {
	return train.Train(m, trainSet, testSet, tc, rng, progress)
}
