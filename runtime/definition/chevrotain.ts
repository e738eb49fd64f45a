// Chevrotain 11 ships ES modules whose internal packages (@chevrotain/utils, ...) export
// only an `import` condition. Under tsx in this CommonJS package (tests, `djx` run from
// source), `import 'chevrotain'` becomes a require() of those internals and fails with
// ERR_PACKAGE_PATH_NOT_EXPORTED. The published single-file bundle has no imports of its
// own, so it loads under require() and import alike, and esbuild bundles it as usual.
// Types still come from the package. If the project moves to ESM (or runs tests with
// `--conditions=import`), this file can become `export * from 'chevrotain'`.
import type * as Chevrotain from 'chevrotain';
// @ts-ignore -- the bundle has no declaration file of its own; typed below.
import * as bundle from '../../node_modules/chevrotain/lib/chevrotain.mjs';

const chevrotain = bundle as unknown as typeof Chevrotain;

export const createToken = chevrotain.createToken;
export const Lexer = chevrotain.Lexer;
export const EmbeddedActionsParser = chevrotain.EmbeddedActionsParser;
export type IToken = Chevrotain.IToken;
export type TokenType = Chevrotain.TokenType;
export type CustomPatternMatcherReturn = Chevrotain.CustomPatternMatcherReturn;
export type ILexingError = Chevrotain.ILexingError;
export type IRecognitionException = Chevrotain.IRecognitionException;
