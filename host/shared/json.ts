/**
 * JSON ponyfill for ExtendScript, which is ES3 and has no `JSON` object.
 *
 * Written against ES3 only (no Array extras, no Object.keys, no String.prototype.trim) because this is what runs
 * inside Premiere Pro and After Effects. The parser is a small recursive-descent parser rather than json2's
 * validate-then-eval, so a malformed argument from the panel becomes a clear error, never evaluated code.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const ESCAPES: { [ch: string]: string } = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** True for arrays from any realm (host collections and arrays made by the panel's double alike). */
export function isArrayValue(value: unknown): value is unknown[] {
  return Object.prototype.toString.call(value as object) === '[object Array]';
}

function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = text.charCodeAt(i);
    if (ESCAPES.hasOwnProperty(ch)) {
      out += ESCAPES[ch];
    } else if (code < 0x20 || code === 0x2028 || code === 0x2029) {
      const hex = '0000' + code.toString(16);
      out += '\\u' + hex.substring(hex.length - 4);
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** Serialises plain data (objects, arrays, strings, finite numbers, booleans, null); undefined members are skipped. */
export function jsonStringify(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const kind = typeof value;
  if (kind === 'string') return quote(value as string);
  if (kind === 'number') return isFinite(value as number) ? String(value) : 'null';
  if (kind === 'boolean') return value ? 'true' : 'false';
  if (kind === 'function') return 'null';
  if (isArrayValue(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += value[i] === undefined ? 'null' : jsonStringify(value[i]);
    }
    return out + ']';
  }
  const record = value as { [key: string]: unknown };
  let out = '{';
  let first = true;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const member = record[key];
    if (member === undefined || typeof member === 'function') continue;
    out += (first ? '' : ',') + quote(key) + ':' + jsonStringify(member);
    first = false;
  }
  return out + '}';
}

/** Parses strict JSON; throws an Error naming the offending position. */
export function jsonParse(text: string): JsonValue {
  let pos = 0;

  function fail(what: string): never {
    throw new Error('Invalid JSON at character ' + pos + ': ' + what);
  }
  function skipSpace(): void {
    while (pos < text.length) {
      const ch = text.charAt(pos);
      if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') break;
      pos++;
    }
  }
  function expectWord(word: string, result: JsonValue): JsonValue {
    if (text.substring(pos, pos + word.length) !== word) fail('expected ' + word);
    pos += word.length;
    return result;
  }
  function parseString(): string {
    pos++; // opening quote
    let out = '';
    while (pos < text.length) {
      const ch = text.charAt(pos++);
      if (ch === '"') return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = text.charAt(pos++);
      if (esc === 'u') {
        const hex = text.substring(pos, pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 4;
      } else if (esc === 'n') out += '\n';
      else if (esc === 't') out += '\t';
      else if (esc === 'r') out += '\r';
      else if (esc === 'b') out += '\b';
      else if (esc === 'f') out += '\f';
      else if (esc === '"' || esc === '\\' || esc === '/') out += esc;
      else fail('bad escape');
    }
    return fail('unterminated string');
  }
  function parseNumber(): number {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.substring(pos));
    if (!match) return fail('bad number');
    pos += match[0].length;
    return parseFloat(match[0]);
  }
  function parseValue(): JsonValue {
    skipSpace();
    const ch = text.charAt(pos);
    if (ch === '{') {
      pos++;
      const obj: { [key: string]: JsonValue } = {};
      skipSpace();
      if (text.charAt(pos) === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipSpace();
        if (text.charAt(pos) !== '"') fail('expected a key');
        const key = parseString();
        skipSpace();
        if (text.charAt(pos++) !== ':') fail('expected :');
        obj[key] = parseValue();
        skipSpace();
        const sep = text.charAt(pos++);
        if (sep === '}') return obj;
        if (sep !== ',') fail('expected , or }');
      }
    }
    if (ch === '[') {
      pos++;
      const arr: JsonValue[] = [];
      skipSpace();
      if (text.charAt(pos) === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr[arr.length] = parseValue();
        skipSpace();
        const sep = text.charAt(pos++);
        if (sep === ']') return arr;
        if (sep !== ',') fail('expected , or ]');
      }
    }
    if (ch === '"') return parseString();
    if (ch === 't') return expectWord('true', true);
    if (ch === 'f') return expectWord('false', false);
    if (ch === 'n') return expectWord('null', null);
    return parseNumber();
  }

  const value = parseValue();
  skipSpace();
  if (pos !== text.length) fail('trailing characters');
  return value;
}
