/**
 * The panel's controller: state plus the actions the steps call. All host calls go through `evalHost`, all Node work
 * through `PanelServices`; components only render and call these actions.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HostContext, ImportResultResult } from '../../shared/host-api';
import type { PropagateResult } from '../../shared/protocol';
import type { JobPaths, JobRecord, ServicesEvent } from '../../shared/panel-services';
import { evalHost } from '../lib/host';
import type { ConnectedServices } from '../lib/services';
import {
  buildRequest,
  describePlacement,
  isAnchorFileName,
  newJobRecord,
  padIndex,
  putAnchor,
  withResult,
  type Anchor,
  type Frame,
  type Notice,
  type PanelSettings,
  type RetryAction,
  type RunProgress,
  type StepId,
} from './model';
import { noticeFromAttempt, noticeFromEngineCheck, noticeFromError, noticeFromOutcome } from './notices';
import { loadSettings, saveSettings } from './settings-store';

const THUMB_HEIGHT = 54;
const IMPORT_BIN = 'AnchorFlow';

/** Busy flags double as "disable the button" and "show a spinner label". */
export type BusyAction = 'context' | 'capture' | 'anchor' | 'photoshop' | 'propagate' | 'import' | null;

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode's argument count is limited
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + chunk));
  }
  return btoa(binary);
}

function joinPath(dir: string, name: string): string {
  return `${dir.replace(/[\\/]+$/, '')}${dir.includes('\\') && !dir.includes('/') ? '\\' : '/'}${name}`;
}

export function useWorkflow({ services, events }: ConnectedServices) {
  const [settings, setSettingsState] = useState<PanelSettings>(() => loadSettings());
  const [step, setStep] = useState<StepId>('capture');
  const [context, setContext] = useState<HostContext | null>(null);
  const [job, setJob] = useState<JobPaths | null>(null);
  const [frames, setFrames] = useState<Frame[]>([]);
  const [selectedIndex, setSelectedIndex] = useState(0);
  const [anchors, setAnchors] = useState<Anchor[]>([]);
  const [run, setRun] = useState<RunProgress | null>(null);
  const [result, setResult] = useState<PropagateResult | null>(null);
  const [placed, setPlaced] = useState<{ summary: string; value: ImportResultResult } | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState<BusyAction>(null);
  const [waitingForPsd, setWaitingForPsd] = useState<number | null>(null);
  const record = useRef<JobRecord | null>(null);
  // Event handlers registered once read the latest state through refs.
  const latest = useRef({ job, frames });
  latest.current = { job, frames };

  const setSettings = useCallback((next: PanelSettings) => {
    setSettingsState(next);
    saveSettings(next);
  }, []);

  useEffect(() => {
    void services.configure({ nodePath: settings.nodePath, device: settings.device }).catch((error: unknown) => {
      setNotice(noticeFromError(error, 'Applying settings'));
    });
  }, [services, settings.nodePath, settings.device]);

  const checkEngine = useCallback(
    async (retry: RetryAction): Promise<boolean> => {
      const check = await services.checkEngine();
      if (!check.ok) setNotice(noticeFromEngineCheck(check, retry));
      return check.ok;
    },
    [services],
  );

  const saveRecord = useCallback(
    async (next: JobRecord) => {
      record.current = next;
      if (latest.current.job) await services.writeJob({ dir: latest.current.job.dir, job: next });
    },
    [services],
  );

  /** Reads a designer's file back into the anchor for `index`. */
  const loadAnchor = useCallback(
    async (index: number, file: string) => {
      const { job: currentJob, frames: currentFrames } = latest.current;
      const frame = currentFrames[index];
      if (!currentJob || !frame) return;
      const read = await services.readAnchor({
        file,
        frame: frame.file,
        outImage: joinPath(currentJob.anchorsDir, `anchor-${padIndex(index)}.png`),
        outMask: joinPath(currentJob.masksDir, `mask-${padIndex(index)}.png`),
      });
      if (!read.ok) {
        setNotice({ tone: 'error', title: 'Anchor not usable', message: read.message, nextStep: 'Save the file again as PSD, PNG or TIFF at the frame size, or drop another image.' });
        return;
      }
      const { dataUrl } = await services.readDataUrl({ file: read.image });
      setAnchors((current) => putAnchor(current, { index, image: read.image, mask: read.mask, source: file, preview: dataUrl, warnings: read.warnings }));
      if (read.warnings.length > 0) {
        setNotice({ tone: 'warning', title: 'Anchor loaded with a warning', message: read.warnings[0] ?? '', nextStep: 'Check the anchor preview; re-save from Photoshop if it looks wrong.' });
      } else {
        setNotice(null);
      }
    },
    [services],
  );

  useEffect(
    () =>
      events.subscribe((event: ServicesEvent) => {
        switch (event.kind) {
          case 'progress':
            setRun((current) =>
              current && current.runId === event.runId
                ? { ...current, stage: event.stage, done: event.done, total: event.total, etaSeconds: event.etaSeconds, preview: event.preview ?? current.preview }
                : current,
            );
            break;
          case 'warning':
            setNotice({ tone: 'warning', title: 'Engine warning', message: event.message, nextStep: 'The run continues; check the result preview.' });
            break;
          case 'file-changed': {
            const match = /^psd-(\d+)$/.exec(event.watchId);
            if (match) {
              setWaitingForPsd(null);
              void loadAnchor(Number(match[1]), event.file).catch((error: unknown) => setNotice(noticeFromError(error, 'Reading the Photoshop file')));
            }
            break;
          }
          case 'engine-exit':
            break; // a run in flight reports it through its outcome; idle exits restart on next use
        }
      }),
    [events, loadAnchor],
  );

  const guarded = useCallback(async (action: Exclude<BusyAction, null>, during: string, work: () => Promise<void>, retry?: RetryAction) => {
    setBusy(action);
    try {
      await work();
    } catch (error) {
      setNotice(noticeFromError(error, during, retry));
    } finally {
      setBusy(null);
    }
  }, []);

  const readSelection = useCallback(
    () =>
      guarded('context', 'Reading the selection', async () => {
        const next = await evalHost('getContext', {});
        setContext(next);
        setNotice(null);
      }),
    [guarded],
  );

  const capture = useCallback(
    () =>
      guarded('capture', 'Capturing frames', async () => {
        if (!context) return;
        const created = await services.createJob({
          projectPath: context.projectPath,
          jobRoot: settings.jobRoot,
          name: context.selection.name,
          mediaPath: context.selection.mediaPath,
        });
        if (!created.ok) {
          setNotice(noticeFromAttempt('Could not create the job folder', created, 'capture'));
          return;
        }
        const paths = created.paths;
        latest.current = { ...latest.current, job: paths };
        setJob(paths);
        setAnchors([]);
        setResult(null);
        setPlaced(null);
        await saveRecord(newJobRecord(context, settings, new Date()));
        const exported = await evalHost('exportFrames', { range: context.selection.range, folder: paths.framesDir });
        const { files } = await services.listFrames({ dir: paths.framesDir });
        if (files.length !== exported.files.length) {
          throw new Error(`The host reported ${exported.files.length} frames but ${files.length} are in ${paths.framesDir}.`);
        }
        const captured: Frame[] = files.map((file, index) => ({ index, file, thumb: null }));
        latest.current = { ...latest.current, frames: captured };
        setFrames(captured);
        setSelectedIndex(0);
        setStep('anchor');
        setNotice(null);
        const { thumbnails } = await services.thumbnails({ framesDir: paths.framesDir, outDir: paths.thumbsDir, height: THUMB_HEIGHT });
        const urls = await Promise.all(thumbnails.map(async (thumb) => [thumb.index, (await services.readDataUrl({ file: thumb.file })).dataUrl] as const));
        const byIndex = new Map(urls);
        setFrames((current) => current.map((frame) => ({ ...frame, thumb: byIndex.get(frame.index) ?? frame.thumb })));
      }),
    [context, guarded, saveRecord, services, settings],
  );

  const editInPhotoshop = useCallback(
    () =>
      guarded('photoshop', 'Opening Photoshop', async () => {
        const frame = frames[selectedIndex];
        if (!job || !frame) return;
        const psd = joinPath(job.anchorsDir, `anchor-${padIndex(selectedIndex)}.psd`);
        const written = await services.writeAnchorPsd({ frame: frame.file, psd });
        if (!written.ok) {
          setNotice(noticeFromAttempt('Could not write the Photoshop file', written, 'photoshop'));
          return;
        }
        await services.watchFile({ watchId: `psd-${selectedIndex}`, file: psd });
        setWaitingForPsd(selectedIndex);
        const opened = await services.openInPhotoshop({ file: psd, photoshopPath: settings.photoshopPath || undefined });
        setNotice(
          opened.ok
            ? { tone: 'info', title: 'Edit in Photoshop', message: `Paint on the "Edit" layer of ${psd} and save.`, nextStep: 'Each save updates the anchor here.' }
            : { tone: 'warning', title: 'Photoshop did not open', message: opened.message, nextStep: `Open ${psd} yourself (or set the Photoshop path in Settings); saves are still picked up.` },
        );
      }),
    [frames, guarded, job, selectedIndex, services, settings.photoshopPath],
  );

  const takeImageFile = useCallback(
    (file: File) =>
      guarded('anchor', 'Reading the image', async () => {
        if (!job) return;
        if (!isAnchorFileName(file.name)) {
          setNotice({ tone: 'error', title: 'Not an image we can use', message: `${file.name} is not a PNG, JPEG, TIFF or PSD.`, nextStep: 'Drop or choose a PNG, JPEG, TIFF or PSD of the edited frame.' });
          return;
        }
        const safeName = file.name.replace(/[^A-Za-z0-9._-]+/g, '_');
        const saved = await services.saveBytes({ dir: job.anchorsDir, name: `dropped-${padIndex(selectedIndex)}-${safeName}`, base64: await fileToBase64(file) });
        await loadAnchor(selectedIndex, saved.path);
      }),
    [guarded, job, loadAnchor, selectedIndex, services],
  );

  const removeAnchor = useCallback((index: number) => setAnchors((current) => current.filter((anchor) => anchor.index !== index)), []);

  const propagate = useCallback(
    () =>
      guarded('propagate', 'Propagating', async () => {
        if (!job) return;
        if (!(await checkEngine('propagate'))) return;
        const request = buildRequest(job, anchors, settings);
        const runId = `run-${Date.now().toString(36)}`;
        setNotice(null);
        setRun({ runId, stage: 'starting', done: 0, total: frames.length, etaSeconds: null, preview: null, cancelling: false });
        const outcome = await services.propagate({ runId, request });
        setRun(null);
        if (outcome.status !== 'done') {
          setNotice(noticeFromOutcome(outcome));
          return;
        }
        setResult(outcome.result);
        setPlaced(null);
        // Record the run in job.json first: "finished" must mean the job can be re-run from its record.
        const base = record.current ?? newJobRecord(context, settings, new Date());
        await saveRecord(withResult(base, request, outcome.result, new Date()));
        setNotice({ tone: 'success', title: 'Propagation finished', message: `${outcome.result.frames.length} frames written to ${outcome.result.out} in ${outcome.result.seconds.toFixed(1)} s.`, nextStep: 'Scrub the preview, then go to Import.' });
      }),
    [anchors, checkEngine, context, frames.length, guarded, job, saveRecord, services, settings],
  );

  const cancel = useCallback(async () => {
    if (!run) return;
    setRun({ ...run, cancelling: true });
    await services.cancel({ runId: run.runId });
  }, [run, services]);

  const importResult = useCallback(
    () =>
      guarded('import', 'Importing', async () => {
        if (!context || !result) return;
        const first = [...result.frames].sort((a, b) => a.index - b.index)[0];
        if (!first) return;
        const value = await evalHost('importResult', {
          path: first.file,
          placement: { selection: context.selection, fps: context.selection.range.fps, containerId: context.container.id, containerName: context.container.name },
          binName: IMPORT_BIN,
        });
        const summary = describePlacement(context.app, value);
        setPlaced({ summary, value });
        setNotice(null);
        if (record.current) {
          await saveRecord({ ...record.current, updatedAt: new Date().toISOString(), imported: value });
        }
      }, 'import'),
    [context, guarded, result, saveRecord],
  );

  const retry = useCallback(
    (action: RetryAction) => {
      setNotice(null);
      const actions: Record<RetryAction, () => Promise<void>> = { capture, photoshop: editInPhotoshop, propagate, import: importResult };
      void actions[action]();
    },
    [capture, editInPhotoshop, importResult, propagate],
  );

  const anchorIndexes = useMemo(() => new Set(anchors.map((anchor) => anchor.index)), [anchors]);

  return {
    settings,
    setSettings,
    step,
    setStep,
    context,
    job,
    frames,
    selectedIndex,
    setSelectedIndex,
    anchors,
    anchorIndexes,
    run,
    result,
    placed,
    notice,
    setNotice,
    busy,
    waitingForPsd,
    services,
    readSelection,
    capture,
    editInPhotoshop,
    takeImageFile,
    removeAnchor,
    propagate,
    cancel,
    importResult,
    retry,
  };
}

export type Workflow = ReturnType<typeof useWorkflow>;
