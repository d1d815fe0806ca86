"""Lotse: a Markdown how-to folder as a searchable IT-support portal for schools.

This package only carries the `lotse` binary for this platform; `pip install lotse` puts it on
PATH. `python -m lotse` runs it too, for environments whose scripts folder is not on PATH.
"""

import os
import sys
import sysconfig


def find_binary() -> str:
    """The path of the installed `lotse` binary."""
    name = "lotse.exe" if sys.platform == "win32" else "lotse"
    schemes = [sysconfig.get_default_scheme()]
    user = "nt_user" if os.name == "nt" else ("osx_framework_user" if sys.platform == "darwin" else "posix_user")
    if user in sysconfig.get_scheme_names():
        schemes.append(user)
    for scheme in schemes:
        candidate = os.path.join(sysconfig.get_path("scripts", scheme), name)
        if os.path.isfile(candidate):
            return candidate
    # A --prefix or --target install: the scripts folder beside this package's site-packages.
    here = os.path.dirname(os.path.abspath(__file__))
    for up in range(1, 5):
        base = os.path.abspath(os.path.join(here, *[".."] * up))
        for folder in ("bin", "Scripts"):
            candidate = os.path.join(base, folder, name)
            if os.path.isfile(candidate):
                return candidate
    raise FileNotFoundError(f"the {name} binary of the lotse package was not found; reinstall lotse")
