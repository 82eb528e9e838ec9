import { describe, expect, it } from 'vitest';
import { engineArgs, failureReason, parseEvents, parseTimeOutput, runEngine } from '../../bench/engine-cli';

describe('engine CLI harness of the benchmark', () => {
  it('builds the CLI contract arguments', () => {
    expect(
      engineArgs({
        framesDir: 'f',
        anchors: [{ index: 0, image: 'a0.png' }, { index: 9, image: 'a9.png' }],
        masks: [{ index: 0, image: 'm0.png' }],
        outDir: 'o',
      }),
    ).toEqual(['propagate', '--frames', 'f', '--anchor', '0=a0.png', '--anchor', '9=a9.png', '--mask', '0=m0.png', '--out', 'o', '--json']);
  });

  it('parses JSON-line events and GNU time output', () => {
    expect(parseEvents('{"event":"progress","done":1}\nnot json\n{"event":"done"}\n')).toEqual([{ event: 'progress', done: 1 }, { event: 'done' }]);
    expect(parseTimeOutput('Command exited with non-zero status 2\n12345\n')).toBe(12345);
  });

  it('measures wall time and peak RSS of a child process and reports its error event', async () => {
    // A stand-in command that holds ~200 MB, prints an error event and exits 2.
    const script =
      "const b=Buffer.alloc(200*1024*1024,1);console.log(JSON.stringify({event:'error',code:'bad-input',message:'no frames in '+process.argv[3]+' (x)'}));setTimeout(()=>process.exit(b[5]+1),100);";
    const run = await runEngine([process.execPath, '-e', script], { framesDir: 'FRAMES', anchors: [], masks: [], outDir: 'OUT' }, process.cwd());
    expect(run.exitCode).toBe(2);
    expect(run.wallMs).toBeGreaterThan(100);
    expect(run.peakRssBytes).toBeGreaterThan(200 * 1024 * 1024);
    expect(run.peakRssBytes).toBeLessThan(1024 * 1024 * 1024);
    expect(failureReason(run)).toBe('no frames in FRAMES (x)');
  });
});
