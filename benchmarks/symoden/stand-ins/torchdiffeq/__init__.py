# Measurement-only stand-in for torchdiffeq (not on this machine's package
# index), enough for SymODEN's training scripts with --solver rk4, their
# default. Written for hnn's benchmark; not torchdiffeq's code.
#
# odeint(func, y0, t, method='rk4') integrates dy/dt = func(t, y) over the
# grid t with one fixed step per interval, torchdiffeq's "rk4" method: the
# Runge-Kutta 3/8 rule (four evaluations per step), and returns the states
# at every point of t stacked on a new first axis, y0 first.
#
# odeint_adjoint is the same solver differentiated by ordinary
# backpropagation through its steps. torchdiffeq's adjoint instead
# integrates the adjoint system backwards (about twice the evaluations of
# the forward pass, each with its own vector-Jacobian product), so this
# stand-in is the cheaper of the two and timings taken with it flatter the
# script.
import torch

__all__ = ["odeint", "odeint_adjoint"]


def _rk38_step(func, t0, dt, y0):
    k1 = func(t0, y0)
    k2 = func(t0 + dt / 3, y0 + dt * k1 / 3)
    k3 = func(t0 + dt * 2 / 3, y0 + dt * (k2 - k1 / 3))
    k4 = func(t0 + dt, y0 + dt * (k1 - k2 + k3))
    return y0 + dt * (k1 + 3 * (k2 + k3) + k4) / 8


def odeint(func, y0, t, rtol=1e-7, atol=1e-9, method=None, options=None):
    if method not in (None, "rk4"):
        raise ValueError("stand-in torchdiffeq: only method 'rk4' is implemented, not %r" % (method,))
    if options:
        raise ValueError("stand-in torchdiffeq: options %r are not implemented" % (options,))
    ys = [y0]
    y = y0
    for i in range(len(t) - 1):
        y = _rk38_step(func, t[i], t[i + 1] - t[i], y)
        ys.append(y)
    return torch.stack(ys)


def odeint_adjoint(func, y0, t, rtol=1e-7, atol=1e-9, method=None, options=None, **adjoint_kwargs):
    if not isinstance(func, torch.nn.Module):
        raise ValueError("func must be an instance of nn.Module to use the adjoint method")
    return odeint(func, y0, t, rtol=rtol, atol=atol, method=method, options=options)
