import { useEffect, useState } from 'react';
import type { PanelServices } from '../../../shared/panel-services';

/** Source frame and result side by side, with a scrubber over the frames. Images load on demand and are cached. */
export function BeforeAfter({ services, sources, results }: { services: PanelServices; sources: string[]; results: string[] }) {
  const [index, setIndex] = useState(0);
  const [urls, setUrls] = useState<Record<string, string>>({});
  const count = Math.min(sources.length, results.length);
  const before = sources[index];
  const after = results[index];

  useEffect(() => {
    let live = true;
    for (const file of [before, after]) {
      if (!file || urls[file]) continue;
      void services.readDataUrl({ file }).then(({ dataUrl }) => {
        if (live) setUrls((current) => ({ ...current, [file]: dataUrl }));
      });
    }
    return () => {
      live = false;
    };
  }, [before, after, services, urls]);

  if (count === 0) return null;
  return (
    <figure className="af-compare" data-testid="before-after">
      <div className="af-compare__images">
        <div>
          <span className="af-muted">Before</span>
          {before && urls[before] ? <img src={urls[before]} alt={`Original frame ${index + 1}`} /> : <span className="af-frame__placeholder" />}
        </div>
        <div>
          <span className="af-muted">After</span>
          {after && urls[after] ? <img src={urls[after]} alt={`Result frame ${index + 1}`} /> : <span className="af-frame__placeholder" />}
        </div>
      </div>
      <label className="af-scrubber">
        <span>
          Frame {index + 1} of {count}
        </span>
        <input type="range" min={0} max={count - 1} value={index} onChange={(event) => setIndex(Number(event.target.value))} aria-label="Preview frame" />
      </label>
    </figure>
  );
}
