// Formatting of definitions is opt-in (`datajoint.format.enable`, off by default): a
// document formatter for whole Python/TS/JS files makes VS Code ask users of black, ruff
// or prettier to choose a default formatter. Clients with dynamic registration get the
// providers registered and unregistered as the setting changes; others get them
// announced at start when the setting is on then. The explicit command
// (FORMAT_DEFINITIONS_COMMAND) works either way.
import {
  DocumentFormattingRequest,
  DocumentRangeFormattingRequest,
  type Connection,
  type Disposable,
} from 'vscode-languageserver/node';
import type { ClientSupport } from '../capabilities';
import { report } from '../safe';

export const FORMAT_SECTION = 'datajoint.format';

/** `settings.datajoint.format.enable` of a didChangeConfiguration push, if it says. */
export function formatEnabledIn(settings: unknown): boolean | undefined {
  const format = (settings as { datajoint?: { format?: { enable?: unknown } } } | null | undefined)?.datajoint?.format;
  return typeof format?.enable === 'boolean' ? format.enable : undefined;
}

/** The `enable` of a pulled `datajoint.format` section (workspace/configuration), if set. */
export function enabledOfSection(section: unknown): boolean | undefined {
  const enable = (section as { enable?: unknown } | null | undefined)?.enable;
  return typeof enable === 'boolean' ? enable : undefined;
}

export class FormattingOptIn {
  private registrations: Disposable[] = [];
  /** Changes apply one after the other: a quick on-off-on must not leave two registrations. */
  private queue: Promise<void> = Promise.resolve();
  enabled: boolean;

  constructor(
    private readonly connection: Connection,
    private readonly support: () => ClientSupport,
    initial: boolean,
  ) {
    this.enabled = initial;
  }

  /** Announce the providers in the initialize result (clients that cannot register later). */
  static announceAtStart(support: ClientSupport, initial: boolean): boolean {
    return initial && !support.formattingDynamic;
  }

  /** Applies the setting; registers or unregisters the providers where the client allows it. */
  set(enabled: boolean): Promise<void> {
    this.enabled = enabled;
    this.queue = this.queue.then(() => this.sync()).catch((e: unknown) => report(this.connection.console, 'formatting registration', e));
    return this.queue;
  }

  /** Reads the setting from the client (workspace/configuration), keeping the current value when it is not set. */
  async pull(): Promise<void> {
    if (!this.support().configuration) return;
    const section: unknown = await this.connection.workspace.getConfiguration(FORMAT_SECTION);
    await this.set(enabledOfSection(section) ?? this.enabled);
  }

  private async sync(): Promise<void> {
    if (!this.support().formattingDynamic) return;
    const want = this.enabled;
    if (want === this.registrations.length > 0) return;
    if (!want) {
      const gone = this.registrations;
      this.registrations = [];
      for (const r of gone) r.dispose();
      return;
    }
    // A null selector: the client's own document selector (host files, notebook cells).
    this.registrations = await Promise.all([
      this.connection.client.register(DocumentFormattingRequest.type, { documentSelector: null }),
      this.connection.client.register(DocumentRangeFormattingRequest.type, { documentSelector: null }),
    ]);
  }
}
