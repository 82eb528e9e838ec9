/**
 * onnxruntime-node (1.30) starts Microsoft's telemetry when it loads, unless ORT_DISABLE_TELEMETRY is set: it reads
 * machine identifiers, tries HTTPS uploads, and leaves `mat-debug-<pid>.log` and `.ses` in the temp folder of every
 * process (measured on Linux). A studio's machines are not ours to report on, and a render farm's temp folder should
 * not fill with them, so the engine turns it off; a user who sets the variable (to 0) keeps the choice.
 *
 * Native code reads the process's real environment, which only the main thread can change (a worker's process.env
 * is its own copy), and onnxruntime reads it once, when the first thread loads it. So this runs on the thread that
 * loads onnxruntime or starts the threads that will (runtime/models.ts loadOrt, runtime/thread-entry.ts); on a
 * worker thread it can do nothing, and does nothing.
 */
import { isMainThread } from 'worker_threads';

export function disableOrtTelemetry(): void {
  if (isMainThread) process.env.ORT_DISABLE_TELEMETRY ??= '1';
}
