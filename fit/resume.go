package fit

import (
	"github.com/hnn-go/hnn/train"
)

// SaveState implements train.Resumable: the parameters, their average,
// the optimiser's state, the data order, the steps made and the fitted
// starts with their optimisers.
func (r *Rollout[T]) SaveState(s *train.State) {
	train.PutArray(s, "params", r.params)
	if r.avg != nil {
		train.PutArray(s, "average", r.avg)
	}
	train.PutAdam(s, "adam", r.opt)
	train.PutInts(s, "perm", r.perm)
	s.Ints["rollout.steps"] = r.steps
	if r.starts == nil {
		return
	}
	train.PutArray(s, "starts", r.starts)
	m := make([]T, 0, len(r.starts))
	v := make([]T, 0, len(r.starts))
	n := make([]int, len(r.startOpt))
	for i, o := range r.startOpt {
		om, ov, steps := o.State()
		m, v, n[i] = append(m, om...), append(v, ov...), steps
	}
	train.PutArray(s, "starts.adam.m", m)
	train.PutArray(s, "starts.adam.v", v)
	train.PutInts(s, "starts.adam.steps", n)
}

// LoadState implements train.Resumable.
func (r *Rollout[T]) LoadState(s *train.State) error {
	if err := train.GetArray(s, "params", r.params); err != nil {
		return err
	}
	if r.avg != nil {
		if err := train.GetArray(s, "average", r.avg); err != nil {
			return err
		}
	}
	if err := train.GetAdam(s, "adam", r.opt); err != nil {
		return err
	}
	if err := train.GetInts(s, "perm", r.perm, len(r.perm)); err != nil {
		return err
	}
	steps, err := s.GetInt("rollout.steps")
	if err != nil {
		return err
	}
	r.steps = steps
	if r.starts == nil {
		return nil
	}
	if err := train.GetArray(s, "starts", r.starts); err != nil {
		return err
	}
	m, v := make([]T, len(r.starts)), make([]T, len(r.starts))
	n := make([]int, len(r.startOpt))
	if err := train.GetArray(s, "starts.adam.m", m); err != nil {
		return err
	}
	if err := train.GetArray(s, "starts.adam.v", v); err != nil {
		return err
	}
	if err := train.GetInts(s, "starts.adam.steps", n, steps+1); err != nil {
		return err
	}
	for i, o := range r.startOpt {
		o.SetState(m[i*r.d:(i+1)*r.d], v[i*r.d:(i+1)*r.d], n[i])
	}
	return nil
}
