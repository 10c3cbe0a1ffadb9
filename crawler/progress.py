"""Progress of a long command: a bar on a terminal (tqdm), plain log lines otherwise.

``newsmon ingest``, ``reextract``, ``rescore``, ``regroup`` and ``prune`` can run for hours on an archive or a big
database. On a terminal they draw one bar with the rate, the counts that matter (stored,
relevant) and the time left; when standard error is a file or a pipe (cron, systemd, a CI
log), a bar would be thousands of carriage returns, so a line is written every
``LOG_EVERY`` seconds instead (and one at the end of a run that wrote any).
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

#: Seconds between two progress lines when standard error is not a terminal.
LOG_EVERY = 30.0


def _human(n: float) -> str:
    for unit in ("", "k", "M", "G", "T"):
        if abs(n) < 1000:
            return f"{n:.0f}{unit}" if unit == "" or n >= 100 else f"{n:.1f}{unit}"
        n /= 1000
    return f"{n:.0f}P"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Progress:
    """How far a command is: ``update`` as work is done, ``close`` at the end.

    Args:
        label: what is being done ("ingest", "reextract").
        total: the amount of work in ``unit`` when known (for the percentage and the ETA).
        unit: what ``total`` and ``update(n)`` count ("records", "B" for bytes).
        rate_of: the count whose rate is shown (records/s), when it is not the unit.
        stream: where to write; standard error by default.
        bar: draw a bar (default: when ``stream`` is a terminal).
    """

    def __init__(self, label: str, *, total: float | None = None, unit: str = "it", rate_of: str | None = None,
                 stream: IO[str] | None = None, bar: bool | None = None) -> None:
        self.label, self.total, self.unit, self.rate_of = label, total, unit, rate_of
        self.stream = stream or sys.stderr
        self.done = 0.0
        self.counts: dict[str, float] = {}
        self.what = ""
        self.start = self._last_line = time.monotonic()
        self._bar = None
        self._closed = False
        if bar if bar is not None else getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit=unit, unit_scale=unit == "B", file=self.stream,
                             dynamic_ncols=True, mininterval=0.5, smoothing=0.1)

    def update(self, n: float = 0, *, what: str | None = None, **counts: float) -> None:
        """``n`` more units done; ``counts`` added to the running counts; ``what``: the file now read."""
        self.done += n
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        if what is not None:
            self.what = what
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix(), refresh=False)
            self._bar.update(n)
        elif time.monotonic() - self._last_line >= LOG_EVERY:
            self._line()

    def _postfix(self) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        parts = []
        if self.rate_of and self.rate_of in self.counts:
            parts.append(f"{self.counts[self.rate_of] / elapsed:.1f} {self.rate_of}/s")
        parts += [f"{_human(v)} {k}" for k, v in self.counts.items()]
        if self.what:
            parts.append(self.what)
        return ", ".join(parts)

    def _line(self, final: bool = False) -> None:
        self._last_line = now = time.monotonic()
        elapsed = now - self.start
        where = f"{_human(self.done)}{'' if self.unit == 'it' else ' ' + self.unit}"
        if self.total:
            where += f" of {_human(self.total)} ({100 * self.done / self.total:.0f}%)"
            if self.done and not final:
                where += f", {_duration(elapsed * (self.total - self.done) / self.done)} left"
        line = f"newsmon: {self.label}: {where}, {_duration(elapsed)} elapsed"
        extra = self._postfix()
        print(line + (f"; {extra}" if extra else ""), file=self.stream, flush=True)

    def close(self) -> None:
        if self._closed:  # closed before a last message (Ctrl-C's), then again on leaving its `with`
            return
        self._closed = True
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix(), refresh=False)
            self._bar.close()
        elif time.monotonic() - self.start >= LOG_EVERY:
            # A short run says nothing more than its summary; a long one ends its log lines.
            self._line(final=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
