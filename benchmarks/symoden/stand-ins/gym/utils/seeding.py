# Measurement-only stand-in: gym's seeding. np_random returns a NumPy
# RandomState seeded with seed itself (gym hashes the seed first, so the
# numbers drawn differ from gym's; their distribution does not).
import numpy as np


def np_random(seed=None):
    if seed is None:
        seed = np.random.randint(0, 2**31 - 1)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError("seed must be a non-negative integer, not %r" % (seed,))
    return np.random.RandomState(int(seed)), int(seed)
