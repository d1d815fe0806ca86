"""`python -m lotse ...`: runs the installed binary with the same arguments and exit code."""

import os
import subprocess
import sys

from lotse import find_binary


def main() -> int:
    binary = find_binary()
    if os.name == "nt":
        return subprocess.call([binary, *sys.argv[1:]])
    os.execv(binary, [binary, *sys.argv[1:]])
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
