/** The panel's evalHost bridge: script building, one call at a time, timeouts, and answer parsing. */
import { describe, expect, it } from 'vitest';
import { buildHostScript, createHostBridge, HostCallError, parseHostAnswer } from '../../client/panel/lib/host';

const fastTimeouts = { getContext: 200, exportFrames: 200, importResult: 200 };

describe('evalHost bridge', () => {
  it('builds AnchorFlowHost.<name>(<json>) and escapes line separators ES3 rejects', () => {
    const script = buildHostScript('exportFrames', { range: { startFrame: 1, frameCount: 2, fps: 25 }, folder: 'C:\\jobs\\a\u2028b' });
    expect(script).toBe('AnchorFlowHost.exportFrames({"range":{"startFrame":1,"frameCount":2,"fps":25},"folder":"C:\\\\jobs\\\\a\\u2028b"})');
  });

  it('maps evalScript failures and host errors to HostCallError codes', () => {
    expect(() => parseHostAnswer('getContext', 'EvalScript error.')).toThrow(expect.objectContaining({ code: 'script-error' }));
    expect(() => parseHostAnswer('getContext', 'undefined')).toThrow(expect.objectContaining({ code: 'not-loaded' }));
    expect(() => parseHostAnswer('getContext', '<html>')).toThrow(expect.objectContaining({ code: 'bad-answer' }));
    expect(() => parseHostAnswer('getContext', JSON.stringify({ ok: false, error: { code: 'no-selection', message: 'Nothing selected.' } }))).toThrow(
      expect.objectContaining({ code: 'no-selection', message: 'Nothing selected.' }),
    );
    expect(parseHostAnswer('importResult', JSON.stringify({ ok: true, value: { itemName: 'a', trackOrLayerIndex: 1, startSeconds: 0 } }))).toEqual({ itemName: 'a', trackOrLayerIndex: 1, startSeconds: 0 });
  });

  it('never overlaps calls: the second script is sent only after the first answered', async () => {
    const log: string[] = [];
    let inFlight = 0;
    const bridge = createHostBridge(async (script) => {
      inFlight += 1;
      expect(inFlight).toBe(1);
      log.push(`start ${script.slice(15, 27)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push('end');
      inFlight -= 1;
      return JSON.stringify({ ok: true, value: script });
    }, { getContext: 1000, exportFrames: 1000, importResult: 1000 });
    const [first, second] = await Promise.all([bridge.evalHost('getContext', {}), bridge.evalHost('importResult', { path: 'p', placement: {} as never, binName: 'b' })]);
    expect(first).toBe('AnchorFlowHost.getContext({})');
    expect(String(second)).toContain('importResult');
    expect(log).toEqual(['start getContext({', 'end', 'start importResult', 'end']);
  });

  it('times out a silent host, and a call queued behind it says the host is busy without being sent', async () => {
    const sent: string[] = [];
    let answerLate: (answer: string) => void = () => undefined;
    const bridge = createHostBridge((script) => {
      sent.push(script);
      if (sent.length > 1) return Promise.resolve(JSON.stringify({ ok: true, value: null }));
      return new Promise<string>((resolve) => {
        answerLate = resolve;
      });
    }, fastTimeouts);
    const stuck = bridge.evalHost('exportFrames', { range: { startFrame: 0, frameCount: 1, fps: 25 }, folder: '/f' });
    const queued = bridge.evalHost('getContext', {});
    await expect(stuck).rejects.toThrow(/did not answer exportFrames/);
    await expect(queued).rejects.toThrow(/still busy with exportFrames/);
    expect(sent).toHaveLength(1);
    answerLate(JSON.stringify({ ok: true, value: null }));
    await expect(bridge.evalHost('getContext', {})).resolves.toBeNull();
    expect(sent).toHaveLength(2);
  });

  it('HostCallError keeps the function name', () => {
    const error = new HostCallError('timeout', 'x', 'getContext');
    expect(error.functionName).toBe('getContext');
  });
});
