// Which database schema a TypeScript/JavaScript pipeline module binds an exported table
// class to, read from the source without running it (`djx populate <module> <Class>` takes
// the module's export <Class>), and the schema a Python class's decorator names. The
// analysis lives in the runtime (runtime/project/module-bindings.ts), where the language
// server uses it too; the client's callers (populate command, code lens, debug) import it
// from here. No vscode import: unit-tested (test/unit/client/module-bindings.test.ts).
export {
  moduleBinding, pythonSchemaOf, readFromDisk, evaluateName, stripComments, resolveModule,
  type Binding, type ReadFile,
} from '../../runtime/project/module-bindings';
