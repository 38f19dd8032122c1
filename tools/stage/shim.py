"""The shim left at a moved package's old path: every old spelling keeps working, with one warning.

The shim is the old package's `__init__.py`. When it runs (the first import of the old path, in any
spelling) it warns once with a `DeprecationWarning` naming the new import path and the release in which
the old one goes away, puts a finder first on `sys.meta_path` that answers every `OLD.sub.module` with the
module `NEW.sub.module` itself (the same object: no second copy of any class), and replaces itself in
`sys.modules` by the new package. So `import OLD`, `from OLD import X`, `import OLD.sub`,
`from OLD.sub import Y`, `importlib.import_module("OLD.sub")`, entry points naming `OLD:obj` and objects
pickled under `OLD.sub` all reach the new modules, and `OLD.sub is NEW.sub`.
"""

from __future__ import annotations

_TEMPLATE = '''\
"""Moved to `{new}` ({target}). This shim keeps `import {old}` working until release {release}."""

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings

_OLD = "{old}"
_NEW = "{new}"


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`{old}.X` is the module `{new}.X` itself."""

    def __init__(self):
        self._specs = {{}}

    def find_spec(self, name, path=None, target=None):
        if not name.startswith(_OLD + "."):
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=False)

    def create_module(self, spec):
        module = importlib.import_module(_NEW + spec.name[len(_OLD) :])
        self._specs[spec.name] = module.__spec__  # importlib overwrites it with ours: put it back
        return module

    def exec_module(self, module):
        module.__spec__ = self._specs.pop(module.__spec__.name, module.__spec__)


warnings.warn(
    f"{{_OLD}} moved to {{_NEW}}: import {{_NEW}} instead; {{_OLD}} goes away in release {release}",
    DeprecationWarning,
    stacklevel=2,
)
if not any(getattr(f, "old", None) == _OLD for f in sys.meta_path):  # once, even after a reload
    _finder = _Alias()
    _finder.old = _OLD
    sys.meta_path.insert(0, _finder)
_new = importlib.import_module("{new}"){suppress}
sys.modules[__name__] = _new
'''

# The line of the template that imports the new package by name (depgraph sees it as a dynamic import).
IMPORT_LINE = _TEMPLATE.splitlines().index('_new = importlib.import_module("{new}"){suppress}') + 1


def shim_source(old: str, new: str, target: str, release: str, suppress: str = "") -> str:
    """The text of the `__init__.py` left at `old` (dotted) once the package lives at `new` in `target`.

    `suppress` ends the line that imports `new` (line `IMPORT_LINE`): an inline depgraph suppression when
    that import breaks a rule of the repository (the core importing a provider by name, say).
    """
    return _TEMPLATE.format(old=old, new=new, target=target, release=release, suppress=suppress)
