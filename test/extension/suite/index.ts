// Loaded by VS Code through `extensionTestsPath`: runs every compiled `*.suite.js` beside
// this file with mocha inside the extension host. Each test's outcome is also written,
// one JSON line per test, to DJ_VSCODE_RESULTS_FILE so that the node:test driver outside
// VS Code can report every test by name.
import Mocha from 'mocha';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { abandonWaits, pendingWaits } from './helpers';

export interface TestRecord {
  suite: string[];
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

function titlePath(test: Mocha.Runnable): { suite: string[]; title: string } {
  const path = test.titlePath();
  // A failing hook has no test title of its own; keep its full description.
  return { suite: path.slice(0, -1), title: path[path.length - 1] ?? test.title };
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.DJ_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).sort()) {
    if (file.endsWith('.suite.js')) mocha.addFile(join(__dirname, file));
  }
  const resultsFile = process.env.DJ_VSCODE_RESULTS_FILE;
  const record = (r: TestRecord) => {
    if (resultsFile) appendFileSync(resultsFile, JSON.stringify(r) + '\n');
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
        else resolve();
      });
      runner.on('pass', (t) => record({ ...titlePath(t), state: 'passed', durationMs: t.duration ?? 0 }));
      runner.on('pending', (t) => record({ ...titlePath(t), state: 'pending', durationMs: 0 }));
      runner.on('fail', (t, err: Error) => {
        // A test ended by its timeout says what it was still waiting for (helpers.ts waitFor
        // sets no deadline of its own), and those waits stop.
        const waits = pendingWaits();
        abandonWaits();
        if (waits.length && err && typeof err === 'object') {
          err.message = `${err.message}\n  while waiting for: ${waits.join('; ')}`;
          if (err.stack) err.stack = `${err.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
        }
        record({ ...titlePath(t), state: 'failed', durationMs: t.duration ?? 0, error: err?.stack ?? String(err) });
      });
    } catch (e) {
      reject(e);
    }
  });
}
