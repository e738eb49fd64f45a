// Prepares a VS Code that runs with no internet: the one inside the npm package
// `code-server`, with its native modules built here and ripgrep taken from Debian.
// Steps follow shared/notes/vscode-offline-harness.md. code-server's own postinstall
// refuses root and downloads ripgrep, so its steps are done by hand.
//
//   node scripts/vscode/prepare-offline.mjs [--force]
//
// The result lives in .vscode-test/code-server (git-ignored). A stamp file records the
// version and the Node ABI it was built for; a matching stamp makes this a no-op, so CI
// pays the install once per machine/cache. Work happens in a staging folder that is
// renamed into place only when every step succeeded, so a failed run never leaves a
// half-prepared copy that later runs would trust.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

export const CODE_SERVER_VERSION = '4.100.3';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheRoot = join(repoRoot, '.vscode-test');
export const installDir = join(cacheRoot, 'code-server');
export const vscodeDir = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode');
export const serverMain = join(vscodeDir, 'out', 'server-main.js');
const stampFile = join(installDir, '.prepared.json');
const logFile = join(cacheRoot, 'prepare-offline.log');

// Native modules of VS Code's server, built against this Node (server-main runs on it).
const NATIVE_MODULES = ['node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid', 'native-watchdog', 'kerberos'];

function wantedStamp() {
  return { codeServer: CODE_SERVER_VERSION, nodeAbi: process.versions.modules, platform: process.platform, arch: process.arch };
}

/** True when a complete, matching copy is already in place. */
export function isPrepared() {
  try {
    const have = JSON.parse(readFileSync(stampFile, 'utf8'));
    const want = wantedStamp();
    return Object.entries(want).every(([k, v]) => have[k] === v) && existsSync(serverMain);
  } catch {
    return false;
  }
}

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

// npm ships node-gyp; using that copy avoids an `npx` download on a closed network.
function nodeGypScript() {
  const npm = which('npm');
  if (npm) {
    const candidate = join(dirname(realpathSync(npm)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (existsSync(candidate)) return candidate;
  }
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  return undefined;
}

// Node's headers: node-gyp would download them, which fails on a closed network. Use the
// configured npm nodedir, else the headers installed beside this Node (NodeSource and
// Debian packages put them in <prefix>/include/node).
function nodeHeadersDir() {
  const fromEnv = process.env.npm_config_nodedir;
  if (fromEnv && existsSync(join(fromEnv, 'include', 'node', 'node.h'))) return fromEnv;
  try {
    const configured = execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (configured && configured !== 'undefined' && existsSync(join(configured, 'include', 'node', 'node.h'))) return configured;
  } catch {
    /* npm config unavailable: fall through */
  }
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node.h'))) return prefix;
  return undefined;
}

function checkPrerequisites() {
  const missing = [];
  if (!which('npm')) missing.push('npm');
  if (!which('rg')) missing.push('ripgrep (`apt-get install -y ripgrep`)');
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) missing.push('krb5 headers (`apt-get install -y libkrb5-dev`)');
  for (const tool of ['make', 'g++', 'python3']) if (!which(tool)) missing.push(`${tool} (build-essential, python3)`);
  if (!nodeGypScript()) missing.push("node-gyp (normally bundled with npm)");
  if (missing.length) {
    throw new Error(`prepare-offline: missing prerequisites: ${missing.join(', ')}. Run scripts/system-deps.sh.`);
  }
}

/**
 * Runs a command, appending its output to the log. Rejects with the command and the log's
 * tail so a CI failure is readable without opening the log.
 */
function run(cmd, args, cwd, log) {
  return new Promise((resolvePromise, reject) => {
    log.write(`\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
    const child = spawn(cmd, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
    let tail = '';
    const keep = (chunk) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} exited with ${code}:\n${tail}`));
    });
  });
}

// Runs tasks with at most `limit` in flight; rejects with the first failure after all settle.
async function pool(items, limit, fn) {
  const queue = [...items];
  const errors = [];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}

// One preparation at a time per checkout (npm test and a manual run may overlap).
function acquireLock() {
  const lock = join(cacheRoot, 'prepare.lock');
  mkdirSync(cacheRoot, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = NaN;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* the holder has not written its pid yet */
      }
      let alive = true;
      if (Number.isFinite(pid)) {
        try {
          process.kill(pid, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      return undefined;
    }
  }
}

/**
 * Prepares the offline VS Code if needed. `say` receives one line per step.
 * Returns { vscodeDir, serverMain, seconds, cached }.
 */
export async function prepareOffline({ force = false, say = (line) => console.log(line) } = {}) {
  const started = Date.now();
  if (!force && isPrepared()) return { vscodeDir, serverMain, seconds: 0, cached: true };

  let release = acquireLock();
  while (!release) {
    say('prepare-offline: another preparation is running; waiting for it');
    await new Promise((r) => setTimeout(r, 5000));
    if (!force && isPrepared()) return { vscodeDir, serverMain, seconds: (Date.now() - started) / 1000, cached: true };
    release = acquireLock();
  }
  const log = createWriteStream(logFile, { flags: 'w' });
  try {
    checkPrerequisites();
    const staging = `${installDir}.staging`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const stagedVscode = join(staging, 'node_modules', 'code-server', 'lib', 'vscode');
    const step = async (name, fn) => {
      const t = Date.now();
      say(`prepare-offline: ${name} ...`);
      await fn();
      say(`prepare-offline: ${name} done (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    };

    writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'dj-offline-vscode', private: true }, null, 2));
    await step(`npm install code-server@${CODE_SERVER_VERSION}`, () =>
      run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], staging, log),
    );
    // VS Code's own dependencies and its built-in extensions' are independent installs.
    await step('npm install VS Code server and built-in extension dependencies', () =>
      Promise.all([
        run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], stagedVscode, log),
        run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], join(stagedVscode, 'extensions'), log),
      ]),
    );
    const gyp = nodeGypScript();
    const headers = nodeHeadersDir();
    const gypArgs = ['rebuild', '-j', '2', ...(headers ? [`--nodedir=${headers}`] : [])];
    await step(`build native modules (${NATIVE_MODULES.join(', ')})`, () =>
      pool(NATIVE_MODULES, 2, (name) => {
        const dir = join(stagedVscode, 'node_modules', name);
        if (!existsSync(join(dir, 'binding.gyp'))) throw new Error(`prepare-offline: ${name} has no binding.gyp in ${dir}`);
        // -j2: the two parallel builds then keep two cores busy without oversubscribing much.
        return run(process.execPath, [gyp, ...gypArgs], dir, log);
      }),
    );
    await step('link ripgrep and node_modules.asar', async () => {
      const rgBin = join(stagedVscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
      mkdirSync(rgBin, { recursive: true });
      rmSync(join(rgBin, 'rg'), { force: true });
      symlinkSync(which('rg'), join(rgBin, 'rg'));
      rmSync(join(stagedVscode, 'node_modules.asar'), { force: true });
      symlinkSync('node_modules', join(stagedVscode, 'node_modules.asar'));
    });
    await step('check that the native modules load', () =>
      run(process.execPath, ['-e', NATIVE_MODULES.map((m) => `require(${JSON.stringify(m)});`).join('')], stagedVscode, log),
    );

    writeFileSync(join(staging, '.prepared.json'), JSON.stringify({ ...wantedStamp(), preparedAt: new Date().toISOString() }, null, 2));
    rmSync(installDir, { recursive: true, force: true });
    renameSync(staging, installDir);
    const seconds = (Date.now() - started) / 1000;
    say(`prepare-offline: ready in ${seconds.toFixed(1)} s (${installDir}; log ${logFile})`);
    return { vscodeDir, serverMain, seconds, cached: false };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`${message}\nprepare-offline failed; full log: ${logFile}`);
  } finally {
    await new Promise((r) => log.end(r));
    release();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  prepareOffline({ force: process.argv.includes('--force') }).then(
    (r) => {
      if (r.cached) console.log(`prepare-offline: already prepared (${installDir})`);
    },
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
