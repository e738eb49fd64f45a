// `djx populate --json-events <fd|path>`: the events of runtime/populate/events.ts, one JSON
// object per line, on a side channel (an inherited file descriptor >= 3, or a file) while
// stdout/stderr stay human output. Writes are synchronous on purpose: events keep their
// order and none is lost when the process exits early (a second Ctrl-C calls
// process.exit; exit codes 1/2 leave before stream buffers would drain).
import { closeSync, fstatSync, openSync, readFileSync, readdirSync, readlinkSync, writeSync } from 'node:fs';
import type { PopulateEvent } from '../../populate/events';
import { ERROR_PREFIX } from '../name';

/** A bad --json-events value: the CLI exits 2 with this message. */
export class EventSinkError extends Error {
  override name = 'EventSinkError';
  readonly code = 'usage';
  toOneLine(): string {
    return this.message;
  }
}

export interface EventSink {
  write(event: PopulateEvent): void;
  close(): void;
  /** Writing stopped for good (the reader went away, or stopped reading). */
  readonly stopped: boolean;
}

export interface EventSinkOptions {
  /** How long a full non-blocking pipe may go undrained before events stop (ms). */
  stallMs?: number;
}

/** A reader that has not taken a byte for this long is taken for gone. */
export const STALL_MS = 30_000;

const FD = /^\d+$/;

/** Opens the side channel named by `--json-events`; throws EventSinkError when unusable. */
export function openEventSink(spec: string, options: EventSinkOptions = {}): EventSink {
  const stallMs = options.stallMs ?? STALL_MS;
  if (FD.test(spec)) {
    const fd = Number(spec);
    if (fd < 3) throw new EventSinkError(`--json-events ${spec}: file descriptors 0-2 are stdin, stdout and stderr; give a descriptor >= 3 or a file path (./${spec} for a file named ${spec})`);
    const notPassed = `--json-events ${spec}: file descriptor ${fd} is not open for writing (the caller must pass it to dj)`;
    try {
      fstatSync(fd);
      // Node opens its own descriptors at the lowest free numbers: writing to one of them
      // would corrupt its event loop, so only what the caller handed down is accepted.
      const own = nodesOwn(fd);
      if (own === 'node') throw new EventSinkError(notPassed);
      if (own === 'bothEnds') {
        throw new EventSinkError(
          `--json-events ${spec}: file descriptor ${fd} is not one the caller passed to djx: it is a pipe whose reading end djx holds too (Node's own, or one the caller left open), so djx would be writing to itself`,
        );
      }
      // A zero-length write fails with EBADF when the descriptor is not open for writing.
      writeSync(fd, Buffer.alloc(0));
    } catch (e) {
      if (e instanceof EventSinkError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new EventSinkError(
        code === 'EBADF' ? notPassed : `--json-events ${spec}: cannot write to file descriptor ${fd} (${code ?? String(e)})`,
      );
    }
    return new FdSink(fd, false, stallMs);
  }
  if (spec.trim() === '') throw new EventSinkError('--json-events expects a file descriptor number >= 3 or a file path');
  let fd: number;
  try {
    fd = openSync(spec, 'w');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new EventSinkError(`--json-events ${spec}: cannot open the file for writing (${err.code ?? err.message})`);
  }
  return new FdSink(fd, true, stallMs);
}

/**
 * Linux: whose descriptor `fd` is. Node opens its own at the lowest free numbers, before
 * any user code runs: epoll and eventfd descriptors, and pipes it holds both ends of (its
 * signal and wake-up pipes). A caller's descriptor is one end only — `3>&1 4>&3 | cat`
 * gives dj three descriptors of one pipe, all of them the writing end, and is accepted.
 * `bothEnds`: a pipe's writing end whose reading end this process holds too, Node's own
 * or the caller's leak; either way what dj writes there, dj itself would have to read.
 * Elsewhere (no /proc) nothing is known and the descriptor is taken as passed.
 */
function nodesOwn(fd: number): 'node' | 'bothEnds' | 'passed' {
  const link = safeReadlink(`/proc/self/fd/${fd}`);
  if (link === undefined) return 'passed';
  if (link.startsWith('anon_inode:')) return 'node';
  // Anonymous pipes (pipe:[inode]) and named ones (their path) alike.
  if (!link.startsWith('pipe:') && !isFifo(fd)) return 'passed';
  const mode = accessMode(fd);
  // A reading end: the zero-length write refuses it as not open for writing.
  if (mode === undefined || mode === O_RDONLY) return 'passed';
  let others: string[];
  try {
    others = readdirSync('/proc/self/fd').filter((n) => Number(n) !== fd && safeReadlink(`/proc/self/fd/${n}`) === link);
  } catch {
    return 'passed';
  }
  return others.some((n) => accessMode(Number(n)) === O_RDONLY) ? 'bothEnds' : 'passed';
}

const O_RDONLY = 0;

function isFifo(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}

/** O_RDONLY, O_WRONLY or O_RDWR of a descriptor, from /proc/self/fdinfo (octal flags). */
function accessMode(fd: number): number | undefined {
  try {
    const m = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? parseInt(m[1]!, 8) & 3 : undefined;
  } catch {
    return undefined;
  }
}

function safeReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

class FdSink implements EventSink {
  private gone = false;
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly fd: number,
    private readonly owned: boolean,
    private readonly stallMs: number,
  ) {}

  get stopped(): boolean {
    return this.gone;
  }

  write(event: PopulateEvent): void {
    if (this.gone) return;
    const bytes = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
    let off = 0;
    let stalledSince: number | undefined;
    while (off < bytes.length) {
      try {
        off += writeSync(this.fd, bytes, off, bytes.length - off);
        stalledSince = undefined;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A descriptor someone made non-blocking: wait for the reader, keep the order —
        // but not for ever: a reader that takes nothing for stallMs is gone for us.
        if (code === 'EAGAIN') {
          const now = performance.now();
          stalledSince ??= now;
          if (now - stalledSince < this.stallMs) {
            Atomics.wait(this.pause, 0, 0, 5);
            continue;
          }
          this.gone = true;
          process.stderr.write(`${ERROR_PREFIX}--json-events: nobody read the events for ${this.stallMs >= 1000 ? `${Math.round(this.stallMs / 1000)} s` : `${this.stallMs} ms`} (the pipe is full); stopped writing events, the run goes on\n`);
          return;
        }
        // The reader went away (EPIPE) or the disk is full: the run goes on without events.
        this.gone = true;
        process.stderr.write(`${ERROR_PREFIX}--json-events: stopped writing events (${code ?? String(e)})\n`);
        return;
      }
    }
  }

  close(): void {
    if (!this.owned || this.gone) return;
    this.gone = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
