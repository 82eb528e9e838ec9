/**
 * What the test injects into the page before the panel loads:
 * - a fake `window.__adobe_cep__` whose evalScript goes to the ScriptedHost in the test process, with a skin;
 * - `window.__anchorflowServices`, a shim with the Node module's shape whose methods call the real panel-node
 *   services in the test process over playwright bindings; events come back through `window.__afEmit`.
 */
import type { Page } from 'playwright-core';
import type { PanelServices, ServicesEvent, ServicesOptions } from '../../../client/shared/panel-services';

/** Every PanelServices method: checked against the interface both ways at compile time. */
const METHODS = [
  'configure', 'checkEngine', 'createJob', 'readJob', 'writeJob', 'listFrames', 'thumbnails', 'readDataUrl', 'exists',
  'saveBytes', 'writeAnchorPsd', 'readAnchor', 'openInPhotoshop', 'watchFile', 'unwatch', 'propagate', 'cancel', 'dispose',
] as const satisfies readonly (keyof PanelServices)[];
type Missing = Exclude<keyof PanelServices, (typeof METHODS)[number]>;
const allMethodsListed: Missing extends never ? true : Missing = true;
void allMethodsListed;

export interface ShimConfig {
  extensionRoot: string;
  userDataDir: string;
  hostEnvironment: unknown;
}

/** Runs in the page (serialised by playwright): keep it self-contained. */
function installShims(config: ShimConfig & { methods: readonly string[] }): void {
  type Binding = (...args: unknown[]) => Promise<unknown>;
  const w = window as unknown as Record<string, unknown>;
  const themeListeners: ((event: unknown) => void)[] = [];
  w.__adobe_cep__ = {
    evalScript(script: string, callback: (result: string) => void) {
      (w.__fakeHostEval as Binding)(script).then(
        (answer) => callback(String(answer)),
        () => callback('EvalScript error.'),
      );
    },
    getHostEnvironment: () => JSON.stringify(config.hostEnvironment),
    getSystemPath: (type: string) => `file://${type === 'extension' ? config.extensionRoot : config.userDataDir}`,
    getExtensionId: () => 'com.anchorflow.panel',
    addEventListener: (_type: string, listener: (event: unknown) => void) => themeListeners.push(listener),
    removeEventListener: () => undefined,
  };
  w.__anchorflowServices = {
    createServices(options: unknown, emit: (event: unknown) => void) {
      w.__afEmit = emit;
      const call = w.__afServices as Binding;
      const created = call('create', options);
      const services: Record<string, (args?: unknown) => Promise<unknown>> = {};
      for (const method of config.methods) {
        services[method] = (args?: unknown) => created.then(() => call(method, args ?? null));
      }
      return services;
    },
  };
}

export interface ServicesBridge {
  /** Resolves with the services once the page created them. */
  ready: Promise<PanelServices>;
  events: ServicesEvent[];
}

/**
 * Wires the page to the Node-side implementation. `create` builds the real services with the page's options
 * (plus test overrides, e.g. the repo's engine script); events are forwarded into the page in order.
 */
export async function installPanelShims(
  page: Page,
  config: ShimConfig,
  evaluateHost: (script: string) => Promise<string>,
  createServices: (options: ServicesOptions, emit: (event: ServicesEvent) => void) => PanelServices,
): Promise<ServicesBridge> {
  const events: ServicesEvent[] = [];
  let resolveReady: (services: PanelServices) => void = () => undefined;
  const ready = new Promise<PanelServices>((resolve) => {
    resolveReady = resolve;
  });
  let services: PanelServices | null = null;
  // Forward events one after another so the page sees them in the order the Node side emitted them.
  let forwarding: Promise<unknown> = Promise.resolve();
  const emit = (event: ServicesEvent) => {
    events.push(event);
    forwarding = forwarding.then(() => page.evaluate((e) => (window as unknown as { __afEmit: (e: unknown) => void }).__afEmit(e), event)).catch(() => undefined);
  };

  await page.exposeFunction('__fakeHostEval', evaluateHost);
  await page.exposeFunction('__afServices', async (method: string, args: unknown) => {
    if (method === 'create') {
      services = createServices(args as ServicesOptions, emit);
      resolveReady(services);
      return null;
    }
    if (!services) throw new Error('services used before create');
    const fn = (services as unknown as Record<string, (a: unknown) => Promise<unknown>>)[method];
    if (typeof fn !== 'function') throw new Error(`PanelServices has no method ${method}`);
    const value = await fn.call(services, args);
    return value === undefined ? null : value;
  });
  await page.addInitScript(installShims, { ...config, methods: METHODS });
  return { ready, events };
}
