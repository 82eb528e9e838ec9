/**
 * Renders a SceneSpec frame by frame: the source frame, the ground-truth edited frame (same scene, edited
 * textures) and the edit mask (where the two differ). Streaming: one frame at a time, so a 300-frame 1080p clip
 * never has to be held in memory.
 */
import { editObjectTexture, gradeTexture } from './edits';
import { hash3 } from './random';
import {
  anchorIndices,
  frameTime,
  lerp,
  lightGain,
  objectPose,
  type EditSpec,
  type ObjectLayer,
  type SceneSpec,
} from './scene';
import { compileShape, coverageFromDistance, type DistanceFn } from './shapes';
import { rasteriseTexture, sampleBilinear, type Texture } from './texture';

export interface RenderOptions {
  width: number;
  height: number;
  frameCount: number;
  /** Replaces the scene's own edit (same scene, another edit). */
  edit?: EditSpec;
}

export interface RenderedFrame {
  index: number;
  /** Interleaved 8-bit RGB, width * height * 3. */
  source: Uint8Array;
  /** Ground truth: the same frame with the edit applied in texture space. */
  edited: Uint8Array;
  /** One byte per pixel: 255 where `edited` differs from `source` in any channel, else 0. */
  mask: Uint8Array;
}

export interface SceneRenderer {
  readonly spec: SceneSpec;
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
  /** Anchor frame indices for this clip length. */
  readonly anchors: number[];
  renderFrame(index: number): RenderedFrame;
  /** Pose of an object at frame `index`: centre in pixels, angle in radians, scale. */
  poseAt(objectId: string, index: number): { x: number; y: number; angle: number; scale: number };
}

interface PreparedObject {
  layer: ObjectLayer;
  distance: DistanceFn;
  source: Texture;
  /** The same object as `source` when the edit does not touch it. */
  edited: Texture;
  maxScale: number;
}

interface PreparedBackground {
  source: Texture;
  edited: Texture;
  /** World position (frame widths) of the raster's top-left corner and texels per frame width. */
  originX: number;
  originY: number;
  density: number;
}

const TIME_SAMPLES = 65;

export function createSceneRenderer(sceneSpec: SceneSpec, options: RenderOptions): SceneRenderer {
  const { width, height, frameCount } = options;
  const spec: SceneSpec = options.edit ? { ...sceneSpec, edit: options.edit } : sceneSpec;
  if (!(width >= 2 && height >= 2 && frameCount >= 1)) {
    throw new Error(`scene size must be at least 2x2 with one frame (got ${width}x${height}, ${frameCount} frames)`);
  }
  const aspect = height / width;
  const background = prepareBackground(spec, width, aspect);
  const objects = spec.objects.map((layer) => prepareObject(spec, layer, width));
  const srcBuf = new Float32Array(width * height * 3);
  const edtBuf = new Float32Array(width * height * 3);
  const noiseSigma = spec.noise ?? 0;

  function renderFrame(index: number): RenderedFrame {
    if (!Number.isInteger(index) || index < 0 || index >= frameCount) {
      throw new RangeError(`frame ${index} is outside 0..${frameCount - 1}`);
    }
    const t = frameTime(index, frameCount);
    const globalGain = lightGain(spec.light, t);
    drawBackground(spec, background, t, globalGain, width, height, srcBuf, edtBuf);
    for (const obj of objects) {
      drawObject(obj, objectPose(obj.layer, t, aspect), globalGain * lightGain(obj.layer.light, t), width, height, srcBuf, edtBuf);
    }
    return quantise(srcBuf, edtBuf, width, height, noiseSigma, spec.seed, index);
  }

  function poseAt(objectId: string, index: number) {
    const obj = spec.objects.find((o) => o.id === objectId);
    if (!obj) throw new Error(`scene '${spec.name}' has no object '${objectId}'`);
    const p = objectPose(obj, frameTime(index, frameCount), aspect);
    return { x: p.cx * width, y: p.cy * width, angle: p.angle, scale: p.scale };
  }

  return { spec, width, height, frameCount, anchors: anchorIndices(spec, frameCount), renderFrame, poseAt };
}

/** Renders every frame into memory (small clips: tests, the demo). */
export function renderScene(
  spec: SceneSpec,
  options: RenderOptions,
): { frames: Uint8Array[]; edited: Uint8Array[]; masks: Uint8Array[]; anchors: number[] } {
  const renderer = createSceneRenderer(spec, options);
  const frames: Uint8Array[] = [];
  const edited: Uint8Array[] = [];
  const masks: Uint8Array[] = [];
  for (let i = 0; i < options.frameCount; i++) {
    const f = renderer.renderFrame(i);
    frames.push(f.source);
    edited.push(f.edited);
    masks.push(f.mask);
  }
  return { frames, edited, masks, anchors: renderer.anchors };
}

function viewAt(spec: SceneSpec, t: number, aspect: number) {
  const pan = spec.camera.pan;
  const zoom = lerp(spec.camera.zoom, t, 1);
  return {
    centreX: 0.5 + pan.from[0] + (pan.to[0] - pan.from[0]) * t,
    centreY: aspect / 2 + pan.from[1] + (pan.to[1] - pan.from[1]) * t,
    zoom,
  };
}

function prepareBackground(spec: SceneSpec, width: number, aspect: number): PreparedBackground {
  // The raster covers every view the camera takes, plus a small margin, at the finest zoom's density.
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  let maxZoom = 0;
  for (let s = 0; s < TIME_SAMPLES; s++) {
    const v = viewAt(spec, s / (TIME_SAMPLES - 1), aspect);
    minX = Math.min(minX, v.centreX - 0.5 / v.zoom);
    maxX = Math.max(maxX, v.centreX + 0.5 / v.zoom);
    minY = Math.min(minY, v.centreY - aspect / 2 / v.zoom);
    maxY = Math.max(maxY, v.centreY + aspect / 2 / v.zoom);
    maxZoom = Math.max(maxZoom, v.zoom);
  }
  const density = width * maxZoom;
  const margin = 4 / density;
  const originX = minX - margin;
  const originY = minY - margin;
  const extentX = maxX - minX + 2 * margin;
  const extentY = maxY - minY + 2 * margin;
  const texW = Math.ceil(extentX * density);
  const texH = Math.ceil(extentY * density);
  const source = rasteriseTexture(spec.background, texW, texH, texW / density, texH / density, originX, originY);
  const edited = spec.edit.kind === 'grade' ? gradeTexture(source, spec.edit) : source;
  return { source, edited, originX, originY, density };
}

function prepareObject(spec: SceneSpec, layer: ObjectLayer, width: number): PreparedObject {
  const maxScale = Math.max(layer.motion.scale?.from ?? 1, layer.motion.scale?.to ?? 1);
  const [sizeX, sizeY] = layer.size;
  const density = width * maxScale;
  const texW = Math.max(4, Math.ceil(sizeX * density));
  const texH = Math.max(4, Math.ceil(sizeY * density));
  const source = rasteriseTexture(layer.texture, texW, texH, sizeX, sizeY);
  const targeted = (spec.edit.kind === 'decal' || spec.edit.kind === 'recolour') && spec.edit.target === layer.id;
  const edited = targeted ? editObjectTexture({ texture: source, sizeX, sizeY }, spec.edit) : source;
  return { layer, distance: compileShape(layer.shape, sizeX / 2, sizeY / 2), source, edited, maxScale };
}

function drawBackground(
  spec: SceneSpec,
  bg: PreparedBackground,
  t: number,
  gain: number,
  width: number,
  height: number,
  srcBuf: Float32Array,
  edtBuf: Float32Array,
): void {
  const view = viewAt(spec, t, height / width);
  const graded = bg.edited !== bg.source;
  // Pixel -> world: centre + (pixel/width - frame centre) / zoom; world -> texel: (world - origin) * density.
  const step = bg.density / (width * view.zoom);
  const baseX = (view.centreX - 0.5 / view.zoom - bg.originX) * bg.density;
  const baseY = (view.centreY - height / width / 2 / view.zoom - bg.originY) * bg.density;
  for (let py = 0; py < height; py++) {
    const ty = baseY + (py + 0.5) * step;
    let o = py * width * 3;
    for (let px = 0; px < width; px++, o += 3) {
      const tx = baseX + (px + 0.5) * step;
      sampleBilinear(bg.source, tx, ty, srcBuf, o);
      srcBuf[o] *= gain;
      srcBuf[o + 1] *= gain;
      srcBuf[o + 2] *= gain;
      if (graded) {
        sampleBilinear(bg.edited, tx, ty, edtBuf, o);
        edtBuf[o] *= gain;
        edtBuf[o + 1] *= gain;
        edtBuf[o + 2] *= gain;
      } else {
        edtBuf[o] = srcBuf[o];
        edtBuf[o + 1] = srcBuf[o + 1];
        edtBuf[o + 2] = srcBuf[o + 2];
      }
    }
  }
}

const sampleScratch = new Float32Array(6);

function drawObject(
  obj: PreparedObject,
  pose: { cx: number; cy: number; angle: number; scale: number },
  gain: number,
  width: number,
  height: number,
  srcBuf: Float32Array,
  edtBuf: Float32Array,
): void {
  const [sizeX, sizeY] = obj.layer.size;
  const edited = obj.edited !== obj.source;
  const radiusPx = 0.5 * Math.hypot(sizeX, sizeY) * pose.scale * width + 2;
  const cxPx = pose.cx * width;
  const cyPx = pose.cy * width;
  const x0 = Math.max(0, Math.floor(cxPx - radiusPx));
  const x1 = Math.min(width - 1, Math.ceil(cxPx + radiusPx));
  const y0 = Math.max(0, Math.floor(cyPx - radiusPx));
  const y1 = Math.min(height - 1, Math.ceil(cyPx + radiusPx));
  const cos = Math.cos(pose.angle);
  const sin = Math.sin(pose.angle);
  const invScale = 1 / pose.scale;
  const pxPerUnit = pose.scale * width;
  const texScaleX = obj.source.width / sizeX;
  const texScaleY = obj.source.height / sizeY;
  const s = sampleScratch;
  for (let py = y0; py <= y1; py++) {
    const dy = (py + 0.5) / width - pose.cy;
    for (let px = x0; px <= x1; px++) {
      const dx = (px + 0.5) / width - pose.cx;
      // Inverse of the object's rotation and scale: world offset -> object-local frame widths.
      const lx = (cos * dx + sin * dy) * invScale;
      const ly = (-sin * dx + cos * dy) * invScale;
      const alpha = coverageFromDistance(obj.distance(lx, ly) * pxPerUnit);
      if (alpha <= 0) continue;
      const tx = (lx + sizeX / 2) * texScaleX;
      const ty = (ly + sizeY / 2) * texScaleY;
      const o = (py * width + px) * 3;
      sampleBilinear(obj.source, tx, ty, s, 0);
      srcBuf[o] += (s[0] * gain - srcBuf[o]) * alpha;
      srcBuf[o + 1] += (s[1] * gain - srcBuf[o + 1]) * alpha;
      srcBuf[o + 2] += (s[2] * gain - srcBuf[o + 2]) * alpha;
      if (edited) sampleBilinear(obj.edited, tx, ty, s, 3);
      else {
        s[3] = s[0];
        s[4] = s[1];
        s[5] = s[2];
      }
      edtBuf[o] += (s[3] * gain - edtBuf[o]) * alpha;
      edtBuf[o + 1] += (s[4] * gain - edtBuf[o + 1]) * alpha;
      edtBuf[o + 2] += (s[5] * gain - edtBuf[o + 2]) * alpha;
    }
  }
}

function quantise(
  srcBuf: Float32Array,
  edtBuf: Float32Array,
  width: number,
  height: number,
  noiseSigma: number,
  seed: number,
  frame: number,
): RenderedFrame {
  const n = width * height;
  const source = new Uint8Array(n * 3);
  const edited = new Uint8Array(n * 3);
  const mask = new Uint8Array(n);
  // Sum of three uniforms has variance 3/12: scale by 2 sigma for the requested standard deviation.
  const noiseScale = 2 * noiseSigma;
  for (let p = 0; p < n; p++) {
    let differs = false;
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      let noise = 0;
      if (noiseScale > 0) {
        const h = hash3(p, c, frame, seed);
        noise = (((h & 1023) + ((h >>> 10) & 1023) + ((h >>> 20) & 1023)) / 1023 - 1.5) * noiseScale;
      }
      const a = toByte(srcBuf[i] * 255 + noise);
      const b = toByte(edtBuf[i] * 255 + noise);
      source[i] = a;
      edited[i] = b;
      if (a !== b) differs = true;
    }
    mask[p] = differs ? 255 : 0;
  }
  return { index: frame, source, edited, mask };
}

function toByte(v: number): number {
  const r = Math.round(v);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}
