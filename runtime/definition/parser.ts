// The one Chevrotain parser of the definition language. Each line is one iteration of
// the top rule and the newline is a token, so a broken line never hides the next one.
// The grammar is deliberately permissive inside a line (every part optional, trailing
// junk collected): a half-typed line such as `subject_id : `, `-> Sess` or `index(`
// still yields a node for completion, and the syntax diagnostics below say precisely
// what is missing instead of Chevrotain's generic expectations.
import { EmbeddedActionsParser, type IRecognitionException, type IToken } from './chevrotain';
import * as lexer from './lexer';
import type {
  AttributeLine, CodecRef, Comment as CommentNode, DefaultValue, Definition, ForeignKeyLine, Identifier, IndexArg,
  IndexLine, Line, Projection, ProjectionItem, Reference, Span, TypeArg, TypeRef,
} from './ast';
import type { Diagnostic, Fix } from './diagnostic';
import { makeDiagnostic } from './catalogue';

// Bound once: under tsx every `lexer.X` access would go through a module getter.
const {
  allTokens, definitionLexer, Eol, CommentLine, Divider, FkPrefix, Arrow, IndexKeyword, AttrName, LineJunk,
  LineToken, InnerToken, Comment, LParen, RParen, Comma, Equals, StringSQ, StringDQ, Word, DefaultText, Colon,
  Codec, LBracket, RBracket, ProjCall, Dot, LegacyCodec,
} = lexer;

// ---- raw shapes the grammar actions produce ---------------------------------------

interface ParenList {
  open: IToken;
  /** Top-level items split on commas; nested groups are flattened into their item. */
  items: IToken[][];
  /** Comma tokens between items (items.length - 1 of them). */
  commas: IToken[];
  close?: IToken;
  all: IToken[];
  /** Parentheses opened inside the list and not yet closed. */
  depth: number;
}

interface RawType {
  codec?: IToken;
  name?: IToken;
  args?: ParenList;
  modifiers: IToken[];
}

interface RawReference {
  opens: IToken[];
  closes: IToken[];
  path: IToken[];
  dots: IToken[];
  /** Opened by the ProjCall token (its `open`). */
  projList?: ParenList;
}

type AttributeRaw = { kind: 'attribute'; name: IToken; eq?: IToken; def?: IToken; colon?: IToken; type?: RawType; junk: IToken[]; comment?: IToken };

type ForeignKeyRaw = { kind: 'foreignKey'; prefix?: IToken; arrow: IToken; lb?: IToken; options: IToken[]; rb?: IToken; ref?: RawReference; junk: IToken[]; comment?: IToken };

type IndexRaw = { kind: 'index'; keyword: IToken; list?: ParenList; junk: IToken[]; comment?: IToken };

type RawLine =
  | { kind: 'comment'; token: IToken }
  | { kind: 'divider'; token: IToken }
  | { kind: 'junk'; token: IToken }
  | AttributeRaw
  | ForeignKeyRaw
  | IndexRaw;

/** Stands for a token in the placeholders the grammar's recording fills. */
const RECORDING = { image: '', startOffset: 0, tokenTypeIdx: 0, tokenType: Eol } as unknown as IToken;

class DefinitionParser extends EmbeddedActionsParser {
  out: RawLine[] = [];
  /** Open parenthesised lists, innermost last (type arguments and index expressions nest). */
  private lists: ParenList[] = [];
  private rawType: RawType | undefined;
  private fkOptions: IToken[] = [];

  // OR alternatives are built once, not per call: allocating (and, under tsx, naming)
  // closures on every line was most of the parse time. Their state lives in the fields
  // above instead of in locals.
  private readonly topAlts = [
    { ALT: () => { this.CONSUME(Eol); } },
    { ALT: () => { this.SUBRULE(this.line); } },
  ];

  private readonly lineAlts = [
    { ALT: () => { const t = this.CONSUME(CommentLine); this.ACTION(() => this.out.push({ kind: 'comment', token: t })); } },
    { ALT: () => { const t = this.CONSUME(Divider); this.ACTION(() => this.out.push({ kind: 'divider', token: t })); } },
    { ALT: () => { this.SUBRULE(this.foreignKeyLine); } },
    { ALT: () => { this.SUBRULE(this.indexLine); } },
    { ALT: () => { this.SUBRULE(this.attributeLine); } },
    { ALT: () => { const t = this.CONSUME(LineJunk); this.ACTION(() => this.out.push({ kind: 'junk', token: t })); } },
  ];

  private readonly typeAlts = [
    { ALT: () => { const codec = this.CONSUME(Codec); this.ACTION(() => { this.rawType = { codec, modifiers: [] }; }); } },
    { ALT: () => { const legacy = this.CONSUME(LegacyCodec); this.ACTION(() => { this.rawType = { name: legacy, modifiers: [] }; }); } },
    { ALT: () => { const t = this.SUBRULE(this.plainType); this.ACTION(() => { this.rawType = t; }); } },
  ];

  // Nested parentheses are counted, not recursed into: `((((...))))` in an index
  // expression must not exhaust the stack.
  private readonly listAlts = [
    { ALT: () => { const t = this.CONSUME(InnerToken); this.ACTION(() => this.addToList(t)); } },
    {
      ALT: () => {
        const t = this.CONSUME(Comma);
        this.ACTION(() => {
          const l = this.lists[this.lists.length - 1]!;
          if (l.depth > 0) {
            this.addToList(t);
            return;
          }
          l.commas.push(t);
          l.items.push([]);
          l.all.push(t);
        });
      },
    },
    { ALT: () => { const t = this.CONSUME2(LParen); this.ACTION(() => { this.addToList(t); this.lists[this.lists.length - 1]!.depth++; }); } },
    { ALT: () => { const t = this.CONSUME2(RParen); this.ACTION(() => { this.addToList(t); this.lists[this.lists.length - 1]!.depth--; }); } },
  ];

  /** Inside a list, a `)` at depth 0 closes it; any other token belongs to it. */
  private readonly listItems = {
    GATE: () => this.LA(1).tokenType !== RParen || (this.lists[this.lists.length - 1]?.depth ?? 0) > 0,
    DEF: () => { this.OR(this.listAlts); },
  };

  private readonly optionAlts = [
    { ALT: () => { const t = this.CONSUME(Word); this.ACTION(() => this.fkOptions.push(t)); } },
    { ALT: () => { this.CONSUME(Comma); } },
  ];

  constructor() {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  /** Ready for a new input. */
  begin(tokens: IToken[]): void {
    this.out = [];
    this.lists = [];
    this.rawType = undefined;
    this.fkOptions = [];
    this.input = tokens;
  }

  /**
   * The recognition errors of the last parse. Chevrotain's `errors` getter returns a
   * (lodash) clone of them on every read, which cost more than many a parse.
   */
  get lastErrors(): readonly IRecognitionException[] {
    return (this as unknown as { _errors: IRecognitionException[] })._errors;
  }

  private addToList(t: IToken): void {
    const l = this.lists[this.lists.length - 1]!;
    l.items[l.items.length - 1]!.push(t);
    l.all.push(t);
  }

  definition = this.RULE('definition', () => {
    this.MANY(() => { this.OR(this.topAlts); });
  });

  line = this.RULE('line', () => {
    this.OR(this.lineAlts);
  });

  // The steps of the attribute and type rules are built once too, filling the line being
  // parsed (`attr`, `plain`: lines and plain types do not nest) instead of closures over
  // locals made for every line. While Chevrotain records the grammar they fill the
  // placeholders below with its recording token, which no parse ever reads.
  private attr: AttributeRaw = { kind: 'attribute', name: RECORDING, junk: [] };
  private plain: RawType = { modifiers: [] };

  private readonly attrDefault = () => {
    this.attr.eq = this.CONSUME(Equals);
    this.OPTION2(this.attrDefaultText);
  };
  private readonly attrDefaultText = () => { this.attr.def = this.CONSUME(DefaultText); };
  private readonly attrColon = () => { this.attr.colon = this.CONSUME(Colon); };
  private readonly attrType = () => { this.attr.type = this.SUBRULE(this.typeRef); };
  private readonly attrJunk = () => { this.attr.junk.push(this.CONSUME(LineToken)); };
  private readonly attrComment = () => { this.attr.comment = this.CONSUME(Comment); };
  private readonly attrDone = () => { this.out.push(this.attr); };
  private readonly typeArgs = () => { this.plain.args = this.SUBRULE(this.parenList); };
  private readonly typeModifier = () => { this.plain.modifiers.push(this.CONSUME2(Word)); };
  private readonly takeType = (): RawType => {
    const t = this.rawType!;
    this.rawType = undefined;
    return t;
  };

  attributeLine = this.RULE('attributeLine', () => {
    this.attr = { kind: 'attribute', name: this.CONSUME(AttrName), junk: [] };
    this.OPTION(this.attrDefault);
    this.OPTION3(this.attrColon);
    this.OPTION4(this.attrType);
    this.MANY(this.attrJunk);
    this.OPTION5(this.attrComment);
    this.ACTION(this.attrDone);
  });

  typeRef = this.RULE('typeRef', (): RawType => {
    this.OR(this.typeAlts);
    return this.ACTION(this.takeType)!;
  });

  plainType = this.RULE('plainType', (): RawType => {
    const t: RawType = { name: this.CONSUME(Word), modifiers: [] };
    this.plain = t;
    this.OPTION(this.typeArgs);
    this.MANY(this.typeModifier);
    return t;
  });

  private readonly listClose = () => {
    const l = this.lists[this.lists.length - 1];
    const close = this.CONSUME(RParen);
    if (l) {
      l.close = close;
      l.all.push(close);
    }
  };
  private readonly listDone = (): ParenList => this.lists.pop()!;

  /** The body of a parenthesised list after its opening token, up to and including `)`. */
  private listBody(open: IToken): ParenList {
    if (!this.RECORDING_PHASE) this.lists.push({ open, items: [[]], commas: [], all: [open], depth: 0 });
    this.MANY(this.listItems);
    this.OPTION(this.listClose);
    return this.ACTION(this.listDone)!;
  }

  parenList = this.RULE('parenList', (): ParenList => this.listBody(this.CONSUME(LParen)));

  /** `.proj(` ... `)`: the `(` is part of the ProjCall token. */
  projection = this.RULE('projection', (): ParenList => this.listBody(this.CONSUME(ProjCall)));

  private fk: ForeignKeyRaw = { kind: 'foreignKey', arrow: RECORDING, options: [], junk: [] };
  private readonly fkPrefix = () => { this.fk.prefix = this.CONSUME(FkPrefix); };
  private readonly fkOptionList = () => {
    this.fk.lb = this.CONSUME(LBracket);
    this.MANY(this.fkOption);
    this.OPTION3(this.fkOptionsEnd);
  };
  private readonly fkOption = () => { this.OR(this.optionAlts); };
  private readonly fkOptionsEnd = () => { this.fk.rb = this.CONSUME(RBracket); };
  private readonly fkReference = () => { this.fk.ref = this.SUBRULE(this.reference); };
  private readonly fkJunk = () => { this.fk.junk.push(this.CONSUME(LineToken)); };
  private readonly fkComment = () => { this.fk.comment = this.CONSUME(Comment); };
  private readonly fkDone = () => { this.out.push(this.fk); };

  foreignKeyLine = this.RULE('foreignKeyLine', () => {
    const fk: ForeignKeyRaw = { kind: 'foreignKey', arrow: RECORDING, options: [], junk: [] };
    this.fk = fk;
    this.OPTION(this.fkPrefix);
    fk.arrow = this.CONSUME(Arrow);
    this.fkOptions = fk.options;
    this.OPTION2(this.fkOptionList);
    this.OPTION4(this.fkReference);
    this.MANY2(this.fkJunk);
    this.OPTION5(this.fkComment);
    this.ACTION(this.fkDone);
  });

  /** `(`* [ name {`.` name} [`.proj(` ... `)`] ] `)`*: `Parent`, `acq.Session`, `(master)`. */
  reference = this.RULE('reference', (): RawReference => {
    const opens: IToken[] = [];
    const closes: IToken[] = [];
    const path: IToken[] = [];
    const dots: IToken[] = [];
    let proj: ParenList | undefined;
    this.MANY(() => { const t = this.CONSUME(LParen); this.ACTION(() => opens.push(t)); });
    this.OPTION(() => {
      const first = this.CONSUME(Word);
      this.ACTION(() => path.push(first));
      this.MANY2(() => {
        const d = this.CONSUME(Dot);
        this.ACTION(() => dots.push(d));
        this.OPTION2(() => { const w = this.CONSUME2(Word); this.ACTION(() => path.push(w)); });
      });
      this.OPTION3(() => { proj = this.SUBRULE(this.projection); });
    });
    this.MANY3(() => { const t = this.CONSUME(RParen); this.ACTION(() => closes.push(t)); });
    return this.ACTION(() => ({ opens, closes, path, dots, projList: proj }))!;
  });

  private indexRaw: IndexRaw = { kind: 'index', keyword: RECORDING, junk: [] };
  private readonly indexList = () => { this.indexRaw.list = this.SUBRULE(this.parenList); };
  private readonly indexJunk = () => { this.indexRaw.junk.push(this.CONSUME(LineToken)); };
  private readonly indexComment = () => { this.indexRaw.comment = this.CONSUME(Comment); };
  private readonly indexDone = () => { this.out.push(this.indexRaw); };

  indexLine = this.RULE('indexLine', () => {
    this.indexRaw = { kind: 'index', keyword: this.CONSUME(IndexKeyword), junk: [] };
    this.OPTION(this.indexList);
    this.MANY(this.indexJunk);
    this.OPTION2(this.indexComment);
    this.ACTION(this.indexDone);
  });
}

let parserInstance: DefinitionParser | undefined;

/** One parser for the process: building a Chevrotain parser costs far more than a parse. */
function parser(): DefinitionParser {
  return (parserInstance ??= new DefinitionParser());
}

// ---- AST construction ----------------------------------------------------------------

/** Tokens carry only their start (positionTracking 'onlyOffset' is the fastest). */
function endOf(t: IToken): number {
  return t.startOffset + t.image.length;
}

function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: endOf(t) };
}

function joinSpan(first: IToken, last: IToken): Span {
  return { start: first.startOffset, end: endOf(last) };
}

function ident(t: IToken): Identifier {
  return { text: t.image, span: tokenSpan(t) };
}

function commentNode(t: IToken): CommentNode {
  return { text: t.image.slice(1).trim(), span: tokenSpan(t) };
}

/** Removes quotes and resolves doubled quotes and backslash escapes of a quoted literal. */
export function unquote(literal: string): string {
  const q = literal[0];
  if (q !== "'" && q !== '"') return literal;
  const closed = literal.length >= 2 && literal.endsWith(q) && !isEscapedEnd(literal);
  const body = literal.slice(1, closed ? -1 : undefined);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      const n = body[++i]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === '0' ? '\0' : n;
    } else if (c === q && body[i + 1] === q) {
      out += q;
      i++;
    } else out += c;
  }
  return out;
}

function isEscapedEnd(literal: string): boolean {
  // `'abc\'` ends with an escaped quote: the literal is unterminated.
  let n = 0;
  for (let i = literal.length - 2; i >= 1 && literal[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function isUnterminated(literal: string): boolean {
  const q = literal[0]!;
  if (literal.length < 2 || !literal.endsWith(q)) return true;
  // Count the quotes: `'it''s'` is closed, `'it''` is not.
  let i = 1;
  while (i < literal.length) {
    const c = literal[i]!;
    if (c === '\\') { i += 2; continue; }
    if (c === q) {
      if (literal[i + 1] === q && i + 1 < literal.length - 1) { i += 2; continue; }
      return i !== literal.length - 1;
    }
    i++;
  }
  return true;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const CURRENT_TIMESTAMP = /^current_timestamp\b/i;

function defaultValue(t: IToken): DefaultValue {
  const text = t.image;
  const span = tokenSpan(t);
  if (text.toLowerCase() === 'null') return { kind: 'null', text, span };
  // declare.py: compile_attribute compares the part before `(` upper-cased, untrimmed:
  // `CURRENT_TIMESTAMP (3)` is quoted as a string there, and so is a bare default here.
  if (CURRENT_TIMESTAMP.test(text) && text.split('(')[0]!.toUpperCase() === 'CURRENT_TIMESTAMP') {
    return { kind: 'currentTimestamp', text, span };
  }
  if (text[0] === "'" || text[0] === '"') return { kind: 'string', text, span, value: unquote(text) };
  if (NUMBER.test(text)) return { kind: 'number', text, span };
  return { kind: 'bare', text, span };
}

function listItemSpan(list: ParenList, index: number, item: IToken[]): Span {
  if (item.length > 0) return joinSpan(item[0]!, item[item.length - 1]!);
  // An empty item: a zero-width span where it would be.
  const before = index === 0 ? list.open : list.commas[index - 1];
  const at = before ? endOf(before) : list.close ? list.close.startOffset : 0;
  return { start: at, end: at };
}

function typeRef(raw: RawType, source: string): TypeRef | undefined {
  const first = raw.codec ?? raw.name;
  if (!first) return undefined;
  let last: IToken = first;
  if (raw.args) last = raw.args.close ?? raw.args.all[raw.args.all.length - 1]!;
  if (raw.modifiers.length) last = raw.modifiers[raw.modifiers.length - 1]!;
  const span = joinSpan(first, last);
  // The token's own image when the type is one token (the same characters, one string less).
  const text = first === last ? first.image : source.slice(span.start, span.end);
  const ref: TypeRef = { text, name: raw.name ? beforeAt(raw.name.image) : '', span };
  if (raw.codec) {
    ref.codec = codecRef(raw.codec);
    return ref;
  }
  if (raw.args) {
    const list = raw.args;
    ref.args = list.items.map((item, i): TypeArg => {
      const s = listItemSpan(list, i, item);
      const arg: TypeArg = { text: source.slice(s.start, s.end), span: s };
      if (item.length === 1 && (item[0]!.tokenType === StringSQ || item[0]!.tokenType === StringDQ)) arg.value = unquote(item[0]!.image);
      return arg;
    });
    if (ref.args.length === 1 && ref.args[0]!.text === '') ref.args = [];
  }
  if (raw.modifiers.length) ref.modifiers = raw.modifiers.map(ident);
  return ref;
}

function beforeAt(image: string): string {
  const at = image.indexOf('@');
  return at < 0 ? image : image.slice(0, at);
}

function codecRef(t: IToken): CodecRef {
  const text = t.image;
  const start = t.startOffset;
  const inner = text.slice(1, text.endsWith('>') ? -1 : undefined);
  const at = inner.indexOf('@');
  const namePart = at < 0 ? inner : inner.slice(0, at);
  const trimmedName = namePart.trim();
  const nameStart = start + 1 + namePart.indexOf(trimmedName);
  const codec: CodecRef = { span: tokenSpan(t), name: { text: trimmedName, span: { start: nameStart, end: nameStart + trimmedName.length } } };
  if (at >= 0) {
    const storePart = inner.slice(at + 1);
    const trimmedStore = storePart.trim();
    const storeStart = start + 1 + at + 1 + (trimmedStore ? storePart.indexOf(trimmedStore) : 0);
    codec.store = { text: trimmedStore, span: { start: storeStart, end: storeStart + trimmedStore.length } };
  }
  return codec;
}

function reference(raw: RawReference, source: string): Reference {
  const path = raw.path.map(ident);
  const lastWord = raw.path[raw.path.length - 1];
  const lastDot = raw.dots[raw.dots.length - 1];
  // A trailing dot while typing (`acq.`): an empty last name right after it.
  if (lastDot && lastWord && lastDot.startOffset > lastWord.startOffset) {
    const at = endOf(lastDot);
    path.push({ text: '', span: { start: at, end: at } });
  }
  const first = raw.opens[0] ?? raw.path[0]!;
  let end = Math.max(lastWord ? endOf(lastWord) : 0, lastDot ? endOf(lastDot) : 0, raw.opens.length ? endOf(raw.opens[raw.opens.length - 1]!) : 0);
  let projection: Projection | undefined;
  if (raw.projList) {
    const list = raw.projList;
    const closeEnd = list.close ? endOf(list.close) : endOf(list.all[list.all.length - 1]!);
    const items = list.items
      .map((item, i) => projectionItem(item, listItemSpan(list, i, item), source))
      .filter((item): item is ProjectionItem => item !== undefined);
    projection = { span: { start: list.open.startOffset, end: closeEnd }, items };
    end = closeEnd;
  }
  // Closing parentheses that match opening ones belong to the reference.
  const matched = Math.min(raw.opens.length, raw.closes.length);
  if (matched > 0) end = endOf(raw.closes[matched - 1]!);
  const ref: Reference = { span: { start: first.startOffset, end }, path };
  if (projection) ref.projection = projection;
  if (raw.opens.length) ref.parenthesized = true;
  return ref;
}

function isString(t: IToken | undefined): boolean {
  return t !== undefined && (t.tokenType === StringSQ || t.tokenType === StringDQ);
}

function quotedIdent(t: IToken): Identifier {
  return { text: unquote(t.image), span: tokenSpan(t) };
}

function projectionItem(item: IToken[], span: Span, source: string): ProjectionItem | undefined {
  if (item.length === 0) return undefined;
  const text = source.slice(span.start, span.end);
  const [a, b, c] = item;
  // Only plain renames are meaningful for a foreign key (reference §11.3#24); a quoted
  // SQL expression such as `s='x + 1'` is a computed attribute.
  if (item.length === 3 && a!.tokenType === Word && b!.tokenType === Equals && isString(c) && /^[A-Za-z_]\w*$/.test(unquote(c!.image).trim())) {
    return { span, text, form: 'rename', target: ident(a!), source: quotedIdent(c!) };
  }
  if (item.length === 1 && (a!.tokenType === Word || (isString(a) && /^[A-Za-z_]\w*$/.test(unquote(a!.image).trim())))) {
    return { span, text, form: 'attribute', source: a!.tokenType === Word ? ident(a!) : quotedIdent(a!) };
  }
  const out: ProjectionItem = { span, text, form: 'expression' };
  if (a!.tokenType === Word && b?.tokenType === Equals) out.target = ident(a!);
  return out;
}

function indexArg(item: IToken[], span: Span, source: string): IndexArg {
  const text = source.slice(span.start, span.end);
  const first = item[0];
  if (item.length === 1 && first!.tokenType === Word) return { kind: 'attribute', text, span, name: ident(first!) };
  // `attr.path:type` (declare.py: compile_index json-path form): a word followed by `.`.
  if (first && first.tokenType === Word && item[1] && item[1].image.startsWith('.') && item[1].startOffset === endOf(first)) {
    return { kind: 'jsonPath', text, span, name: ident(first) };
  }
  return { kind: 'expression', text, span };
}

// ---- syntax diagnostics ------------------------------------------------------------------

function junkSpan(junk: IToken[]): Span {
  return joinSpan(junk[0]!, junk[junk.length - 1]!);
}

function describe(text: string): string {
  const short = text.length > 30 ? `${text.slice(0, 27)}...` : text;
  return `\`${short}\``;
}

function closeFix(at: number, close: string): Fix {
  return { title: `Add the closing ${close}`, edits: [{ span: { start: at, end: at }, newText: close }], preferred: true };
}

function checkLiteral(t: IToken, diagnostics: Diagnostic[]): void {
  if ((t.tokenType === StringSQ || t.tokenType === StringDQ) && isUnterminated(t.image)) {
    diagnostics.push(makeDiagnostic('DJ104', tokenSpan(t), { what: 'string', close: t.image[0]! }, { fixes: [closeFix(endOf(t), t.image[0]!)] }));
  } else if (t.tokenType === Codec && !t.image.endsWith('>')) {
    diagnostics.push(makeDiagnostic('DJ104', tokenSpan(t), { what: 'codec type', close: '>' }, { fixes: [closeFix(endOf(t), '>')] }));
  }
}

function checkList(list: ParenList | undefined, diagnostics: Diagnostic[], what: string): void {
  if (!list) return;
  for (const t of list.all) checkLiteral(t, diagnostics);
  if (!list.close) {
    const open = list.open;
    const last = list.all[list.all.length - 1] ?? open;
    diagnostics.push(makeDiagnostic('DJ104', open ? tokenSpan(open) : { start: 0, end: 0 }, { what, close: ')' }, { fixes: last ? [closeFix(endOf(last), ')')] : [] }));
  }
}

function buildAttribute(raw: Extract<RawLine, { kind: 'attribute' }>, source: string, inKey: boolean, diagnostics: Diagnostic[]): AttributeLine {
  const name = ident(raw.name);
  // `span` is set at the end; the name's span holds its place meanwhile.
  const node: AttributeLine = { kind: 'attribute', inKey, name, span: name.span };
  let last: IToken = raw.name;
  if (raw.eq) last = raw.eq;
  if (raw.def) {
    node.default = defaultValue(raw.def);
    last = raw.def;
    const q = raw.def.image[0];
    if (q === "'" || q === '"') {
      const end = leadingLiteralEnd(raw.def.image);
      if (end < 0) {
        diagnostics.push(makeDiagnostic('DJ104', tokenSpan(raw.def), { what: 'string', close: q }));
      } else if (end < raw.def.image.length) {
        // `'a' b : ...`: declare.py would pass it to SQL verbatim, which rejects it.
        const start = raw.def.startOffset + end + (raw.def.image.slice(end).length - raw.def.image.slice(end).trimStart().length);
        diagnostics.push(makeDiagnostic('DJ102', { start, end: endOf(raw.def) }, {
          text: describe(source.slice(start, endOf(raw.def))), detail: ' after the quoted default',
        }));
        node.default.value = unquote(raw.def.image.slice(0, end));
      }
    }
  } else if (raw.eq) {
    diagnostics.push(makeDiagnostic('DJ108', tokenSpan(raw.eq)));
  }
  if (raw.colon) last = raw.colon;
  if (raw.type) {
    const t = typeRef(raw.type, source);
    if (t) {
      node.type = t;
      if (raw.type.codec) checkLiteral(raw.type.codec, diagnostics);
      checkList(raw.type.args, diagnostics, 'type arguments');
      last = raw.type.modifiers[raw.type.modifiers.length - 1] ?? raw.type.args?.close ?? raw.type.args?.all[raw.type.args.all.length - 1] ?? raw.type.codec ?? raw.type.name!;
    }
  }
  if (raw.junk.length) {
    const span = junkSpan(raw.junk);
    if (raw.junk[0]!.tokenType === Equals && node.type && !node.default) {
      const value = source.slice(endOf(raw.junk[0]!), span.end).trim();
      diagnostics.push(makeDiagnostic('DJ109', span, { name: node.name.text, value: value || 'value', type: node.type.text }, {
        fixes: value && node.type ? [{
          title: `Move the default before the colon`,
          preferred: true,
          edits: [
            { span: { start: node.name.span.end, end: node.type.span.start }, newText: ` = ${value} : ` },
            { span: { start: node.type.span.end, end: span.end }, newText: '' },
          ],
        }] : undefined,
      }));
    } else {
      // `t = 2020-01-01 12:00:00 : datetime`: the default ends at the first unquoted colon.
      const timeInDefault = !node.type && raw.colon && raw.def && /\d$/.test(raw.def.image) && /^\d/.test(raw.junk[0]!.image);
      const detail = node.type ? ' after the type'
        : timeInDefault ? ': a default that contains `:` must be quoted, e.g. `\'2020-01-01 12:00:00\'`'
          : raw.colon ? ', expected a type' : '';
      diagnostics.push(makeDiagnostic('DJ102', span, { text: describe(source.slice(span.start, span.end)), detail }));
    }
    for (const j of raw.junk) checkLiteral(j, diagnostics);
    last = raw.junk[raw.junk.length - 1]!;
  }
  if (!raw.colon) {
    const detail = node.type ? ` (the \`:\` before \`${node.type.text}\` is missing)` : '';
    diagnostics.push(makeDiagnostic('DJ103', node.name.span, { name: node.name.text, detail }));
  }
  else if (!node.type && !raw.junk.length) diagnostics.push(makeDiagnostic('DJ103', tokenSpan(raw.colon), { name: node.name.text }));
  if (raw.comment) {
    node.comment = commentNode(raw.comment);
    last = raw.comment;
  }
  node.span = joinSpan(raw.name, last);
  return node;
}

/** End of the leading quoted literal of a default (after its closing quote), or -1 when unterminated. */
function leadingLiteralEnd(text: string): number {
  const q = text[0]!;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') { i++; continue; }
    if (c === q) {
      if (text[i + 1] === q) { i++; continue; }
      return i + 1;
    }
  }
  return -1;
}

function buildForeignKey(raw: Extract<RawLine, { kind: 'foreignKey' }>, source: string, inKey: boolean, diagnostics: Diagnostic[]): ForeignKeyLine {
  const node: ForeignKeyLine = { kind: 'foreignKey', inKey, arrow: tokenSpan(raw.arrow), options: raw.options.map(ident), span: tokenSpan(raw.arrow) };
  let last: IToken = raw.arrow;
  const legacy = raw.prefix && raw.ref?.path.length && !raw.ref.projList ? legacyRename(raw.prefix, raw.junk, source) : undefined;
  if (legacy) {
    // Validation decides: 0.13 reads it, 0.14 and 2 do not (and say how to write it now).
    node.legacyRename = legacy;
    raw = { ...raw, prefix: undefined, junk: [] };
  }
  if (raw.prefix) diagnostics.push(makeDiagnostic('DJ105', tokenSpan(raw.prefix)));
  if (raw.lb) {
    const end = raw.rb ?? raw.options[raw.options.length - 1] ?? raw.lb;
    node.optionsSpan = joinSpan(raw.lb, end);
    last = end;
    if (!raw.rb) diagnostics.push(makeDiagnostic('DJ104', tokenSpan(raw.lb), { what: 'option list', close: ']' }, { fixes: [closeFix(endOf(end), ']')] }));
    else if (raw.options.length === 0) diagnostics.push(makeDiagnostic('DJ301', node.optionsSpan, { option: '[]' }));
  }
  if (raw.ref && (raw.ref.opens.length || raw.ref.path.length)) {
    node.reference = reference(raw.ref, source);
    checkReference(raw.ref, node.reference, diagnostics);
    last = { ...raw.arrow, startOffset: node.reference.span.start, image: source.slice(node.reference.span.start, node.reference.span.end) };
  } else if (raw.ref?.closes.length) {
    raw.junk.unshift(...raw.ref.closes);
  } else if (!raw.junk.length) {
    diagnostics.push(makeDiagnostic('DJ106', tokenSpan(raw.arrow), { detail: 'write the referenced table after `->`' }));
  }
  if (raw.junk.length) {
    const span = junkSpan(raw.junk);
    const text = source.slice(span.start, span.end);
    // `Parent & cond`, `A * B`, `Parent - x`: a restricted or joined dependency (D12).
    if (node.reference && /^[&*^-]|^\.(?!proj\b)/.test(text)) {
      const whole = { start: node.reference.span.start, end: span.end };
      diagnostics.push(makeDiagnostic('DJ304', whole, { text: source.slice(whole.start, whole.end) }));
    } else if (!node.reference) {
      diagnostics.push(makeDiagnostic('DJ106', span, { detail: `${describe(text)} is not a table name` }));
    } else {
      diagnostics.push(makeDiagnostic('DJ102', span, { text: describe(text), detail: ' after the referenced table' }));
    }
    for (const j of raw.junk) checkLiteral(j, diagnostics);
    last = raw.junk[raw.junk.length - 1]!;
  }
  if (raw.comment) {
    node.comment = commentNode(raw.comment);
    last = raw.comment;
  }
  node.span = joinSpan(raw.prefix ?? raw.arrow, last);
  if (legacy) {
    legacy.span = { start: legacy.span.start, end: Math.max(legacy.span.end, node.reference?.span.end ?? 0) };
    node.span = { start: legacy.span.start, end: Math.max(legacy.span.end, node.span.end) };
  }
  return node;
}

const NAMES_IN_PARENS = /^\(\s*([a-z][a-z0-9_]*(?:\s*,\s*[a-z][a-z0-9_]*)*)?\s*\)$/;

function namesIn(text: string, offset: number): Identifier[] {
  const out: Identifier[] = [];
  for (const m of text.matchAll(/[a-z][a-z0-9_]*/g)) out.push({ text: m[0], span: { start: offset + m.index!, end: offset + m.index! + m[0].length } });
  return out;
}

/** `(a, b)` before the arrow and `(c, d)` or nothing after the table: declare.py 0.13's foreign_key_parser_old. */
function legacyRename(prefix: IToken, junk: IToken[], source: string): ForeignKeyLine['legacyRename'] {
  const before = prefix.image;
  if (!NAMES_IN_PARENS.test(before)) return undefined;
  let after = '';
  let afterStart = 0;
  let end = endOf(prefix);
  if (junk.length) {
    const span = junkSpan(junk);
    after = source.slice(span.start, span.end);
    afterStart = span.start;
    end = span.end;
    if (!NAMES_IN_PARENS.test(after)) return undefined;
  }
  const attributes = namesIn(before, prefix.startOffset);
  if (attributes.length === 0) return undefined;
  return { span: { start: prefix.startOffset, end }, attributes, parentAttributes: after ? namesIn(after, afterStart) : [] };
}

function checkReference(raw: RawReference, ref: Reference, diagnostics: Diagnostic[]): void {
  if (raw.path.length === 0) {
    diagnostics.push(makeDiagnostic('DJ106', ref.span, { detail: 'write the referenced table inside the parentheses' }));
  }
  if (raw.opens.length > raw.closes.length) {
    const missing = raw.opens.length - raw.closes.length;
    diagnostics.push(makeDiagnostic('DJ104', tokenSpan(raw.opens[raw.closes.length]!), { what: 'parenthesis', close: ')' }, { fixes: [closeFix(ref.span.end, ')'.repeat(missing))] }));
  }
  for (const extra of raw.closes.slice(raw.opens.length)) {
    diagnostics.push(makeDiagnostic('DJ102', tokenSpan(extra), { text: '`)`', detail: ' without a matching `(`' }));
  }
  const empty = ref.path.find((p) => p.text === '');
  if (empty) diagnostics.push(makeDiagnostic('DJ106', { start: empty.span.start - 1, end: empty.span.end }, { detail: 'write a name after the `.`' }));
  if (raw.projList) {
    for (const t of raw.projList.all) checkLiteral(t, diagnostics);
    if (!raw.projList.close) {
      const last = raw.projList.all[raw.projList.all.length - 1] ?? raw.projList.open;
      diagnostics.push(makeDiagnostic('DJ104', tokenSpan(raw.projList.open), { what: 'projection', close: ')' }, { fixes: [closeFix(endOf(last), ')')] }));
    }
  }
}

function buildIndex(raw: Extract<RawLine, { kind: 'index' }>, source: string, inKey: boolean, diagnostics: Diagnostic[]): IndexLine {
  const node: IndexLine = {
    kind: 'index', inKey, unique: /^unique/i.test(raw.keyword.image), keyword: tokenSpan(raw.keyword), args: [], span: tokenSpan(raw.keyword),
  };
  let last: IToken = raw.keyword;
  if (raw.list) {
    const list = raw.list;
    node.args = list.items.map((item, i) => indexArg(item, listItemSpan(list, i, item), source));
    checkList(list, diagnostics, 'index');
    last = list.close ?? list.all[list.all.length - 1]!;
    if (list.items.length === 1 && list.items[0]!.length === 0) {
      node.args = [];
      if (list.close) diagnostics.push(makeDiagnostic('DJ107', joinSpan(list.open, list.close), { detail: 'list at least one attribute' }));
    } else {
      list.items.forEach((item, i) => {
        if (item.length === 0) diagnostics.push(makeDiagnostic('DJ107', i === 0 ? tokenSpan(list.commas[0]!) : tokenSpan(list.commas[i - 1]!), { detail: 'empty argument' }));
      });
      node.args = node.args.filter((a) => a.text !== '');
    }
  }
  if (raw.junk.length) {
    const span = junkSpan(raw.junk);
    diagnostics.push(makeDiagnostic('DJ107', span, { detail: `unexpected ${describe(source.slice(span.start, span.end))} after the attribute list` }));
    last = raw.junk[raw.junk.length - 1]!;
  }
  if (raw.comment) {
    node.comment = commentNode(raw.comment);
    last = raw.comment;
  }
  node.span = joinSpan(raw.keyword, last);
  return node;
}

/** Parses a definition (syntax only). Never throws. */
export function parseDefinition(text: string): { ast: Definition; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lexed = definitionLexer.tokenize(text);
  for (const e of lexed.errors) {
    diagnostics.push(makeDiagnostic('DJ101', { start: e.offset, end: e.offset + Math.max(1, e.length) }, { detail: e.message }));
  }
  const p = parser();
  p.begin(lexed.tokens);
  p.definition();
  for (const e of p.lastErrors) {
    const t = e.token;
    const start = Number.isFinite(t.startOffset) ? t.startOffset : text.length;
    const end = Number.isFinite(t.startOffset) && t.image ? endOf(t) : start;
    diagnostics.push(makeDiagnostic('DJ101', { start, end: Math.max(start, end) }, { detail: e.message }));
  }
  const raws = p.out;
  p.out = [];

  const ast: Definition = { kind: 'definition', source: text, lines: [], span: { start: 0, end: text.length } };
  let inKey = true;
  let first = true;
  for (const raw of raws) {
    let line: Line;
    switch (raw.kind) {
      case 'comment':
        if (first) {
          ast.tableComment = commentNode(raw.token);
          first = false;
          continue;
        }
        line = { kind: 'comment', inKey, comment: commentNode(raw.token), span: tokenSpan(raw.token) };
        break;
      case 'divider':
        line = { kind: 'divider', inKey, span: tokenSpan(raw.token) };
        inKey = false;
        break;
      case 'junk':
        line = { kind: 'error', inKey, text: raw.token.image, span: tokenSpan(raw.token) };
        diagnostics.push(makeDiagnostic('DJ101', line.span, {
          detail: /^[=:]/.test(raw.token.image) ? 'an attribute line starts with its name, e.g. `name : int32`'
            : /^[^\s:=#]+\s*[:=]/.test(raw.token.image) ? 'attribute names start with a lowercase letter, e.g. `name : int32`'
              : 'expected an attribute `name : type`, `-> Parent`, `index(...)`, `---` or `# comment`',
        }));
        break;
      case 'attribute':
        line = buildAttribute(raw, text, inKey, diagnostics);
        break;
      case 'foreignKey':
        line = buildForeignKey(raw, text, inKey, diagnostics);
        break;
      case 'index':
        line = buildIndex(raw, text, inKey, diagnostics);
        break;
    }
    first = false;
    ast.lines.push(line);
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { ast, diagnostics };
}
