"""Runs every test_*.py of a unittest suite folder and prints the suite's closing line.

    unittest_suite.py NAME DIR                 every test of DIR
    unittest_suite.py NAME DIR test_x.Class    the named tests (unittest names, relative to DIR)
"""

import os
import sys
import unittest


def main(name, here, names):
    sys.path.insert(0, here)
    loader = unittest.TestLoader()
    if names:
        suite = loader.loadTestsFromNames(names)
    else:
        suite = loader.discover(here, pattern="test_*.py", top_level_dir=here)
    r = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # A test with failing subtests is reported once per subtest: count tests.
    failed = len({getattr(t, "test_case", t).id() for t, _ in r.failures + r.errors}) + len(r.unexpectedSuccesses)
    passed = r.testsRun - failed - len(r.skipped)
    print(f"{name}: {passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3:]))
