import { describe, expect, it } from 'vitest';
import { Baselines } from '../../bench/baselines/baselines';
import { fitColourMatrix } from '../../bench/baselines/colour-fit';
import { loadOpenCv } from '../../bench/baselines/opencv';
import { QualityAccumulator } from '../../bench/metrics';
import { createRandom, dilateMask, recolourOccluded, renderScene, sample } from '../../client/engine/synth';

describe('OpenCV baselines', () => {
  it('fits a known colour matrix by least squares', async () => {
    const { cv } = await loadOpenCv();
    const random = createRandom(3);
    const n = 500;
    const original = new Uint8Array(n * 3).map(() => Math.floor(40 + random() * 170));
    const m = [0.9, 0.1, 0, 10, 0.05, 0.8, 0.1, -5, 0, 0.2, 0.7, 20];
    const edited = new Uint8Array(n * 3);
    for (let i = 0; i < n * 3; i += 3) {
      for (let c = 0; c < 3; c++) edited[i + c] = Math.round(m[c * 4] * original[i] + m[c * 4 + 1] * original[i + 1] + m[c * 4 + 2] * original[i + 2] + m[c * 4 + 3]);
    }
    const fit = fitColourMatrix(cv, original, edited, new Uint8Array(n).fill(255));
    fit.forEach((v, k) => expect(v).toBeCloseTo(m[k], k % 4 === 3 ? 0 : 1));
  });

  it('run on a tiny clip: close to exact at the anchor, finite PSNR on every frame', async () => {
    const size = { width: 96, height: 54, frameCount: 4 };
    for (const spec of [sample, recolourOccluded]) {
      const clip = renderScene(spec, size);
      const a = clip.anchors[0];
      const mask = dilateMask(clip.masks[a], size.width, size.height, 2);
      const baselines = await Baselines.create(size.width, size.height, [{ index: a, original: clip.frames[a], edited: clip.edited[a], mask }]);
      const accs = { flowWarp: new QualityAccumulator(), rotoGrade: new QualityAccumulator() };
      try {
        for (let i = 0; i < size.frameCount; i++) {
          const r = baselines.process(i, clip.frames[i]);
          expect(r.flowMs).toBeGreaterThan(0);
          accs.flowWarp.addFrame(r.flowWarp, clip.edited[i], clip.frames[i]);
          accs.rotoGrade.addFrame(r.rotoGrade, clip.edited[i], clip.frames[i]);
          if (i === a) {
            const atAnchor = new QualityAccumulator();
            atAnchor.addFrame(r.flowWarp, clip.edited[i], clip.frames[i]);
            expect(atAnchor.result().editPsnr).toBeGreaterThan(30);
          }
        }
      } finally {
        baselines.dispose();
      }
      for (const acc of Object.values(accs)) {
        const q = acc.result();
        expect(Number.isFinite(q.editPsnr)).toBe(true);
        expect(q.editPsnr).toBeGreaterThan(5);
        expect(q.keepPsnr).toBeGreaterThan(20);
      }
    }
  });
});
