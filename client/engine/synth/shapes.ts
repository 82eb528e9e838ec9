/**
 * Shapes as signed distance functions (negative inside). Antialiased coverage is clamp(0.5 - d_pixels, 0, 1),
 * an analytic one-sample estimate of the pixel area inside the edge: smooth edges without supersampling.
 */

export type ShapeSpec =
  | { kind: 'rect'; /** corner radius as a fraction of the shorter half-side */ round?: number }
  | { kind: 'ellipse' }
  /** Vertices in the unit box [-0.5, 0.5]^2, scaled to the shape's size. Any simple polygon. */
  | { kind: 'polygon'; points: Array<[number, number]> };

export type DistanceFn = (x: number, y: number) => number;

/** A star polygon with `spikes` points; `inner` is the inner radius relative to the outer one. */
export function star(spikes: number, inner: number, rotationDegrees = -90): ShapeSpec {
  const points: Array<[number, number]> = [];
  for (let i = 0; i < spikes * 2; i++) {
    const r = i % 2 === 0 ? 0.5 : 0.5 * inner;
    const a = (rotationDegrees * Math.PI) / 180 + (i * Math.PI) / spikes;
    points.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return { kind: 'polygon', points };
}

/** A regular polygon with `sides` sides inscribed in the unit box. */
export function regularPolygon(sides: number, rotationDegrees = 0): ShapeSpec {
  const points: Array<[number, number]> = [];
  for (let i = 0; i < sides; i++) {
    const a = (rotationDegrees * Math.PI) / 180 + (i * 2 * Math.PI) / sides;
    points.push([0.5 * Math.cos(a), 0.5 * Math.sin(a)]);
  }
  return { kind: 'polygon', points };
}

/** Distance function for a shape of half-extents (hx, hy), centred on the origin, in the units of hx/hy. */
export function compileShape(shape: ShapeSpec, hx: number, hy: number): DistanceFn {
  switch (shape.kind) {
    case 'rect': {
      const r = (shape.round ?? 0) * Math.min(hx, hy);
      const bx = hx - r;
      const by = hy - r;
      return (x, y) => {
        const qx = Math.abs(x) - bx;
        const qy = Math.abs(y) - by;
        const ox = Math.max(qx, 0);
        const oy = Math.max(qy, 0);
        return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - r;
      };
    }
    case 'ellipse':
      // First-order distance estimate f/|grad f| (accurate near the edge, which is all the coverage needs).
      return (x, y) => {
        const k0 = Math.sqrt((x * x) / (hx * hx) + (y * y) / (hy * hy));
        const k1 = Math.sqrt((x * x) / (hx * hx * hx * hx) + (y * y) / (hy * hy * hy * hy));
        if (k1 === 0) return -Math.min(hx, hy);
        return (k0 * (k0 - 1)) / k1;
      };
    case 'polygon': {
      const n = shape.points.length;
      const px = new Float64Array(n);
      const py = new Float64Array(n);
      shape.points.forEach(([x, y], i) => {
        px[i] = x * 2 * hx;
        py[i] = y * 2 * hy;
      });
      return (x, y) => polygonDistance(px, py, x, y);
    }
  }
}

/** Exact signed distance to a simple polygon (edge distance, sign from the crossing-number rule). */
function polygonDistance(px: Float64Array, py: Float64Array, x: number, y: number): number {
  const n = px.length;
  let best = Infinity;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ex = px[j] - px[i];
    const ey = py[j] - py[i];
    const wx = x - px[i];
    const wy = y - py[i];
    const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
    const dx = wx - ex * t;
    const dy = wy - ey * t;
    const d = dx * dx + dy * dy;
    if (d < best) best = d;
    if (py[i] > y !== py[j] > y && x < ((px[j] - px[i]) * (y - py[i])) / (py[j] - py[i]) + px[i]) inside = !inside;
  }
  const dist = Math.sqrt(best);
  return inside ? -dist : dist;
}

/** Pixel coverage from a signed distance in pixels. */
export function coverageFromDistance(dPixels: number): number {
  const c = 0.5 - dPixels;
  return c <= 0 ? 0 : c >= 1 ? 1 : c;
}
