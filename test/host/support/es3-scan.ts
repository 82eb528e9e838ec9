/**
 * Static checks that a script can run in ExtendScript: it parses as ES3 (reserved words as property names are
 * errors there) and reaches for no ES5+ built-in. Built-ins are found on the AST, not by text search, so names in
 * strings and comments do not count.
 */
import { parse } from 'acorn';

/**
 * Property names that exist only from ES5 on. `indexOf`/`lastIndexOf` are ES3 on strings but ES5 on arrays; the
 * receiver's type is unknown statically, so host code avoids them altogether. Likewise `bind` (Function, ES5):
 * Premiere's own `encoder.bind(event, fn)` is allowed explicitly.
 */
const ES5_PROPERTIES = new Set([
  'forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'indexOf', 'lastIndexOf', 'isArray',
  'keys', 'values', 'entries', 'create', 'defineProperty', 'defineProperties', 'getPrototypeOf',
  'getOwnPropertyNames', 'getOwnPropertyDescriptor', 'freeze', 'seal', 'isFrozen', 'preventExtensions', 'trim',
  'trimLeft', 'trimRight', 'trimStart', 'trimEnd', 'now', 'toISOString', 'toJSON', 'bind', 'assign', 'from', 'of',
  'includes', 'startsWith', 'endsWith', 'padStart', 'padEnd', 'repeat', 'find', 'findIndex', 'fill',
]);
const ES5_GLOBALS = new Set(['JSON', 'Symbol', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Reflect', 'Proxy']);

export function parseEs3(source: string): void {
  // allowReserved: false only forbids reserved words as identifiers; 'never' also forbids them as property
  // names (x.default, { class: 1 }), which ExtendScript's ES3 parser rejects.
  parse(source, { ecmaVersion: 3, allowReserved: 'never', sourceType: 'script' });
}

type Node = { type: string; [key: string]: unknown };

function walk(node: unknown, visit: (node: Node, parent: Node | null) => void, parent: Node | null = null): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit, parent);
    return;
  }
  const current = node as Node;
  if (typeof current.type !== 'string') return;
  visit(current, parent);
  for (const key of Object.keys(current)) {
    if (key !== 'type' && key !== 'start' && key !== 'end') walk(current[key], visit, current);
  }
}

function isEncoderBind(member: Node): boolean {
  const object = member.object as Node;
  return (member.property as Node).name === 'bind' && object.type === 'MemberExpression' && (object.property as Node).name === 'encoder';
}

/** Uses of ES5+ built-ins, as "name at offset" strings (empty when the script is ES3-clean). */
export function findEs5BuiltIns(source: string): string[] {
  // Parse at ES5 here so that scanning also works on snippets; ES3 parsing is checked by parseEs3.
  const ast = parse(source, { ecmaVersion: 5, sourceType: 'script' });
  const found: string[] = [];
  walk(ast, (node, parent) => {
    if (node.type === 'MemberExpression' && !node.computed) {
      const name = (node.property as Node).name as string;
      if (ES5_PROPERTIES.has(name) && !isEncoderBind(node)) found.push(`.${name} at ${node.start}`);
    }
    if (node.type === 'Identifier' && ES5_GLOBALS.has(node.name as string)) {
      const isPropertyKey =
        parent !== null &&
        ((parent.type === 'MemberExpression' && parent.property === node && !parent.computed) ||
          (parent.type === 'Property' && parent.key === node));
      if (!isPropertyKey) found.push(`${node.name as string} at ${node.start}`);
    }
  });
  return found;
}
