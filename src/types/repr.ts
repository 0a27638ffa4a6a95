/*
 * sdscatrepr: a byte string as a double-quoted literal that sdssplitargs reads back unchanged.
 * Printable ASCII stays as is, \ and " are escaped, \n \r \t \a \b by name, other bytes as \xHH.
 * Used by MONITOR lines, CONFIG REWRITE and redis-server's command-line-to-config translation.
 */

export function sdsRepr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 92:
        out += '\\\\';
        break;
      case 34:
        out += '\\"';
        break;
      case 10:
        out += '\\n';
        break;
      case 13:
        out += '\\r';
        break;
      case 9:
        out += '\\t';
        break;
      case 7:
        out += '\\a';
        break;
      case 8:
        out += '\\b';
        break;
      default:
        out += c >= 32 && c < 127 ? s[i] : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}
