// What node of a parsed definition is under a definition offset.
import type { AttributeLine, Definition, ForeignKeyLine, Identifier, IndexLine, Line, ProjectionItem, Span, TypeRef } from '../../runtime/definition/index';

export type NodeAt =
  | { kind: 'type'; line: AttributeLine; type: TypeRef }
  | { kind: 'attributeName'; line: AttributeLine; name: Identifier }
  | { kind: 'reference'; line: ForeignKeyLine; segment: number }
  | { kind: 'projectionSource'; line: ForeignKeyLine; item: ProjectionItem }
  | { kind: 'projectionTarget'; line: ForeignKeyLine; item: ProjectionItem }
  | { kind: 'indexArgument'; line: IndexLine; name: Identifier }
  | { kind: 'line'; line: Line };

export function within(span: Span | undefined, offset: number): boolean {
  return !!span && Number.isFinite(span.start) && Number.isFinite(span.end) && offset >= span.start && offset <= span.end;
}

export function lineAt(ast: Definition, offset: number): Line | undefined {
  const src = ast.source;
  let s = offset;
  while (s > 0 && src[s - 1] !== '\n') s--;
  let e = offset;
  while (e < src.length && src[e] !== '\n') e++;
  return ast.lines.find((l) => l.span.start >= s && l.span.start <= e);
}

export function nodeAt(ast: Definition, offset: number): NodeAt | undefined {
  const line = lineAt(ast, offset);
  if (!line) return undefined;
  if (line.kind === 'attribute') {
    if (line.type && within(line.type.span, offset)) return { kind: 'type', line, type: line.type };
    if (within(line.name.span, offset)) return { kind: 'attributeName', line, name: line.name };
  } else if (line.kind === 'foreignKey' && line.reference) {
    const ref = line.reference;
    for (const item of ref.projection?.items ?? []) {
      if (item.source && within(item.source.span, offset)) return { kind: 'projectionSource', line, item };
      if (item.target && within(item.target.span, offset)) return { kind: 'projectionTarget', line, item };
    }
    const seg = ref.path.findIndex((p) => within(p.span, offset));
    if (seg >= 0) return { kind: 'reference', line, segment: seg };
  } else if (line.kind === 'index') {
    const arg = line.args.find((a) => a.name && within(a.name.span, offset));
    if (arg?.name) return { kind: 'indexArgument', line, name: arg.name };
  }
  return { kind: 'line', line };
}
