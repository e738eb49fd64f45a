// Runs one table's populate as a VS Code Task whose CustomExecution is a pseudoterminal,
// with the workspace root as cwd and the table's source file as the pipeline module:
// - a TypeScript/JavaScript module: the bundled `djx populate`, spawned with the editor's
//   own Node (process.execPath with ELECTRON_RUN_AS_NODE=1);
// - a Python module: `<python> python/datajoint_vscode_runner.py populate --module …
//   --class …` in the interpreter chosen for the file (client/python/), which imports the
//   module as Python would and calls DataJoint for Python's own populate(); its first line
//   says which Python and DataJoint run, and the bar is DataJoint's (tqdm).
// Credentials go in the child's environment (DJ_BACKEND, DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS,
// and DJ_DATABASE_NAME on PostgreSQL), never on its command line. Both speak the same
// protocol below.
//
// Side channel: the child runs with `--json-events 3` (the CLI also `--progress always`)
// and an extra pipe as its fd 3. The events (runtime/populate/events.ts) arrive on that
// pipe only; the child's stdout and stderr go to the pseudoterminal unchanged (newlines
// made \r\n), so the terminal shows the child's own progress bar and summary, drawn as
// wide as the terminal (COLUMNS). A progress notification with Cancel follows the events.
// Cancel and Ctrl-C in the terminal ask the child to stop through its stdin (the line
// SIGINT: stop after the key in progress); a second request (SIGTERM) interrupts the key
// in progress, which goes back to pending; a third kills the child.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { Transcript, exitLabel } from './transcript';
import type { Readable } from 'node:stream';
import * as vscode from 'vscode';
import { parseEvent, type PopulateEvent } from '../../runtime/populate/events';
import { CLI_NAME } from '../../runtime/cli/name';
import type { ComputationsDatabase, Credentials } from '../jobs/computationsDatabase';
import { EVENTS_FD, populateArgs, populateEnv, pythonPopulateArgs, shownArgs } from './launchArgs';
import type { PopulateRequest } from './populateRequest';
import { spillLongRestrictions } from './restrictionFiles';

export interface PopulateOutcome {
  request: PopulateRequest;
  exitCode: number;
  successCount: number;
  errorCount: number;
  interrupted: string | null;
  /** Everything written to the terminal, without escape sequences. */
  transcript: string;
  /** The events seen on the side channel. */
  events: PopulateEvent[];
  /** The terminal width the CLI was told (COLUMNS); undefined when VS Code gave none. */
  columns: number | undefined;
}

const TASK_TYPE = 'datajoint-populate';

/** How long a terminal opened without dimensions waits for them before starting. */
const DIMENSIONS_WAIT_MS = 400;

/** What one run spawns, and the line the terminal shows first (none: the child's own). */
interface Launch {
  command: string;
  args: string[];
  header: string | undefined;
  /** "the DataJoint CLI", "Python (/usr/bin/python3)": in a message when it cannot start. */
  what: string;
}

/** The pseudoterminal of one run: spawns the CLI or the Python runner, shows its output, reports its events. */
class PopulateTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private child: ChildProcess | undefined;
  private signals = 0;
  /** The width the CLI was started with. */
  columns: number | undefined;
  private started = false;
  private startTimer: NodeJS.Timeout | undefined;
  private readonly raw = new Transcript();
  private atLineStart = true;

  constructor(
    private readonly launch: Launch,
    private readonly env: (columns: number | undefined) => NodeJS.ProcessEnv,
    private readonly cwd: string,
    private readonly onEvent: (e: PopulateEvent) => void,
    private readonly onExit: (code: number) => void,
  ) {}

  /** Text to the terminal as it is, with the \r\n line ends a pseudoterminal needs. */
  private write(text: string): void {
    this.raw.append(text);
    const visible = text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    if (visible) this.atLineStart = /[\r\n]$/.test(visible);
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  /** A line of the extension's own, below the bar when one is showing. */
  private line(text: string): void {
    this.write(`${this.atLineStart ? '' : '\n'}${text}\n`);
  }

  /** What the terminal shows, as plain text (bounded: see Transcript). */
  get transcript(): string {
    return this.raw.toString();
  }

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    if (this.launch.header !== undefined) this.line(this.launch.header);
    // The CLI learns the width once, at its start: wait briefly for a panel still laid out.
    if (dimensions) this.start(dimensions.columns);
    else this.startTimer = setTimeout(() => this.start(undefined), DIMENSIONS_WAIT_MS);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    // A running CLI keeps the width it started with; cli-progress cuts lines to it.
    if (!this.started && this.startTimer) {
      clearTimeout(this.startTimer);
      this.start(dimensions.columns);
    }
  }

  private start(columns: number | undefined): void {
    if (this.started || this.finished) return;
    this.started = true;
    this.startTimer = undefined;
    this.columns = columns;
    let child: ChildProcess;
    try {
      child = spawn(this.launch.command, this.launch.args, { cwd: this.cwd, env: this.env(columns), stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    } catch (e) {
      this.finish(2, `Cannot start ${this.launch.what}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.child = child;
    // A stop request to a CLI that has just exited: nothing to stop, nothing to report.
    child.stdin?.on('error', () => undefined);
    let pending = '';
    const events = child.stdio[EVENTS_FD] as Readable;
    events.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const event = parseEvent(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        if (event) this.onEvent(event);
      }
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.write(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.write(chunk));
    child.on('error', (e) => this.finish(2, `Cannot start ${this.launch.what}: ${e.message}`));
    // 'close' comes after every pipe, the events' included, was read to its end.
    child.on('close', (code, signal) => this.finish(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0), undefined, signal));
  }

  private finished = false;
  private finish(code: number, message?: string, signal?: NodeJS.Signals | null): void {
    if (this.finished) return;
    this.finished = true;
    if (message) this.line(`\x1b[31m${message}\x1b[0m`);
    this.line(`\n${exitLabel(code, signal)}`);
    this.onExit(code);
    this.closeEmitter.fire(code);
  }

  /** Graceful stop first (the CLI rolls back the make in progress), then at once. */
  stop(): void {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) {
      // Not started yet (waiting for dimensions): nothing to stop but the wait.
      if (!this.started && this.startTimer) {
        clearTimeout(this.startTimer);
        this.finish(130, 'Stopped before the run started.');
      }
      return;
    }
    this.signals++;
    this.line(this.signals === 1 ? 'Stopping after the current key…' : 'Stopping now.');
    // Asked through stdin, the same on every platform (on Windows kill() would terminate
    // the CLI at once); a third request, or a closed stdin, ends it with a signal.
    const request = this.signals === 1 ? 'SIGINT' : 'SIGTERM';
    const stdin = this.child.stdin;
    if (this.signals <= 2 && stdin && stdin.writable) stdin.write(`${request}\n`);
    else this.child.kill('SIGKILL');
  }

  handleInput(data: string): void {
    if (data === '\x03') this.stop();
  }

  close(): void {
    // The terminal was closed while the run goes on: stop it the same way.
    if (!this.finished) this.stop();
  }
}

/** A run of a table that is already populating: refused (see PopulateRunner.run). */
export class PopulateAlreadyRunningError extends Error {
  override name = 'PopulateAlreadyRunningError';
  constructor(readonly className: string) {
    super(`${className} is already being populated; wait for that run to end or stop it first.`);
  }
}

interface RunEntry {
  terminal(): vscode.Terminal | undefined;
  pty?: PopulateTerminal;
}

/** A task's terminal is named for it ("Populate X", or "Task - Populate X" in older VS Code). */
function isTaskTerminal(t: vscode.Terminal, taskName: string): boolean {
  return t.name === taskName || t.name.endsWith(` ${taskName}`);
}

/** The table a request populates: one run at a time each. */
function runKey(r: Pick<PopulateRequest, 'className' | 'module'>): string {
  return `${r.module}\0${r.className}`;
}

export class PopulateRunner implements vscode.Disposable {
  private readonly startEmitter = new vscode.EventEmitter<PopulateRequest>();
  private readonly endEmitter = new vscode.EventEmitter<PopulateOutcome>();
  readonly onDidStart = this.startEmitter.event;
  readonly onDidEnd = this.endEmitter.event;
  private readonly eventEmitter = new vscode.EventEmitter<PopulateEvent>();
  /** Every event of every run, as it arrives on the side channel. */
  readonly onDidReceiveEvent = this.eventEmitter.event;
  private active = 0;
  /** Runs under way, by table: how to find their terminal, and its pseudoterminal once open. */
  private readonly runs = new Map<string, RunEntry>();
  /** The terminal of each table's last ended run, closed when the table runs again. */
  private readonly endedTerminals = new Map<string, vscode.Terminal>();
  private nextRun = 1;

  constructor(
    private readonly cliPath: string,
    private readonly db: ComputationsDatabase,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.active > 0;
  }

  /** Whether a run of this table is under way. */
  isRunning(r: Pick<PopulateRequest, 'className' | 'module'>): boolean {
    return this.runs.has(runKey(r));
  }

  /** What the terminal of the table's run under way has shown so far (plain text); undefined when none runs. */
  liveTranscript(r: Pick<PopulateRequest, 'className' | 'module'>): string | undefined {
    const run = this.runs.get(runKey(r));
    return run ? (run.pty?.transcript ?? '') : undefined;
  }

  /** Asks the table's run under way to stop, as Cancel does (first: after the key in progress; second: at once). */
  stop(r: Pick<PopulateRequest, 'className' | 'module'>): boolean {
    const pty = this.runs.get(runKey(r))?.pty;
    pty?.stop();
    return pty !== undefined;
  }

  /** Brings the terminal of the table's run under way, or of its last run, to the front; false when none is open. */
  showTerminal(r: Pick<PopulateRequest, 'className' | 'module'>): boolean {
    const key = runKey(r);
    const ended = this.endedTerminals.get(key);
    const terminal = this.runs.get(key)?.terminal() ?? (ended && vscode.window.terminals.includes(ended) ? ended : undefined);
    terminal?.show();
    return terminal !== undefined;
  }

  /**
   * Runs populate in a terminal with a progress notification; resolves when it ends.
   * A second run of a table already populating is refused (PopulateAlreadyRunningError):
   * two runs would compete for the same keys, and VS Code would not start a second task
   * with an identical definition at all (it answers "already active" and never calls the
   * execution), so each run's definition also carries an id of its own.
   */
  async run(request: PopulateRequest): Promise<PopulateOutcome> {
    const key = runKey(request);
    if (this.runs.has(key)) throw new PopulateAlreadyRunningError(request.className);
    const taskName = `Populate ${request.className}`;
    // Each run's task is new to VS Code, which keeps every ended task's terminal (exit
    // status unset, for reuse by the same task): the table's previous run gives its
    // terminal up, as the one dedicated terminal was reused when the task was the same.
    this.endedTerminals.get(key)?.dispose();
    this.endedTerminals.delete(key);
    // Its terminal: the one with the task's name that opens after the task starts.
    const before = new Set(vscode.window.terminals);
    let terminal: vscode.Terminal | undefined;
    const find = () => (terminal ??= vscode.window.terminals.find((t) => !before.has(t) && isTaskTerminal(t, taskName)));
    const entry: RunEntry = { terminal: find };
    this.runs.set(key, entry);
    try {
      return await this.runTask(request, taskName, entry);
    } finally {
      this.runs.delete(key);
      const ended = find();
      if (ended) this.endedTerminals.set(key, ended);
    }
  }

  private async runTask(given: PopulateRequest, taskName: string, entry: RunEntry): Promise<PopulateOutcome> {
    const creds = await this.db.credentials();
    if (!creds) throw new Error('Not connected to a database: run "DataJoint: Connect" first.');
    const spilled = spillLongRestrictions(given.options);
    try {
      return await this.runSpilled({ ...given, options: spilled.options }, given, taskName, entry, creds);
    } finally {
      spilled.dispose();
    }
  }

  /** `request` is what runs (long restrictions in files); `given` what the caller asked, as events and the outcome report it. */
  private async runSpilled(request: PopulateRequest, given: PopulateRequest, taskName: string, entry: RunEntry, creds: Credentials): Promise<PopulateOutcome> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.module)) ?? vscode.workspace.workspaceFolders?.[0];
    const cwd = folder?.uri.fsPath ?? process.cwd();
    const launch: Launch = request.python
      ? {
          command: request.python.interpreter.executable,
          args: pythonPopulateArgs(request.python, request, cwd),
          // The runner's first line says which Python and DataJoint run.
          header: undefined,
          what: `Python (${request.python.interpreter.executable})`,
        }
      : (() => {
          const args = populateArgs(this.cliPath, request);
          return { command: process.execPath, args, header: `\x1b[1m${CLI_NAME}\x1b[0m ${shownArgs(args).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`, what: 'the DataJoint CLI' };
        })();
    const events: PopulateEvent[] = [];
    let terminal: PopulateTerminal | undefined;
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    const listeners = new Set<(e: PopulateEvent) => void>();

    const task = new vscode.Task(
      { type: TASK_TYPE, table: request.className, module: vscode.workspace.asRelativePath(request.module), run: `${process.pid}-${this.nextRun++}` },
      folder ?? vscode.TaskScope.Workspace,
      taskName,
      'DataJoint',
      new vscode.CustomExecution(async () => {
        terminal = new PopulateTerminal(launch, (columns) => populateEnv(creds, columns, request.python), cwd, (e) => {
          events.push(e);
          listeners.forEach((l) => l(e));
          this.eventEmitter.fire(e);
        }, resolveExit);
        entry.pty = terminal;
        return terminal;
      }),
    );
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, echo: false };
    task.isBackground = false;

    this.active++;
    this.startEmitter.fire(given);
    this.output.info(`Populate ${request.className} from ${vscode.workspace.asRelativePath(request.module)}${request.python ? ` with ${request.python.interpreter.executable} (DataJoint ${request.python.probe.datajoint})` : ''}`);
    try {
      await vscode.tasks.executeTask(task);
      const exitCode = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Populating ${request.className}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => terminal?.stop());
          let shown = 0;
          const follow = (e: PopulateEvent) => {
            if (e.event === 'start') progress.report({ message: `${e.total} key(s)` });
            if (e.event === 'progress' && e.total > 0) {
              const pct = ((e.done + e.failed) / e.total) * 100;
              progress.report({ increment: pct - shown, message: `${e.done + e.failed}/${e.total}${e.failed ? `, ${e.failed} failed` : ''}` });
              shown = pct;
            }
          };
          // Events that came while the task was starting, then the rest as they come.
          events.forEach(follow);
          listeners.add(follow);
          return exited;
        },
      );
      const end = events.find((e): e is Extract<PopulateEvent, { event: 'end' }> => e.event === 'end');
      const outcome: PopulateOutcome = {
        request: given,
        exitCode,
        successCount: end?.successCount ?? 0,
        errorCount: end?.errorCount ?? 0,
        interrupted: end?.interrupted ?? null,
        transcript: terminal?.transcript ?? '',
        events,
        columns: terminal?.columns,
      };
      this.output.info(`Populate ${request.className}: exit ${exitCode}, ${outcome.successCount} done, ${outcome.errorCount} failed`);
      this.endEmitter.fire(outcome);
      return outcome;
    } finally {
      this.active--;
    }
  }

  dispose(): void {
    this.startEmitter.dispose();
    this.endEmitter.dispose();
    this.eventEmitter.dispose();
  }
}
