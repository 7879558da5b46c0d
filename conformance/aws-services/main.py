"""Runs every test_*.py of the aws-services suite and prints its closing line.

    main.py                    every test
    main.py test_observe.Access         the named tests (unittest names, relative to this folder)
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

if __name__ == "__main__":
    loader = unittest.TestLoader()
    if len(sys.argv) > 1:
        suite = loader.loadTestsFromNames(sys.argv[1:])
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    r = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # A test with failing subtests is reported once per subtest: count tests.
    failed = len({getattr(t, "test_case", t).id() for t, _ in r.failures + r.errors}) + len(r.unexpectedSuccesses)
    passed = r.testsRun - failed - len(r.skipped)
    print(f"aws-services: {passed} passed, {failed} failed")
    sys.exit(1 if failed or passed == 0 else 0)
