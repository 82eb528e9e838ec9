/** Small helpers on one-byte-per-pixel masks (0 or 255). */

/** Square dilation by `radius` pixels (separable max filter). Anchor masks are dilated so antialiased fringes,
 *  whose change can round away in 8 bits, are still inside the region a designer would paint. */
export function dilateMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return new Uint8Array(mask);
  const horizontal = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let v = 0;
      const x0 = Math.max(0, x - radius);
      const x1 = Math.min(width - 1, x + radius);
      for (let k = x0; k <= x1 && v === 0; k++) v = mask[row + k];
      horizontal[row + x] = v;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      let v = 0;
      const y0 = Math.max(0, y - radius);
      const y1 = Math.min(height - 1, y + radius);
      for (let k = y0; k <= y1 && v === 0; k++) v = horizontal[k * width + x];
      out[y * width + x] = v;
    }
  }
  return out;
}

/** Number of set pixels. */
export function countMask(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  return n;
}
