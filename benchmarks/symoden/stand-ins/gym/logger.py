# Measurement-only stand-in: gym's logger.
import sys


def warn(msg, *args):
    sys.stderr.write("gym warning: " + (msg % args if args else msg) + "\n")
