// Loads the extension's share of the runtime (clientRuntime.ts) once. In the bundle the
// import becomes a require of dist/client-runtime.js (scripts/build.mjs: runtimeSplit).
export type ClientRuntime = typeof import('./clientRuntime');

let loaded: Promise<ClientRuntime> | undefined;

export function loadRuntime(): Promise<ClientRuntime> {
  loaded ??= import('./clientRuntime').catch((e: unknown) => {
    loaded = undefined; // a broken install may be repaired; try again next time
    throw e;
  });
  return loaded;
}
