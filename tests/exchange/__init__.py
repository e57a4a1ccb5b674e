"""Tests of the readers and writers of outside formats (:mod:`app.exchange`), through the
import and export services and the command line: Word, web pages, doccano, brat,
REFI-QDA, Excel, statistics files."""
