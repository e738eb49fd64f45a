// Which settings name a server rather than the workspace's embedded database, and the
// words for the choice. Apart from loadSettings (index.ts, which applies the rule) so that
// the extension's activation bundle can say why without loading the settings reader.
/** What the words need of the Settings (index.ts), named here so that nothing imports back. */
interface ChoiceSettings {
  database: { embedded: boolean };
  sources: Record<string, string>;
}

/** Settings whose presence in any source names a server rather than the embedded database. */
export const SERVER_KEYS = ['database.host', 'database.user', 'database.port', 'database.backend'] as const;

/**
 * Why these settings use the embedded database or a server, in words: what `djx db status`
 * and the extension's tooltip say (the rule itself is loadSettings').
 */
export function databaseChoiceReason(settings: ChoiceSettings): string {
  const backendSource = settings.sources['database.backend'];
  if (settings.database.embedded) {
    return backendSource !== undefined
      ? `database.backend is "embedded" (${backendSource})`
      : 'no database server is configured (no host, user, port or backend in the DJ_* variables or datajoint.json)';
  }
  const named = SERVER_KEYS.filter((k) => settings.sources[k] !== undefined).map((k) => `${k} from ${settings.sources[k]}`);
  return `a server is configured (${named.length ? named.join(', ') : 'by code'})`;
}

