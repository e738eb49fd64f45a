// Files are keyed by their file-system path in the table index (module names derive
// from paths); documents that have no path (untitled buffers) keep their URI as key.
import { fileURLToPath, pathToFileURL } from 'node:url';

export function keyOfUri(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

export function uriOfKey(key: string): string {
  return key.startsWith('/') || /^[A-Za-z]:[\\/]/.test(key) ? pathToFileURL(key).href : key;
}
