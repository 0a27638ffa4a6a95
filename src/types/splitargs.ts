/*
 * Redis's sdssplitargs: the word splitting of inline requests, redis.conf lines and AOF manifests.
 */

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/**
 * Redis's sdssplitargs: whitespace-separated words, "double quotes" with \n \r \t \b \a \\ \" and
 * \xHH escapes, 'single quotes' with \' only. A closing quote must be followed by a space or the
 * end. Returns null on unbalanced quotes. Also used by the redis.conf parser.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      if (inq) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && line[i + 1] === 'x' && isHex(line[i + 2] ?? '') && isHex(line[i + 3] ?? '')) {
          cur += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (ch === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else if (insq) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else {
        if (i >= n) break;
        const c = line.charCodeAt(i);
        if (isSpace(c)) break;
        if (c === 34) inq = true;
        else if (c === 39) insq = true;
        else cur += line[i];
      }
      i++;
    }
    out.push(cur);
  }
}

/** The separators redis-server 7.0.15 splits on: space, \n, \r, \t (not \v or \f, which stay in the argument). */
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
