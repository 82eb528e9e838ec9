/** Edits made in texture space: the ground-truth edited clip is the same scene rendered with edited textures. */
import { applyMatrixInPlace } from './colour';
import type { Decal, EditSpec } from './scene';
import { compileShape, coverageFromDistance } from './shapes';
import { textureEvaluator, type Texture } from './texture';

/** Where an object texture lies: its raster and the object's size in frame widths. */
export interface ObjectTexture {
  texture: Texture;
  sizeX: number;
  sizeY: number;
}

/** Returns an edited copy of `layer` for a decal or recolour edit aimed at it. */
export function editObjectTexture(layer: ObjectTexture, edit: EditSpec): Texture {
  const data = new Float32Array(layer.texture.data);
  const edited: Texture = { width: layer.texture.width, height: layer.texture.height, data };
  if (edit.kind === 'decal') {
    for (const decal of edit.decals) paintDecal(edited, layer.sizeX, layer.sizeY, decal);
  } else if (edit.kind === 'recolour') {
    applyMatrixInPlace(data, edit.matrix);
  } else {
    throw new Error(`a '${edit.kind}' edit applies to the background, not to an object`);
  }
  return edited;
}

/** Returns a colour-graded copy of the background texture. */
export function gradeTexture(texture: Texture, edit: Extract<EditSpec, { kind: 'grade' }>): Texture {
  const data = new Float32Array(texture.data);
  applyMatrixInPlace(data, edit.matrix);
  return { width: texture.width, height: texture.height, data };
}

/** Paints `decal` into `tex` (in place), antialiased at texel resolution. */
function paintDecal(tex: Texture, sizeX: number, sizeY: number, decal: Decal): void {
  const hx = (decal.size[0] * sizeX) / 2;
  const hy = (decal.size[1] * sizeY) / 2;
  const cx = decal.centre[0] * sizeX;
  const cy = decal.centre[1] * sizeY;
  const a = ((decal.rotation ?? 0) * Math.PI) / 180;
  const ca = Math.cos(a);
  const sa = Math.sin(a);
  const distance = compileShape(decal.shape, hx, hy);
  const fill = textureEvaluator(decal.fill);
  const opacity = decal.opacity ?? 1;
  const texelsPerUnit = tex.width / sizeX;
  const colour: [number, number, number] = [0, 0, 0];
  const radius = Math.hypot(hx, hy);
  const x0 = Math.max(0, Math.floor((cx - radius) * texelsPerUnit) - 1);
  const x1 = Math.min(tex.width - 1, Math.ceil((cx + radius) * texelsPerUnit) + 1);
  const y0 = Math.max(0, Math.floor((cy - radius) * texelsPerUnit) - 1);
  const y1 = Math.min(tex.height - 1, Math.ceil((cy + radius) * texelsPerUnit) + 1);
  for (let ty = y0; ty <= y1; ty++) {
    const y = (ty + 0.5) / texelsPerUnit;
    for (let tx = x0; tx <= x1; tx++) {
      const x = (tx + 0.5) / texelsPerUnit;
      const dx = x - cx;
      const dy = y - cy;
      const lx = ca * dx + sa * dy;
      const ly = -sa * dx + ca * dy;
      const w = coverageFromDistance(distance(lx, ly) * texelsPerUnit) * opacity;
      if (w <= 0) continue;
      fill(x, y, colour);
      const o = (ty * tex.width + tx) * 3;
      tex.data[o] += (colour[0] - tex.data[o]) * w;
      tex.data[o + 1] += (colour[1] - tex.data[o + 1]) * w;
      tex.data[o + 2] += (colour[2] - tex.data[o + 2]) * w;
    }
  }
}
