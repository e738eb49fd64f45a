// File paths inside the index are keys with forward slashes, so that one resolver
// serves POSIX and Windows paths alike (`C:\a\b.py` -> `C:/a/b.py`).

export function toKey(path: string): string {
  const p = path.replace(/\\/g, '/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '.' || (seg === '' && parts.length > 0)) continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..' && parts[parts.length - 1] !== '') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/') || (p.startsWith('/') ? '/' : '.');
}

export function dirOf(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : key.slice(0, i);
}

export function baseOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

export function join(dir: string, rest: string): string {
  return toKey(dir === '.' ? rest : `${dir}/${rest}`);
}
