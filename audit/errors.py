"""Error types that carry the documented exit code.

User errors never show a traceback: the CLI prints ``str(error)`` as one line
and exits with ``error.exit_code``.
"""

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_INPUT = 3


class AuditError(Exception):
    """Base class for errors reported to the user as one line."""

    exit_code = EXIT_USAGE


class ConfigError(AuditError):
    """Invalid configuration: unknown key, wrong type, unreadable file."""


class RuleError(AuditError):
    """A rule pack or lexicon failed validation; names the file, rule id and key."""

    def __init__(self, path, rule_id, key, problem):
        self.path, self.rule_id, self.key, self.problem = str(path), rule_id, key, problem
        where = f"{self.path}"
        if rule_id:
            where += f": rule {rule_id}"
        if key:
            where += f": key '{key}'"
        super().__init__(f"{where}: {problem}")


class InputError(AuditError):
    """One input could not be read or decoded; becomes an error record, never stops a run."""

    exit_code = EXIT_INPUT
