/**
 * Entry point of the render thread (started by pipeline/render.ts): renders queued frames one at a time, in the
 * order they came, and encodes each to its PNG while the next one renders. Requests and replies are RenderRequest /
 * RenderReply; a failed frame answers with its error (kind kept); a `close` drops the frames still queued and stops
 * the thread once the frame it is on is written.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { writePng } from '../io/images';
import { buildAnchorModel, type AnchorModel } from '../pipeline/anchor-model';
import { editLayerOf, outputOf, type RenderModels, type RenderReply, type RenderRequest, type RenderWorkerInput } from '../pipeline/render';
import { ScratchPlanes } from '../pipeline/tensors';
import { StageTimer } from '../pipeline/timing';
import { openModels } from './models';
import { toWire } from './wire-errors';

/** PNG encodes in flight (libvips threads) while the next frame renders. */
const ENCODES = 2;

class RenderWorker {
  private models: Promise<RenderModels> | null = null;
  private readonly anchors = new Map<number, AnchorModel>();
  private readonly queue: Array<Extract<RenderRequest, { type: 'render' }>> = [];
  private readonly encodes = new Set<Promise<void>>();
  private readonly timer = new StageTimer();
  /** The bands' planes, reused from band to band and frame to frame. */
  private readonly scratch = new ScratchPlanes();
  private running: Promise<void> | null = null;
  private closing = false;

  constructor(private readonly port: NonNullable<typeof parentPort>, private readonly input: RenderWorkerInput) {}

  handle(request: RenderRequest): void {
    switch (request.type) {
      case 'open':
        this.models = openModels(request.device, { only: ['transfer', 'restore'], threads: request.threads });
        this.models.catch((error: unknown) => this.post({ id: -1, ...toWire(error) }));
        break;
      case 'anchor':
        void this.buildAnchor(request);
        break;
      case 'render':
        this.queue.push(request);
        this.running ??= this.run().finally(() => (this.running = null));
        break;
      case 'close':
        this.closing = true;
        this.queue.length = 0;
        void (async () => {
          await this.running;
          await Promise.allSettled(this.encodes);
          this.post({ type: 'closed', stageMs: this.timer.summary() });
          this.port.close();
          await this.models?.then((models) => models.release()).catch(() => undefined);
        })();
        break;
    }
  }

  private async buildAnchor({ id, index, original, edited, mask }: Extract<RenderRequest, { type: 'anchor' }>): Promise<void> {
    try {
      const anchor = await this.timer.time('anchor model', () => buildAnchorModel(index, original, edited, mask, this.input.grid));
      this.anchors.set(index, anchor);
      const { stack, mask: fullMask, ...forChains } = anchor;
      this.post({ type: 'anchor', id, anchor: forChains });
    } catch (error) {
      this.post({ id, ...toWire(error) });
    }
  }

  private async run(): Promise<void> {
    for (let request = this.queue.shift(); request && !this.closing; request = this.queue.shift()) {
      const { id, job } = request;
      try {
        if (!this.models) throw new Error('render thread: a frame was sent before the models were opened');
        const models = await this.models;
        const layer = await editLayerOf(models, this.input.grid, this.anchors, job, this.timer, this.scratch);
        const { image, stats } = await this.timer.time('composite', () => outputOf(job.frame, layer, job.kind === 'frame' ? job.frameMask : undefined, this.input.layer));
        const encode: Promise<void> = this.timer
          .time('encode', () => writePng(job.file, image, job.frame.bitDepth))
          .then(
            () => this.post({ type: 'rendered', id, stats }),
            (error: unknown) => this.post({ id, ...toWire(error) }),
          )
          .finally(() => this.encodes.delete(encode));
        this.encodes.add(encode);
        if (this.encodes.size >= ENCODES) await Promise.race(this.encodes);
      } catch (error) {
        this.post({ id, ...toWire(error) });
      }
    }
  }

  private post(reply: RenderReply): void {
    this.port.postMessage(reply);
  }
}

if (isMainThread || !parentPort) {
  throw new Error('client/engine/runtime/render-worker runs only as a worker thread; use pipeline/render.ts.');
}
const worker = new RenderWorker(parentPort, workerData as RenderWorkerInput);
parentPort.on('message', (request: RenderRequest) => worker.handle(request));
