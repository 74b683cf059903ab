"""The ledger's HTML views: shared by the static report and the ``newstrace serve`` web UI.

This package's modules other than ``app`` do not import FastAPI, so the static report
renders the same templates without a web server.
"""
