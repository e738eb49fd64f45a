// `djx lint … | head`: the reader of stdout (or stderr) went away. Like a Unix tool's
// SIGPIPE, the output ends quietly; unlike one, the command is not killed mid-way
// (a populate run would leave its key reserved), so it finishes and exits with its own
// code. Writes after the pipe closed are dropped.
const CLOSED_PIPE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

function tolerateClosed(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== undefined && CLOSED_PIPE.has(err.code)) return;
    throw err;
  });
}

/** Installed once by the CLI's entry, before any command writes. */
export function tolerateClosedOutput(): void {
  tolerateClosed(process.stdout);
  tolerateClosed(process.stderr);
}
