# Measurement-only stand-in for OpenAI gym (not on this machine's package
# index): the few names SymODEN's environments use. Written for hnn's
# benchmark; not gym's code.
from gym import logger, spaces
from gym.core import Env
from gym.envs.registration import make, register

__all__ = ["Env", "make", "register", "spaces", "logger"]
