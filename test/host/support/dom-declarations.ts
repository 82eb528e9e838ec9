/**
 * Reads class members from the types-for-adobe declarations, so the DOM doubles can be checked against the
 * documented DOM: a double may model less than Adobe documents, never something Adobe does not document.
 */
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';

const TYPES_ROOT = path.resolve(__dirname, '../../../node_modules/types-for-adobe');

function classesIn(declarationFile: string): Map<string, ts.ClassDeclaration> {
  const text = fs.readFileSync(path.join(TYPES_ROOT, declarationFile), 'utf8');
  const source = ts.createSourceFile(declarationFile, text, ts.ScriptTarget.Latest, false);
  const classes = new Map<string, ts.ClassDeclaration>();
  source.forEachChild((node) => {
    if (ts.isClassDeclaration(node) && node.name) classes.set(node.name.text, node);
  });
  return classes;
}

/** Member names of a declared class, including those it inherits from declared base classes. */
export function declaredMembers(declarationFile: string, className: string): Set<string> {
  const classes = classesIn(declarationFile);
  const members = new Set<string>();
  let current = classes.get(className);
  if (!current) throw new Error(`${className} is not declared in ${declarationFile}`);
  while (current) {
    for (const member of current.members) {
      if (member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) members.add(member.name.text);
    }
    const base: ts.Expression | undefined = current.heritageClauses?.[0]?.types[0]?.expression;
    current = base && ts.isIdentifier(base) ? classes.get(base.text) : undefined;
  }
  return members;
}

/** Public (non-underscore) instance members of a double: own fields plus prototype methods and accessors. */
export function doubleMembers(instance: object): string[] {
  const names = new Set<string>(Object.keys(instance));
  let proto = Object.getPrototypeOf(instance);
  while (proto && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  return [...names].filter((name) => !name.startsWith('_')).sort();
}

/** Members the double exposes that the declarations do not have (empty when the double is faithful). */
export function undocumentedMembers(declarationFile: string, className: string, instance: object): string[] {
  const declared = declaredMembers(declarationFile, className);
  return doubleMembers(instance).filter((name) => !declared.has(name));
}
