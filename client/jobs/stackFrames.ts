// The file locations in an error stack, for the job stack document's links: Node's
// `at fn (/path/file.ts:12:5)`, `at /path/file.js:3:1`, `file:///…` URLs, and Python's
// `File "/path/x.py", line 12`. Frames of the extension's own minified bundles (dist/)
// are dropped: they point into one long line of generated code that tells a user nothing,
// while the frames of the pipeline's own files around them stay. No vscode import:
// unit-tested (test/unit/client/stack-frames.test.ts).
import { fileURLToPath } from 'node:url';
import { isAbsolute, sep } from 'node:path';

export interface FrameLocation {
  /** Offsets in the text of the path (and its line/column suffix). */
  start: number;
  end: number;
  path: string;
  /** 1-based, when the stack gives them. */
  line?: number;
  column?: number;
}

const NODE_FRAME = /(?:\(|\bat (?:async )?)((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])[^():\n]*?(?:\.[\w]+)?):(\d+)(?::(\d+))?(?=\)|$)/gm;
const PYTHON_FRAME = /File "([^"\n]+)", line (\d+)/g;

function toPath(p: string): string | undefined {
  try {
    const path = p.startsWith('file://') ? fileURLToPath(p) : p;
    return isAbsolute(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Where the stack names a source file. */
export function frameLocations(text: string): FrameLocation[] {
  const out: FrameLocation[] = [];
  for (const m of text.matchAll(NODE_FRAME)) {
    const path = toPath(m[1]!);
    if (!path) continue;
    const start = m.index + m[0].indexOf(m[1]!);
    out.push({ start, end: m.index + m[0].length, path, line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined });
  }
  for (const m of text.matchAll(PYTHON_FRAME)) {
    const path = toPath(m[1]!);
    if (!path) continue;
    const start = m.index + m[0].indexOf(m[1]!);
    out.push({ start, end: start + m[1]!.length, path, line: Number(m[2]) });
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The stack without the frames of files under `bundleDir` (the extension's dist/): each
 * run of such frames becomes one line saying how many were left out.
 */
export function dropBundleFrames(stack: string, bundleDir: string): string {
  const dir = bundleDir.endsWith(sep) ? bundleDir : bundleDir + sep;
  const out: string[] = [];
  let dropped = 0;
  const flush = () => {
    if (dropped) out.push(`    … ${dropped} frame${dropped === 1 ? '' : 's'} of the DataJoint runtime's bundle left out`);
    dropped = 0;
  };
  for (const line of stack.split('\n')) {
    const frames = /^\s*at /.test(line) ? frameLocations(line) : [];
    if (frames.length && frames.every((f) => f.path.startsWith(dir))) {
      dropped++;
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return out.join('\n');
}
