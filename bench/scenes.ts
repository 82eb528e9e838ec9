/**
 * Scenes for `npm run bench -- --scenes FILE.json`: a JSON array of synthetic scene specs (client/engine/synth
 * scene.ts), so a studio can score the engine on scenes of its own, and so the engine can be checked on scenes it
 * was not tuned on (bench/scenes/variants.json). Colours may be written "#rrggbb" or as [r, g, b] in 0..1.
 */
import { readFile } from 'fs/promises';
import { hex, type SceneSpec } from '../client/engine/synth';

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

/** The scenes in a --scenes file's text; throws a one-line reason naming the scene at fault. */
export function scenesFromJson(text: string, source = 'scenes file'): SceneSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' && HEX_COLOUR.test(value) ? hex(value) : value));
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`${source}: expected a non-empty JSON array of scenes`);
  const names = new Set<string>();
  parsed.forEach((scene: Partial<SceneSpec> | null, i) => {
    const where = `${source}: scene ${i}${scene?.name ? ` (${scene.name})` : ''}`;
    if (typeof scene !== 'object' || scene === null) throw new Error(`${where} is not an object`);
    for (const field of ['name', 'description', 'seed', 'background', 'camera', 'objects', 'edit', 'anchors'] as const) {
      if (scene[field] === undefined) throw new Error(`${where} has no "${field}"`);
    }
    if (names.has(scene.name!)) throw new Error(`${where}: the name is used twice`);
    names.add(scene.name!);
    if (!Array.isArray(scene.anchors) || scene.anchors.length === 0 || scene.anchors.some((t) => typeof t !== 'number' || t < 0 || t > 1)) {
      throw new Error(`${where}: "anchors" must be normalised times in [0, 1]`);
    }
    const edit = scene.edit!;
    if (edit.kind !== 'grade' && !scene.objects!.some((o) => o.id === edit.target)) {
      throw new Error(`${where}: the edit's target "${edit.target}" is not one of its objects`);
    }
  });
  return parsed as SceneSpec[];
}

export async function readScenes(file: string): Promise<SceneSpec[]> {
  return scenesFromJson(await readFile(file, 'utf8'), file);
}
