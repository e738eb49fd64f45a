// The embedded database (PGlite in the workspace) as the runtime sees it: find the process
// that serves a data directory, or become that process. See README.md for the guarantees.
import { watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { DiscoveryError } from './discovery';
import { findEmbeddedServer, type EmbeddedEndpoint } from './locate';
import { discoveryFileFor, EmbeddedServerBusyError, serveEmbedded, type EmbeddedServer, type ServeOptions } from './server';

export { discoveryFileFor, EMBEDDED_DATABASE, EMBEDDED_USER, EmbeddedServerBusyError, serveEmbedded } from './server';
export type { EmbeddedServer, EmbeddedServerEvents, EmbeddedServerStats, ServeOptions } from './server';
export { DiscoveryError, type ServerRecord } from './discovery';
export { embeddedLocation, embeddedPassword, findEmbeddedServer, startEmbeddedServer, type EmbeddedEndpoint, type EmbeddedLocation } from './locate';
export { passwordFileFor } from './secret';

export interface EnsureOptions extends ServeOptions {
  /**
   * How long to wait for another process that is opening (or closing) the data directory,
   * in ms (default 120000: a first opening runs initdb, seconds on a slow machine).
   */
  waitMs?: number;
}

/**
 * Connects the caller to the embedded database of `dataDir`: the endpoint of the process
 * that serves it, or, when none does, a server started in this process (`server`, which the
 * caller closes when it is done; the other processes lose their connections then, and the
 * next one to reconnect through this function serves it in turn).
 */
export async function ensureEmbeddedServer(options: EnsureOptions): Promise<EmbeddedEndpoint & { server: EmbeddedServer | null }> {
  const file = resolve(options.discoveryFile ?? discoveryFileFor(options.dataDir));
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  for (;;) {
    const found = await findEmbeddedServer(options.dataDir, { discoveryFile: file, ...(options.passwordFile ? { passwordFile: options.passwordFile } : {}) });
    if (found) return { ...found, server: null };
    try {
      const server = await serveEmbedded({ ...options, discoveryFile: file });
      return { ...server.connection, pid: process.pid, server };
    } catch (e) {
      if (!(e instanceof EmbeddedServerBusyError)) throw e;
      if (e.record.state === 'ready') continue; // became ready between the two looks
      if (Date.now() > deadline) throw new DiscoveryError(`${e.message}; gave up waiting after ${options.waitMs ?? 120_000} ms (remove ${file} if process ${e.record.pid} is not a DataJoint process)`);
      await changeOf(file);
    }
  }
}

/**
 * Resolves when `file` is created, replaced or removed, or after a short while: a process
 * that dies leaves no event, so its pid is looked at again periodically.
 */
function changeOf(file: string): Promise<void> {
  return new Promise((resolveChange) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      resolveChange();
    };
    const timer = setTimeout(done, 250);
    try {
      watcher = watch(dirname(file), (_event, name) => {
        if (name === null || name === basename(file)) done();
      });
      watcher.on('error', () => undefined);
    } catch {
      // No watching on this file system: the timer alone.
    }
  });
}
