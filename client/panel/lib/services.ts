/**
 * Obtains the panel's `PanelServices` (its only door to Node).
 *
 * - In CEP (Node enabled, mixed context): `window.require(<extension>/panel/node/services.js).createServices(...)`.
 *   `window.require` is read at run time so webpack does not try to bundle the Node module into the page.
 * - In the headless-browser test: `window.__anchorflowServices.createServices(...)`, a shim bridged to the same Node
 *   implementation running in the test process.
 */
import {
  SERVICES_GLOBAL,
  type CreateServices,
  type PanelServices,
  type ServicesEvent,
  type ServicesOptions,
} from '../../shared/panel-services';
import { getSystemPath } from './cep';

interface ServicesWindow {
  require?: (id: string) => unknown;
  cep_node?: { require?: (id: string) => unknown };
  [SERVICES_GLOBAL]?: { createServices: CreateServices };
}

export class ServicesUnavailableError extends Error {
  constructor(detail: string) {
    super(`The panel cannot reach its Node side (${detail}). Check that the manifest enables Node (--enable-nodejs, --mixed-context) and reinstall the extension.`);
    this.name = 'ServicesUnavailableError';
  }
}

type Listener = (event: ServicesEvent) => void;

/** Fan-out for the single `emit` callback: the UI subscribes and unsubscribes per component. */
export interface ServicesEvents {
  emit(event: ServicesEvent): void;
  subscribe(listener: Listener): () => void;
}

/**
 * A closure rather than a class: Babel keeps class fields for the Chrome 88 target, and they are ES2022 syntax; the
 * panel bundle must stay ES2020 (checked with acorn in the browser test).
 */
export function createServicesEvents(): ServicesEvents {
  const listeners = new Set<Listener>();
  return {
    emit(event) {
      for (const listener of [...listeners]) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function joinPath(root: string, ...parts: string[]): string {
  const separator = /^[A-Za-z]:/.test(root) ? '\\' : '/';
  return [root.replace(/[\\/]+$/, ''), ...parts].join(separator);
}

function findCreateServices(extensionRoot: string): CreateServices {
  const w = window as unknown as ServicesWindow;
  const shim = w[SERVICES_GLOBAL];
  if (shim) return shim.createServices;
  const nodeRequire = w.require ?? w.cep_node?.require;
  if (!nodeRequire) throw new ServicesUnavailableError('window.require is missing');
  const modulePath = joinPath(extensionRoot, 'panel', 'node', 'services.js');
  let loaded: unknown;
  try {
    loaded = nodeRequire(modulePath);
  } catch (error) {
    throw new ServicesUnavailableError(`loading ${modulePath} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const createServices = (loaded as { createServices?: CreateServices }).createServices;
  if (typeof createServices !== 'function') throw new ServicesUnavailableError(`${modulePath} exports no createServices`);
  return createServices;
}

export interface ConnectedServices {
  services: PanelServices;
  events: ServicesEvents;
  options: ServicesOptions;
}

export function connectServices(): ConnectedServices {
  const options: ServicesOptions = {
    extensionRoot: getSystemPath('extension'),
    userDataDir: getSystemPath('userData'),
  };
  const events = createServicesEvents();
  const services = findCreateServices(options.extensionRoot)(options, events.emit);
  return { services, events, options };
}
