"""Runs every test_*.py of the control-plane suite and prints its closing line.

    main.py                    every test
    main.py test_observe.Access         the named tests (unittest names, relative to this folder)
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from unittest_suite import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("control", os.path.dirname(os.path.abspath(__file__)), sys.argv[1:]))
