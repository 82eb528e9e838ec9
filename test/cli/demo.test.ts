import { existsSync, readdirSync } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../io/fixtures';
import { runCli } from './helpers';

describe('anchorflow demo (npm start)', () => {
  it('renders the sample, propagates it and writes a side-by-side preview, offline', async () => {
    const out = tempDir('demo');
    const run = await runCli(['demo', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(path.join(out, 'sample', 'frames'))).toHaveLength(12);
    expect(readdirSync(path.join(out, 'demo', 'frames'))).toHaveLength(12);
    const preview = path.join(out, 'demo', 'preview.png');
    expect(existsSync(preview)).toBe(true);
    const meta = await sharp(preview).metadata();
    expect([meta.width, meta.height]).toEqual([3 * 320 + 2 * 4, 3 * 180 + 2 * 4]); // 3 rows x (source | anchor | result)
    expect(run.stdout).toContain(`Preview:       ${preview}`);
    expect(run.stdout).toMatch(/edit-region PSNR \d+\.\d dB, keep-region PSNR \d+\.\d dB/);
  });
});
