"""The lead's views: agreement with drill-down, adjudication into the gold standard,
feedback against the gold, and merging coders' files from the window.

Opened from the Team menu (:func:`app.ui.lead.team_menu.build_team_menu`). Like all of
:mod:`app.ui`, these widgets call :mod:`app.services` only; long work (agreement,
merging) runs on a worker thread with its own project connection.
"""
