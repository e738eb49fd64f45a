// `dj populate --json-events <fd|path>`: the events of runtime/populate/events.ts, one JSON
// object per line, on a side channel (an inherited file descriptor >= 3, or a file) while
// stdout/stderr stay human output. Writes are synchronous on purpose: events keep their
// order and none is lost when the process exits early (a second Ctrl-C calls
// process.exit; exit codes 1/2 leave before stream buffers would drain).
import { closeSync, fstatSync, openSync, readdirSync, readlinkSync, writeSync } from 'node:fs';
import type { PopulateEvent } from '../../populate/events';

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
}

const FD = /^\d+$/;

/** Opens the side channel named by `--json-events`; throws EventSinkError when unusable. */
export function openEventSink(spec: string): EventSink {
  if (FD.test(spec)) {
    const fd = Number(spec);
    if (fd < 3) throw new EventSinkError(`--json-events ${spec}: file descriptors 0-2 are stdin, stdout and stderr; give a descriptor >= 3 or a file path (./${spec} for a file named ${spec})`);
    const notPassed = `--json-events ${spec}: file descriptor ${fd} is not open for writing (the caller must pass it to dj)`;
    try {
      fstatSync(fd);
      // Node opens its own descriptors at the lowest free numbers: writing to one of them
      // would corrupt its event loop, so only what the caller handed down is accepted.
      if (isNodesOwn(fd)) throw new EventSinkError(notPassed);
      // A zero-length write fails with EBADF when the descriptor is not open for writing.
      writeSync(fd, Buffer.alloc(0));
    } catch (e) {
      if (e instanceof EventSinkError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new EventSinkError(
        code === 'EBADF' ? notPassed : `--json-events ${spec}: cannot write to file descriptor ${fd} (${code ?? String(e)})`,
      );
    }
    return new FdSink(fd, false);
  }
  if (spec.trim() === '') throw new EventSinkError('--json-events expects a file descriptor number >= 3 or a file path');
  let fd: number;
  try {
    fd = openSync(spec, 'w');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new EventSinkError(`--json-events ${spec}: cannot open the file for writing (${err.code ?? err.message})`);
  }
  return new FdSink(fd, true);
}

/**
 * Linux: an epoll/eventfd descriptor, or one end of a pipe whose other end this process
 * also holds (outside stdin/stdout/stderr), is libuv's own. Elsewhere nothing is known.
 */
function isNodesOwn(fd: number): boolean {
  let link: string;
  try {
    link = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return false;
  }
  if (link.startsWith('anon_inode:')) return true;
  if (!link.startsWith('pipe:')) return false;
  try {
    return readdirSync('/proc/self/fd').some((n) => Number(n) > 2 && Number(n) !== fd && safeReadlink(`/proc/self/fd/${n}`) === link);
  } catch {
    return false;
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

  constructor(
    private readonly fd: number,
    private readonly owned: boolean,
  ) {}

  write(event: PopulateEvent): void {
    if (this.gone) return;
    const bytes = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(this.fd, bytes, off, bytes.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A descriptor someone made non-blocking: wait for the reader, keep the order.
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          continue;
        }
        // The reader went away (EPIPE) or the disk is full: the run goes on without events.
        this.gone = true;
        process.stderr.write(`dj: --json-events: stopped writing events (${code ?? String(e)})\n`);
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
