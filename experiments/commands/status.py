"""Exit statuses of the ``inclusim`` command line, shared by every sub-command's handler."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
