"""Writers of exports: Excel workbooks, CSV folders, JSON Lines, brat standoff.

They write files from the plain records of :mod:`app.core.exports` and know nothing of
the project store. Text from articles and coders is always written as text: no cell
of any export can become a formula (see :mod:`app.exchange.writers.cells`).
May import: openpyxl, the standard library and :mod:`app.core`.
"""
