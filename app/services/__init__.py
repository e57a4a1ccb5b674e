"""Use cases shared by the command line and the window.

Every function here is something a user can do to a project; the CLI and the GUI call
the same functions. Long ones take ``progress(done, total, text)`` and ``cancelled()``
callables and may run on a worker thread (they open their own store connections).
May import: :mod:`app.store`, :mod:`app.nlp`, :mod:`app.agreement`, :mod:`app.exchange`
and :mod:`app.core`. Never Qt.
"""
