"""Exceptions that carry a message meant for the analyst, not a traceback."""

from __future__ import annotations


class PriosloError(Exception):
    """A problem the user can fix (bad input, missing folder, bad option).

    The command line prints the message and exits with status 2, without a traceback.
    """


class InputError(PriosloError):
    """An input file that cannot be read at all (as opposed to single bad rows, which are rejected).

    Parameters
    ----------
    file : str
        The file name.
    reason : str
        What is wrong, in plain words.
    row : int, optional
        The 1-based line or sheet row number, as the user sees it in a text editor or Excel.
    column : str, optional
        The column concerned.
    """

    def __init__(self, file: str, reason: str, row: int | None = None, column: str | None = None):
        self.file, self.reason, self.row, self.column = file, reason, row, column
        where = [str(file)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {reason}")
