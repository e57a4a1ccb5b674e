"""PyInstaller hook overriding the community hook for thinc: the same modules and data
files, less its test suite (see ``packaging/prune.py``)."""

import prune
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = prune.filter_hook_entries(collect_data_files("thinc"))
hiddenimports = collect_submodules("thinc", filter=lambda name: not prune.is_excluded_module(name))
