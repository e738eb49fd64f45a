// "Run Workers on SLURM…" and "Cancel SLURM Job" in a real VS Code, on the one-node SLURM
// cluster of scripts/slurm.mjs (started by scripts/test.mjs or test/extension/driver.ts; it
// needs root and Debian's slurm-wlm, as CI has: without them this suite fails with the
// reason scripts/slurm.mjs gives, it is never skipped). The extension host inherits the
// cluster's SLURM_CONF, so the extension's own sinfo, sbatch and scancel reach it. The
// pipeline is test/fixtures/vscode-slurm/crunch.ts (Sample → Crunch, database vscode_slurm),
// copied into the workspace; every make is logged with its pid and task, so the counts
// below are the database's, read in this process, never the views'.
//   - the command asked through the quick input (module, workers, partition from sinfo, time
//     limit, CPUs, memory) writes a readable script into the workspace that names the
//     launcher in the extension's global storage (never this version's Node and CLI), submits
//     it, and its two tasks make every key exactly once;
//   - a second job whose make waits for a file: the Workers view shows its task on the holder,
//     Cancel SLURM Job on that item (confirmed) sends scancel; the worker finishes the key in
//     progress once the file is there and stops; the job leaves squeue with no reservation
//     left and no key made twice.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as dj from '../../../runtime/index';
import type { WorkersNode } from '../../../client/workers/workersTree';
import type { SlurmOutcome } from '../../../client/slurm/slurmCommand';
import { findOnPath } from '../../../runtime/slurm/cluster';
import { canTypeIntoWindow, typeIntoWindow, waitFor, workspaceRoot } from './helpers';
import { computations, connectWindow, disconnectWindow, freshSchema, testDb } from './computationsSetup';

const SCHEMA = 'vscode_slurm';
const FIXTURE = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'vscode-slurm', 'crunch.ts');
const MODULE = ['cluster', 'crunch.ts'];
const FIRST_KEYS = 12;

type HolderNode = Extract<WorkersNode, { kind: 'holder' }>;

/** The job ids squeue lists (pending, running, completing): `<job>_<task>` for array tasks. */
function squeue(): Promise<string[]> {
  return new Promise((resolve, reject) =>
    execFile('squeue', ['-h', '-o', '%i'], { encoding: 'utf8' }, (e, out, err) => (e ? reject(new Error(`squeue: ${err || e.message}`)) : resolve(out.split('\n').map((l) => l.trim()).filter(Boolean)))),
  );
}

async function listed(jobId: string): Promise<boolean> {
  return (await squeue()).some((id) => id === jobId || id.startsWith(`${jobId}_`) || id.startsWith(`${jobId}[`));
}

suite('SLURM: Run Workers on SLURM… and Cancel SLURM Job', function () {
  this.timeout(180_000);
  let conn: dj.Connection;
  const submitted: string[] = [];
  const root = () => workspaceRoot().fsPath;
  const modulePath = () => join(root(), ...MODULE);
  const q = (t: string) => `\`${SCHEMA}\`.\`${t}\``;
  const count = async (sql: string, params: unknown[] = []) => Number((await conn.query<{ n: unknown }>(sql, params))[0]!.n);
  const logs = () => {
    const dir = join(root(), 'slurm', 'logs');
    if (!existsSync(dir)) return '(no logs)';
    return readdirSync(dir)
      .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8').slice(-2000)}`)
      .join('\n');
  };

  suiteSetup(async () => {
    const unavailable = process.env.DJ_TEST_SLURM_UNAVAILABLE;
    if (unavailable) throw new Error(`the SLURM test cluster did not start: ${unavailable}`);
    if (!process.env.SLURM_CONF) throw new Error('SLURM_CONF is not set for the extension host (test/extension/driver.ts passes the cluster of scripts/slurm.mjs)');
    conn = await freshSchema(SCHEMA);
    // Same definitions as the fixture (which the workers load).
    const schema = new dj.Schema(SCHEMA, { connection: conn });
    class Sample extends dj.Manual {
      static override definition = `
        # Numbers to square
        sample_id : int32
      `;
    }
    class Crunch extends dj.Computed {
      static override definition = `
        # The square of each sample
        -> Sample
        ---
        squared : int32
      `;
    }
    await schema.declare(Sample, Crunch);
    await conn.execute(`CREATE TABLE ${q('make_log')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, sample_id int NOT NULL, pid int NOT NULL, task varchar(32) NOT NULL) ENGINE=MyISAM`);

    mkdirSync(join(root(), MODULE[0]!), { recursive: true });
    copyFileSync(FIXTURE, modulePath());
    // The password (DJ_PASS) reaches the tasks as a user's shell passes it: in sbatch's environment, never in the script.
    await connectWindow(SCHEMA);
    // The module picker lists the files whose classes the language server indexed. The file
    // is opened, as a user opens the module they launch: the server then has it at once,
    // whether or not its file watcher has reported the new folder yet.
    await vscode.workspace.openTextDocument(vscode.Uri.file(modulePath()));
    await waitFor(
      'the language server to index cluster/crunch.ts',
      async () => {
        const symbols = (await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', 'Crunch')) ?? [];
        return symbols.some((s) => s.name === 'Crunch' && s.location.uri.fsPath === modulePath()) ? true : undefined;
      },
    );
  });

  suiteTeardown(async () => {
    // A job a failed test left running must not hold the cluster for the suites after it.
    for (const id of submitted) await new Promise((r) => execFile('scancel', [id], () => r(undefined)));
    delete process.env.VSCODE_TEST_SLURM_HOLD;
    await disconnectWindow();
    if (conn) {
      await conn.execute(`DROP DATABASE IF EXISTS \`${SCHEMA}\``);
      await conn.close();
    }
    rmSync(join(root(), MODULE[0]!), { recursive: true, force: true });
    rmSync(join(root(), 'slurm'), { recursive: true, force: true });
  });

  test('the command asks through the quick input, writes a readable script that outlives updates, submits it, and every key is made once', async () => {
    if (!canTypeIntoWindow()) throw new Error('the quick input steps need the offline launcher, which types into the window');
    const values = Array.from({ length: FIRST_KEYS }, (_, i) => `(${i + 1})`).join(', ');
    await conn.execute(`INSERT INTO ${q('sample')} (sample_id) VALUES ${values}`);

    const run = vscode.commands.executeCommand<SlurmOutcome | undefined>('datajoint.runWorkersOnSlurm');
    const step = (n: number) => `.quick-input-widget:has-text("Run Workers on SLURM (${n}/6)") .quick-input-box input`;
    await typeIntoWindow('slurm-module', 'crunch', step(1));
    await typeIntoWindow('slurm-workers', '2', step(2));
    // The partitions come from the cluster's sinfo.
    await typeIntoWindow('slurm-partition', 'debug', step(3));
    await typeIntoWindow('slurm-time', '10', step(4));
    await typeIntoWindow('slurm-cpus', '1', step(5));
    await typeIntoWindow('slurm-memory', '500M', step(6));
    const outcome = await run;
    assert.ok(outcome, 'the command ended without a script');
    assert.ok(outcome.jobId, `nothing was submitted (script ${outcome.script})`);
    submitted.push(outcome.jobId);

    // The script is in the workspace, readable, with the answers and no password.
    assert.equal(outcome.script, join(root(), 'slurm', 'crunch-workers.sbatch'));
    accessSync(outcome.script, constants.R_OK);
    const text = readFileSync(outcome.script, 'utf8');
    for (const line of ['#SBATCH --job-name=crunch-workers', '#SBATCH --array=0-1', '#SBATCH --partition=debug', '#SBATCH --time=10', '#SBATCH --cpus-per-task=1', '#SBATCH --mem=500M', `cd -- ${root()}`]) {
      assert.ok(text.split('\n').includes(line), `the script lacks "${line}":\n${text}`);
    }
    assert.match(text, /^exec "\$DJX" worker cluster\/crunch\.ts$/m);
    assert.ok(!text.includes(testDb().password), 'the password is in the script');
    // It names the launcher in the extension's global storage, not this VS Code's Node or CLI.
    const launcher = /^DJX_LAUNCHER=(\S+)$/m.exec(text)?.[1];
    assert.ok(launcher, `no launcher in the script:\n${text}`);
    assert.match(launcher, /\/globalStorage\/datajoint-vscode\.datajoint-vscode\/bin\/djx$/);
    assert.ok(!text.includes(process.execPath) && !text.includes('dist/cli.js'), 'the script names a path of this version');
    assert.equal(statSync(launcher).mode & 0o111, 0o111, 'the launcher is not executable');

    await waitFor('every key to be made', async () => ((await count(`SELECT COUNT(*) AS n FROM ${q('__crunch')}`)) === FIRST_KEYS ? true : undefined));
    await waitFor('the job to leave squeue', async () => ((await listed(outcome.jobId!)) ? undefined : true));
    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('make_log')}`), FIRST_KEYS, `a key was made more than once\n${logs()}`);
    assert.equal(await count(`SELECT COUNT(DISTINCT sample_id) AS n FROM ${q('make_log')}`), FIRST_KEYS);
    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('~~crunch')} WHERE status IN ('reserved', 'error')`), 0, logs());
    // Both tasks ran, through djx on PATH or else the launcher, and said which.
    const viaPath = findOnPath('djx') !== undefined;
    for (const task of [0, 1]) {
      const log = join(root(), 'slurm', 'logs', `crunch-workers-${outcome.jobId}_${task}.out`);
      assert.ok(existsSync(log), `no log of task ${task}:\n${logs()}`);
      assert.match(readFileSync(log, 'utf8'), new RegExp(`^djx: ${viaPath ? 'djx' : launcher.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
  });

  test('Cancel SLURM Job on the holder in the Workers view: the task stops after its key, leaves squeue, no reservation left, no key made twice', async () => {
    await conn.execute(`INSERT INTO ${q('sample')} (sample_id) VALUES (101), (102), (103), (104)`);
    const hold = join(tmpdir(), `dj-slurm-hold-${process.pid}-${Date.now()}`);
    rmSync(hold, { force: true });
    // sbatch takes the job's environment at submission: the makes of this job wait for `hold`.
    process.env.VSCODE_TEST_SLURM_HOLD = hold;
    let outcome: SlurmOutcome | undefined;
    try {
      outcome = await vscode.commands.executeCommand<SlurmOutcome | undefined>('datajoint.runWorkersOnSlurm', {
        module: modulePath(),
        answers: { workers: 1, partition: 'debug', time: '10', cpusPerTask: 1, memory: '500M' },
      });
    } finally {
      delete process.env.VSCODE_TEST_SLURM_HOLD;
    }
    const jobId = outcome?.jobId;
    assert.ok(jobId, 'nothing was submitted');
    submitted.push(jobId);
    const task = `${jobId}_0`;

    const api = await computations();
    const holder = await waitFor(`the Workers view to show SLURM task ${task} holding a key`, async () => {
      api.workers.refresh();
      const roots = await api.workers.getChildren();
      return roots.find((n): n is HolderNode => n.kind === 'holder' && n.holder.slurm?.id === task);
    });
    const item = api.workers.getTreeItem(holder);
    // The worker reserves the keys of its next batch ahead: one or more.
    assert.match(String(item.description), new RegExp(`^SLURM ${task} · alive · \\d+ keys? · since `));
    assert.match(String(item.contextValue), /\bslurm\b/);
    const [made] = await conn.query<{ sample_id: unknown; pid: unknown; task: unknown }>(`SELECT sample_id, pid, task FROM ${q('make_log')} WHERE sample_id > 100`);
    assert.equal(String(made?.task), task, 'the make in progress is not the task\'s');
    assert.equal(Number(made?.pid), holder.holder.pid);

    // As a user does it: the item's context menu command, its modal answered (confirmed).
    assert.equal(await vscode.commands.executeCommand<boolean>('datajoint.workers.cancelSlurm', holder, { confirmed: true }), true);
    const log = join(root(), 'slurm', 'logs', `crunch-workers-${task}.out`);
    await waitFor('the worker to take the SIGTERM of scancel', () => (existsSync(log) && /stop requested \(SIGTERM\)/.test(readFileSync(log, 'utf8')) ? true : undefined));
    // The make in progress may end now: its key is committed and the worker takes no other.
    writeFileSync(hold, '');
    try {
      await waitFor('the cancelled job to leave squeue', async () => ((await listed(jobId)) ? undefined : true));
    } finally {
      rmSync(hold, { force: true });
    }

    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('~~crunch')} WHERE status = 'reserved'`), 0, `a reservation was left behind\n${logs()}`);
    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('~~crunch')} WHERE status = 'reserved' AND pid = ?`, [holder.holder.pid]), 0);
    const most = await count(`SELECT MAX(c) AS n FROM (SELECT COUNT(*) AS c FROM ${q('make_log')} GROUP BY sample_id) x`);
    assert.equal(most, 1, `a key was made ${most} times\n${logs()}`);
    // The key in progress was finished and kept; every make logged was committed.
    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('__crunch')} WHERE sample_id = ?`, [Number(made!.sample_id)]), 1, logs());
    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('__crunch')}`), await count(`SELECT COUNT(*) AS n FROM ${q('make_log')}`));
    assert.match(readFileSync(log, 'utf8'), /stopped by SIGTERM/);
    api.workers.refresh();
    const after = await api.workers.getChildren();
    assert.ok(!after.some((n) => n.kind === 'holder' && n.holder.slurm?.id === task), 'the cancelled task is still a holder');
  });
});
