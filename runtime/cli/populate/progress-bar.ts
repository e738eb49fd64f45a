// The progress bar of `djx populate` (count, rate, ETA, errors), drawn on stderr from the
// run's events. `--progress always` draws it even when stderr is not a terminal — the
// VS Code pseudoterminal reads the CLI through pipes — with the width the caller gives in
// COLUMNS; the control sequences are the same as on a terminal, so whatever shows the
// output as a terminal renders one redrawn line.
import { format } from 'node:util';
import type { PopulateEvent } from '../../populate/events';

export type ProgressMode = 'auto' | 'always' | 'never';

export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'always', 'never'];

/** `--progress <mode>` and `--no-progress` (false) to a decision. */
export function wantsBar(mode: ProgressMode | false | undefined, jsonOnStdout: boolean): boolean {
  if (mode === false || mode === 'never') return false;
  if (mode === 'always') return true;
  // auto: only on a terminal, and not when stdout carries the --json events.
  return !jsonOnStdout && Boolean(process.stderr.isTTY);
}

/** COLUMNS from the environment, when it is a sensible width. */
export function columnsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.COLUMNS);
  return Number.isInteger(n) && n >= 20 && n <= 1000 ? n : undefined;
}

interface BarStream {
  isTTY: boolean;
  columns: number;
  write(chunk: string, cb?: (err?: Error | null) => void): boolean;
}

interface Bar {
  start(total: number, value: number, payload: object): void;
  update(value: number, payload: object): void;
  setTotal(total: number): void;
  stop(): void;
  render(): void;
  /** cli-progress redraws only a changed line; cleared to force a redraw. */
  lastDrawnString: string | null;
}

/** Width of everything on the bar's line but the bar itself, for a given total. */
function textWidth(total: number): number {
  const digits = String(Math.max(total, 1)).length;
  // `<table:20> <bar> n/total | 9999.9/s | ETA 1h10m | errors n`
  return 21 + 1 + 2 * digits + 1 + 3 + 8 + 2 + 3 + 9 + 3 + 7 + digits;
}

export class PopulateProgressBar {
  private bar?: Bar;
  /** Between start and stop: render() outside of it would restart cli-progress's timer. */
  private active = false;
  private n = 0;
  private failed = 0;
  private total = 0;
  private started = performance.now();
  private readonly stream: BarStream;
  private restoreConsole?: () => void;
  private readonly onExit = () => this.stop();

  constructor(private readonly table: string) {
    const tty = process.stderr.isTTY;
    const fixed = columnsFromEnv() ?? 80;
    this.stream = {
      isTTY: true,
      // A real terminal reports its own (changing) width; a pipe gets the caller's.
      get columns() {
        return tty ? process.stderr.columns : fixed;
      },
      // cli-progress saves the cursor at start and restores it at stop: after lines logged
      // above the bar that would put the summary over them, so the pair is left out.
      write: (chunk: string, cb?: (err?: Error | null) => void) => (chunk === '\x1b7' || chunk === '\x1b8' ? (cb?.(), true) : process.stderr.write(chunk, cb)),
    };
  }

  /** Loads cli-progress (only runs that draw a bar pay for it). */
  async ready(): Promise<void> {
    const { SingleBar, Presets } = await import('cli-progress');
    const columns = this.stream.columns || 80;
    const barsize = Math.max(10, Math.min(40, columns - textWidth(this.total || 9999)));
    this.bar = new SingleBar(
      {
        format: `${this.table.padEnd(20)} {bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | errors {errors}`,
        stream: this.stream as unknown as NodeJS.WritableStream,
        hideCursor: true,
        // Cut at the terminal's width rather than wrap: a wrapped line cannot be redrawn.
        linewrap: true,
        barsize,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    ) as unknown as Bar;
  }

  onEvent(e: PopulateEvent): void {
    const bar = this.bar;
    if (!bar) return;
    switch (e.event) {
      case 'start':
        this.total = e.total;
        this.started = performance.now();
        bar.start(e.total, 0, { rate: '0.0', errors: 0 });
        this.active = true;
        this.keepLogsAboveBar();
        // A second Ctrl-C leaves through process.exit: give the cursor back.
        process.once('exit', this.onExit);
        break;
      case 'keyDone':
        this.n++;
        this.update();
        break;
      case 'keyFailed':
        this.n++;
        this.failed++;
        this.update();
        // Failures show as they happen, above the bar (the summary lists the first ten).
        this.above(`\x1b[31m✗\x1b[0m ${JSON.stringify(e.key)}: ${e.error.split('\n')[0]}\n`);
        break;
      case 'progress':
        this.n = e.done + e.failed;
        this.failed = e.failed;
        this.update(e.total);
        break;
      case 'end':
        this.update();
        this.stop();
        break;
    }
  }

  private update(total?: number): void {
    if (total !== undefined && total !== this.total) this.total = total;
    if (this.n > this.total) this.total = this.n;
    this.bar!.setTotal(this.total);
    const elapsed = (performance.now() - this.started) / 1000;
    this.bar!.update(this.n, { rate: (elapsed > 0 ? this.n / elapsed : 0).toFixed(1), errors: this.failed });
  }

  /** Text on the bar's line, which is drawn again below it. */
  private above(text: string | (() => void)): void {
    if (!this.active) {
      if (typeof text === 'string') this.stream.write(text);
      else text();
      return;
    }
    this.stream.write('\r\x1b[2K');
    if (typeof text === 'string') this.stream.write(text);
    else text();
    this.bar!.lastDrawnString = null;
    this.bar!.render();
  }

  /**
   * Lines that make() logs in this process go above the bar. When stderr is not a terminal
   * (`--progress always` through pipes, as the extension runs it), console.log/info/debug
   * would reach stdout, a second pipe whose order against the bar's is lost on the way:
   * the lines then go to stderr too, whole, between clearing the bar and redrawing it.
   */
  private keepLogsAboveBar(): void {
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((m) => console[m]);
    const toStderr = !process.stderr.isTTY;
    methods.forEach((m, i) => {
      console[m] = toStderr
        ? (...args: unknown[]) => this.above(`${format(...args)}\n`)
        : (...args: unknown[]) => this.above(() => saved[i]!.apply(console, args));
    });
    this.restoreConsole = () => methods.forEach((m, i) => (console[m] = saved[i]!));
  }

  stop(): void {
    this.active = false;
    process.off('exit', this.onExit);
    this.restoreConsole?.();
    this.restoreConsole = undefined;
    this.bar?.stop();
  }
}
