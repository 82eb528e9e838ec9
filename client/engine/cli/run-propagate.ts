/** `anchorflow propagate`: parse, run the pipeline with progress and Ctrl-C, report, and return the exit status. */
import type { EngineEvent, PropagateResult } from '../../shared/protocol';
import { CancelledError, errorCodeOf, exitCodeOf } from '../errors';
import { parsePropagateArgs } from './args';
import { loadPropagate, type PropagateFn } from './engine';
import { PROPAGATE_HELP } from './help';
import { HumanSink, JsonLinesSink, formatDuration, type EventSink } from './progress';

export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function summary(result: PropagateResult): string {
  const perFrame = result.frames.length > 0 ? ` (${((result.seconds * 1000) / result.frames.length).toFixed(0)} ms/frame)` : '';
  const lines = [
    `Wrote ${result.frames.length} frame${result.frames.length === 1 ? '' : 's'} to ${result.out} ` +
      `in ${formatDuration(result.seconds)}${perFrame} on ${result.device}.`,
  ];
  if (result.encoded) lines.push(`Encoded ${result.encoded}.`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs one propagate command. The first SIGINT/SIGTERM aborts the run: the pipeline stops at its next frame boundary
 * and publishes nothing, so earlier results stay as they were; exit status 1.
 */
export async function runPropagate(argv: string[], streams: CliStreams, propagate?: PropagateFn): Promise<number> {
  let json = argv.includes('--json');
  let sink: EventSink = json ? new JsonLinesSink(streams.stdout) : new HumanSink(streams.stderr);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      sink.finish();
      streams.stderr.write('Cancelling... (press Ctrl-C again to quit at once)\n');
      controller.abort();
    } else if (interrupts === 2) {
      // process.exit() here would tear the engine thread down inside onnxruntime, which aborts the process (seen in
      // tests). The run is already aborted and stops at its next frame boundary (well under a second): let it.
      streams.stderr.write('Stopping after the current frame...\n');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that goes away (`anchorflow propagate … --json | head`) closes stdout, and the next write fails with
  // EPIPE: cancel cleanly (nothing published, earlier results untouched) rather than die on an unhandled error.
  // The listener stays for the process's life: a write in flight may still fail after this function returns.
  let outputClosed = false;
  streams.stdout.on('error', (error: NodeJS.ErrnoException) => {
    outputClosed = true;
    if (controller.signal.aborted) return;
    streams.stderr.write(`anchorflow: standard output was closed (${error.code ?? error.message}); cancelling.\n`);
    controller.abort();
  });
  try {
    const command = parsePropagateArgs(argv);
    if (command.help) {
      streams.stdout.write(PROPAGATE_HELP);
      return 0;
    }
    json = command.json;
    sink = json ? new JsonLinesSink(streams.stdout) : new HumanSink(streams.stderr);
    const run = propagate ?? loadPropagate();
    const result = await run(command.request, {
      signal: controller.signal,
      // The CLI reports the outcome itself: terminal events from the pipeline would be duplicates.
      onEvent: (event: EngineEvent) => {
        if (event.event === 'progress' || event.event === 'warning') sink.emit(event);
      },
    });
    if (controller.signal.aborted) throw new CancelledError();
    sink.emit({ event: 'done', result });
    if (!json) streams.stderr.write(summary(result));
    return 0;
  } catch (caught) {
    const error = controller.signal.aborted && !(caught instanceof CancelledError) ? new CancelledError() : caught;
    const message = oneLine(error);
    sink.finish();
    if (json && !outputClosed) sink.emit({ event: 'error', code: errorCodeOf(error), message });
    streams.stderr.write(`anchorflow: ${message}\n`);
    if (errorCodeOf(error) === 'internal' && process.env.ANCHORFLOW_DEBUG && error instanceof Error && error.stack) {
      streams.stderr.write(`${error.stack}\n`);
    }
    return exitCodeOf(error);
  } finally {
    // After a first Ctrl-C the process is on its way out: keep the handler so that a second one still exits with
    // status 1 (not by the signal) even when it lands between the run's end and the process's exit.
    if (interrupts === 0) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
