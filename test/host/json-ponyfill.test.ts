/**
 * The host's JSON ponyfill (host/shared/json.ts), compared with Node's JSON. Runs in Node, not ExtendScript; the
 * bundle-level tests check that the compiled copy runs in an ES3-only realm.
 */
import { describe, expect, it } from 'vitest';
import { jsonParse, jsonStringify } from '../../host/shared/json';

const samples: unknown[] = [
  null,
  true,
  0,
  -12.5e-3,
  'plain',
  'quote " backslash \\ newline \n tab \t bell \u0007 separator \u2028 é 日本',
  [],
  [1, 'two', [3], { four: 4 }],
  { path: 'C:\\Users\\me\\AnchorFlow\\job 1', nested: { empty: {}, list: [null, false] } },
];

describe('JSON ponyfill', () => {
  it('stringifies to what JSON.parse reads back, byte-identical to JSON.stringify but for U+2028/2029', () => {
    for (const sample of samples) {
      expect(JSON.parse(jsonStringify(sample))).toEqual(sample);
      // Line/paragraph separators are escaped on purpose: they end a line in ES3 string literals.
      expect(jsonStringify(sample)).toBe(JSON.stringify(sample).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
    }
  });

  it('parses what JSON.stringify writes', () => {
    for (const sample of samples) expect(jsonParse(JSON.stringify(sample))).toEqual(sample);
    expect(jsonParse(' { "a" : [ 1 , 2 ] , "b" : "\\u00e9\\/" } ')).toEqual({ a: [1, 2], b: 'é/' });
  });

  it('skips undefined members and writes non-finite numbers as null, as JSON does', () => {
    expect(jsonStringify({ a: undefined, b: NaN, c: [undefined, Infinity] })).toBe(JSON.stringify({ a: undefined, b: NaN, c: [undefined, Infinity] }));
  });

  it('rejects malformed input with the position', () => {
    for (const bad of ['', '{', '{"a":1,}', '[1 2]', 'tru', '"unterminated', '{"a":1} x', "{'a':1}"]) {
      expect(() => jsonParse(bad)).toThrow(/Invalid JSON at character \d+/);
    }
  });
});
