"""DataJoint for VS Code: the Python populate runner (issue 11).

Runs one Computed/Imported table's ``populate()`` of DataJoint for Python in the user's
interpreter, as the extension's "Populate" does for Python pipelines, and writes the same
versioned events as ``djx populate --json-events`` (runtime/populate/events.ts, v1 with the
rev 2 ``end``) on a side channel. The contract with the extension is
/work/wt/python-runner-contract.md (copied in python/README.md):

    python datajoint_vscode_runner.py probe
    python datajoint_vscode_runner.py populate --module FILE --class NAME [options]

Standard library and the user's ``datajoint`` only; Python >= 3.9. DataJoint's semantics
stay: ``populate()`` itself runs every key (its transaction, its jobs table, its
processes); the runner wraps one key's hook (``_populate1``) on the table object to time
keys and emit events, and to honour stop requests between keys. Where DataJoint's source
is cited (autopopulate.py, jobs.py) it is version 2.3.5's.
"""

import argparse
import importlib
import importlib.util
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
# pymysql (DataJoint's driver uses %s, and escapes `%` in conditions: condition.py).

_QUOTE_NAMES = {"'": "a '\u2026' string", '"': 'a "\u2026" string', "`": "a `\u2026` name"}


def _end_of_quoted(text, start):
    q = text[start]
    escapes = q != "`"
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


def check_condition(text):
    """Why `text` is not one SQL condition (a phrase), or None when it is one."""
    if text.strip() == "":
        return "is empty"
    opens = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        at = "at character %d" % (i + 1)
        if c in _QUOTE_NAMES:
            end = _end_of_quoted(text, i)
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
        elif c == "-" and text[i + 1 : i + 2] == "-" and (i + 2 == n or text[i + 2].isspace() or ord(text[i + 2]) < 32):
            # `a--1` is a minus a minus one; `-- ` begins a comment.
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


def parse_restriction(text):
    """A `--restriction` value: JSON (object or array) when it looks like JSON, else SQL."""
    t = text.strip()
    if t.startswith("{") or t.startswith("["):
        try:
            value = json.loads(text)
        except ValueError as e:
            raise UsageError("--restriction %s is not valid JSON (%s)" % (json.dumps(text), e))
    else:
        value = text
    for c in _conditions_of(value):
        problem = check_condition(c)
        if problem is not None:
            which = "is" if c == text else "has %s, which is" % json.dumps(c)
            raise UsageError("--restriction %s %s not one SQL condition: it %s" % (json.dumps(text), which, problem))
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


def unknown_attributes_message(unknown, known, where):
    def lst(xs):
        return ", ".join("`%s`" % x for x in xs)

    one = len(unknown) == 1
    return "%s %s %s not in %s (%s), so %s nothing" % (
        "Attribute" if one else "Attributes",
        lst(unknown),
        "is" if one else "are",
        where,
        lst(known) or "no attributes",
        "it restricts" if one else "they restrict",
    )


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
        # here, so that the worker taking the re-pended key does not wait on those locks.
        try:
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
        conn.query(
            "UPDATE %s SET `status`='pending', `reserved_time`=NULL, `user`='', `host`='', `pid`=0, "
            "`connection_id`=0, `version`='' WHERE %s AND `status` IN ('reserved', 'error') AND `host`=%%s AND `pid`=%%s"
            % (jobs.full_table_name, where),
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
    q = lambda n: "`%s`" % n.replace("`", "``")  # noqa: E731
    m = "(SELECT DISTINCT %s FROM (%s) AS `$ks`) AS `$m`" % (", ".join("`$ks`.%s" % q(c) for c in cols), missing.make_sql())
    on = " AND ".join("`$j`.%s = `$m`.%s" % (q(c), q(c)) for c in cols)
    reserved = "`$j`.`status` = 'reserved'"
    sql = (
        "SELECT CASE WHEN `$j`.`status` IS NULL THEN 'none' WHEN `$j`.`status` = 'pending' AND `$j`.`scheduled_time` > CURRENT_TIMESTAMP(3) "
        "THEN 'later' ELSE `$j`.`status` END AS reason, "
        "IF({r}, `$j`.`host`, '') AS host, IF({r}, `$j`.`pid`, 0) AS pid, "
        "IF({r}, `$j`.`connection_id` IN (SELECT `id` FROM information_schema.processlist), 0) AS open_, COUNT(*) AS n "
        "FROM {m} LEFT JOIN {j} AS `$j` ON {on} GROUP BY 1, 2, 3, 4"
    ).format(r=reserved, m=m, j=jobs.full_table_name, on=on)
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


def is_connection_error(e):
    try:
        from datajoint.errors import LostConnectionError
    except Exception:  # noqa: BLE001
        LostConnectionError = ()
    if LostConnectionError and isinstance(e, LostConnectionError):
        return True
    mod = type(e).__module__ or ""
    return mod.startswith("pymysql") and type(e).__name__ in ("OperationalError", "InterfaceError")


def installed_version(dist):
    """The installed version of a distribution, without importing it (None if unknown)."""
    try:
        from importlib.metadata import version as dist_version

        return dist_version(dist)
    except Exception:  # noqa: BLE001
        return None


def populate(args):
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
        say("cannot import datajoint: %s" % error_message(e))
        return EXIT_USAGE
    if version is None:
        version = str(getattr(dj, "__version__", "unknown"))
        sys.stdout.write("Python %s (%s) \u00b7 DataJoint %s\n" % (platform.python_version(), sys.executable, version))
        sys.stdout.flush()
    try:
        major = int(version.split(".")[0])
    except ValueError:
        major = 2
    if major < 2:
        say("DataJoint %s is not supported: the runner needs DataJoint for Python 2.x (pip install 'datajoint>=2')" % version)
        return EXIT_USAGE

    import multiprocessing

    # populate(processes=N) forks (autopopulate.py: _MP_START_METHOD); our shared state too.
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if args.processes > 1 and not can_fork:
        # Without fork DataJoint pickles the table for each worker, and the table with the
        # runner's hooks cannot be pickled: refuse before anything runs.
        say("--processes %d needs fork(), which this platform lacks; run with --processes 1" % args.processes)
        return EXIT_USAGE
    ctx = multiprocessing.get_context("fork") if can_fork else multiprocessing.get_context()
    lock = ctx.Lock()
    try:
        sink = EventSink(args.json_events, lock) if args.json_events is not None else NoSink()
        texts = args.restriction or []
        restrictions = [parse_restriction(t) for t in texts]
        make_kwargs = None
        if args.make_kwargs is not None:
            try:
                make_kwargs = json.loads(args.make_kwargs)
            except ValueError as e:
                raise UsageError("--make-kwargs %s is not valid JSON (%s)" % (json.dumps(args.make_kwargs), e))
            if not isinstance(make_kwargs, dict):
                raise UsageError("--make-kwargs %s is not a JSON object" % json.dumps(args.make_kwargs))
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
        module, shown = import_module(args.module, args.workspace)
    except (Exception, SystemExit) as e:
        traceback.print_exc()
        say("cannot import %s: %s" % (args.module, error_message(e)))
        return EXIT_USAGE
    cls = getattr(module, args.cls, None)
    if cls is None or not isinstance(cls, type):
        say("%s has no class %s" % (shown, args.cls))
        return EXIT_USAGE
    if not issubclass(cls, dj.AutoPopulate):
        say("%s.%s is not a Computed or Imported table (no populate)" % (shown, args.cls))
        return EXIT_USAGE

    try:
        table = cls()
        if any(not isinstance(r, str) for r in restrictions):
            known = list(table.key_source.heading.names)
            for text, value in zip(texts, restrictions):
                unknown = unknown_attributes(value, known)
                if unknown:
                    raise UsageError(
                        "--restriction %s refused: %s" % (json.dumps(text), unknown_attributes_message(unknown, known, "the key source of %s" % args.cls))
                    )
        jobs = table.jobs if args.reserve_jobs else None
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


# ------------------------------------------------------------------------ arguments


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        say(message)
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
    pp.add_argument("--limit", type=_count(0), help="max_calls")
    pp.add_argument("--reserve-jobs", action="store_true")
    pp.add_argument("--processes", type=_count(1), default=1)
    pp.add_argument("--suppress-errors", action="store_true")
    pp.add_argument("--priority", type=int)
    pp.add_argument("--make-kwargs", help="JSON object passed to make(key, **kwargs)")
    pp.add_argument("--json-events", help="an inherited file descriptor >= 3, or a file path")
    pp.add_argument("--stop-on-stdin", action="store_true", help="take SIGINT/SIGTERM lines on stdin as stop requests")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "probe":
        return probe()
    return populate(args)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
