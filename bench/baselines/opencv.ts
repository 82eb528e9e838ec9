/**
 * Loads OpenCV.js (@techstark/opencv-js, WebAssembly, works offline in Node). The baselines use it so they share
 * no code with our engine. The Emscripten module object has its own `then`, so it is never returned from a
 * promise directly (that would loop): callers get it wrapped in an object.
 */
export type OpenCv = typeof import('@techstark/opencv-js');

interface EmscriptenModule {
  Mat?: unknown;
  onRuntimeInitialized?: () => void;
}

let loading: Promise<{ cv: OpenCv; initMs: number }> | undefined;

export function loadOpenCv(): Promise<{ cv: OpenCv; initMs: number }> {
  loading ??= new Promise((resolve, reject) => {
    const started = Date.now();
    let mod: EmscriptenModule;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require('@techstark/opencv-js') as EmscriptenModule;
    } catch (error) {
      reject(new Error(`cannot load @techstark/opencv-js (run npm ci): ${(error as Error).message}`));
      return;
    }
    const done = () => resolve({ cv: mod as unknown as OpenCv, initMs: Date.now() - started });
    if (mod.Mat) done();
    else mod.onRuntimeInitialized = done;
  });
  return loading;
}
