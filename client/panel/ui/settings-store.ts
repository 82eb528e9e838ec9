/** Settings persist per machine in the panel's localStorage (CEP keeps it per extension). */
import { DEFAULT_SETTINGS, type PanelSettings } from './model';

const KEY = 'anchorflow.settings.v1';

export function loadSettings(): PanelSettings {
  try {
    const stored = window.localStorage.getItem(KEY);
    return stored ? { ...DEFAULT_SETTINGS, ...(JSON.parse(stored) as Partial<PanelSettings>) } : { ...DEFAULT_SETTINGS };
  } catch {
    return { ...DEFAULT_SETTINGS }; // unreadable storage must not blank the panel
  }
}

export function saveSettings(settings: PanelSettings): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // storage full or disabled: settings still apply for this session
  }
}
