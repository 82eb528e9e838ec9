/**
 * Static checks of the built ExtendScript bundle (build/host/anchorflow.jsx). These do not run Premiere Pro or
 * After Effects: they check that the file parses as ES3 the way ExtendScript would and uses no ES5+ built-in.
 */
import * as fs from 'fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHostBundle } from './support/build';
import { findEs5BuiltIns, parseEs3 } from './support/es3-scan';

let source = '';

beforeAll(() => {
  source = fs.readFileSync(buildHostBundle(), 'utf8');
});

describe('host bundle', () => {
  it('parses as ES3 with reserved words forbidden as property names', () => {
    expect(() => parseEs3(source)).not.toThrow();
  });

  it('uses no ES5+ built-ins', () => {
    expect(findEs5BuiltIns(source)).toEqual([]);
  });

  it('installs one namespace with the three contract functions', () => {
    expect(source).toContain('$.global[_hostApi.HOST_NAMESPACE]');
    for (const name of ['getContext', 'exportFrames', 'importResult']) expect(source).toContain(`${name}: function`);
  });
});

describe('the checks themselves', () => {
  it('rejects ES5 syntax and reserved property names', () => {
    expect(() => parseEs3('var o = { get x() { return 1; } };')).toThrow();
    expect(() => parseEs3('exports.default = 1;')).toThrow();
    expect(() => parseEs3('var o = { "default": 1 }; o["default"];')).not.toThrow();
  });

  it('finds ES5 built-ins on the AST but not in strings or for Premiere encoder.bind', () => {
    const snippet = 'a.forEach(f); Object.keys(o); JSON.stringify(o); s.trim(); var t = "a.map(f)"; app.encoder.bind("e", f); f.bind(o);';
    expect(findEs5BuiltIns(snippet).map((hit) => hit.split(' at ')[0])).toEqual(['.forEach', '.keys', 'JSON', '.trim', '.bind']);
  });
});
