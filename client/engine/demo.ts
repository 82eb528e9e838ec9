/**
 * `anchorflow demo` (`npm start`): the whole job on a bundled sample, with no Adobe app and no network.
 *
 * 1. Renders the synthetic `sample` scene (client/engine/synth) into out/sample/frames/, its edited anchor into
 *    out/sample/anchor-<i>.png; the scene's exact edited frames are kept in memory as ground truth.
 * 2. Propagates the anchor edit into out/demo/frames/ through the same `propagate` the CLI uses.
 * 3. Writes out/demo/preview.png: one row per chosen frame, columns source | anchor edit | result.
 * 4. Prints where everything is, and the edit/keep-region PSNR against the ground truth.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import sharp from 'sharp';
import type { PropagateRequest } from '../shared/protocol';
import { InputError } from './errors';
import { loadPropagate } from './cli/engine';
import { HumanSink } from './cli/progress';
import type { CliStreams } from './cli/run-propagate';
import { writeFileAtomic } from './io/atomic';
import { sample } from './synth/cases';
import { renderScene } from './synth/render';

const PREVIEW_ROWS = 3;
const GAP = 4;

function rgbPng(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** PSNR (dB) between two interleaved 8-bit RGB images over the pixels where `select` is true. */
export function regionPsnr(a: Uint8Array, b: Uint8Array, select: (pixel: number) => boolean): number | null {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < a.length / 3; p++) {
    if (!select(p)) continue;
    for (let c = 0; c < 3; c++) {
      const d = a[3 * p + c] - b[3 * p + c];
      sum += d * d;
    }
    count += 3;
  }
  if (count === 0) return null;
  const mse = sum / count;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Which frames the preview shows: spread over the clip, the anchor excluded where the clip allows. */
export function previewFrames(frameCount: number, anchors: number[], rows: number): number[] {
  const candidates = [...Array(frameCount).keys()].filter((i) => !anchors.includes(i));
  const pool = candidates.length > 0 ? candidates : [...Array(frameCount).keys()];
  const picks = new Set<number>();
  for (let r = 0; r < Math.min(rows, pool.length); r++) {
    picks.add(pool[Math.round((r * (pool.length - 1)) / Math.max(1, rows - 1))]);
  }
  return [...picks].sort((a, b) => a - b);
}

async function readRgb8(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer());
}

export async function runDemo(argv: string[], streams: CliStreams): Promise<number> {
  let outRoot: string;
  try {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } }, strict: true });
    outRoot = path.resolve(values.out ?? 'out');
  } catch (error) {
    throw new InputError(`${(error as Error).message.split('\n')[0]}; see anchorflow demo --help.`);
  }
  const { width, height, frameCount } = sample.defaults ?? { width: 320, height: 180, frameCount: 12 };
  const sampleDir = path.join(outRoot, 'sample');
  const framesDir = path.join(sampleDir, 'frames');
  const demoDir = path.join(outRoot, 'demo');
  const resultDir = path.join(demoDir, 'frames');

  streams.stderr.write(`Rendering the sample clip (${sample.description}, ${width}x${height}, ${frameCount} frames)...\n`);
  const scene = renderScene(sample, { width, height, frameCount });
  await fs.mkdir(framesDir, { recursive: true });
  const names = scene.frames.map((_, i) => String(i).padStart(5, '0'));
  for (let i = 0; i < frameCount; i++) {
    await writeFileAtomic(path.join(framesDir, `${names[i]}.png`), await rgbPng(scene.frames[i], width, height));
  }
  const anchorIndex = scene.anchors[0];
  const anchorFile = path.join(sampleDir, `anchor-${names[anchorIndex]}.png`);
  await writeFileAtomic(anchorFile, await rgbPng(scene.edited[anchorIndex], width, height));

  const request: PropagateRequest = {
    frames: framesDir,
    anchors: [{ index: anchorIndex, image: anchorFile }],
    masks: [],
    out: resultDir,
  };
  streams.stderr.write(
    `Propagating the edit on frame ${anchorIndex}:\n  anchorflow propagate --frames ${framesDir} --anchor ${anchorIndex}=${anchorFile} --out ${resultDir}\n`,
  );
  const sink = new HumanSink(streams.stderr);
  const result = await loadPropagate()(request, {
    onEvent: (event) => {
      if (event.event === 'progress' || event.event === 'warning') sink.emit(event);
    },
  });
  sink.finish();

  // Preview: source | anchor edit | result, one row per chosen frame.
  const rows = previewFrames(frameCount, scene.anchors, PREVIEW_ROWS);
  const anchorPng = await rgbPng(scene.edited[anchorIndex], width, height);
  const tiles: sharp.OverlayOptions[] = [];
  const results: Uint8Array[] = [];
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const resultFile = path.join(resultDir, `${names[i]}.png`);
    results.push(await readRgb8(resultFile));
    const top = r * (height + GAP);
    tiles.push({ input: await rgbPng(scene.frames[i], width, height), left: 0, top });
    tiles.push({ input: anchorPng, left: width + GAP, top });
    tiles.push({ input: await sharp(resultFile).removeAlpha().png().toBuffer(), left: 2 * (width + GAP), top });
  }
  const preview = await sharp({
    create: { width: 3 * width + 2 * GAP, height: rows.length * height + (rows.length - 1) * GAP, channels: 3, background: '#202020' },
  })
    .composite(tiles)
    .png()
    .toBuffer();
  const previewFile = path.join(demoDir, 'preview.png');
  await writeFileAtomic(previewFile, preview);

  // Score every frame against the exact ground truth.
  let edit = 0;
  let keep = 0;
  let editCount = 0;
  let keepCount = 0;
  for (let i = 0; i < frameCount; i++) {
    const out = await readRgb8(path.join(resultDir, `${names[i]}.png`));
    const mask = scene.masks[i];
    const e = regionPsnr(out, scene.edited[i], (p) => mask[p] > 0);
    const k = regionPsnr(out, scene.edited[i], (p) => mask[p] === 0);
    if (e !== null && Number.isFinite(e)) {
      edit += e;
      editCount++;
    }
    if (k !== null) {
      keep += Number.isFinite(k) ? k : 99;
      keepCount++;
    }
  }
  const fmt = (sum: number, n: number): string => (n === 0 ? 'n/a' : `${(sum / n).toFixed(1)} dB`);
  streams.stdout.write(
    [
      `Sample clip:   ${framesDir} (anchor edit: ${anchorFile})`,
      `Result frames: ${result.out} (${result.frames.length} frames, ${result.seconds.toFixed(1)} s on ${result.device})`,
      `Preview:       ${previewFile} (rows: frames ${rows.join(', ')}; columns: source | anchor edit | result)`,
      `Against the exact ground truth: edit-region PSNR ${fmt(edit, editCount)}, keep-region PSNR ${fmt(keep, keepCount)} (99 = bit-exact).`,
      '',
    ].join('\n'),
  );
  return 0;
}
