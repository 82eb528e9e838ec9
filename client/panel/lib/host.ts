/**
 * The one typed bridge from the panel to the ExtendScript host (bolt-cep's evalTS, for AnchorFlowHost).
 *
 * - Calls are serialised: overlapping evalScript calls can wedge Premiere, so a call starts only after the previous
 *   one answered.
 * - Each call has a timeout (counted from when it was queued). A timed-out call keeps its slot until the host
 *   finally answers, so the next call never overlaps it; calls queued behind it time out with a "host busy" message.
 * - The answer is a `HostResult` JSON string; failures become a `HostCallError` carrying the host's error code.
 */
import { HOST_NAMESPACE, type HostApi, type HostErrorCode, type HostResult } from '../../shared/host-api';
import { evalScript } from './cep';

export type HostFunctionName = keyof HostApi;
export type HostArgs<K extends HostFunctionName> = Parameters<HostApi[K]>[0];
export type HostValue<K extends HostFunctionName> = ReturnType<HostApi[K]>;

/** `timeout` and `not-loaded` are the bridge's own codes; the rest come from the host. */
export type HostCallErrorCode = HostErrorCode | 'timeout' | 'script-error' | 'not-loaded' | 'bad-answer';

export class HostCallError extends Error {
  constructor(
    readonly code: HostCallErrorCode,
    message: string,
    readonly functionName: HostFunctionName,
  ) {
    super(message);
    this.name = 'HostCallError';
  }
}

/** Exporting frames renders the range: allow long. Everything else should answer quickly. */
export const HOST_TIMEOUTS_MS: Record<HostFunctionName, number> = {
  getContext: 20_000,
  exportFrames: 30 * 60_000,
  importResult: 3 * 60_000,
};

/**
 * `AnchorFlowHost.name({...})`. JSON is valid ExtendScript expression syntax except for U+2028/U+2029, which ES3
 * string literals reject: escape them.
 */
export function buildHostScript<K extends HostFunctionName>(name: K, args: HostArgs<K>): string {
  const json = JSON.stringify(args).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `${HOST_NAMESPACE}.${name}(${json})`;
}

/** Turns evalScript's string answer into the value, or throws a HostCallError with a one-line message. */
export function parseHostAnswer<K extends HostFunctionName>(name: K, answer: string): HostValue<K> {
  if (answer === 'EvalScript error.') {
    throw new HostCallError(
      'script-error',
      `The host script failed while running ${name} (EvalScript error). Save your project, reload the panel, and try again.`,
      name,
    );
  }
  if (answer === 'undefined' || answer === '' || answer === 'null') {
    throw new HostCallError(
      'not-loaded',
      `The AnchorFlow host script is not loaded (${HOST_NAMESPACE}.${name} returned nothing). Close and reopen the panel.`,
      name,
    );
  }
  let parsed: HostResult<HostValue<K>>;
  try {
    parsed = JSON.parse(answer) as HostResult<HostValue<K>>;
  } catch {
    throw new HostCallError('bad-answer', `The host answered ${name} with something that is not JSON: ${answer.slice(0, 80)}`, name);
  }
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.ok !== 'boolean') {
    throw new HostCallError('bad-answer', `The host answered ${name} without an ok flag: ${answer.slice(0, 80)}`, name);
  }
  if (!parsed.ok) throw new HostCallError(parsed.error.code, parsed.error.message, name);
  return parsed.value;
}

type EvalFn = (script: string) => Promise<string>;

/** A serialising, timing-out caller. Exposed as a factory so tests can give it a scripted evalScript. */
export function createHostBridge(evaluate: EvalFn = evalScript, timeouts: Record<HostFunctionName, number> = HOST_TIMEOUTS_MS) {
  // Resolves when the host has answered the latest queued call (or it failed): the next call chains on it.
  let tail: Promise<void> = Promise.resolve();
  let busyWith: HostFunctionName | null = null;

  function evalHost<K extends HostFunctionName>(name: K, args: HostArgs<K>): Promise<HostValue<K>> {
    const script = buildHostScript(name, args);
    const timeoutMs = timeouts[name];
    let answered: () => void = () => undefined;
    const previous = tail;
    tail = new Promise<void>((resolve) => {
      answered = resolve;
    });

    return new Promise<HostValue<K>>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        const message =
          busyWith !== null && busyWith !== name
            ? `The host is still busy with ${busyWith}; ${name} gave up after ${Math.round(timeoutMs / 1000)} s. Wait for it to finish, then try again.`
            : `The host did not answer ${name} within ${Math.round(timeoutMs / 1000)} s. Check for a dialog open in the app, then try again.`;
        reject(new HostCallError('timeout', message, name));
      }, timeoutMs);

      void previous.then(async () => {
        if (settled) {
          answered(); // timed out while waiting: never send it, free the slot
          return;
        }
        busyWith = name;
        let answer: string;
        try {
          answer = await evaluate(script);
        } catch (error) {
          answer = 'EvalScript error.';
          void error;
        } finally {
          busyWith = null;
          answered();
        }
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          resolve(parseHostAnswer(name, answer));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  return { evalHost };
}

const defaultBridge = createHostBridge();

/** `await evalHost('getContext', {})` — the panel's only way to call the host. */
export function evalHost<K extends HostFunctionName>(name: K, args: HostArgs<K>): Promise<HostValue<K>> {
  return defaultBridge.evalHost(name, args);
}
