# Measurement-only stand-in: gym's registry. register records an entry
# point "module:Class" under an id; make imports it and builds the
# environment (no TimeLimit wrapper: SymODEN's environments register none).
import importlib

_registry = {}


def register(id, entry_point, **kwargs):
    if id in _registry:
        raise ValueError("cannot re-register id %s" % id)
    _registry[id] = (entry_point, kwargs.get("kwargs", {}))


def make(id, **kwargs):
    if id not in _registry:
        raise KeyError("no registered env with id %s" % id)
    entry_point, env_kwargs = _registry[id]
    mod, name = entry_point.split(":")
    cls = getattr(importlib.import_module(mod), name)
    args = dict(env_kwargs)
    args.update(kwargs)
    return cls(**args)
