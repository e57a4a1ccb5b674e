"""PyInstaller hook overriding PyInstaller's own for this Qt module: the same files,
less the plugins and translations Loupe leaves out (see ``packaging/prune.py``).

Filtering here, before PyInstaller follows the plugins' library dependencies, also keeps
out the libraries only those plugins need (GTK for the GTK platform theme, Wayland).
"""

import prune
from PyInstaller.utils.hooks.qt import add_qt6_dependencies

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = prune.filter_hook_entries(binaries)
datas = prune.filter_hook_entries(datas)
