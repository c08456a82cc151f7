# Measurement-only stand-in: gym's environment base class.
class Env(object):
    metadata = {"render.modes": []}
    reward_range = (-float("inf"), float("inf"))
    action_space = None
    observation_space = None

    @property
    def unwrapped(self):
        return self

    def close(self):
        pass

    def seed(self, seed=None):
        return []
