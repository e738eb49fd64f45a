// `djx populate --stop-on-stdin`: stop requests as lines on stdin (`SIGINT`, `SIGTERM`), for
// callers that cannot signal a process the way the CLI expects: on Windows, Node's
// kill() terminates the process whatever the signal, so the VS Code extension asks
// through the child's stdin instead. A request goes through the same handlers as the
// signal (runtime/populate/interrupt.ts): the first stops after the key in progress, a
// second interrupts it (its job back to pending), a third exits at once.
import { createInterface, type Interface } from 'node:readline';

const REQUESTS = new Set(['SIGINT', 'SIGTERM']);

export function listenForStopRequests(input: NodeJS.ReadableStream = process.stdin): () => void {
  const lines: Interface = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const request = line.trim();
    if (!REQUESTS.has(request)) return;
    // Before populate installs its handlers (the pipeline still loading), a signal would
    // end the process: so does the request.
    if (process.listenerCount(request) === 0) process.exit(130);
    (process.emit as (event: string, ...args: unknown[]) => boolean)(request, request);
  });
  return () => {
    lines.close();
    // Stdin must not keep the process alive once the run is over.
    (input as NodeJS.ReadStream).destroy?.();
  };
}
