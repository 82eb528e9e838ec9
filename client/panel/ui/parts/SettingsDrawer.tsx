import { useId } from 'react';
import type { DeviceName } from '../../../shared/protocol';
import type { OutputMode } from '../../../shared/panel-services';
import type { PanelSettings } from '../model';

const DEVICES: { value: DeviceName; label: string }[] = [
  { value: 'auto', label: 'Automatic' },
  { value: 'cpu', label: 'CPU' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'dml', label: 'DirectML (Windows)' },
  { value: 'coreml', label: 'Core ML (macOS)' },
  { value: 'cuda', label: 'CUDA' },
];

/** Engine Node path, device, job folder, output mode, Photoshop path. Changes apply at once and persist. */
export function SettingsDrawer({ settings, onChange, onClose }: { settings: PanelSettings; onChange: (next: PanelSettings) => void; onClose: () => void }) {
  const id = useId();
  const set = <K extends keyof PanelSettings>(key: K, value: PanelSettings[K]) => onChange({ ...settings, [key]: value });
  return (
    <aside className="af-drawer" aria-labelledby={`${id}-title`} data-testid="settings">
      <div className="af-drawer__head">
        <h2 id={`${id}-title`}>Settings</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <label className="af-field">
        <span>Engine Node path</span>
        <input type="text" value={settings.nodePath} placeholder="bundled runtime, then node on PATH" onChange={(event) => set('nodePath', event.target.value)} />
        <small className="af-muted">Node 18.17 or newer runs the engine in its own process.</small>
      </label>
      <label className="af-field">
        <span>Device</span>
        <select value={settings.device} onChange={(event) => set('device', event.target.value as DeviceName)}>
          {DEVICES.map((device) => (
            <option key={device.value} value={device.value}>
              {device.label}
            </option>
          ))}
        </select>
      </label>
      <label className="af-field">
        <span>Job folder</span>
        <input type="text" value={settings.jobRoot} placeholder="next to the project file" onChange={(event) => set('jobRoot', event.target.value)} />
      </label>
      <fieldset className="af-field">
        <legend>Output</legend>
        {(
          [
            ['frames', 'Full frames'],
            ['layer', 'Edit layer with alpha'],
          ] as [OutputMode, string][]
        ).map(([value, label]) => (
          <label key={value} className="af-radio">
            <input type="radio" name={`${id}-output`} value={value} checked={settings.output === value} onChange={() => set('output', value)} />
            {label}
          </label>
        ))}
      </fieldset>
      <label className="af-field">
        <span>Photoshop</span>
        <input type="text" value={settings.photoshopPath} placeholder="found automatically" onChange={(event) => set('photoshopPath', event.target.value)} />
      </label>
    </aside>
  );
}
