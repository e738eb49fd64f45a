"""DataJoint for VS Code: the Python populate runner (issue 11).

Runs one Computed/Imported table's ``populate()`` of DataJoint for Python in the user's
interpreter, as the extension's "Populate" does for Python pipelines, and writes the same
versioned events as ``djx populate --json-events`` (runtime/populate/events.ts, v1 with the
rev 2 ``end``) on a side channel. The contract with the extension is
/work/wt/python-runner-contract.md (copied in python/README.md):

    python datajoint_vscode_runner.py probe
    python datajoint_vscode_runner.py populate --module FILE --class NAME [options]
    python datajoint_vscode_runner.py make --module FILE --class NAME --key JSON [options]
    python datajoint_vscode_runner.py worker --module FILE [options]   (djx worker x.py)

Standard library and the user's ``datajoint`` only; Python >= 3.9. DataJoint's semantics
stay: ``populate()`` itself runs every key (its transaction, its jobs table, its
processes); the runner wraps one key's hook (``_populate1``) on the table object to time
keys and emit events, and to honour stop requests between keys. Where DataJoint's source
is cited (autopopulate.py, jobs.py) it is version 2.3.5's. The runner's own SQL (the rev 2
``left`` counts, the release of an interrupted key) is written for the backend DataJoint
connects to: MySQL/MariaDB, or PostgreSQL (DJ_BACKEND=postgresql, DJ_DATABASE_NAME; psycopg2).
"""

import argparse
import importlib
import importlib.util
import inspect
import json
import os
import platform
import select
import signal
import sys
import threading
import time
import traceback
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

# The prefix of every line the runner writes for people: the CLI's name, defined once here
# (the CLI is being renamed, issue 11).
PREFIX = "djx: "  # the CLI's name (runtime/cli/name.ts ERROR_PREFIX)

EXIT_DONE = 0
EXIT_KEY_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EVENTS_VERSION = 1
# A reader that has taken nothing for this long is taken for gone (event-sink.ts: STALL_MS).
STALL_S = 30
LOCK_WAIT_S = 5
# Progress events at most this often (runtime/populate/report.ts), and always at the end.
PROGRESS_EVERY_S = 0.25


class UsageError(Exception):
    """A refused argument or environment: one ``djx:`` line, exit 2."""


def say(line):
    # One line, whatever the text: psycopg2's messages run over several ("connection to
    # server at … failed: Connection refused\n\tIs the server running on that host…").
    line = " ".join(part.strip() for part in line.strip().splitlines() if part.strip())
    sys.stderr.write(PREFIX + line + "\n")
    sys.stderr.flush()


# ----------------------------------------------------------------------------- probe


def probe():
    """One JSON line: the interpreter and DataJoint's version; never connects."""
    out = {"python": sys.executable, "pythonVersion": platform.python_version(), "datajoint": None}
    try:
        import datajoint

        out["datajoint"] = str(getattr(datajoint, "__version__", "unknown"))
    except BaseException as e:  # noqa: BLE001 -- any failure to import means "no datajoint"
        out["error"] = "%s: %s" % (type(e).__name__, e)
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    return EXIT_DONE


# ----------------------------------------------------------------- restriction checks
# The same rules as our CLI's `--restriction` (runtime/query/condition.ts: checkCondition,
# unknownAttributes; runtime/cli/populate/option-values.ts: parseRestriction), reimplemented
# here: a string restriction is pasted into the WHERE of the queries DataJoint builds, so
# text that closes their parentheses, ends the statement or comments out the rest would
# change what runs. The scan follows the MySQL/MariaDB lexer: '...' and "..." strings with
# doubled quotes and backslash escapes, `...` names with doubled backticks; `#`, `/*` and
# `-- ` start comments. Unlike condition.ts, `?` is allowed: it is no placeholder to
# pymysql nor psycopg2 (DataJoint's drivers use %s, and it escapes `%` in conditions:
# condition.py). On PostgreSQL (DJ_BACKEND=postgresql) a condition is checked again by
# PostgreSQL's lexer, as condition.ts does (standard_conforming_strings on): '...' ends at
# the first lone quote (a backslash is text; E'...' has escapes), "..." is a name, a
# backtick quotes nothing, `--` always starts a comment, $tag$...$tag$ is a string and $1 a
# placeholder. A text that is one condition to MySQL can be more to PostgreSQL
# (`'x\' ) OR TRUE --'`).

_QUOTE_NAMES = {"'": "a '\u2026' string", '"': 'a "\u2026" string', "`": "a `\u2026` name"}


_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


def _is_word(c):
    """A character of a name to PostgreSQL's lexer (condition.ts: /[\\w$]/)."""
    return c in _ASCII_LETTERS or c in _DIGITS or c in "_$"


def _end_of_quoted(text, start, lexer="mysql"):
    q = text[start]
    if lexer == "mysql":
        escapes = q != "`"
    else:
        # E'...' (not the end of a longer name such as `name'...`) has backslash escapes.
        escapes = q == "'" and start > 0 and text[start - 1] in "eE" and (start < 2 or not _is_word(text[start - 2]))
    i = start + 1
    while i < len(text):
        c = text[i]
        if escapes and c == "\\":
            i += 2
            continue
        if c == q:
            if i + 1 < len(text) and text[i + 1] == q:
                i += 2
                continue
            return i
        i += 1
    return -1


def check_condition(text, lexer="mysql"):
    """Why `text` is not one SQL condition (a phrase), or None when it is one; `lexer`:
    "mysql" or "postgresql", whose rules differ (above)."""
    pg = lexer == "postgresql"
    if text.strip() == "":
        return "is empty"
    opens = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        at = "at character %d" % (i + 1)
        if c == "`" and pg:
            pass  # not a quote to PostgreSQL: the server refuses it
        elif c == "$" and pg and (i == 0 or not _is_word(text[i - 1])) and i + 1 < n and (text[i + 1] in _DIGITS or text[i + 1] in _ASCII_LETTERS or text[i + 1] in "$_"):
            # `$1` is a placeholder, `$$`/`$tag$` opens a string (not after a name's letters: `a$b` is a name).
            if text[i + 1] in _DIGITS:
                return "has `$%s` %s (a placeholder: write the value itself)" % (text[i + 1], at)
            return "has a `$\u2026$` string %s (write it as a '\u2026' string)" % at
        elif c in _QUOTE_NAMES:
            end = _end_of_quoted(text, i, lexer)
            if end < 0:
                return "has %s not closed (opened %s)" % (_QUOTE_NAMES[c], at)
            i = end
        elif c == "(":
            opens.append(i)
        elif c == ")":
            if not opens:
                return "has a `)` without its `(` %s" % at
            opens.pop()
        elif c == ";":
            return "has `;` %s (a second statement)" % at
        elif c == "#":
            return "has a `#` comment %s" % at
        elif c == "/" and text[i + 1 : i + 2] == "*":
            return "has a `/*` comment %s" % at
        elif c == "-" and text[i + 1 : i + 2] == "-" and (pg or i + 2 == n or text[i + 2].isspace() or ord(text[i + 2]) < 32):
            # MySQL: `a--1` is a minus a minus one, `-- ` begins a comment; PostgreSQL: `--` always does.
            return "has a `--` comment %s" % at
        i += 1
    if opens:
        return "has a `(` not closed (opened at character %d)" % (opens[-1] + 1)
    return None


def _conditions_of(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [c for v in value for c in _conditions_of(v)]
    return []


def read_restriction_file(path):
    """A `--restriction-file` value: the file's text, taken as a `--restriction` is (the
    editor passes a long key list this way: one argument is limited to 128 KiB on Linux)."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise UsageError("--restriction-file %s cannot be read (%s)" % (json.dumps(path), e.strerror or e))


def parse_restriction(text, backend="mysql", option="--restriction", shown=None):
    """A `--restriction` value: JSON (object or array) when it looks like JSON, else SQL:
    one condition by MySQL's rules and, on PostgreSQL, by PostgreSQL's too. A refusal
    quotes `shown` (a file's path) when given, else the text."""
    shown = json.dumps(text if shown is None else shown)
    t = text.strip()
    if t.startswith("{") or t.startswith("["):
        try:
            value = json.loads(text)
        except ValueError as e:
            raise UsageError("%s %s is not valid JSON (%s)" % (option, shown, e))
    else:
        value = text
    lexers = ["mysql", "postgresql"] if backend == "postgresql" else ["mysql"]
    for c in _conditions_of(value):
        problem = next((p for p in (check_condition(c, lexer) for lexer in lexers) if p is not None), None)
        if problem is not None:
            which = "is" if c == text else "has %s, which is" % json.dumps(c)
            raise UsageError("%s %s %s not one SQL condition: it %s" % (option, shown, which, problem))
    return value


def unknown_attributes(value, known):
    """Attributes named by the objects in `value` (also inside arrays) not in `known`."""
    out = []
    names = set(known)

    def visit(v):
        if isinstance(v, list):
            for x in v:
                visit(x)
        elif isinstance(v, dict):
            for k in v:
                if k not in names and k not in out:
                    out.append(k)

    visit(value)
    return out


def unknown_attributes_message(unknown, known, where, restricts=True):
    """The refusal's reason; `restricts`: say that the attributes restrict nothing (a
    restriction's); without, only where they are missing (a key's)."""

    def lst(xs):
        return ", ".join("`%s`" % x for x in xs)

    one = len(unknown) == 1
    text = "%s %s %s not in %s (%s)" % (
        "Attribute" if one else "Attributes",
        lst(unknown),
        "is" if one else "are",
        where,
        lst(known) or "no attributes",
    )
    if restricts:
        text += ", so %s nothing" % ("it restricts" if one else "they restrict")
    return text


# ----------------------------------------------------------------------- JSON values


def json_value(v):
    """A key value as JSON-safe (events.ts): big ints and decimals as text, dates ISO, binary hex."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 else str(v)
    if isinstance(v, float):
        return v
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, UUID):
        return v.hex
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    if hasattr(v, "item"):  # numpy scalars
        return json_value(v.item())
    return str(v)


def json_key(key):
    return {str(k): json_value(v) for k, v in dict(key).items()}


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ------------------------------------------------------------------------ event sink


class held:
    """The inter-process lock of events and counters, waited for at most LOCK_WAIT_S: a
    worker killed while holding it (Pool.terminate after a failure) must not hang the rest."""

    def __init__(self, lock):
        self.lock = lock
        self.got = False

    def __enter__(self):
        self.got = self.lock.acquire(timeout=LOCK_WAIT_S)
        return self

    def __exit__(self, *exc):
        if self.got:
            self.lock.release()
        return False


class EventSink:
    """One JSON object per line on an inherited descriptor or a file; shared by worker
    processes after fork, so every line is one write under one inter-process lock."""

    def __init__(self, spec, lock):
        self.lock = lock
        self.stopped = False
        if spec.isdigit():
            fd = int(spec)
            if fd < 3:
                raise UsageError(
                    "--json-events %s: file descriptors 0-2 are stdin, stdout and stderr; give a descriptor >= 3 or a file path" % spec
                )
            try:
                os.fstat(fd)
                os.write(fd, b"")
            except OSError as e:
                raise UsageError("--json-events %s: file descriptor %d is not open for writing (%s)" % (spec, fd, e.strerror))
            self.fd = fd
            try:
                # Writes wait for a slow reader in write(), never block the run for good.
                os.set_blocking(fd, False)
            except OSError:
                pass
        else:
            if spec.strip() == "":
                raise UsageError("--json-events expects a file descriptor number >= 3 or a file path")
            try:
                self.fd = os.open(spec, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
            except OSError as e:
                raise UsageError("--json-events %s: cannot open the file for writing (%s)" % (spec, e.strerror))

    def write(self, event):
        if self.stopped:
            return
        data = (json.dumps(event, separators=(",", ":")) + "\n").encode()
        with held(self.lock):
            view = memoryview(data)
            stalled_since = None
            while view:
                try:
                    view = view[os.write(self.fd, view) :]
                    stalled_since = None
                except BlockingIOError:
                    # A full pipe: wait for the reader, but not forever (event-sink.ts: STALL_MS).
                    now = time.monotonic()
                    stalled_since = now if stalled_since is None else stalled_since
                    if now - stalled_since >= STALL_S:
                        self.stopped = True
                        say("--json-events: nobody read the events for %d s (the pipe is full); stopped writing events, the run goes on" % STALL_S)
                        return
                    select.select([], [self.fd], [], min(1.0, STALL_S - (now - stalled_since)))
                except OSError as e:
                    # The reader went away (EPIPE): the run goes on without events.
                    self.stopped = True
                    say("--json-events: stopped writing events (%s)" % (e.strerror or e))
                    return


class NoSink:
    def write(self, event):
        pass


# --------------------------------------------------------------------- importing


def dotted_name(module_path, root):
    """The module's dotted name below `root` when every folder between them is a package."""
    rel = os.path.relpath(module_path, root)
    if rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
        return None
    parts = rel.split(os.sep)
    stem, ext = os.path.splitext(parts[-1])
    if ext != ".py":
        return None
    folder = root
    for p in parts[:-1]:
        folder = os.path.join(folder, p)
        if not p.isidentifier() or not os.path.isfile(os.path.join(folder, "__init__.py")):
            return None
    names = parts[:-1] + ([] if stem == "__init__" else [stem])
    if not names or not all(n.isidentifier() for n in names):
        return None
    return ".".join(names)


def import_module(module_path, workspace):
    """Imports the user's module the way Python would; returns (module, display name)."""
    module_path = os.path.abspath(module_path)
    root = os.path.abspath(workspace) if workspace else os.path.dirname(module_path)
    here = os.path.dirname(os.path.abspath(__file__))
    # The runner's own folder (Python put it first) must not shadow the user's modules.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    sys.path.insert(0, root)
    # Below the root, when the folders between are packages (and the root is none itself).
    name = None if os.path.isfile(os.path.join(root, "__init__.py")) else dotted_name(module_path, root)
    if name is None and os.path.isfile(os.path.join(os.path.dirname(module_path), "__init__.py")):
        # In a package whose chain starts elsewhere (a src/ layout, or no --workspace): from
        # the folder above its top package, as `python -m pkg.mod` run there would.
        top = os.path.dirname(module_path)
        while os.path.isfile(os.path.join(top, "__init__.py")) and os.path.dirname(top) != top:
            top = os.path.dirname(top)
        name = dotted_name(module_path, top)
        if name is not None:
            sys.path.insert(1, top)
    if name is not None:
        return importlib.import_module(name), name
    if not os.path.isfile(module_path):
        raise FileNotFoundError("No such file: %s" % module_path)
    # A loose script: its own folder next (after the root), as `python path/to/x.py` puts
    # it first, so that `import sibling` works as it does there.
    folder = os.path.dirname(os.path.abspath(module_path))
    if folder not in sys.path:
        sys.path.insert(1, folder)
    stem = os.path.splitext(os.path.basename(module_path))[0]
    spec = importlib.util.spec_from_file_location(stem, module_path)
    if spec is None or spec.loader is None:
        raise ImportError("not a Python module: %s" % module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[stem] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(stem, None)
        raise
    return module, module_path


# -------------------------------------------------------------------- stop requests


class StopInterrupt(KeyboardInterrupt):
    """Raised inside a key's make by a second stop request: the key goes back to pending."""


class Run:
    """State of one populate run, shared with its worker processes (fork inherits it)."""

    def __init__(self, ctx, sink, table, mode, processes):
        self.sink = sink
        self.table = table
        self.mode = mode
        self.requested_processes = processes
        self.parent = os.getpid()
        self.lock = sink.lock if isinstance(sink, EventSink) else ctx.Lock()
        # Shared counters (shared memory, inherited by the pool's forked workers).
        self.stop = ctx.Value("i", 0, lock=False)  # stop requests so far
        self.done = ctx.Value("i", 0, lock=False)
        self.failed = ctx.Value("i", 0, lock=False)
        self.interrupted_count = ctx.Value("i", 0, lock=False)
        self.total = ctx.Value("q", 0, lock=False)
        self.last_progress = ctx.Value("d", 0.0, lock=False)
        self.started = time.monotonic()
        self.start_emitted = False
        self.first_signal = None
        self.in_key = False  # per process: this process is inside a key
        self.interrupting = False  # per process: the key in progress is being interrupted
        # before: the module still loading; running: populate() runs; after: the end.
        self.phase = "before"

    def emit(self, event):
        self.sink.write(dict({"v": EVENTS_VERSION}, **event))

    def progress(self, force=False):
        with held(self.lock):
            now = time.monotonic()
            n = self.done.value + self.failed.value
            if n > self.total.value:
                self.total.value = n
            if not force and now - self.last_progress.value < PROGRESS_EVERY_S:
                return
            self.last_progress.value = now
            elapsed = now - self.started
            rate = n / elapsed if elapsed > 0 else 0.0
            left = max(0, self.total.value - n)
            event = {
                "event": "progress",
                "done": self.done.value,
                "failed": self.failed.value,
                "total": self.total.value,
                "rate": round(rate, 1),
                "etaSeconds": round(left / rate, 1) if rate > 0 else None,
            }
        self.emit(event)

    def key_done(self, key, duration_s):
        with held(self.lock):
            self.done.value += 1
        self.emit({"event": "keyDone", "key": json_key(key), "durationMs": round(duration_s * 1000, 3), "worker": os.getpid()})
        self.progress()

    def key_failed(self, key, message):
        with held(self.lock):
            self.failed.value += 1
        self.emit({"event": "keyFailed", "key": json_key(key), "error": message, "worker": os.getpid()})
        self.progress()

    # -- the stop requests: the first stops after the key in progress, the second
    # interrupts it (back to pending), the third exits at once (python-runner-contract.md).

    def on_request(self, signum, frame):
        if os.getpid() != self.parent:
            return  # workers follow the parent (it forwards the second request)
        if self.phase == "before":
            # Before populate runs (the module still loading), a request ends the process.
            os._exit(EXIT_INTERRUPTED)
        self.stop.value += 1
        level = self.stop.value
        if self.phase == "after" and level < 3:
            return  # the run is over: only counting what is left, then the end event
        if level == 1:
            self.first_signal = signal.Signals(signum).name
            say("stop requested (%s): stopping after the key in progress; again to interrupt it" % self.first_signal)
        elif level == 2:
            say("stop requested again: interrupting the key in progress (it goes back to pending)")
            if hasattr(signal, "SIGUSR1"):  # POSIX: workers exist only with fork
                self._signal_workers(signal.SIGUSR1)
            if self.in_key and not self.interrupting:
                self.interrupting = True
                raise StopInterrupt()
        else:
            self._signal_workers(getattr(signal, "SIGKILL", signal.SIGTERM))
            try:
                sys.stderr.flush()
            finally:
                os._exit(EXIT_INTERRUPTED)

    def on_interrupt_in_worker(self, signum, frame):
        # SIGUSR1 from the parent: the second stop request.
        if self.in_key and not self.interrupting:
            self.interrupting = True
            raise StopInterrupt()

    def _signal_workers(self, sig):
        import multiprocessing

        for child in multiprocessing.active_children():
            try:
                os.kill(child.pid, sig)
            except OSError:
                pass

    def before_fork(self):
        # Which process is forking: only the runner's own children (DataJoint's pool
        # workers) are workers; a process that make() forks in a worker (subprocess with
        # preexec_fn, pty.fork, sh) is the user's and must be left as it is.
        self.forking_pid = os.getpid()

    def after_fork_in_child(self):
        if self.phase != "running" or getattr(self, "forking_pid", None) != self.parent:
            return
        # A pool worker: SIGINT from the terminal (sent to the whole group) is the
        # parent's to count; SIGTERM keeps its default action so that Pool's teardown,
        # which SIGTERMs idle workers, ends them (DataJoint's inherited SIGTERM handler can
        # leave one waiting on the task queue's lock forever: python-side.md).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGUSR1, self.on_interrupt_in_worker)
        self.in_key = False
        self.interrupting = False
        _die_with_parent(self.parent)


def _die_with_parent(parent):
    """Linux: the worker gets SIGKILL when the parent dies, so none outlives a killed run."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001 -- not Linux: the parent's third request still kills workers
        pass
    if os.getppid() != parent:
        os._exit(1)


def deliver_to_main_thread(sig):
    """A stop request read on stdin, as the real signal would arrive. raise_signal() from
    this reader thread would leave a main thread blocked in make (a sleep, a long query)
    blocked until that call returns: on POSIX the signal goes to the main thread itself,
    which interrupts the call. On Windows os.kill would terminate the process, and there
    is no pthread_kill: raise_signal() is the way there."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident, sig)
    else:
        signal.raise_signal(sig)


def listen_on_stdin():
    """`--stop-on-stdin`: lines SIGINT/SIGTERM on stdin raise that signal here. Read from
    the raw descriptor, not sys.stdin: a pool worker forked while this thread holds
    sys.stdin's lock would block forever closing it (multiprocessing closes stdin)."""

    def read():
        buf = b""
        while True:
            try:
                chunk = os.read(0, 4096)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                req = line.strip().decode("ascii", "replace")
                if req in ("SIGINT", "SIGTERM"):
                    deliver_to_main_thread(getattr(signal, req))

    t = threading.Thread(target=read, name="stop-on-stdin", daemon=True)
    t.start()


class _SignalShim:
    """What datajoint.autopopulate sees as the `signal` module during our run: its
    `signal.signal(SIGTERM, handler)` (_populate_distributed: SIGTERM raises SystemExit,
    which records the key as an error and ends the run) leaves our stop handler in place,
    so SIGTERM is a stop request like SIGINT, as the contract says."""

    def __getattr__(self, name):
        return getattr(signal, name)

    @staticmethod
    def signal(signum, handler):
        if signum == signal.SIGTERM:
            return signal.getsignal(signum)
        return signal.signal(signum, handler)


# ----------------------------------------------------------------------- populate


def error_message(error):
    """`ErrorClass: message`, as DataJoint stores it in the jobs table (autopopulate.py: _populate1)."""
    msg = str(error)
    return error.__class__.__name__ + (": " + msg if msg else "")


def install_hooks(run, table, jobs):
    """Wraps the table's per-key hook and, in reserved mode, its jobs' refresh and error."""
    populate1 = table._populate1

    def hooked_populate1(key, jobs=None, **kwargs):
        if run.stop.value:
            # A stop request: no new key starts; nothing was reserved, its job stays pending.
            return False
        if not run.start_emitted:
            emit_start(run, table, jobs_obj, None, None)
        run.interrupting = False
        t0 = time.monotonic()
        try:
            run.in_key = True
            status = populate1(key, jobs, **kwargs)
        except BaseException as e:
            run.in_key = False
            if run.interrupting:
                return after_interrupt(run, table, jobs, key, t0)
            run.key_failed(key, error_message(e))
            raise
        run.in_key = False
        if run.interrupting:
            return after_interrupt(run, table, jobs, key, t0)
        if status is True:
            run.key_done(key, time.monotonic() - t0)
        elif isinstance(status, tuple):
            err = status[1]
            run.key_failed(key, err if isinstance(err, str) else error_message(err))
        return status

    table._populate1 = hooked_populate1
    jobs_obj = jobs
    if jobs is None:
        return
    job_error = jobs.error
    refresh = jobs.refresh

    def hooked_error(key, error_message, error_stack=None):
        if run.interrupting:
            return None  # interrupted, not failed: after_interrupt puts it back to pending
        return job_error(key, error_message=error_message, error_stack=error_stack)

    def hooked_refresh(*restrictions, **kwargs):
        result = refresh(*restrictions, **kwargs)
        # Right after populate's own refresh: the jobs it is about to take (start.total).
        emit_start(run, table, jobs, restrictions, kwargs.get("priority"))
        return result

    jobs.error = hooked_error
    jobs.refresh = hooked_refresh


def after_interrupt(run, table, jobs, key, t0):
    """A key interrupted by the second stop request: its transaction rolled back (a fresh
    connection: the interrupt may have landed inside the driver's I/O, and the server rolls
    back the old session's transaction), its job back to pending, as our runtime does
    (runtime/jobs/queue.ts: release)."""
    run.in_key = False
    conn = table.connection
    old_id = getattr(conn, "connection_id", None)
    try:
        conn.close()
    except Exception:  # noqa: BLE001
        pass
    conn.connect()
    conn._in_transaction = False
    if isinstance(old_id, int) and old_id != getattr(conn, "connection_id", None):
        # A statement under way on the old session keeps running, and holding its row
        # locks, until it ends: the server notices the closed socket only then. Ended
        # here, so that the worker taking the re-pended key does not wait on those locks
        # (runtime/dialect/fragments.ts: endSession).
        try:
            if is_postgres(conn):
                conn.query("SELECT pg_terminate_backend(%s)", args=(old_id,))
            else:
                conn.query("KILL %s", args=(old_id,))
        except Exception:  # noqa: BLE001 -- already gone: nothing to end
            pass
    if key in table:
        # The interrupt came after the commit: the key is made.
        if jobs is not None:
            jobs.complete(key)
        run.interrupting = False
        run.key_done(key, time.monotonic() - t0)
        return True
    if jobs is not None:
        from datajoint.condition import make_condition

        pk = {k: key[k] for k in jobs.primary_key if k in key}
        where = make_condition(jobs, pk, set())
        q = quoter(conn)
        conn.query(
            "UPDATE %s SET %s='pending', %s=NULL, %s='', %s='', %s=0, %s=0, %s='' WHERE %s AND %s IN ('reserved', 'error') AND %s=%%s AND %s=%%s"
            % (
                jobs.full_table_name,
                q("status"),
                q("reserved_time"),
                q("user"),
                q("host"),
                q("pid"),
                q("connection_id"),
                q("version"),
                where,
                q("status"),
                q("host"),
                q("pid"),
            ),
            args=(platform.node(), os.getpid()),
        )
    with held(run.lock):
        run.interrupted_count.value += 1
    run.interrupting = False
    return False


def todo_of(table, restrictions):
    """The keys populate works from: (key_source & restrictions).proj() (autopopulate.py: _jobs_to_do)."""
    if hasattr(table, "_jobs_to_do"):
        return table._jobs_to_do(tuple(restrictions))
    from datajoint.condition import AndList

    return (table.key_source & AndList(restrictions)).proj()


def emit_start(run, table, jobs, restrictions, priority):
    if run.start_emitted:
        return
    run.start_emitted = True
    restrictions = run.restrictions if restrictions is None else restrictions
    priority = run.priority if priority is None else priority
    if jobs is not None:
        # The jobs populate takes (autopopulate.py: _populate_distributed).
        pending = jobs.pending & "scheduled_time <= CURRENT_TIMESTAMP(3)"
        if restrictions:
            pending = pending.restrict(todo_of(table, restrictions), semantic_check=False)
        if priority is not None:
            pending = pending & ("priority <= %d" % int(priority))
        total = len(pending)
    else:
        total = len(todo_of(table, restrictions) - table.proj())
    if run.max_calls is not None:
        total = min(total, run.max_calls)
    import multiprocessing

    run.total.value = total
    processes = max(1, min(run.requested_processes, total or run.requested_processes, multiprocessing.cpu_count()))
    run.started = time.monotonic()
    run.emit(
        {
            "event": "start",
            "table": type(table).__name__,
            "schema": table.database,
            "mode": run.mode,
            "total": total,
            "processes": processes,
            "time": now_iso(),
        }
    )


def holder_gone(host, pid, connection_open):
    """runtime/jobs/holder.ts: only a holder on this host whose process has exited and
    whose connection is no longer listed is known to be gone."""
    if host and host == platform.node() and pid > 0:
        try:
            os.kill(pid, 0)
            return False
        except PermissionError:
            return False
        except OSError:
            return not connection_open
    return False


def count_left(run, table, jobs, restrictions):
    """The rev 2 `left` of the end event: keys of the restricted key source still missing
    from the table, by reason (runtime/populate/left.ts)."""
    left = {"total": 0, "error": 0, "ignored": 0, "reserved": 0, "orphaned": 0, "interrupted": 0, "notScheduled": 0, "pending": 0}
    conn = table.connection
    todo = todo_of(table, restrictions)
    missing = todo - table.proj()
    interrupted = run.interrupted_count.value
    if jobs is None:
        left["total"] = len(missing)
        left["error"] = min(run.failed.value, left["total"])
        left["interrupted"] = min(interrupted, left["total"] - left["error"])
        left["pending"] = left["total"] - left["error"] - left["interrupted"]
        return left
    cols = [c for c in jobs.primary_key]
    q = quoter(conn)
    ks, mm, jj = q("$ks"), q("$m"), q("$j")
    col = lambda t, n: "%s.%s" % (t, q(n))  # noqa: E731
    m = "(SELECT DISTINCT %s FROM (%s) AS %s) AS %s" % (", ".join(col(ks, c) for c in cols), missing.make_sql(), ks, mm)
    on = " AND ".join("%s = %s" % (col(jj, c), col(mm, c)) for c in cols)
    status = col(jj, "status")
    reserved = "%s = 'reserved'" % status
    # Whether the reservation's recorded session is open (runtime/dialect/fragments.ts:
    # sessionOpen): MySQL's processlist; PostgreSQL's client backends in pg_stat_activity.
    if is_postgres(conn):
        sessions = "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'"
    else:
        sessions = "SELECT id FROM information_schema.processlist"
    # PostgreSQL's status is an enum type, which the CASE's other values ('none') are not.
    status_text = "CAST(%s AS text)" % status if is_postgres(conn) else status
    sql = (
        "SELECT CASE WHEN {s} IS NULL THEN 'none' WHEN {s} = 'pending' AND {sched} > CURRENT_TIMESTAMP(3) "
        "THEN 'later' ELSE {st} END AS reason, "
        "CASE WHEN {r} THEN {host} ELSE '' END AS host, CASE WHEN {r} THEN {pid} ELSE 0 END AS pid, "
        "CASE WHEN {r} AND {cid} IN ({sessions}) THEN 1 ELSE 0 END AS open_, COUNT(*) AS n "
        "FROM {m} LEFT JOIN {j} AS {jj} ON {on} GROUP BY 1, 2, 3, 4"
    ).format(
        s=status,
        st=status_text,
        sched=col(jj, "scheduled_time"),
        r=reserved,
        host=col(jj, "host"),
        pid=col(jj, "pid"),
        cid=col(jj, "connection_id"),
        sessions=sessions,
        m=m,
        j=jobs.full_table_name,
        jj=jj,
        on=on,
    )
    for reason, host, pid, open_, n in conn.query(sql).fetchall():
        n = int(n)
        left["total"] += n
        if reason == "error":
            left["error"] += n
        elif reason == "ignore":
            left["ignored"] += n
        elif reason in ("none", "later"):
            left["notScheduled"] += n
        elif reason == "reserved":
            if holder_gone(str(host), int(pid), int(open_) == 1):
                left["orphaned"] += n
            else:
                left["reserved"] += n
        else:
            left["pending"] += n
    left["interrupted"] = min(interrupted, left["pending"])
    left["pending"] -= left["interrupted"]
    return left


def is_postgres(conn):
    """The connection is to PostgreSQL (DataJoint 2.x's adapter; DJ_BACKEND=postgresql)."""
    adapter = getattr(conn, "adapter", None)
    return getattr(adapter, "backend", None) == "postgresql"


def quoter(conn):
    """Quotes a name as the connection's backend does: `name` on MySQL, "name" on PostgreSQL."""
    if is_postgres(conn):
        return lambda n: '"%s"' % n.replace('"', '""')
    return lambda n: "`%s`" % n.replace("`", "``")


def is_connection_error(e):
    try:
        from datajoint.errors import LostConnectionError
    except Exception:  # noqa: BLE001
        LostConnectionError = ()
    if LostConnectionError and isinstance(e, LostConnectionError):
        return True
    mod = type(e).__module__ or ""
    name = type(e).__name__
    if mod.startswith("pymysql"):
        if name == "InterfaceError":
            return True
        # pymysql raises OperationalError for server errors too (a deadlock's victim, 1213;
        # a lock wait timeout, 1205): only the client's own codes (2000-2999: gone away, lost
        # during query, cannot connect) and a session the server ended say the connection is lost.
        if name == "OperationalError":
            code = mysql_code(e)
            return code is None or 2000 <= code < 3000 or code in (1053, 1927, 4031)
        return False
    if mod.startswith("psycopg2"):
        # psycopg2 raises OperationalError for a connection the server ended or refused
        # (no SQLSTATE then, or class 08 / 57P0x: admin shutdown, crash shutdown), and
        # InterfaceError on a connection already closed. Other OperationalErrors carry a
        # SQLSTATE of their own (a lock timeout, a deadlock, a cancelled query).
        if name == "InterfaceError":
            return True
        if name == "OperationalError" or isinstance(e, _psycopg2_operational()):
            code = getattr(e, "pgcode", None)
            return code is None or code.startswith("08") or code in ("57P01", "57P02", "57P03")
    return False


def mysql_code(e):
    """pymysql's error number (its first argument), or None."""
    args = getattr(e, "args", None)
    return args[0] if args and isinstance(args[0], int) else None


def is_transient_lock_error(e):
    """A deadlock's victim or a lock wait timeout: the server asks to run the transaction again."""
    if mysql_code(e) in (1205, 1213):
        return True
    return getattr(e, "pgcode", None) in ("40P01", "40001", "55P03")


def _psycopg2_operational():
    try:
        from psycopg2 import OperationalError

        return OperationalError
    except Exception:  # noqa: BLE001
        return ()


def installed_version(dist):
    """The installed version of a distribution, without importing it (None if unknown)."""
    try:
        from importlib.metadata import version as dist_version

        return dist_version(dist)
    except Exception:  # noqa: BLE001
        return None


def import_datajoint():
    """Prints the first line (the interpreter, DataJoint's version) and imports DataJoint
    2.x; returns (datajoint, version), raises UsageError (after Python's traceback when
    the import fails)."""
    # The first line comes before DataJoint is imported: its import warns (no
    # datajoint.json found, MariaDB not supported…), and the terminal's first line must
    # say which Python and DataJoint run.
    version = installed_version("datajoint")
    if version is not None:
        sys.stdout.write("Python %s (%s) \u00b7 DataJoint %s\n" % (platform.python_version(), sys.executable, version))
        sys.stdout.flush()
    try:
        import datajoint as dj
    except BaseException as e:  # noqa: BLE001
        traceback.print_exc()
        raise UsageError("cannot import datajoint: %s" % error_message(e))
    if version is None:
        version = str(getattr(dj, "__version__", "unknown"))
        sys.stdout.write("Python %s (%s) \u00b7 DataJoint %s\n" % (platform.python_version(), sys.executable, version))
        sys.stdout.flush()
    try:
        major = int(version.split(".")[0])
    except ValueError:
        major = 2
    if major < 2:
        raise UsageError("DataJoint %s is not supported: the runner needs DataJoint for Python 2.x (pip install 'datajoint>=2')" % version)
    return dj, version


def parse_make_kwargs(text):
    """`--make-kwargs`: a JSON object (None when not given); raises UsageError."""
    if text is None:
        return None
    try:
        make_kwargs = json.loads(text)
    except ValueError as e:
        raise UsageError("--make-kwargs %s is not valid JSON (%s)" % (json.dumps(text), e))
    if not isinstance(make_kwargs, dict):
        raise UsageError("--make-kwargs %s is not a JSON object" % json.dumps(text))
    return make_kwargs


def load_table_class(dj, module_path, workspace, name):
    """The Computed/Imported class `name` of the user's module; raises UsageError (after
    Python's traceback when the import fails)."""
    try:
        module, shown = import_module(module_path, workspace)
    except (Exception, SystemExit) as e:
        traceback.print_exc()
        raise UsageError("cannot import %s: %s" % (module_path, error_message(e)))
    cls = getattr(module, name, None)
    if cls is None or not isinstance(cls, type):
        raise UsageError("%s has no class %s" % (shown, name))
    if not issubclass(cls, dj.AutoPopulate):
        raise UsageError("%s.%s is not a Computed or Imported table (no populate)" % (shown, name))
    return cls


def process_context(processes):
    """The multiprocessing context of a run, or None (after saying why) when it cannot have
    `processes`: populate(processes=N) forks (autopopulate.py: _MP_START_METHOD), and our
    shared state with it; without fork DataJoint pickles the table for each worker, and the
    table with the runner's hooks cannot be pickled, so that is refused before anything runs."""
    import multiprocessing

    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if processes > 1 and not can_fork:
        say("--processes %d needs fork(), which this platform lacks; run with --processes 1" % processes)
        return None
    return multiprocessing.get_context("fork") if can_fork else multiprocessing.get_context()


def populate(args):
    try:
        dj, _version = import_datajoint()
    except UsageError as e:
        say(str(e))
        return EXIT_USAGE

    ctx = process_context(args.processes)
    if ctx is None:
        return EXIT_USAGE
    lock = ctx.Lock()
    try:
        sink = EventSink(args.json_events, lock) if args.json_events is not None else NoSink()
        texts = args.restriction or []
        backend = str(dj.config["database.backend"] or "mysql")
        restrictions = [parse_restriction(t, backend) for t in texts]
        for path in args.restriction_file or []:
            restrictions.append(parse_restriction(read_restriction_file(path), backend, "--restriction-file", path))
        make_kwargs = parse_make_kwargs(args.make_kwargs)
    except UsageError as e:
        say(str(e))
        return EXIT_USAGE

    run = Run(ctx, sink, None, "reserved" if args.reserve_jobs else "direct", args.processes)
    run.restrictions = restrictions
    run.priority = args.priority
    run.max_calls = args.limit
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, run.on_request)
    if args.stop_on_stdin:
        listen_on_stdin()

    try:
        cls = load_table_class(dj, args.module, args.workspace, args.cls)
    except UsageError as e:
        say(str(e))
        return EXIT_USAGE

    try:
        table = cls()
        if any(not isinstance(r, str) for r in restrictions):
            known = list(table.key_source.heading.names)
            # A file's restriction is named by its path, not its (long) text.
            for text, value in zip(texts + (args.restriction_file or []), restrictions):
                unknown = unknown_attributes(value, known)
                if unknown:
                    raise UsageError(
                        "--restriction %s refused: %s" % (json.dumps(text), unknown_attributes_message(unknown, known, "the key source of %s" % args.cls))
                    )
        jobs = jobs_of(table) if args.reserve_jobs else None
    except UsageError as e:
        say(str(e))
        return EXIT_USAGE
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        say("%s: %s" % (args.cls, error_message(e)))
        return EXIT_USAGE
    run.table = table
    install_hooks(run, table, jobs)

    refresh_coming = jobs is not None and bool(table.connection._config.jobs.auto_refresh)
    import datajoint.autopopulate as ap

    had_signal = getattr(ap, "signal", None)
    first_error = None
    lost = None
    try:
        if not refresh_coming:
            emit_start(run, table, jobs, None, None)
        if had_signal is signal:
            ap.signal = _SignalShim()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(before=run.before_fork, after_in_child=run.after_fork_in_child)
        run.phase = "running"
        table.populate(
            *restrictions,
            suppress_errors=args.suppress_errors,
            reserve_jobs=args.reserve_jobs,
            max_calls=args.limit,
            display_progress=True,
            processes=args.processes,
            make_kwargs=make_kwargs,
            priority=args.priority,
        )
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, StopInterrupt):
            pass
        elif is_connection_error(e):
            lost = e
        else:
            first_error = e
        if not isinstance(e, StopInterrupt):
            traceback.print_exc()
    finally:
        # The run is over: requests now count towards the third, which exits at once.
        run.phase = "after"
        if had_signal is signal:
            ap.signal = signal
    if not run.start_emitted:
        try:
            emit_start(run, table, jobs, None, None)
        except Exception:  # noqa: BLE001
            pass

    left = None
    if lost is None:
        try:
            if not table.connection.is_connected:
                table.connection.connect()
            left = count_left(run, table, jobs, restrictions)
        except Exception as e:  # noqa: BLE001
            if is_connection_error(e):
                lost = e
            else:
                traceback.print_exc()
    run.progress(force=True)
    info = table.connection.conn_info if hasattr(table.connection, "conn_info") else {}
    interrupted = None if first_error is not None else run.first_signal
    run.emit(
        {
            "event": "end",
            "successCount": run.done.value,
            "errorCount": run.failed.value,
            "interrupted": interrupted,
            "durationMs": round((time.monotonic() - run.started) * 1000, 3),
            "rev": 2,
            "interruptedCount": run.interrupted_count.value,
            "left": left,
            "connectionLost": None
            if lost is None
            else {"server": "%s:%s" % (info.get("host", "?"), info.get("port", "?")), "message": str(lost)},
        }
    )
    summary(args.cls, run, left, interrupted)
    if lost is not None:
        say("%s: the connection to the server was lost: %s" % (args.cls, error_message(lost)))
        return EXIT_USAGE
    if first_error is not None:
        say("%s: %s" % (args.cls, error_message(first_error)))
        return EXIT_KEY_FAILED
    if interrupted:
        return EXIT_INTERRUPTED
    if run.failed.value > 0 or (left is not None and left["error"] > 0):
        return EXIT_KEY_FAILED
    return EXIT_DONE


def summary(name, run, left, interrupted):
    parts = ["%d done" % run.done.value, "%d failed" % run.failed.value]
    if run.interrupted_count.value:
        parts.append("%d interrupted" % run.interrupted_count.value)
    if interrupted:
        parts.append("stopped by %s" % interrupted)
    line = "%s: %s" % (name, ", ".join(parts))
    if left and left["total"]:
        reasons = [(k, left[k]) for k in ("error", "ignored", "reserved", "orphaned", "interrupted", "notScheduled", "pending") if left[k]]
        line += "; %d left (%s)" % (left["total"], ", ".join("%s %d" % r for r in reasons))
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


# ------------------------------------------------------------------ make: one key
# `make` runs one key's make() in this process, for a debugger (the extension's "Debug
# make() for this key" starts it under debugpy). Its outcomes, also written as one JSON
# object to --result-file for the extension to read after the session:
#   already-done (0)  the key is in the target: nothing runs
#   rolled-back (0)   default: DataJoint's own _populate1 ran the key (its transaction,
#                     insert guard, self.upstream, the three-part re-fetch check) and the
#                     commit became a rollback; the jobs table is never touched
#   computed (0)      --until compute: make_fetch and make_compute only, no transaction
#   committed (0)     --keep: a real populate() of the key, kept
#   not-made (1)      --keep: populate() made nothing (the key's job reserved elsewhere,
#                     in error or ignore, or the key done meanwhile)
#   failed (1)        make raised: rolled back by DataJoint, then re-raised (traceback)
#   refused (2)       a usage, import or connection error: nothing ran

RESULT_VERSION = 1
# What a `--until compute` run shows of make_compute's result.
RESULT_REPR_CHARS = 200


class ResultFile:
    """`--result-file`: the outcome as one JSON object, written once, atomically (a
    temporary file in the same folder, then renamed over the path)."""

    def __init__(self, path):
        self.path = path
        self.written = False

    def write(self, status, message, rows=None):
        if self.path is None or self.written:
            return
        self.written = True
        data = json.dumps({"v": RESULT_VERSION, "status": status, "message": message, "rows": rows or {}}) + "\n"
        path = os.path.abspath(self.path)
        tmp = None
        try:
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix="." + os.path.basename(path) + ".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            say("--result-file %s: cannot write the result (%s)" % (self.path, e.strerror or e))


# The --result-file of a `make` command line, for refusals before its options are parsed
# (argparse's own errors: _Parser.error).
_early_result = None


def _result_file_in(argv):
    """The --result-file value in a `make` command line (before argparse reads it)."""
    if not argv or argv[0] != "make":
        return None
    for i, a in enumerate(argv):
        if a == "--result-file" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--result-file="):
            return a[len("--result-file=") :]
    return None


def _reject_constant(name):
    raise ValueError("%s is not a number a key can hold" % name)


def parse_key(text):
    """`--key`: a JSON object of attribute names and single values; raises UsageError."""
    shown = json.dumps(text)
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError as e:
        raise UsageError("--key %s is not valid JSON (%s)" % (shown, e))
    if not isinstance(value, dict):
        raise UsageError("--key %s is not a JSON object of the key's attributes and values" % shown)
    for name, v in value.items():
        if isinstance(v, (dict, list)):
            # DataJoint pastes a list's text into its SQL (condition.py: prep_value).
            raise UsageError("--key %s refused: the value of `%s` is not a single value (a string, number, boolean or null)" % (shown, name))
    return value


def shown_key(key):
    return repr(json_key(key))


def defines_make(dj, cls):
    """The class has a make() of its own (or the legacy _make_tuples), not DataJoint's
    three-part driver."""
    return hasattr(cls, "_make_tuples") or getattr(cls, "make", None) is not getattr(dj.AutoPopulate, "make", None)


def is_three_part(dj, cls):
    return not defines_make(dj, cls) and all(callable(getattr(cls, m, None)) for m in ("make_fetch", "make_compute", "make_insert"))


def target_tables(dj, cls, table):
    """(name, table) of the target and each of its Part tables: `Stats`, `Stats.Detail`."""
    out = [(cls.__name__, table)]
    seen = {table.full_table_name}
    for klass in cls.__mro__:
        for attr, v in list(vars(klass).items()):
            if isinstance(v, type) and issubclass(v, dj.Part) and not attr.startswith("_"):
                part = v()
                if part.full_table_name not in seen:
                    seen.add(part.full_table_name)
                    out.append(("%s.%s" % (cls.__name__, v.__name__), part))
    if hasattr(table, "parts"):
        # Parts DataJoint knows that are no nested class here: by their table name.
        for full in table.parts():
            if full not in seen:
                seen.add(full)
                out.append((full, dj.FreeTable(table.connection, full)))
    return out


def count_rows(tables, key):
    return {name: len(t & key) for name, t in tables}


def rows_phrase(rows):
    return ", ".join("%d %s into %s" % (n, "row" if n == 1 else "rows", name) for name, n in rows.items())


def pick_key(dj, cls, table, text, value):
    """The one key of the key source that `value` names; raises UsageError."""
    todo = todo_of(table, [])
    known = list(todo.primary_key)
    unknown = unknown_attributes(value, known)
    if unknown:
        raise UsageError(
            "--key %s refused: %s" % (json.dumps(text), unknown_attributes_message(unknown, known, "the key source of %s" % cls.__name__, restricts=False))
        )
    # Restricted by the dict: DataJoint quotes the values (condition.py: make_condition).
    matching = todo & value
    n = len(matching)
    if n != 1:
        raise UsageError(
            "--key %s refused: it matches %s of the key source of %s, not exactly one"
            % (json.dumps(text), "no key" if n == 0 else "%d keys" % n, cls.__name__)
        )
    return matching.keys()[0]


def check_populate1(dj, version):
    """DataJoint's per-key hook, as the default mode calls it; raises UsageError."""
    p1 = getattr(dj.AutoPopulate, "_populate1", None)
    if not callable(p1):
        raise UsageError(
            "DataJoint %s has no AutoPopulate._populate1, which make needs to run one key as populate() does; "
            "--keep runs a real populate() of the key instead" % version
        )

    want = ["key", "jobs", "suppress_errors", "return_exception_objects", "make_kwargs"]
    try:
        names = list(inspect.signature(p1).parameters)[1:6]
    except (TypeError, ValueError):
        names = want
    if names != want:
        raise UsageError(
            "DataJoint %s's AutoPopulate._populate1(%s) is not the _populate1(%s) make knows; --keep runs a real populate() of the key instead"
            % (version, ", ".join(names), ", ".join(want))
        )


def make_rolled_back(dj, cls, table, key, make_kwargs):
    """DataJoint's own _populate1 for the key, its commit turned into a rollback: the rows
    the transaction holds for the key are counted just before it."""
    tables = target_tables(dj, cls, table)
    conn = table.connection
    counted = {}

    def commit_as_rollback():
        try:
            counted.update(count_rows(tables, key))
        finally:
            conn.cancel_transaction()

    own = vars(conn).get("commit_transaction", None)
    had_own = "commit_transaction" in vars(conn)
    conn.commit_transaction = commit_as_rollback
    try:
        status = table._populate1(key, None, False, False, make_kwargs)
    finally:
        if had_own:
            conn.commit_transaction = own
        else:
            del conn.commit_transaction
    return status, counted


def make_until_compute(table, key, make_kwargs):
    """make_fetch and make_compute of a three-part make, as DataJoint's driver runs them
    before its transaction (autopopulate.py: make, _populate1), and nothing after."""

    kwargs = make_kwargs or {}
    has_upstream = hasattr(table, "_upstream_key")
    if has_upstream:
        # self.upstream in make_fetch, as _populate1 sets it up.
        table._upstream_key = dict(key)
        table._upstream = None
    try:
        if inspect.isgeneratorfunction(table.make):
            gen = table.make(dict(key), **kwargs)
            try:
                next(gen)  # make_fetch
                return next(gen)  # make_compute
            finally:
                gen.close()
        fetched = table.make_fetch(dict(key), **kwargs)
        return table.make_compute(dict(key), *fetched)
    finally:
        if has_upstream:
            table._upstream = None
            table._upstream_key = None


def short_repr(value):
    try:
        text = repr(value)
    except Exception as e:  # noqa: BLE001
        return "<repr failed: %s>" % error_message(e)
    return text if len(text) <= RESULT_REPR_CHARS else text[: RESULT_REPR_CHARS - 1] + "\u2026"


def why_not_made(table, key, reserve_jobs):
    """Why populate() of the key made nothing: its job's state, or the key done meanwhile."""
    if key in table:
        return "the key is already computed"
    if not reserve_jobs:
        return "populate() found nothing to do for the key"
    job = table.jobs & key
    found = job.proj("status", "host", "pid", "error_message", "scheduled_time").to_dicts()
    if not found:
        return "populate() found no job for the key"
    j = found[0]
    status = j.get("status")
    if status == "reserved":
        return "its job is reserved by another worker (host %s, pid %s)" % (j.get("host") or "?", j.get("pid"))
    if status == "error":
        return "its job is in error (%s); the job must be cleared before populate() takes the key again" % (j.get("error_message") or "no message")
    if status == "ignore":
        return "its job is set to ignore"
    if status == "pending":
        return "its job is pending, scheduled for %s" % j.get("scheduled_time")
    return "its job is %s" % status


# A file holding the connection's password (runtime/populate/make-protocol.ts): a debugger
# that launches in a terminal types its configuration's environment into the command
# line, so the extension passes this path rather than DJ_PASS.
PASSWORD_FILE_ENV = "DATAJOINT_VSCODE_PASSWORD_FILE"


def password_from_file():
    path = os.environ.pop(PASSWORD_FILE_ENV, None)
    if path:
        with open(path, encoding="utf-8") as f:
            os.environ["DJ_PASS"] = f.read()


def make_one(args):
    password_from_file()
    result = ResultFile(args.result_file)
    try:
        return _make_one(args, result)
    except BaseException as e:
        # Whatever ended the run unforeseen (an interrupt while importing, say) is in the
        # result file too; the exception goes on to Python.
        result.write("failed", error_message(e))
        raise


def _make_one(args, result):
    def refuse(message):
        say(message)
        result.write("refused", message)
        return EXIT_USAGE

    try:
        dj, version = import_datajoint()
    except UsageError as e:
        return refuse(str(e))
    try:
        if args.keep and args.until is not None:
            raise UsageError("--until %s inserts nothing; it cannot be combined with --keep" % args.until)
        if args.reserve_jobs and not args.keep:
            raise UsageError("--reserve-jobs takes the key's job only with --keep (without it the run is rolled back and never touches the jobs table)")
        value = parse_key(args.key)
        make_kwargs = parse_make_kwargs(args.make_kwargs)
        cls = load_table_class(dj, args.module, args.workspace, args.cls)
        if args.until == "compute" and not is_three_part(dj, cls):
            if defines_make(dj, cls):
                raise UsageError("--until compute needs a three-part make (make_fetch, make_compute, make_insert); %s defines make()" % args.cls)
            raise UsageError("--until compute needs a three-part make; %s defines neither make() nor make_fetch, make_compute and make_insert" % args.cls)
        if not args.keep and args.until is None:
            check_populate1(dj, version)
    except UsageError as e:
        return refuse(str(e))

    try:
        table = cls()
        key = pick_key(dj, cls, table, args.key, value)
        done = key in table
    except UsageError as e:
        return refuse(str(e))
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        return refuse("%s: %s" % (args.cls, error_message(e)))
    name = "%s %s" % (args.cls, shown_key(key))
    if done:
        return finish(result, "already-done", "%s: already computed; nothing to run" % name)

    try:
        if args.until == "compute":
            computed = make_until_compute(table, key, make_kwargs)
            return finish(result, "computed", "make_compute() of %s returned %s; nothing inserted (--until compute)" % (name, short_repr(computed)))
        if args.keep:
            options = dict(reserve_jobs=args.reserve_jobs, suppress_errors=False, max_calls=1, display_progress=False, make_kwargs=make_kwargs)
            # With reserved jobs the key's job is made pending first even where
            # jobs.auto_refresh is off: the extension retries a failed job by deleting its row.
            if args.reserve_jobs and "refresh" in inspect.signature(table.populate).parameters:
                options["refresh"] = True
            table.populate(key, **options)
            if key in table:
                rows = count_rows(target_tables(dj, cls, table), key)
                return finish(result, "committed", "make() of %s inserted %s; committed" % (name, rows_phrase(rows)), rows)
            message = "populate() of %s made nothing: %s" % (name, why_not_made(table, key, args.reserve_jobs))
            say(message)
            result.write("not-made", message)
            return EXIT_KEY_FAILED
        status, rows = make_rolled_back(dj, cls, table, key, make_kwargs)
        if status is not True:
            # Made by someone else between the check and the run: DataJoint skipped it.
            return finish(result, "already-done", "%s: already computed; nothing to run" % name)
        return finish(result, "rolled-back", "make() of %s inserted %s; rolled back, nothing kept" % (name, rows_phrase(rows) or "nothing"), rows)
    except BaseException as e:
        say("make() of %s failed: %s%s" % (name, error_message(e), "" if args.until else " (rolled back)"))
        result.write("failed", error_message(e))
        # Python prints the traceback, and a debugger stops on an uncaught exception.
        raise


def finish(result, status, message, rows=None):
    sys.stdout.write(message + "\n")
    sys.stdout.flush()
    result.write(status, message, rows)
    return EXIT_DONE


# ------------------------------------------------------------- worker: the whole pipeline
# `worker` populates every Computed/Imported table of a module, parents before children
# (DataJoint's own dependency graph: connection.dependencies, dependencies.py topo_sort),
# each with DataJoint's own populate(reserve_jobs=True, suppress_errors=True, refresh=True)
# in rounds, until no work is left, for --duration seconds, or until idle for --idle
# seconds: the same loop and events as `djx worker` (runtime/worker/loop.ts, events.ts).
#
# Stopping: DataJoint must not be killed inside a key's transaction. The per-key hook
# (install_hooks) declines every key once a stop is requested, before DataJoint reserves
# it, so populate() returns after the key in progress has committed; the second request
# raises StopInterrupt inside the key (rolled back, its job back to pending: after_interrupt),
# the third exits at once. DataJoint's own SIGTERM handler (SystemExit inside make, recorded
# as an error job) is kept out by _SignalShim, as for `populate`.

# `djx worker x.py` passes the signals it gets on to this runner as lines on the pipe
# DJX_RELAY_FD. A signal sent to the whole process group or job (Ctrl-C in a terminal,
# SLURM's SIGTERM to every process of the job) reaches both, so a relayed request and a
# direct one within this time are one request; two of the same kind are two.
RELAY_WINDOW_S = 0.5


class WorkerState:
    """The stop requests of a worker, across its populate() runs."""

    def __init__(self, ctx):
        self.parent = os.getpid()
        self.requests = 0
        self.reason = None  # SIGINT, SIGTERM or duration
        self.stop = ctx.Value("i", 0, lock=False)  # the Run of each populate() shares it
        self.run = None  # the Run of the populate() in progress
        self.unpaired = None  # (source, time) of the last request not yet paired
        self.relayed = []
        self.deadline = None

    def listen_for_relayed(self):
        """Relayed requests: read by a thread, then handled in the main thread (SIGUSR2 to
        it), where a second request can interrupt the make in progress."""
        fd = os.environ.get("DJX_RELAY_FD", "")
        if not fd.isdigit() or not hasattr(signal, "SIGUSR2") or not hasattr(signal, "pthread_kill"):
            return
        signal.signal(signal.SIGUSR2, self.on_relayed)
        main = threading.main_thread().ident

        def read():
            buf = b""
            while True:
                try:
                    chunk = os.read(int(fd), 4096)
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    name = line.strip().decode("ascii", "replace")
                    if name in ("SIGINT", "SIGTERM"):
                        self.relayed.append(name)
                        signal.pthread_kill(main, signal.SIGUSR2)

        threading.Thread(target=read, name="djx-relay", daemon=True).start()

    def on_relayed(self, signum, frame):
        while self.relayed:
            self.on_event("relayed", self.relayed.pop(0))

    def on_request(self, signum, frame):
        self.on_event("direct", signal.Signals(signum).name)

    def request_stop(self, reason):
        if self.reason is None:
            self.reason = reason
        self.stop.value = max(self.stop.value, 1)

    def on_event(self, source, name):
        if os.getpid() != self.parent:
            return  # pool workers follow the parent (it forwards the second request)
        now = time.monotonic()
        last = self.unpaired
        if last is not None and last[0] != source and now - last[1] < RELAY_WINDOW_S:
            self.unpaired = None
            return  # the same request, sent to the group and relayed by djx
        self.unpaired = (source, now)
        self.requests += 1
        run = self.run
        if self.requests == 1:
            self.request_stop(name)
            say("stop requested (%s): stopping after the key in progress; again to interrupt it" % name)
        elif self.requests == 2:
            say("stop requested again: interrupting the key in progress (it goes back to pending)")
            if run is not None:
                if hasattr(signal, "SIGUSR1"):
                    run._signal_workers(signal.SIGUSR1)
                if run.in_key and not run.interrupting:
                    run.interrupting = True
                    raise StopInterrupt()
        else:
            if run is not None:
                run._signal_workers(getattr(signal, "SIGKILL", signal.SIGTERM))
            try:
                sys.stderr.flush()
            finally:
                os._exit(EXIT_INTERRUPTED)

    def sleep(self, seconds):
        """Waits `seconds`, or less when a stop is requested or the deadline comes."""
        end = time.monotonic() + seconds
        while not self.stop.value:
            now = time.monotonic()
            if self.deadline is not None and now >= self.deadline:
                self.request_stop("duration")
                return
            if now >= end:
                return
            time.sleep(min(0.05, end - now))


def pipeline_tables(dj, module):
    """The module's Computed/Imported classes bound to a schema, in the module's order."""
    out = []
    for value in list(vars(module).values()):
        if not isinstance(value, type) or value in out:
            continue
        if not issubclass(value, (dj.Computed, dj.Imported)) or issubclass(value, dj.Part):
            continue
        if value in (dj.Computed, dj.Imported) or value.__module__.startswith("datajoint"):
            continue
        try:
            value().full_table_name  # noqa: B018 -- unbound (not decorated with a schema): not a table
        except Exception:  # noqa: BLE001
            continue
        out.append(value)
    return out


def dependency_order(classes):
    """Parents before children, by DataJoint's own topological sort of the loaded schemas
    (and the schemas upstream of them); ties keep the module's order."""
    if not classes:
        return []
    deps = classes[0]().connection.dependencies
    deps.load(force=True)
    if hasattr(deps, "load_all_upstream"):
        deps.load_all_upstream()
    position = {name: i for i, name in enumerate(deps.topo_sort())}
    indexed = list(enumerate(classes))
    indexed.sort(key=lambda ic: (position.get(ic[1]().full_table_name, len(position)), ic[0]))
    return [c for _, c in indexed]


def jobs_of(table):
    """table.jobs, whose first use declares the jobs table. DataJoint for Python 2.x declares it
    unsafely beside another worker on PostgreSQL (autopopulate.py: the jobs descriptor; its
    CREATE INDEX has no IF NOT EXISTS), so a worker starting with others can fail with
    "... already exists" though the table is then there: it is taken as declared, not fatal."""
    try:
        return table.jobs
    except Exception as e:  # noqa: BLE001
        if "already exists" not in str(e):
            raise
        # The descriptor keeps its Job before declaring: a second use returns it as it is.
        jobs = table.jobs
        if not jobs.is_declared:
            raise
        return jobs


def clear_matching_errors(table, patterns):
    """--clear-errors: error jobs whose message matches (Python's re, in this process, never
    in SQL) are deleted, so that the next refresh adds them again."""
    if not patterns:
        return 0
    jobs = jobs_of(table)
    rows = jobs.errors.proj("error_message").to_dicts()
    cleared = 0
    for row in rows:
        if any(p.search(str(row.get("error_message") or "")) for p in patterns):
            key = {k: row[k] for k in jobs.primary_key}
            # Only while it is still an error job (another worker may have retried it): the
            # count is what the DELETE removed, not a look before it.
            cleared += (jobs.errors & key).delete_quick(get_count=True) or 0
    return cleared


def worker_populate(dj, state, ctx, sink, cls, args):
    """One table's populate() in a round; returns (run, left, lost, transient): transient is a
    deadlock or lock timeout that populate() let escape, after which the table is taken again."""
    table = cls()
    run = Run(ctx, sink, table, "reserved", args.processes)
    run.parent = state.parent
    run.stop = state.stop
    run.restrictions = []
    run.priority = args.priority
    run.max_calls = args.max_calls
    jobs = jobs_of(table)
    install_hooks(run, table, jobs)
    hooked = table._populate1

    def timed_populate1(key, jobs=None, **kwargs):
        # --duration: checked before each key, so the key in progress is always finished.
        if state.deadline is not None and time.monotonic() >= state.deadline:
            state.request_stop("duration")
        return hooked(key, jobs, **kwargs)

    table._populate1 = timed_populate1
    lost = transient = None
    state.run = run
    run.phase = "running"
    try:
        table.populate(
            reserve_jobs=True,
            suppress_errors=True,
            refresh=True,
            max_calls=args.max_calls,
            display_progress=False,
            processes=args.processes,
            priority=args.priority,
        )
    except BaseException as e:  # noqa: BLE001
        if is_connection_error(e):
            lost = e
        elif is_transient_lock_error(e):
            # Beside other workers DataJoint's own jobs statements (refresh, reserve) can be a
            # deadlock's victim, and populate() lets that escape; the key in progress, if any,
            # was rolled back with it. The worker takes the table again in its next round.
            transient = e
            say("%s: %s; taken again in the next round" % (cls.__name__, error_message(e)))
        elif not isinstance(e, StopInterrupt):
            raise
    finally:
        run.phase = "after"
        state.run = None
    if not run.start_emitted:
        emit_start(run, table, jobs, [], args.priority)
    left = None
    if lost is None:
        try:
            if not table.connection.is_connected:
                table.connection.connect()
            left = count_left(run, table, jobs, [])
        except Exception as e:  # noqa: BLE001
            if not is_connection_error(e):
                raise
            lost = e
    run.progress(force=True)
    info = table.connection.conn_info if hasattr(table.connection, "conn_info") else {}
    connection_lost = None if lost is None else {"server": "%s:%s" % (info.get("host", "?"), info.get("port", "?")), "message": str(lost)}
    run.emit(
        {
            "event": "end",
            "successCount": run.done.value,
            "errorCount": run.failed.value,
            "interrupted": state.reason if state.reason in ("SIGINT", "SIGTERM") else None,
            "durationMs": round((time.monotonic() - run.started) * 1000, 3),
            "rev": 2,
            "interruptedCount": run.interrupted_count.value,
            "left": left,
            "connectionLost": connection_lost,
        }
    )
    return run, left, connection_lost, transient


def worker(args):
    try:
        dj, _version = import_datajoint()
    except UsageError as e:
        say(str(e))
        return EXIT_USAGE
    import re

    ctx = process_context(args.processes)
    if ctx is None:
        return EXIT_USAGE
    state = WorkerState(ctx)
    # Installed before the module loads: a SIGTERM then stops the worker before it starts.
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, state.on_request)
    state.listen_for_relayed()
    if args.stop_on_stdin:
        listen_on_stdin()
    try:
        sink = EventSink(args.json_events, ctx.Lock()) if args.json_events is not None else NoSink()
        patterns = []
        for text in args.clear_errors or []:
            if text == "":
                raise UsageError("--clear-errors expects a regular expression, got an empty text (it would match every error)")
            try:
                patterns.append(re.compile(text))
            except re.error as e:
                raise UsageError("--clear-errors %s is not a regular expression: %s" % (json.dumps(text), e))
        if args.priority is not None and not 0 <= args.priority <= 127:
            raise UsageError("--priority must be an integer from 0 to 127, got %d" % args.priority)
    except UsageError as e:
        say(str(e))
        return EXIT_USAGE
    try:
        module, shown = import_module(args.module, args.workspace)
    except (Exception, SystemExit) as e:  # noqa: BLE001
        traceback.print_exc()
        say("cannot import %s: %s" % (args.module, error_message(e)))
        return EXIT_USAGE
    emit = lambda event: sink.write(dict({"v": EVENTS_VERSION}, **event))  # noqa: E731
    try:
        every = pipeline_tables(dj, module)
        if not every:
            raise UsageError("%s defines no Computed or Imported table bound to a schema" % shown)
        names = [c.__name__ for c in every]
        for flag, given in (("--tables", args.tables), ("--skip", args.skip)):
            unknown = [n for n in given or [] if n not in names]
            if unknown:
                raise UsageError(
                    "%s: %s %s of %s (it has %s)"
                    % (flag, ", ".join(unknown), "is not a Computed or Imported table" if len(unknown) == 1 else "are not Computed or Imported tables", shown, ", ".join(sorted(names)))
                )
        chosen = [c for c in every if (not args.tables or c.__name__ in args.tables) and c.__name__ not in (args.skip or [])]
        if not chosen:
            raise UsageError("no table left to run: --tables and --skip exclude every table of %s" % shown)
        tables = dependency_order(chosen)
    except UsageError as e:
        say(str(e))
        return EXIT_USAGE
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        say("%s: %s" % (shown, error_message(e)))
        return EXIT_USAGE
    sys.stderr.write("worker: %s\n" % " \u2192 ".join(c.__name__ for c in tables))
    sys.stderr.flush()

    import datajoint.autopopulate as ap

    had_signal = getattr(ap, "signal", None)
    if had_signal is signal:
        ap.signal = _SignalShim()
    if hasattr(os, "register_at_fork"):
        # DataJoint's pool workers (--processes) of the populate() in progress.
        os.register_at_fork(
            before=lambda: state.run.before_fork() if state.run is not None else None,
            after_in_child=lambda: state.run.after_fork_in_child() if state.run is not None else None,
        )
    started = time.monotonic()
    if args.duration is not None:
        state.deadline = started + args.duration
    summaries = [{"table": c.__name__, "schema": c().database, "made": 0, "failed": 0, "skipped": 0, "left": None, "leftByReason": None} for c in tables]
    emit({"event": "workerStart", "tables": [c.__name__ for c in tables], "pid": os.getpid(), "host": platform.node(), "language": "python", "time": now_iso()})
    rounds = 0
    last_made = started
    stopped_by = None
    lost = None
    poll = args.poll if args.poll is not None else 5.0
    try:
        while not state.stop.value and stopped_by is None:
            rounds += 1
            emit({"event": "roundStart", "round": rounds, "time": now_iso()})
            made = failed = held = 0
            retry = False
            for cls, summary in zip(tables, summaries):
                if state.stop.value:
                    break
                if state.deadline is not None and time.monotonic() >= state.deadline:
                    state.request_stop("duration")
                    break
                cleared = clear_matching_errors(cls(), patterns)
                if cleared:
                    emit({"event": "errorsCleared", "round": rounds, "table": cls.__name__, "count": cleared})
                emit({"event": "tableStart", "round": rounds, "table": cls.__name__, "schema": summary["schema"]})
                run, left, lost, transient = worker_populate(dj, state, ctx, sink, cls, args)
                retry = retry or transient is not None
                made += run.done.value
                failed += run.failed.value
                summary["made"] += run.done.value
                summary["failed"] += run.failed.value
                if left is not None:
                    summary["left"] = left["total"]
                    summary["leftByReason"] = left
                    summary["skipped"] = left["error"] + left["ignored"]
                    held += left["reserved"] + left["orphaned"]
                emit(
                    {
                        "event": "tableEnd",
                        "round": rounds,
                        "table": cls.__name__,
                        "schema": summary["schema"],
                        "made": run.done.value,
                        "failed": run.failed.value,
                        "interrupted": run.interrupted_count.value,
                        "left": left,
                    }
                )
                if lost is not None:
                    stopped_by = "connectionLost"
                    break
            emit({"event": "roundEnd", "round": rounds, "made": made, "failed": failed})
            if state.stop.value or stopped_by is not None:
                break
            if made > 0 or retry:
                last_made = time.monotonic()
                continue
            wait = poll
            if args.idle is None and args.duration is None:
                if held == 0:
                    stopped_by = "done"
                    break
                reason = "others"
            else:
                reason = "others" if held else "idle"
                if args.idle is not None:
                    idle_for = time.monotonic() - last_made
                    if idle_for >= args.idle:
                        stopped_by = "idle"
                        break
                    wait = min(wait, args.idle - idle_for)
            emit({"event": "wait", "round": rounds, "seconds": round(wait, 3), "reason": reason})
            state.sleep(wait)
    finally:
        if had_signal is signal:
            ap.signal = signal
    if stopped_by is None:
        stopped_by = state.reason or "done"
    duration_ms = round((time.monotonic() - started) * 1000, 3)
    emit({"event": "summary", "rounds": rounds, "stoppedBy": stopped_by, "durationMs": duration_ms, "tables": summaries})
    worker_summary(rounds, stopped_by, summaries)
    if lost is not None:
        say("the connection to %s was lost: %s" % (lost["server"], lost["message"]))
        return EXIT_USAGE
    if stopped_by in ("SIGINT", "SIGTERM"):
        return EXIT_INTERRUPTED
    return EXIT_KEY_FAILED if any(s["failed"] for s in summaries) else EXIT_DONE


STOPPED_BY = {
    "done": "no work left",
    "idle": "idle",
    "duration": "duration reached",
    "SIGINT": "stopped by SIGINT",
    "SIGTERM": "stopped by SIGTERM",
    "connectionLost": "the server went away",
}


def worker_summary(rounds, stopped_by, summaries):
    lines = ["worker: %d round%s, %s" % (rounds, "" if rounds == 1 else "s", STOPPED_BY[stopped_by])]
    width = max(len(s["table"]) for s in summaries)
    for s in summaries:
        left = "not run" if s["left"] is None else "%d left" % s["left"]
        lines.append("  %s  %d made, %d failed, %d skipped, %s" % (s["table"].ljust(width), s["made"], s["failed"], s["skipped"], left))
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()


# ------------------------------------------------------------------------ arguments


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        say(message)
        if _early_result is not None:
            ResultFile(_early_result).write("refused", message)
        sys.exit(EXIT_USAGE)


def _count(minimum):
    def parse(text):
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("expects a whole number >= %d, not %r" % (minimum, text))
        if n < minimum:
            raise argparse.ArgumentTypeError("expects a whole number >= %d, not %r" % (minimum, text))
        return n

    return parse


def _names(text):
    return [n.strip() for n in text.split(",") if n.strip()]


def _seconds(text):
    try:
        n = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expects a number of seconds >= 0, not %r" % text)
    if not n >= 0 or n == float("inf"):
        raise argparse.ArgumentTypeError("expects a number of seconds >= 0, not %r" % text)
    return n


def parser():
    p = _Parser(prog="datajoint_vscode_runner.py", description="DataJoint for VS Code: populate a DataJoint for Python table.")
    sub = p.add_subparsers(dest="command")
    sub.required = True
    sub.add_parser("probe", help="print the interpreter and DataJoint version as JSON")
    pp = sub.add_parser("populate", help="run populate() of one table")
    pp.add_argument("--module", required=True, help="the .py file that defines the table")
    pp.add_argument("--class", dest="cls", required=True, help="the table's class name")
    pp.add_argument("--workspace", help="the workspace folder (first on sys.path)")
    pp.add_argument("--restriction", action="append", help="SQL condition or JSON object/array (repeatable, ANDed)")
    pp.add_argument("--restriction-file", action="append", help="a file holding one --restriction (repeatable, ANDed)")
    pp.add_argument("--limit", type=_count(0), help="max_calls")
    pp.add_argument("--reserve-jobs", action="store_true")
    pp.add_argument("--processes", type=_count(1), default=1)
    pp.add_argument("--suppress-errors", action="store_true")
    pp.add_argument("--priority", type=int)
    pp.add_argument("--make-kwargs", help="JSON object passed to make(key, **kwargs)")
    pp.add_argument("--json-events", help="an inherited file descriptor >= 3, or a file path")
    pp.add_argument("--stop-on-stdin", action="store_true", help="take SIGINT/SIGTERM lines on stdin as stop requests")
    wp = sub.add_parser("worker", help="populate every Computed/Imported table of a module, parents first, in rounds (djx worker)")
    wp.add_argument("--module", required=True, help="the .py file that defines the tables")
    wp.add_argument("--workspace", help="the workspace folder (first on sys.path)")
    wp.add_argument("--tables", type=_names, action="extend", help="only these classes (comma-separated, repeatable)")
    wp.add_argument("--skip", type=_names, action="extend", help="never these classes (comma-separated, repeatable)")
    wp.add_argument("--priority", type=_count(0), help="only jobs of priority <= n; priority of the jobs each refresh adds")
    wp.add_argument("--max-calls", type=_count(0), help="at most n keys per table per round")
    wp.add_argument("--clear-errors", action="append", help="before each round, delete error jobs whose error_message matches (regex; repeatable)")
    wp.add_argument("--duration", type=_seconds, help="stop after s seconds (the key in progress is finished)")
    wp.add_argument("--idle", type=_seconds, help="stop once no key was made for s seconds")
    wp.add_argument("--poll", type=_seconds, help="seconds between looks for new work while there is none (default 5)")
    wp.add_argument("--processes", type=_count(1), default=1)
    wp.add_argument("--json-events", help="an inherited file descriptor >= 3, or a file path")
    wp.add_argument("--stop-on-stdin", action="store_true", help="take SIGINT/SIGTERM lines on stdin as stop requests")
    mp = sub.add_parser("make", help="run make() of one key (for a debugger): rolled back unless --keep")
    mp.add_argument("--module", required=True, help="the .py file that defines the table")
    mp.add_argument("--class", dest="cls", required=True, help="the table's class name")
    mp.add_argument("--workspace", help="the workspace folder (first on sys.path)")
    mp.add_argument("--key", required=True, help="JSON object naming exactly one key of the key source")
    mp.add_argument("--keep", action="store_true", help="a real populate() of the key, committed")
    mp.add_argument("--until", choices=["compute"], help="compute: only make_fetch and make_compute of a three-part make")
    mp.add_argument("--reserve-jobs", action="store_true", help="with --keep: through the jobs table")
    mp.add_argument("--make-kwargs", help="JSON object passed to make(key, **kwargs)")
    mp.add_argument("--result-file", help="write the outcome there as one JSON object")
    return p


def name_mysql_sessions():
    """Names this process's MySQL sessions as a SLURM task's sessions are named.

    The sbatch script exports PGAPPNAME (``djx-worker slurm=<job>_<task>``), which libpq reads
    on PostgreSQL; pymysql sends a ``program_name`` connection attribute only when asked, and
    DataJoint's MySQL adapter (adapters/mysql.py: connect) never asks. The views trace a
    reservation to its SLURM task by that name (runtime/connection/session-name.ts), so the
    runner passes it on, without changing anything else of DataJoint's connection.
    """
    name = os.environ.get("PGAPPNAME")
    if not name:
        return
    try:
        import pymysql
    except ImportError:
        return
    original = pymysql.connect

    def connect(*args, **kwargs):
        kwargs.setdefault("program_name", name)
        return original(*args, **kwargs)

    pymysql.connect = connect


def main(argv=None):
    global _early_result
    name_mysql_sessions()
    _early_result = _result_file_in(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    if args.command == "probe":
        return probe()
    if args.command == "make":
        return make_one(args)
    if args.command == "worker":
        return worker(args)
    return populate(args)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
