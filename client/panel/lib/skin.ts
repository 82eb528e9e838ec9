/**
 * Follow the host's skin: panel background, derived text/border colours, font family and size, set as CSS variables
 * on :root. Pure colour math here; `applySkin` is the only DOM write.
 */
import type { AppSkinInfo, CepColor } from './cep';

export interface SkinVariables {
  '--af-bg': string;
  '--af-bg-raised': string;
  '--af-bg-sunken': string;
  '--af-fg': string;
  '--af-fg-muted': string;
  '--af-border': string;
  '--af-accent': string;
  '--af-font-family': string;
  '--af-font-size': string;
}

function toRgb(color: CepColor, shift = 0): string {
  const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value + shift)));
  return `rgb(${clamp(color.red)}, ${clamp(color.green)}, ${clamp(color.blue)})`;
}

/** Relative luminance (0..1) decides whether text is light or dark, as the host's own panels do. */
export function isDark(color: CepColor): boolean {
  const luminance = (0.2126 * color.red + 0.7152 * color.green + 0.0722 * color.blue) / 255;
  return luminance < 0.5;
}

export function skinVariables(skin: AppSkinInfo): SkinVariables {
  const bg = skin.panelBackgroundColor.color;
  const dark = isDark(bg);
  const step = dark ? 1 : -1;
  const accent = skin.systemHighlightColor ?? { red: 46, green: 137, blue: 255, alpha: 255 };
  return {
    '--af-bg': toRgb(bg),
    '--af-bg-raised': toRgb(bg, 14 * step),
    '--af-bg-sunken': toRgb(bg, -12 * step),
    '--af-fg': dark ? 'rgb(230, 230, 230)' : 'rgb(30, 30, 30)',
    '--af-fg-muted': dark ? 'rgb(170, 170, 170)' : 'rgb(80, 80, 80)',
    '--af-border': toRgb(bg, 40 * step),
    '--af-accent': toRgb(accent),
    '--af-font-family': skin.baseFontFamily ? `${JSON.stringify(skin.baseFontFamily)}, system-ui, sans-serif` : 'system-ui, sans-serif',
    // CEP reports the size in points at 72 dpi; it maps 1:1 to CSS px in the host's Chromium.
    '--af-font-size': `${skin.baseFontSize > 0 ? skin.baseFontSize : 12}px`,
  };
}

export function applySkin(skin: AppSkinInfo, root: HTMLElement = document.documentElement): void {
  const variables = skinVariables(skin);
  for (const [name, value] of Object.entries(variables)) root.style.setProperty(name, value);
  root.dataset.theme = isDark(skin.panelBackgroundColor.color) ? 'dark' : 'light';
}
