"""PyInstaller hook overriding the community hook for spacy: the same modules and data
files, less its test suite and the languages other than English (see ``packaging/prune.py``)."""

import prune
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = prune.filter_hook_entries(collect_data_files("spacy"))
hiddenimports = collect_submodules("spacy", filter=lambda name: not prune.is_excluded_module(name))
