// Parse + validate throughput of the definition language. Generates varied, realistic
// definitions (deterministic seed), checks each with a resolver, and reports
// definitions/second against the 20,000/s target. Run: npm run bench
import { checkDefinition, type ResolvedTable } from '../runtime/definition';

const TARGET = 20_000;
const COUNT = Number(process.env.BENCH_COUNT ?? 20_000);

let seed = 42;
function rnd(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

const NAMES = ['subject', 'session', 'trial', 'unit', 'probe', 'scan', 'stimulus', 'channel', 'frame', 'cell', 'roi', 'animal', 'rig', 'method', 'param'];
const TYPES = ['int32', 'int16', 'int8', 'int64', 'float32', 'float64', 'bool', 'uuid', 'date', 'datetime', 'datetime(3)', 'varchar(64)', 'varchar(255)', 'char(8)',
  "enum('M', 'F', 'U')", 'decimal(8, 3)', 'json', '<blob>', '<blob@>', '<attach@raw>', '<npy@>', '<object@>', '<filepath@data>', 'longblob', 'int unsigned',
  'smallint unsigned', 'double', 'float', 'tinyint', 'bytes'];
const DEFAULTS: Record<string, string[]> = {
  int32: ['0', '-1', '100'], float64: ['0.5', '-1.5e3', 'null'], varchar: ["''", '"unknown"', "'a:b#c'", 'null'], datetime: ['CURRENT_TIMESTAMP', 'null', '"2020-01-01 00:00:00"'],
  date: ['null', '2020-01-01'], enum: ["'M'", "'U'"], bool: ['0', '1'], blob: ['null'],
};
const COMMENTS = ['', '  # identifier', '  # in microseconds', ' # "quoted" name', '  # weight (g)', ' # see: the docs'];

const parents: ResolvedTable[] = ['Subject', 'Session', 'Probe', 'Rig', 'Method'].map((name, i) => {
  const pk = [{ name: `${name.toLowerCase()}_id`, type: 'int32', nullable: false }];
  if (i % 2) pk.push({ name: `${name.toLowerCase()}_idx`, type: 'int16', nullable: false });
  return { id: name, name, tier: 'Manual', primaryKey: pk, attributes: [...pk, { name: 'note', type: 'varchar(255)', nullable: false }] };
});
const resolve = (path: string[]) => parents.find((p) => p.name === path[path.length - 1]);

function attribute(name: string, inKey: boolean): string {
  const type = pick(TYPES);
  const family = type.replace(/\(.*$/, '').replace(/^<(\w+).*/, '$1').replace(/\d+$/, '');
  const defs = DEFAULTS[family === 'float' ? 'float64' : family === 'int' ? 'int32' : family];
  const def = !inKey && defs && rnd(3) === 0 ? ` = ${pick(defs)}` : '';
  return `${name}${def} : ${type}${pick(COMMENTS)}`;
}

function definition(i: number): string {
  const lines: string[] = [];
  if (rnd(2)) lines.push(`# ${pick(NAMES)} table ${i}`);
  const fks = rnd(3);
  const used = new Set<string>();
  for (let f = 0; f < fks; f++) {
    const p = pick(parents);
    if (used.has(p.name)) continue;
    used.add(p.name);
    lines.push(rnd(4) === 0 ? `-> ${p.name}.proj(${p.name.toLowerCase()}_ref='${p.primaryKey[0]!.name}')` : `-> ${p.name}`);
  }
  const keys = 1 + rnd(2);
  for (let k = 0; k < keys; k++) lines.push(`${pick(NAMES)}_k${k} : ${pick(['int32', 'int16', 'varchar(32)', 'uuid', 'date'])}${pick(COMMENTS)}`);
  lines.push(rnd(5) === 0 ? '--- secondary attributes' : '---');
  const n = 2 + rnd(8);
  const names: string[] = [];
  for (let a = 0; a < n; a++) {
    const line = attribute(`${pick(NAMES)}_${a}`, false);
    lines.push(line);
    if (!/json|blob|attach|npy|object|filepath|bytes/.test(line)) names.push(line.split(/[ =]/)[0]!);
  }
  if (rnd(3) === 0) lines.push(`-> [nullable] ${pick(parents).name}`);
  if (rnd(4) === 0 && names.length) lines.push(`index(${pick(names)})`);
  if (rnd(6) === 0 && names.length > 1) lines.push(`unique index (${names.slice(0, 2).join(', ')})`);
  return lines.map((l) => (rnd(4) === 0 ? `    ${l}` : l)).join('\n');
}

const defs = Array.from({ length: COUNT }, (_, i) => definition(i));
const bytes = defs.reduce((s, d) => s + d.length, 0);

// Warm-up: builds the parser singleton and lets the JIT settle.
for (let i = 0; i < 2000; i++) checkDefinition(defs[i % defs.length]!, { resolve, tier: 'Manual' });

let diagnostics = 0;
// CPU time as well as wall time: on a shared machine the wall clock mostly measures the
// other processes; the CPU time this process used is the figure to compare.
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (const d of defs) diagnostics += checkDefinition(d, { resolve, tier: 'Manual' }).diagnostics.length;
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

const perSecond = COUNT / cpuSeconds;
console.log(`definitions:        ${COUNT} (${(bytes / COUNT).toFixed(0)} characters on average, ${diagnostics} diagnostics)`);
console.log(`parse + validate:   ${perSecond.toFixed(0)} definitions/s, ${((cpuSeconds * 1e6) / COUNT).toFixed(1)} µs/definition (CPU time)`);
console.log(`wall clock:         ${(COUNT / seconds).toFixed(0)} definitions/s, ${((seconds * 1e6) / COUNT).toFixed(1)} µs/definition`);
console.log(`target ${TARGET}/s:    ${(perSecond / TARGET).toFixed(2)}x ${perSecond >= TARGET ? '(met)' : '(NOT met)'}`);
