// Runs the bundled `dj populate` for one table as a VS Code Task whose CustomExecution is
// a pseudoterminal: the CLI is spawned with the editor's own Node (process.execPath with
// ELECTRON_RUN_AS_NODE=1), the workspace root as cwd and the table's source file as the
// pipeline module. Credentials go in the child's environment (DJ_HOST, DJ_PORT, DJ_USER,
// DJ_PASS), never on its command line.
//
// Side channel: `dj populate --json` writes its events (runtime/populate/events.ts) on
// stdout and everything else on stderr; the CLI has no flag yet to send events to another
// fd while drawing its own bar. So the child's stdout is the extension's event channel,
// the terminal shows a progress bar rendered from those events plus the child's stderr,
// and a progress notification with Cancel follows the same events. Cancel and Ctrl-C in
// the terminal send SIGINT once (the CLI stops gracefully); a second one sends SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { parseEvent, type PopulateEvent } from '../../runtime/populate/events';
import type { ComputationsDatabase, Credentials } from '../jobs/computationsDatabase';

export interface PopulateOptions {
  reserveJobs?: boolean;
  processes?: number;
  limit?: number;
  suppressErrors?: boolean;
  /** SQL conditions or JSON objects/arrays, combined with AND (the CLI's --restriction). */
  restrictions?: string[];
}

export interface PopulateRequest {
  /** Class name of the Computed/Imported table. */
  className: string;
  /** Absolute path of the pipeline module (.ts/.js) exporting it. */
  module: string;
  options: PopulateOptions;
}

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
}

const TASK_TYPE = 'datajoint-populate';

/** The CLI's arguments for a request (never credentials). */
export function populateArgs(cli: string, r: PopulateRequest): string[] {
  const o = r.options;
  const args = [cli, 'populate', r.module, r.className, '--json'];
  for (const c of o.restrictions ?? []) args.push('--restriction', c);
  if (o.limit !== undefined) args.push('--limit', String(o.limit));
  if (o.reserveJobs) args.push('--reserve-jobs');
  if (o.processes !== undefined && o.processes > 1) args.push('--processes', String(o.processes));
  if (o.suppressErrors) args.push('--suppress-errors');
  return args;
}

export function populateEnv(creds: Credentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  env.DJ_HOST = creds.target.host;
  env.DJ_PORT = String(creds.target.port);
  env.DJ_USER = creds.target.user;
  env.DJ_PASS = creds.password;
  if (creds.target.tls !== undefined) env.DJ_USE_TLS = String(creds.target.tls);
  else delete env.DJ_USE_TLS;
  return env;
}

function bar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** The pseudoterminal of one run: spawns the CLI, renders its events, reports them. */
class PopulateTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private child: ChildProcess | undefined;
  private barShown = false;
  private signals = 0;
  transcript = '';

  constructor(
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
    private readonly onEvent: (e: PopulateEvent) => void,
    private readonly onExit: (code: number) => void,
  ) {}

  private write(text: string): void {
    this.transcript += text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r(?!\n)/g, '');
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  /** Text above the bar: the bar's line is cleared first. */
  private line(text: string): void {
    if (this.barShown) this.writeEmitter.fire('\r\x1b[2K');
    this.barShown = false;
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  open(): void {
    this.write(`\x1b[1mdj populate\x1b[0m ${this.args.slice(2).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, this.args, { cwd: this.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      this.finish(2, `Cannot start the DataJoint CLI: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.child = child;
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const text = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const event = parseEvent(text);
        if (event) this.render(event);
        else if (text.trim()) this.line(text);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.line(chunk));
    child.on('error', (e) => this.finish(2, `Cannot start the DataJoint CLI: ${e.message}`));
    child.on('close', (code, signal) => this.finish(code ?? (signal === 'SIGINT' ? 130 : 1)));
  }

  private render(e: PopulateEvent): void {
    this.onEvent(e);
    switch (e.event) {
      case 'start':
        this.line(`${e.table} (${e.schema}): ${e.total} key(s) to compute, ${e.mode === 'reserved' ? 'reserving jobs' : 'direct'}, ${e.processes} process(es)`);
        this.drawBar(0, 0, e.total, null);
        break;
      case 'keyFailed':
        this.line(`\x1b[31m✗\x1b[0m ${JSON.stringify(e.key)}: ${e.error}`);
        break;
      case 'progress':
        this.drawBar(e.done, e.failed, e.total, e.etaSeconds, e.rate);
        break;
      case 'end':
        this.line(
          `${e.successCount} done, ${e.errorCount} failed${e.interrupted ? `, stopped by ${e.interrupted}` : ''} in ${(e.durationMs / 1000).toFixed(1)} s`,
        );
        break;
      case 'keyDone':
        break;
    }
  }

  private drawBar(done: number, failed: number, total: number, eta: number | null, rate?: number): void {
    const text = `${bar(done + failed, total)} ${done + failed}/${total}${failed ? ` (${failed} failed)` : ''}${rate ? ` ${rate.toFixed(1)}/s` : ''}${eta !== null && eta > 0 ? ` eta ${eta.toFixed(0)} s` : ''}`;
    this.writeEmitter.fire(`\r\x1b[2K${text}`);
    this.barShown = true;
  }

  private finished = false;
  private finish(code: number, message?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (message) this.line(`\x1b[31m${message}\x1b[0m`);
    const meaning = code === 0 ? 'all keys done' : code === 1 ? 'some keys failed' : code === 130 ? 'stopped' : 'could not run';
    this.line(`\n[exit code ${code}: ${meaning}]`);
    this.onExit(code);
    this.closeEmitter.fire(code);
  }

  /** Graceful stop first (the CLI rolls back the make in progress), then at once. */
  stop(): void {
    if (!this.child || this.child.exitCode !== null) return;
    this.signals++;
    this.line(this.signals === 1 ? 'Stopping after the current key…' : 'Stopping now.');
    this.child.kill(this.signals === 1 ? 'SIGINT' : 'SIGTERM');
  }

  handleInput(data: string): void {
    if (data === '\x03') this.stop();
  }

  close(): void {
    // The terminal was closed while the run goes on: stop it the same way.
    if (!this.finished) this.stop();
  }
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

  constructor(
    private readonly cliPath: string,
    private readonly db: ComputationsDatabase,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.active > 0;
  }

  /** Runs populate in a terminal with a progress notification; resolves when it ends. */
  async run(request: PopulateRequest): Promise<PopulateOutcome> {
    const creds = await this.db.credentials();
    if (!creds) throw new Error('Not connected to a database: run "DataJoint: Connect" first.');
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.module)) ?? vscode.workspace.workspaceFolders?.[0];
    const cwd = folder?.uri.fsPath ?? process.cwd();
    const args = populateArgs(this.cliPath, request);
    const events: PopulateEvent[] = [];
    let terminal: PopulateTerminal | undefined;
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    const listeners = new Set<(e: PopulateEvent) => void>();

    const task = new vscode.Task(
      { type: TASK_TYPE, table: request.className, module: vscode.workspace.asRelativePath(request.module) },
      folder ?? vscode.TaskScope.Workspace,
      `Populate ${request.className}`,
      'DataJoint',
      new vscode.CustomExecution(async () => {
        terminal = new PopulateTerminal(args, populateEnv(creds), cwd, (e) => {
          events.push(e);
          listeners.forEach((l) => l(e));
          this.eventEmitter.fire(e);
        }, resolveExit);
        return terminal;
      }),
    );
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, echo: false };
    task.isBackground = false;

    this.active++;
    this.startEmitter.fire(request);
    this.output.info(`Populate ${request.className} from ${vscode.workspace.asRelativePath(request.module)}`);
    try {
      await vscode.tasks.executeTask(task);
      const exitCode = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Populating ${request.className}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => terminal?.stop());
          let shown = 0;
          listeners.add((e) => {
            if (e.event === 'start') progress.report({ message: `${e.total} key(s)` });
            if (e.event === 'progress' && e.total > 0) {
              const pct = ((e.done + e.failed) / e.total) * 100;
              progress.report({ increment: pct - shown, message: `${e.done + e.failed}/${e.total}${e.failed ? `, ${e.failed} failed` : ''}` });
              shown = pct;
            }
          });
          return exited;
        },
      );
      const end = events.find((e): e is Extract<PopulateEvent, { event: 'end' }> => e.event === 'end');
      const outcome: PopulateOutcome = {
        request,
        exitCode,
        successCount: end?.successCount ?? 0,
        errorCount: end?.errorCount ?? 0,
        interrupted: end?.interrupted ?? null,
        transcript: terminal?.transcript ?? '',
        events,
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
