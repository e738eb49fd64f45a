// Attribute lines: names, types, comments and the defaults a type accepts.
import type { AttributeLine, DefaultValue, Identifier, TypeRef } from '../ast';
import type { Diagnostic, Fix } from '../diagnostic';
import { makeDiagnostic } from '../catalogue';
import type { ModelAttribute, TableModel } from '../model';
import type { ValidationContext } from '../context';
import { classifyType, type TypeInfo, type TypeReplacement } from '../types';
import { deleteCharFix } from './fixes';

const NAME = /^[a-z][a-z0-9_]*$/;
/** Characters that break DataJoint for Python's DDL (reference §3.3): str.format and driver interpolation. */
const BREAKING_COMMENT_CHARS = /[{}%\\]/g;

function replaceFix(type: TypeRef, rep: TypeReplacement, preferred: boolean): Fix {
  return { title: `Replace with ${rep.text}`, edits: [{ span: type.span, newText: rep.text }], preferred };
}

export function describeChars(found: string[]): string {
  return [...new Set(found)].map((c) => `\`${c}\``).join(', ');
}

/** declare.py: compile_attribute — lowercase names, no leading underscore. Also for projection targets. */
export function checkAttributeName(id: Identifier, out: Diagnostic[]): void {
  const name = id.text;
  if (name.startsWith('_')) {
    out.push(makeDiagnostic('DJ202', id.span, { name }));
  } else if (!NAME.test(name)) {
    const lower = name.toLowerCase();
    const fixes: Fix[] = NAME.test(lower) ? [{ title: `Rename to ${lower}`, edits: [{ span: id.span, newText: lower }], preferred: true }] : [];
    out.push(makeDiagnostic('DJ201', id.span, { name }, { fixes }));
  }
  if (name.length > 64) out.push(makeDiagnostic('DJ220', id.span, { name }));
}

function checkName(line: AttributeLine, out: Diagnostic[]): void {
  checkAttributeName(line.name, out);
}

function checkType(line: AttributeLine, type: TypeRef, info: TypeInfo, ctx: ValidationContext, out: Diagnostic[]): void {
  const reps = info.replacements ?? [];
  if (ctx.target === '0.14' || ctx.target === '0.13') {
    checkType014(type, info, ctx.target, out);
    return;
  }
  if (info.category === 'codec') {
    const codec = info.codec!;
    const span = type.codec?.name.span ?? type.span;
    if (!codec.builtin) out.push(makeDiagnostic('DJ216', span, { name: codec.name }));
    else if (codec.rule === 'required' && !codec.inStore) {
      const at = type.span.end - (type.text.endsWith('>') ? 1 : 0);
      out.push(makeDiagnostic('DJ215', type.span, { name: codec.name }, {
        fixes: [{ title: `Use the default store: <${codec.name}@>`, edits: [{ span: { start: at, end: at }, newText: '@' }], preferred: true }],
      }));
    }
    return;
  }
  if (info.category === 'unknown') {
    if (info.spelling) {
      out.push(makeDiagnostic('DJ204', type.span, { type: type.text, suggestion: info.spelling }, {
        fixes: [{ title: `Replace with ${info.spelling}`, edits: [{ span: type.span, newText: info.spelling }], preferred: true }],
      }));
    } else if (info.removed) {
      const detail = reps.length ? `use \`${reps[0]!.text}\`, the next wider signed type` : 'no signed core type holds every value; use `decimal(20, 0)` or a native `bigint unsigned`';
      out.push(makeDiagnostic('DJ224', type.span, { type: type.text, detail }, { fixes: reps.map((r, i) => replaceFix(type, r, i === 0)) }));
    } else {
      // Preferred (what fix-all and `djx lint --fix` apply) only when it keeps the meaning.
      out.push(makeDiagnostic('DJ203', type.span, { type: type.text, detail: unsupportedDetail(type, reps) }, {
        fixes: reps.map((r, i) => replaceFix(type, r, i === 0 && r.exact)),
      }));
    }
    return;
  }
  if (info.category === 'native') {
    const exact = reps.filter((r) => r.exact);
    let detail: string;
    if (reps.length === 0) {
      detail = info.autoIncrement
        ? ' is not portable; no core type carries auto_increment'
        : ' is not portable and has no core equivalent';
    } else if (exact.length) {
      detail = ` is not portable: use \`${reps[0]!.text}\`${reps[0]!.note ? ` (${reps[0]!.note})` : ''}`;
    } else {
      detail = ` has no exact core type: \`${reps[0]!.text}\` ${reps[0]!.note ? `(${reps[0]!.note})` : 'is the closest'}`;
    }
    out.push(makeDiagnostic('DJ214', type.span, { type: type.text, detail }, {
      fixes: reps.map((r, i) => replaceFix(type, r, i === 0 && r.exact)),
      tags: ['deprecated'],
    }));
    return;
  }
  // Core types: parameters the server rejects.
  const problem = coreParameterProblem(info);
  if (problem) out.push(makeDiagnostic('DJ221', type.span, { type: type.text, detail: problem }));
  if (info.core === 'enum') {
    for (const arg of type.args ?? []) {
      if (arg.text.startsWith('"')) {
        const v = (arg.value ?? '').replace(/'/g, "''");
        out.push(makeDiagnostic('DJ219', arg.span, {}, { fixes: [{ title: 'Use single quotes', edits: [{ span: arg.span, newText: `'${v}'` }], preferred: true }] }));
      }
    }
  }
  void line;
}

/** Target 0.14: what 0.14 declares is clean; its legacy types carry their 2.x form as a hint. */
function checkType014(type: TypeRef, info: TypeInfo, target: string, out: Diagnostic[]): void {
  const reps = info.replacements ?? [];
  const fixes = reps.map((r, i) => replaceFix(type, r, i === 0));
  if (info.era === 'newer') {
    const detail = reps.length ? `: write \`${reps[0]!.text}\`` : '';
    out.push(makeDiagnostic('DJ225', type.span, { type: type.text, target, detail }, { fixes }));
  } else if (info.category === 'unknown') {
    out.push(makeDiagnostic('DJ203', type.span, { type: type.text, detail: unsupportedDetail(type, reps) }, { fixes }));
  } else if (info.category === 'codec') {
    out.push(makeDiagnostic('DJ216', type.codec?.name.span ?? type.span, { name: info.codec!.name }));
  } else if (info.era === 'legacy' && info.migration?.length) {
    const m = info.migration[0]!;
    out.push(makeDiagnostic('DJ226', type.span, { type: type.text, replacement: m.text, detail: m.note ? ` (${m.note})` : '' }, {
      // Not preferred: under 0.14 the 0.14 form is right; migration applies it under target 2.
      fixes: info.migration.map((r) => replaceFix(type, r, false)),
    }));
  }
}

function unsupportedDetail(type: TypeRef, reps: TypeReplacement[]): string {
  if (reps.length) return `: write \`${reps[0]!.text}\`${reps[0]!.note && !reps[0]!.exact ? ` (${reps[0]!.note})` : ''}`;
  const mods = (type.modifiers ?? []).map((m) => m.text.toLowerCase());
  if (mods.includes('not') || mods.includes('null') || mods.includes('default')) {
    return ': write only the type; nullability and defaults are written as `name = default : type`';
  }
  if (classifyType(type.name).category === 'core' && type.modifiers?.length) {
    return `: \`${type.name}\` takes no modifiers`;
  }
  return '';
}

function coreParameterProblem(info: TypeInfo): string | undefined {
  switch (info.core) {
    case 'varchar':
      if (info.length! < 1 || info.length! > 65535) return 'the length must be between 1 and 65535';
      break;
    case 'char':
      if (info.length! > 255) return 'the length must be at most 255';
      break;
    case 'datetime':
      if (info.precision !== undefined && info.precision > 6) return 'the precision must be between 0 and 6';
      break;
    case 'decimal': {
      const { precision, scale } = info.digits!;
      if (precision < 1 || precision > 65) return 'the precision must be between 1 and 65';
      if (scale > 30) return 'the scale must be at most 30';
      if (scale > precision) return 'the scale cannot exceed the precision';
      break;
    }
    case 'enum':
      if (!info.enumValues) return 'list quoted values, e.g. enum(\'a\', \'b\')';
      if (info.enumValues.length === 0) return 'list at least one value';
      break;
    default:
      break;
  }
  return undefined;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days && y >= 1000;
}

/** The default's value as SQL will see it: quotes removed. */
function literal(d: DefaultValue): string {
  return d.kind === 'string' ? d.value ?? '' : d.text;
}

function checkDefault(line: AttributeLine, d: DefaultValue, info: TypeInfo, type: TypeRef, mysql: boolean, out: Diagnostic[]): void {
  if (d.kind === 'null') {
    if (line.inKey) out.push(makeDiagnostic('DJ207', d.span, { name: line.name.text }));
    return;
  }
  if (info.isBlobLike) {
    out.push(makeDiagnostic('DJ208', d.span, { type: type.text }, {
      fixes: [{ title: 'Default to null', edits: [{ span: d.span, newText: 'null' }], preferred: true }],
    }));
    return;
  }
  if (info.category === 'unknown' && !info.spelling) return;
  if (info.isJson) {
    // MySQL 8 refuses literal defaults on json columns; PostgreSQL accepts them on jsonb.
    if (mysql) out.push(makeDiagnostic('DJ223', d.span));
    return;
  }
  if (d.kind === 'currentTimestamp') {
    if (info.temporal !== 'datetime' && info.temporal !== 'timestamp') {
      out.push(makeDiagnostic('DJ222', d.span, { value: d.text, type: type.text }));
      return;
    }
    const p = info.precision ?? 0;
    const written = /\(\s*(\d+)\s*\)/.exec(d.text);
    const q = written ? Number(written[1]) : 0;
    // MySQL 8 wants the default's precision to match the column's; PostgreSQL does not care.
    if (p !== q && mysql) {
      const replacement = p > 0 ? `CURRENT_TIMESTAMP(${p})` : 'CURRENT_TIMESTAMP';
      out.push(makeDiagnostic('DJ217', d.span, { type: type.text, precision: p }, {
        fixes: [{ title: `Replace with ${replacement}`, edits: [{ span: d.span, newText: replacement }], preferred: true }],
      }));
    }
    return;
  }
  const value = literal(d);
  if (info.core === 'bool' || (info.native === 'integer' && /^tinyint\s*\(\s*1\s*\)/i.test(type.text))) {
    const lower = value.toLowerCase();
    // declare.py quotes the literal: MySQL refuses 'true' for tinyint, PostgreSQL takes it for boolean.
    if ((lower === 'true' || lower === 'false') && mysql) {
      const replacement = lower === 'true' ? '1' : '0';
      out.push(makeDiagnostic('DJ209', d.span, { value: d.text, replacement: `\`${replacement}\`` }, {
        fixes: [{ title: `Replace with ${replacement}`, edits: [{ span: d.span, newText: replacement }], preferred: true }],
      }));
      return;
    }
  }
  if (info.isNumeric) {
    if (!NUMBER.test(value.trim())) out.push(makeDiagnostic('DJ210', d.span, { value: d.text, type: type.text }));
    return;
  }
  if (info.enumValues) {
    if (!info.enumValues.includes(value)) out.push(makeDiagnostic('DJ211', d.span, { value: d.text, type: type.text }));
    return;
  }
  if (info.temporal === 'date') {
    const m = DATE.exec(value);
    if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
      out.push(makeDiagnostic('DJ212', d.span, { value: d.text, what: 'date', format: 'YYYY-MM-DD' }));
    }
    return;
  }
  if (info.temporal === 'datetime' || info.temporal === 'timestamp') {
    const m = DATETIME.exec(value);
    const ok = m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))
      && (m[4] === undefined || (Number(m[4]) < 24 && Number(m[5]) < 60 && (m[6] === undefined || Number(m[6]) < 60)));
    if (!ok) out.push(makeDiagnostic('DJ212', d.span, { value: d.text, what: info.temporal, format: 'YYYY-MM-DD HH:MM:SS' }));
  }
}

function checkComment(line: AttributeLine, source: string, out: Diagnostic[]): void {
  const c = line.comment;
  if (!c) return;
  if (c.text.startsWith(':')) out.push(makeDiagnostic('DJ205', c.span, {}, { fixes: [deleteCharFix(c.span.start + source.slice(c.span.start, c.span.end).indexOf(':'), 'Remove the colon')] }));
  const found = c.text.match(BREAKING_COMMENT_CHARS);
  if (found) out.push(makeDiagnostic('DJ218', c.span, { chars: describeChars(found) }));
}

function checkKeyType(attr: ModelAttribute, type: TypeRef, out: Diagnostic[]): void {
  const info = attr.typeInfo;
  if (attr.inKey && (info.isBlobLike || info.isJson)) out.push(makeDiagnostic('DJ213', type.span, { type: type.text }));
}

export function validateAttributes(model: TableModel, lines: AttributeLine[], source: string, ctx: ValidationContext, out: Diagnostic[]): void {
  const mysql = ctx.dialect !== 'postgresql';
  const declared = new Map<AttributeLine, ModelAttribute>();
  for (const a of model.attributes) if (a.origin === 'declared') declared.set(a.line as AttributeLine, a);
  for (const line of lines) {
    checkName(line, out);
    checkComment(line, source, out);
    const type = line.type;
    if (!type) continue;
    const attr = declared.get(line);
    const info = attr?.typeInfo ?? classifyType(type, ctx.target);
    checkType(line, type, info, ctx, out);
    if (line.default) checkDefault(line, line.default, info, type, mysql, out);
    if (attr) checkKeyType(attr, type, out);
  }
}
