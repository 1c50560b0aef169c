"""Handlers of the ``inclusim`` sub-commands, one module per job.

:mod:`experiments.cli` parses the arguments and dispatches to them; they never import it.
"""
