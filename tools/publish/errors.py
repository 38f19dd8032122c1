"""The two kinds of failure: the user's to fix (exit 2), and a git command that failed."""

from __future__ import annotations


class PublishError(Exception):
    """Bad usage or configuration. The message names the file, key or ref at fault."""


class GitError(Exception):
    """A git command failed: it carries the command, its exit code and what it said on stderr."""

    def __init__(self, args: list[str], returncode: int, stderr: str, cwd: str = "") -> None:
        self.args_list = args
        self.returncode = returncode
        self.stderr = stderr.strip()
        self.cwd = cwd
        super().__init__(str(self))

    def __str__(self) -> str:
        last = self.stderr.splitlines()[-1] if self.stderr else "(no message)"
        return f"`{' '.join(self.args_list)}` exited {self.returncode}: {last}"

    @property
    def message(self) -> str:
        """Everything git said, on one line."""
        return " | ".join(line.strip() for line in self.stderr.splitlines() if line.strip()) or "(no message)"
