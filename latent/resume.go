package latent

import "github.com/hnn-go/hnn/train"

// SaveState implements train.Resumable: the parameters (autoencoder and
// latent dynamics), their average, the optimiser's state and the data
// order.
func (s *Stepper) SaveState(st *train.State) {
	train.PutArray(st, "params", s.m.Params)
	if s.avg != nil {
		train.PutArray(st, "average", s.avg)
	}
	train.PutAdam(st, "adam", s.opt)
	train.PutInts(st, "perm", s.perm)
}

// LoadState implements train.Resumable.
func (s *Stepper) LoadState(st *train.State) error {
	if err := train.GetArray(st, "params", s.m.Params); err != nil {
		return err
	}
	if s.avg != nil {
		if err := train.GetArray(st, "average", s.avg); err != nil {
			return err
		}
	}
	if err := train.GetAdam(st, "adam", s.opt); err != nil {
		return err
	}
	return train.GetInts(st, "perm", s.perm, len(s.perm))
}
