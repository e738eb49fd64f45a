// Runs extension tests in a real VS Code with no internet: VS Code's own server from the
// npm package code-server (see prepare-offline.mjs), shown in Debian's Chromium driven by
// playwright-core. Steps follow shared/notes/vscode-offline-harness.md.
//
//   node scripts/vscode/run-offline.mjs --tests <compiled index.js> --workspace <folder>
//        [--extension <folder>|none] [--vsix <file.vsix>] [--timeout <seconds without a line of output>] [--screenshots <folder>]
//
// The tests' module exports run(); the workbench reports its outcome through
// codeAutomationExit. Tests can ask for a screenshot of the window by creating
// `<DJ_VSCODE_SCREENSHOT_DIR>/<name>.request`; the launcher answers with `<name>.png`.
// They can type into the window like a user with `<name>.keys` ({"text", "enter",
// "waitFor": a CSS selector that must be visible first, e.g. the quick input}).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'node:net';
import { prepareOffline, isPrepared, serverMain } from './prepare-offline.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.DJ_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Settings of the test profile. Trust is off because test mode refuses the trust prompt
// and the window would otherwise open in Restricted Mode.
const TEST_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`VS Code server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`VS Code server did not answer on ${url} within ${timeoutMs / 1000} s`);
}

// Stops a process group started detached, politely first.
async function stopGroup(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timedOut = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(r, 5000).unref()).then(() => true)]);
  if (timedOut) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/**
 * Runs the tests once. Returns { exitCode, logFile, screenshots, reason }:
 * exitCode is the test run's (0 = all passed); reason explains a non-test failure
 * (timeout, crash). Never throws for test failures; throws for a broken setup.
 */
export async function runOffline({
  extensionTestsPath,
  workspace,
  extensionDevelopmentPath = repoRoot,
  // Not a bound on the run's length (a loaded machine is slow, not broken): the run is
  // given up only after this long without a line from the workbench, the extension host
  // or the server, which a hung window would be.
  timeoutMs = 600_000,
  screenshotsDir = join(repoRoot, 'test-results', 'vscode'),
  env = {},
  userSettings = {},
  installVsix = [],
  say = (line) => console.log(line),
}) {
  if (!extensionTestsPath || !existsSync(extensionTestsPath)) throw new Error(`run-offline: no compiled tests at ${extensionTestsPath}`);
  if (!workspace || !existsSync(workspace)) throw new Error(`run-offline: no workspace folder at ${workspace}`);
  if (!existsSync(CHROMIUM)) throw new Error(`run-offline: Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set DJ_CHROMIUM)`);
  if (!isPrepared()) await prepareOffline({ say });
  // Loaded lazily so that importing this module (for its helpers) costs nothing.
  const { chromium } = await import('playwright-core');

  mkdirSync(screenshotsDir, { recursive: true });
  // Pictures of an earlier run would be mistaken for this one's.
  for (const f of readdirSync(screenshotsDir)) if (f.endsWith('.request') || f.endsWith('.keys') || f.endsWith('.png')) unlinkSync(join(screenshotsDir, f));
  const tmp = mkdtempSync(join(tmpdir(), 'dj-vscode-'));
  const userDataDir = join(tmp, 'user-data');
  const serverDataDir = join(tmp, 'server-data');
  const extensionsDir = join(tmp, 'extensions');
  // The web workbench reads the user's settings from the server's user-data folder.
  for (const dir of [join(userDataDir, 'User'), join(serverDataDir, 'data', 'User'), join(serverDataDir, 'data', 'Machine'), extensionsDir]) {
    mkdirSync(dir, { recursive: true });
  }
  const settings = JSON.stringify({ ...TEST_SETTINGS, ...userSettings }, null, 2);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), settings);
  writeFileSync(join(serverDataDir, 'data', 'User', 'settings.json'), settings);
  writeFileSync(join(serverDataDir, 'data', 'Machine', 'settings.json'), settings);

  // VS Code runs extension tests only in a development window; to test installed
  // extensions alone, the development folder is an empty extension of our own.
  let developmentPath = extensionDevelopmentPath;
  if (!developmentPath) {
    developmentPath = join(tmp, 'test-host');
    mkdirSync(developmentPath);
    writeFileSync(join(developmentPath, 'package.json'), JSON.stringify({ name: 'test-host', publisher: 'dj-tests', version: '0.0.0', engines: { vscode: '*' } }));
  }
  const logFile = join(screenshotsDir, 'vscode.log');
  const log = createWriteStream(logFile, { flags: 'w' });
  const port = await freePort();
  let server;
  let browser;
  let watcher;
  // Called on every line of output: pushes the no-sign-of-life deadline back.
  let onActivity = () => {};
  let killOnExit;
  const screenshots = [];
  try {
    // The extension host is a child of this server and inherits its environment: that
    // is how database settings and the screenshot folder reach the tests.
    // An installed .vsix instead of (or beside) the development folder: installed into
    // this run's extensions folder by VS Code's own CLI, as a user would install it.
    for (const vsix of installVsix) {
      const installed = spawnSync(process.execPath, [serverMain, '--install-extension', resolve(vsix), '--force', '--accept-server-license-terms',
        '--user-data-dir', userDataDir, '--server-data-dir', serverDataDir, '--extensions-dir', extensionsDir], { encoding: 'utf8', timeout: 120_000 });
      log.write(`[install ${vsix}] ${installed.stdout ?? ''}${installed.stderr ?? ''}\n`);
      if (installed.status !== 0) throw new Error(`run-offline: installing ${vsix} failed (exit ${installed.status}); see ${logFile}`);
    }
    server = spawn(
      process.execPath,
      [serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
        '--user-data-dir', userDataDir, '--server-data-dir', serverDataDir, '--extensions-dir', extensionsDir],
      { detached: true, env: { ...process.env, ...env, DJ_VSCODE_SCREENSHOT_DIR: screenshotsDir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // If this process dies first (Ctrl-C, a test runner's timeout), take the server along.
    const pid = server.pid;
    killOnExit = () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already stopped */
      }
    };
    process.once('exit', killOnExit);
    server.stdout.on('data', (d) => {
      onActivity();
      log.write(`[server] ${d}`);
    });
    server.stderr.on('data', (d) => {
      onActivity();
      log.write(`[server] ${d}`);
    });
    await waitForHttp(`http://127.0.0.1:${port}/version`, server, 60_000);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let settle;
    const exited = new Promise((r) => (settle = r));
    await page.exposeFunction('codeAutomationExit', (code) => settle({ exitCode: Number(code) }));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      onActivity();
      log.write(`[workbench:${type}] ${Array.isArray(args) ? args.join(' ') : String(args)}\n`);
    });
    // codeAutomationLog already carries the workbench's own log lines; keep only the
    // page's errors and warnings from the console (failed loads, script errors).
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log.write(`[console:${m.type()}] ${m.text()}\n`);
    });
    page.on('pageerror', (e) => log.write(`[pageerror] ${e.stack ?? e.message}\n`));
    page.on('crash', () => settle({ exitCode: 1, reason: 'the browser page crashed' }));

    const takeShot = async (name) => {
      const file = join(screenshotsDir, `${name}.png`);
      try {
        await page.screenshot({ path: file });
        screenshots.push(file);
      } catch (e) {
        log.write(`[launcher] screenshot ${name} failed: ${e.message}\n`);
      }
      return file;
    };
    // Screenshot requests from the tests, answered one at a time.
    let busy = false;
    watcher = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        for (const f of readdirSync(screenshotsDir)) {
          if (f.endsWith('.keys')) {
            // Typing request: what a user would type into the focused input (a password
            // prompt, a quick pick). The file is removed once the keys are sent.
            const file = join(screenshotsDir, f);
            try {
              const { text, enter, waitFor } = JSON.parse(readFileSync(file, 'utf8'));
              // Typing before the prompt has focus would send the keys to the editor.
              if (waitFor) await page.waitForSelector(waitFor, { state: 'visible', timeout: 15_000 });
              await page.keyboard.type(String(text ?? ''));
              if (enter) await page.keyboard.press('Enter');
            } catch (e) {
              log.write(`[launcher] typing request ${f} failed: ${e.message}\n`);
            }
            rmSync(file, { force: true });
            continue;
          }
          if (!f.endsWith('.request')) continue;
          const name = f.slice(0, -'.request'.length);
          await takeShot(name);
          rmSync(join(screenshotsDir, f), { force: true });
        }
      } finally {
        busy = false;
      }
    }, 200);

    const remote = `vscode-remote://127.0.0.1:${port}`;
    const payload = [
      ['extensionDevelopmentPath', remote + resolve(developmentPath)],
      ['extensionTestsPath', remote + resolve(extensionTestsPath)],
      ['skipWelcome', 'true'],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(remote + resolve(workspace))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    say(`run-offline: VS Code on port ${port}, log ${logFile}`);
    await page.goto(url);

    let timer;
    const timedOut = new Promise((r) => {
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => r({ exitCode: 1, reason: `no sign of life for ${timeoutMs / 1000} s` }), timeoutMs);
      };
      arm();
      onActivity = arm;
    });
    const outcome = await Promise.race([exited, timedOut]);
    onActivity = () => {};
    clearTimeout(timer);
    clearInterval(watcher);
    if (outcome.exitCode !== 0) await takeShot('failure');
    return { ...outcome, logFile, screenshots };
  } finally {
    clearInterval(watcher);
    if (browser) await browser.close().catch(() => {});
    await stopGroup(server);
    if (killOnExit) process.removeListener('exit', killOnExit);
    await new Promise((r) => log.end(r));
    rmSync(tmp, { recursive: true, force: true });
  }
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    out[key] = argv[i + 1];
    i++;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = parseArgs(process.argv.slice(2));
  runOffline({
    extensionTestsPath: a.tests && resolve(a.tests),
    workspace: a.workspace && resolve(a.workspace),
    extensionDevelopmentPath: a.extension === 'none' ? null : a.extension ? resolve(a.extension) : repoRoot,
    installVsix: a.vsix ? [resolve(a.vsix)] : [],
    timeoutMs: a.timeout ? Number(a.timeout) * 1000 : undefined,
    screenshotsDir: a.screenshots ? resolve(a.screenshots) : undefined,
  }).then(
    (r) => {
      console.log(`run-offline: exit code ${r.exitCode}${r.reason ? ` (${r.reason})` : ''}; log ${r.logFile}`);
      process.exit(r.exitCode);
    },
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
