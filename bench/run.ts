/**
 * `npm run bench`: scores the engine's CLI against exact ground truth, next to two OpenCV baselines, and prints
 * speed and memory at 1080p. Prints figures and PASS/FAIL against the issue's targets; never asserts.
 *
 *   npm run bench [-- --quick] [--case NAME|real|speed] [--scenes FILE.json] [--no-masks] [--json FILE]
 *                 [--engine-cmd "CMD ARGS"] [--keep]
 */
import { existsSync } from 'fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'fs/promises';
import * as os from 'os';
import * as path from 'path';
import { BENCH_CASES, decalMoving, frameName, gradeBackground, renderScene, writeCase, writePng, type SceneSpec } from '../client/engine/synth';
import { AnchorFlow, BaselineEdit, Baselines } from './baselines/baselines';
import { loadOpenCv } from './baselines/opencv';
import { defaultEngineCommand, failureReason, runEngine, type EngineRun } from './engine-cli';
import { readMask, readRgb } from './images';
import { readScenes } from './scenes';
import { QualityAccumulator, type QualityResult } from './metrics';
import { applyRealEdit, REAL_EDITS } from './real-edits';
import { formatDb, formatMiB, formatNumber, renderTable } from './table';

const REPO_ROOT = path.resolve(__dirname, '..');
const FOOTAGE = path.resolve(REPO_ROOT, '..', 'shared', 'footage');
const REAL_CLIPS = ['davis-camel', 'davis-cows', 'davis-soapbox'];
const METHODS = ['engine', 'flow-warp', 'roto+grade', 'identity'] as const;
type Method = (typeof METHODS)[number];

interface Options {
  quick: boolean;
  caseName?: string;
  jsonFile?: string;
  engineCommand: string[];
  keep: boolean;
  /** Scene specs to score instead of the built-in synthetic cases (synth/scene.ts SceneSpec, as JSON). */
  scenesFile?: string;
  /** Run the engine without --mask: it derives the edit region from each anchor and its original frame. */
  noMasks: boolean;
}

interface ScoreRow {
  group: 'synthetic' | 'real';
  case: string;
  method: Method;
  quality?: QualityResult;
  msPerFrame?: number;
  peakRssBytes?: number;
  error?: string;
}

/** Which 1080p run a speed row reports (the targets look rows up by this, never by their printed label). */
type SpeedRun = 'decal-24' | 'decal-300' | 'grade-24' | 'flow-warp' | 'roto+grade';

interface SpeedRow {
  run: SpeedRun;
  label: string;
  width: number;
  height: number;
  frames: number;
  msPerFrame?: number;
  peakRssBytes?: number;
  error?: string;
}

interface TargetRow {
  target: string;
  measured: string;
  verdict: 'PASS' | 'FAIL' | 'NO DATA';
}

function parseOptions(argv: string[]): Options {
  const options: Options = { quick: false, engineCommand: defaultEngineCommand(REPO_ROOT), keep: false, noMasks: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--no-masks') options.noMasks = true;
    else if (arg === '--case') options.caseName = value();
    else if (arg === '--scenes') options.scenesFile = path.resolve(value());
    else if (arg === '--json') options.jsonFile = path.resolve(value());
    else if (arg === '--engine-cmd') options.engineCommand = value().split(/\s+/).filter(Boolean);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--quick] [--case NAME|real|speed] [--scenes FILE.json] [--no-masks] [--json FILE] [--engine-cmd "CMD ARGS"] [--keep]\n' +
          '  --scenes FILE.json  score these scenes (a JSON array of synth SceneSpec; colours as "#rrggbb" or [r, g, b] in 0..1)\n' +
          '                      instead of the built-in cases; real clips and speed only with --case real|speed\n' +
          '  --no-masks          run the engine without --mask (it derives the edit region from anchor vs original)\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${arg}; see npm run bench -- --help`);
  }
  return options;
}

/** Why the engine cannot run, or undefined when it can. */
function engineUnavailable(options: Options): string | undefined {
  const isDefault = options.engineCommand[1] === path.join(REPO_ROOT, 'bin', 'anchorflow.js');
  if (isDefault && !existsSync(path.join(REPO_ROOT, 'build', 'client', 'engine', 'cli.js'))) {
    return 'engine not built (run `npm run build` first)';
  }
  return undefined;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'anchorflow-bench-'));
  const noEngine = engineUnavailable(options);
  const { initMs } = await loadOpenCv();
  log(`AnchorFlow benchmark (${options.quick ? 'quick' : 'full'}); work files in ${workDir}`);
  log(`engine: ${noEngine ?? options.engineCommand.join(' ')}; OpenCV.js ready in ${initMs} ms; ${os.cpus().length} CPU cores`);

  const scores: ScoreRow[] = [];
  const speed: SpeedRow[] = [];
  const speedOnly = options.caseName === 'speed';
  const scenes = options.scenesFile ? await readScenes(options.scenesFile) : BENCH_CASES;
  const cases = scenes.filter((c) => !options.caseName || c.name === options.caseName);
  for (const spec of cases) {
    // Built-in cases are all 640x360; a scene from --scenes may suggest its own size.
    const width = spec.defaults?.width ?? 640;
    const height = spec.defaults?.height ?? 360;
    const frameCount = options.quick ? 12 : (spec.defaults?.frameCount ?? 24);
    log(`\n[synthetic] ${spec.name} at ${width}x${height}, ${frameCount} frames: ${spec.description}`);
    scores.push(...(await scoreSyntheticCase(spec, width, height, frameCount, path.join(workDir, spec.name), options, noEngine)));
  }
  const realAsked = options.caseName === 'real' || REAL_CLIPS.includes(options.caseName ?? '');
  const clips = options.scenesFile && !realAsked ? [] : REAL_CLIPS.filter((c) => !options.caseName || c === options.caseName || options.caseName === 'real');
  if (cases.length === 0 && clips.length === 0 && !speedOnly) {
    throw new Error(`no case named ${options.caseName}; cases: ${[...scenes.map((c) => c.name), ...REAL_CLIPS, 'real', 'speed'].join(', ')}`);
  }
  {
    for (const clip of clips) {
      if (!existsSync(path.join(FOOTAGE, clip))) {
        log(`\n[real] ${clip}: not found under ${FOOTAGE}, skipped`);
        continue;
      }
      log(`\n[real] ${clip}`);
      scores.push(...(await scoreRealClip(clip, options.quick ? 12 : 40, path.join(workDir, clip), options, noEngine)));
    }
  }
  if ((!options.quick && !options.caseName && !options.scenesFile) || speedOnly) {
    speed.push(...(await measureSpeed(path.join(workDir, 'speed'), options, noEngine)));
  }

  printScores(scores);
  if (speed.length > 0) printSpeed(speed);
  const targets = evaluateTargets(scores, speed);
  log('\nTargets (from issue 2; printed, never asserted)');
  log(renderTable(['target', 'measured', 'verdict'], targets.map((t) => [t.target, t.measured, t.verdict])));

  if (options.jsonFile) {
    await writeFile(options.jsonFile, JSON.stringify({ options: { ...options, engineCommand: options.engineCommand.join(' ') }, scores, speed, targets }, jsonNumbers, 2));
    log(`\nresults written to ${options.jsonFile}`);
  }
  if (!options.keep) await rm(workDir, { recursive: true, force: true });
}

/** Renders a case, writes it for the CLI, and scores the engine, both baselines and the do-nothing reference. */
async function scoreSyntheticCase(
  spec: SceneSpec,
  width: number,
  height: number,
  frameCount: number,
  dir: string,
  options: Options,
  noEngine: string | undefined,
): Promise<ScoreRow[]> {
  const written = await writeCase(spec, dir, { width, height, frameCount });
  const clip = renderScene(spec, { width, height, frameCount });
  const anchors = await Promise.all(
    written.anchors.map(async (a) => ({ index: a.index, original: clip.frames[a.index], edited: clip.edited[a.index], mask: (await readMask(a.mask)).data })),
  );
  const rows = await scoreBaselines('synthetic', spec.name, width, height, anchors, clip.frames, clip.edited);
  rows.unshift(
    await scoreEngine('synthetic', spec.name, options, noEngine, {
      framesDir: written.framesDir,
      anchors: written.anchors.map((a) => ({ index: a.index, image: a.image })),
      masks: options.noMasks ? [] : written.anchors.map((a) => ({ index: a.index, image: a.mask })),
      outDir: path.join(dir, 'out'),
      frameNames: written.frameNames,
      sources: clip.frames,
      groundTruth: clip.edited,
    }),
  );
  printRows(rows);
  return rows;
}

async function scoreBaselines(
  group: ScoreRow['group'],
  name: string,
  width: number,
  height: number,
  anchors: Array<{ index: number; original: Uint8Array; edited: Uint8Array; mask: Uint8Array }>,
  sources: Uint8Array[],
  groundTruth: Uint8Array[],
): Promise<ScoreRow[]> {
  const baselines = await Baselines.create(width, height, anchors);
  const acc = { flowWarp: new QualityAccumulator(), rotoGrade: new QualityAccumulator(), identity: new QualityAccumulator() };
  let flowWarpMs = 0;
  let rotoGradeMs = 0;
  try {
    sources.forEach((source, i) => {
      const r = baselines.process(i, source);
      flowWarpMs += r.flowMs + r.flowWarpMs;
      rotoGradeMs += r.flowMs + r.rotoGradeMs;
      acc.flowWarp.addFrame(r.flowWarp, groundTruth[i], source);
      acc.rotoGrade.addFrame(r.rotoGrade, groundTruth[i], source);
      acc.identity.addFrame(source, groundTruth[i], source);
    });
  } finally {
    baselines.dispose();
  }
  const n = sources.length;
  return [
    { group, case: name, method: 'flow-warp', quality: acc.flowWarp.result(), msPerFrame: flowWarpMs / n },
    { group, case: name, method: 'roto+grade', quality: acc.rotoGrade.result(), msPerFrame: rotoGradeMs / n },
    { group, case: name, method: 'identity', quality: acc.identity.result() },
  ];
}

interface EngineJob {
  framesDir: string;
  anchors: Array<{ index: number; image: string }>;
  masks: Array<{ index: number; image: string }>;
  outDir: string;
  /** Source file names in order; outputs have the same base name with .png. */
  frameNames: string[];
  sources: Uint8Array[];
  groundTruth: Uint8Array[];
}

async function scoreEngine(
  group: ScoreRow['group'],
  name: string,
  options: Options,
  noEngine: string | undefined,
  job: EngineJob,
): Promise<ScoreRow> {
  if (noEngine) return { group, case: name, method: 'engine', error: noEngine };
  const run = await runEngine(options.engineCommand, job, REPO_ROOT);
  if (run.exitCode !== 0) return { group, case: name, method: 'engine', error: `exit ${run.exitCode}: ${failureReason(run)}` };
  const acc = new QualityAccumulator();
  for (let i = 0; i < job.frameNames.length; i++) {
    const file = path.join(job.outDir, `${path.parse(job.frameNames[i]).name}.png`);
    if (!existsSync(file)) return { group, case: name, method: 'engine', error: `no output for frame ${i} (${file})` };
    const out = await readRgb(file);
    if (out.data.length !== job.sources[i].length) {
      return { group, case: name, method: 'engine', error: `output ${file} is ${out.width}x${out.height}, not the frame size` };
    }
    acc.addFrame(out.data, job.groundTruth[i], job.sources[i]);
  }
  return { group, case: name, method: 'engine', quality: acc.result(), msPerFrame: run.wallMs / job.frameNames.length, peakRssBytes: run.peakRssBytes };
}

/** Scores every real-clip edit: the same frames and flow for all edits, the real mask as the edit's support. */
async function scoreRealClip(
  clip: string,
  frameLimit: number,
  dir: string,
  options: Options,
  noEngine: string | undefined,
): Promise<ScoreRow[]> {
  const clipDir = path.join(FOOTAGE, clip);
  const frameNames = (await readdir(path.join(clipDir, 'frames'))).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, frameLimit);
  const sources: Uint8Array[] = [];
  const masks: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  for (const name of frameNames) {
    const frame = await readRgb(path.join(clipDir, 'frames', name));
    width = frame.width;
    height = frame.height;
    sources.push(frame.data);
    masks.push((await readMask(path.join(clipDir, 'masks', `${path.parse(name).name}.png`))).data);
  }
  // The CLI reads whole folders: for a shortened clip, link the first frames (never copied: footage licence).
  let framesDir = path.join(clipDir, 'frames');
  if (frameNames.length < (await readdir(framesDir)).length) {
    framesDir = path.join(dir, 'frames');
    await mkdir(framesDir, { recursive: true });
    for (const name of frameNames) await symlink(path.join(clipDir, 'frames', name), path.join(framesDir, name));
  }
  await mkdir(dir, { recursive: true });
  const flow = await AnchorFlow.create(width, height, [{ index: 0, original: sources[0] }]);
  const rows: ScoreRow[] = [];
  try {
    const flows = sources.map((source, i) => flow.flowTo(i, source));
    for (const edit of REAL_EDITS) {
      const name = `${clip}/${edit.name}`;
      const groundTruth = sources.map((source, i) => applyRealEdit(edit, source, masks[i]));
      // The designer's anchor mask covers what they changed: the object, or everything but the object.
      const anchorMask = edit.region === 'inside' ? masks[0] : masks[0].map((v) => 255 - v);
      const anchorImage = path.join(dir, `${edit.name}-anchor.png`);
      const anchorMaskFile = path.join(dir, `${edit.name}-mask.png`);
      await writePng(anchorImage, groundTruth[0], width, height, 3);
      await writePng(anchorMaskFile, anchorMask, width, height, 1);

      const baseline = await BaselineEdit.create(width, height, [{ index: 0, original: sources[0], edited: groundTruth[0], mask: anchorMask }]);
      const acc = { flowWarp: new QualityAccumulator(), rotoGrade: new QualityAccumulator(), identity: new QualityAccumulator() };
      let flowWarpMs = 0;
      let rotoGradeMs = 0;
      sources.forEach((source, i) => {
        const r = baseline.apply(flows[i], source);
        flowWarpMs += flows[i].ms + r.flowWarpMs;
        rotoGradeMs += flows[i].ms + r.rotoGradeMs;
        acc.flowWarp.addFrame(r.flowWarp, groundTruth[i], source);
        acc.rotoGrade.addFrame(r.rotoGrade, groundTruth[i], source);
        acc.identity.addFrame(source, groundTruth[i], source);
      });
      baseline.dispose();
      const n = sources.length;
      const editRows: ScoreRow[] = [
        await scoreEngine('real', name, options, noEngine, {
          framesDir,
          anchors: [{ index: 0, image: anchorImage }],
          masks: options.noMasks ? [] : [{ index: 0, image: anchorMaskFile }],
          outDir: path.join(dir, `${edit.name}-out`),
          frameNames,
          sources,
          groundTruth,
        }),
        { group: 'real', case: name, method: 'flow-warp', quality: acc.flowWarp.result(), msPerFrame: flowWarpMs / n },
        { group: 'real', case: name, method: 'roto+grade', quality: acc.rotoGrade.result(), msPerFrame: rotoGradeMs / n },
        { group: 'real', case: name, method: 'identity', quality: acc.identity.result() },
      ];
      printRows(editRows);
      rows.push(...editRows);
    }
    for (const f of flows) f.dispose();
  } finally {
    flow.dispose();
  }
  return rows;
}

/**
 * Whole-CLI speed and peak memory at 1920x1080: the moving decal at 24 and 300 frames (baselines at 24), and a
 * background grade at 24 frames (an edit over most of the frame: the transfer, restore and composite stages then
 * work on every pixel, so it is the costliest kind of edit).
 */
async function measureSpeed(dir: string, options: Options, noEngine: string | undefined): Promise<SpeedRow[]> {
  const width = 1920;
  const height = 1080;
  const rows: SpeedRow[] = [];
  const runs: Array<{ spec: SceneSpec; frames: number; run: SpeedRun; label: string }> = [
    { spec: decalMoving, frames: 24, run: 'decal-24', label: 'engine, 24 frames' },
    { spec: decalMoving, frames: 300, run: 'decal-300', label: 'engine, 300 frames' },
    { spec: gradeBackground, frames: 24, run: 'grade-24', label: 'engine, 24 frames, background grade' },
  ];
  for (const { spec, frames, run, label } of runs) {
    log(`\n[speed] ${spec.name} at ${width}x${height}, ${frames} frames: writing frames...`);
    const caseDir = path.join(dir, `${spec.name}-${frames}`);
    const written = await writeCase(spec, caseDir, { width, height, frameCount: frames, compressionLevel: 1 });
    if (noEngine) {
      rows.push({ run, label, width, height, frames, error: noEngine });
    } else {
      const engineRun: EngineRun = await runEngine(
        options.engineCommand,
        {
          framesDir: written.framesDir,
          anchors: written.anchors.map((a) => ({ index: a.index, image: a.image })),
          masks: options.noMasks ? [] : written.anchors.map((a) => ({ index: a.index, image: a.mask })),
          outDir: path.join(caseDir, 'out'),
        },
        REPO_ROOT,
      );
      rows.push(
        engineRun.exitCode === 0
          ? { run, label, width, height, frames, msPerFrame: engineRun.wallMs / frames, peakRssBytes: engineRun.peakRssBytes }
          : { run, label, width, height, frames, error: `exit ${engineRun.exitCode}: ${failureReason(engineRun)}` },
      );
      log(`  ${label}: ${rows[rows.length - 1].error ?? `${formatNumber(rows[rows.length - 1].msPerFrame, 0)} ms/frame, peak ${formatMiB(engineRun.peakRssBytes)}`}`);
      const stages = stageTimesOf(engineRun);
      if (stages) log(`    stage ms, each summed over the run (three threads overlap, so they add up to more than the run): ${stages}`);
    }
    if (spec === decalMoving && frames === 24) rows.push(...(await timeBaselines(written.framesDir, written.frameNames, written.anchors, width, height)));
    await rm(caseDir, { recursive: true, force: true });
  }
  return rows;
}

/** The engine's own stage times from its `done` event, largest first ("transfer 8908, correspondence 8919, …"). */
function stageTimesOf(run: EngineRun): string | null {
  const done = run.events.find((event) => event.event === 'done') as { result?: { stageMs?: Record<string, number> } } | undefined;
  const stageMs = done?.result?.stageMs;
  if (!stageMs) return null;
  return Object.entries(stageMs)
    .sort((a, b) => b[1] - a[1])
    .map(([stage, ms]) => `${stage} ${ms}`)
    .join(', ');
}

/** Baselines' ms/frame on the same 1080p clip, reading one frame at a time (as they would in a real tool). */
async function timeBaselines(
  framesDir: string,
  frameNames: string[],
  anchorFiles: Array<{ index: number; image: string; mask: string }>,
  width: number,
  height: number,
): Promise<SpeedRow[]> {
  const anchors = await Promise.all(
    anchorFiles.map(async (a) => ({
      index: a.index,
      original: (await readRgb(path.join(framesDir, frameName(a.index)))).data,
      edited: (await readRgb(a.image)).data,
      mask: (await readMask(a.mask)).data,
    })),
  );
  const baselines = await Baselines.create(width, height, anchors);
  let flowWarpMs = 0;
  let rotoGradeMs = 0;
  try {
    for (let i = 0; i < frameNames.length; i++) {
      const source = (await readRgb(path.join(framesDir, frameNames[i]))).data;
      const r = baselines.process(i, source);
      flowWarpMs += r.flowMs + r.flowWarpMs;
      rotoGradeMs += r.flowMs + r.rotoGradeMs;
    }
  } finally {
    baselines.dispose();
  }
  const n = frameNames.length;
  log(`  flow-warp: ${formatNumber(flowWarpMs / n, 0)} ms/frame; roto+grade: ${formatNumber(rotoGradeMs / n, 0)} ms/frame (in-process, flow included)`);
  return [
    { run: 'flow-warp', label: 'flow-warp, 24 frames', width, height, frames: n, msPerFrame: flowWarpMs / n },
    { run: 'roto+grade', label: 'roto+grade, 24 frames', width, height, frames: n, msPerFrame: rotoGradeMs / n },
  ];
}

function printRows(rows: ScoreRow[]): void {
  log(renderTable(['case', 'method', 'edit PSNR', 'keep PSNR', 'flicker', 'ms/frame'], rows.map(scoreCells)));
  // One line per distinct failure, naming the cases it hit.
  const failures = new Map<string, string[]>();
  for (const r of rows) if (r.error) failures.set(`${r.method}: ${r.error}`, [...(failures.get(`${r.method}: ${r.error}`) ?? []), r.case]);
  for (const [reason, cases] of failures) log(`  failed (${cases.join(', ')}) ${reason}`);
}

function scoreCells(r: ScoreRow): string[] {
  if (r.error) return [r.case, r.method, 'n/a', 'n/a', 'n/a', 'failed'];
  return [r.case, r.method, formatDb(r.quality?.editPsnr), formatDb(r.quality?.keepPsnr), formatNumber(r.quality?.flicker), formatNumber(r.msPerFrame, 0)];
}

function printScores(scores: ScoreRow[]): void {
  for (const group of ['synthetic', 'real'] as const) {
    const rows = scores.filter((s) => s.group === group);
    if (rows.length === 0) continue;
    log(`\n=== ${group === 'synthetic' ? 'Synthetic cases, 640x360' : 'Real clips (DAVIS, 854x480)'} ===`);
    printRows(rows);
    if (group === 'real') {
      log('\nAverages over real clips and edits (dB averaged; an exact result counts as 100 dB)');
      log(
        renderTable(
          ['method', '', 'edit PSNR', 'keep PSNR', 'flicker', 'ms/frame'],
          METHODS.map((m) => {
            const a = averageOf(rows.filter((r) => r.method === m));
            return [m, '', formatDb(a.edit), formatDb(a.keep), formatNumber(a.flicker), formatNumber(a.ms, 0)];
          }),
        ),
      );
    }
  }
}

function isEngineRun(run: SpeedRun): boolean {
  return run !== 'flow-warp' && run !== 'roto+grade';
}

function speedRun(speed: SpeedRow[], run: SpeedRun): SpeedRow | undefined {
  return speed.find((s) => s.run === run);
}

function printSpeed(speed: SpeedRow[]): void {
  log('\n=== Speed and memory, 1920x1080 (engine: whole CLI as a child process) ===');
  log(
    renderTable(
      ['run', '', 'ms/frame', 'peak RSS'],
      [...speed]
        .sort((a, b) => Number(isEngineRun(b.run)) - Number(isEngineRun(a.run)))
        .map((s) => [s.label, '', s.error ? 'failed' : formatNumber(s.msPerFrame, 0), s.error ? '' : formatMiB(s.peakRssBytes)]),
    ),
  );
  for (const s of speed) if (s.error) log(`  ${s.label} failed: ${s.error}`);
  const e24 = speedRun(speed, 'decal-24');
  const e300 = speedRun(speed, 'decal-300');
  if (e24?.peakRssBytes && e300?.peakRssBytes) log(`peak RSS ratio 300/24 frames: ${(e300.peakRssBytes / e24.peakRssBytes).toFixed(2)}`);
  for (const b of ['flow-warp', 'roto+grade'] as const) {
    const base = speedRun(speed, b);
    if (e24?.msPerFrame && base?.msPerFrame) log(`engine / ${b} time per frame (same run, same clip): ${(e24.msPerFrame / base.msPerFrame).toFixed(2)}x`);
  }
}

/** An exact (infinite-PSNR) result counts as this much in averages, so one exact clip does not make a mean infinite. */
const PSNR_CAP_DB = 100;

/** Mean over rows (NaN unless every row has a result); PSNR capped at PSNR_CAP_DB. */
function averageOf(rows: ScoreRow[]): { edit: number; keep: number; flicker: number; ms: number } {
  const ok = rows.filter((r) => r.quality);
  if (ok.length === 0 || ok.length < rows.length) return { edit: NaN, keep: NaN, flicker: NaN, ms: NaN };
  const mean = (f: (r: ScoreRow) => number | undefined, cap = Infinity) => {
    const vals = ok.map(f).filter((v): v is number => v !== undefined && !Number.isNaN(v));
    return vals.length ? vals.reduce((s, v) => s + Math.min(v, cap), 0) / vals.length : NaN;
  };
  return {
    edit: mean((r) => r.quality?.editPsnr, PSNR_CAP_DB),
    keep: mean((r) => r.quality?.keepPsnr, PSNR_CAP_DB),
    flicker: mean((r) => r.quality?.flicker),
    ms: mean((r) => r.msPerFrame),
  };
}

function evaluateTargets(scores: ScoreRow[], speed: SpeedRow[]): TargetRow[] {
  const targets: TargetRow[] = [];
  const verdict = (ok: boolean | undefined): TargetRow['verdict'] => (ok === undefined ? 'NO DATA' : ok ? 'PASS' : 'FAIL');
  const find = (c: string, m: Method) => scores.find((s) => s.case === c && s.method === m);
  for (const name of [...new Set(scores.filter((s) => s.group === 'synthetic').map((s) => s.case))]) {
    const e = find(name, 'engine')?.quality;
    const fw = find(name, 'flow-warp')?.quality;
    targets.push({
      target: `${name}: edit >= flow-warp + 3 dB`,
      measured: e && fw ? `${formatDb(e.editPsnr)} vs ${formatDb(fw.editPsnr + 3)}` : 'n/a',
      verdict: verdict(e && fw ? e.editPsnr >= fw.editPsnr + 3 : undefined),
    });
    targets.push({ target: `${name}: keep >= 50 dB`, measured: e ? formatDb(e.keepPsnr) : 'n/a', verdict: verdict(e ? e.keepPsnr >= 50 : undefined) });
    targets.push({
      target: `${name}: flicker < flow-warp`,
      measured: e && fw ? `${formatNumber(e.flicker)} vs ${formatNumber(fw.flicker)}` : 'n/a',
      verdict: verdict(e && fw ? e.flicker < fw.flicker : undefined),
    });
  }
  const real = scores.filter((s) => s.group === 'real');
  if (real.length > 0) {
    const e = averageOf(real.filter((r) => r.method === 'engine')).edit;
    const rg = averageOf(real.filter((r) => r.method === 'roto+grade')).edit;
    const has = !Number.isNaN(e);
    targets.push({ target: 'real clips: average edit >= 28 dB', measured: formatDb(e), verdict: verdict(has ? e >= 28 : undefined) });
    targets.push({ target: 'real clips: average edit >= roto+grade', measured: `${formatDb(e)} vs ${formatDb(rg)}`, verdict: verdict(has ? e >= rg : undefined) });
  }
  if (speed.length > 0) {
    const e24 = speedRun(speed, 'decal-24');
    const e300 = speedRun(speed, 'decal-300');
    const ms = e24?.msPerFrame;
    targets.push({ target: '1080p, 24 frames: <= 500 ms/frame (whole CLI)', measured: formatNumber(ms, 0), verdict: verdict(ms === undefined ? undefined : ms <= 500) });
    const grade = speedRun(speed, 'grade-24')?.msPerFrame;
    targets.push({ target: '  the same with a background grade', measured: formatNumber(grade, 0), verdict: verdict(grade === undefined ? undefined : grade <= 500) });
    const peak = Math.max(e24?.peakRssBytes ?? NaN, e300?.peakRssBytes ?? NaN);
    targets.push({ target: '1080p: peak RSS <= 2 GB (24 and 300 frames)', measured: formatMiB(peak), verdict: verdict(Number.isFinite(peak) ? peak <= 2 * 1024 ** 3 : undefined) });
    const ratio = e24?.peakRssBytes && e300?.peakRssBytes ? e300.peakRssBytes / e24.peakRssBytes : undefined;
    targets.push({ target: '1080p: peak RSS flat (300/24 <= 1.2)', measured: formatNumber(ratio), verdict: verdict(ratio === undefined ? undefined : ratio <= 1.2) });
  }
  return targets;
}

/** JSON cannot hold Infinity/NaN: write them as strings. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
