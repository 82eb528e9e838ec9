import { useRef, type KeyboardEvent } from 'react';
import type { Frame } from '../model';

/**
 * Frames as a horizontal list of buttons (one tab stop; arrow keys, Home and End move the selection), anchors marked.
 */
export function Filmstrip({ frames, selectedIndex, anchorIndexes, onSelect }: { frames: Frame[]; selectedIndex: number; anchorIndexes: Set<number>; onSelect: (index: number) => void }) {
  const listRef = useRef<HTMLDivElement>(null);

  function move(event: KeyboardEvent<HTMLDivElement>) {
    const last = frames.length - 1;
    const targets: Record<string, number> = { ArrowRight: selectedIndex + 1, ArrowLeft: selectedIndex - 1, Home: 0, End: last };
    const target = targets[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = Math.max(0, Math.min(last, target));
    onSelect(next);
    listRef.current?.querySelector<HTMLButtonElement>(`[data-index="${next}"]`)?.focus();
  }

  return (
    <div className="af-filmstrip" role="listbox" aria-label="Frames" aria-orientation="horizontal" ref={listRef} onKeyDown={move}>
      {frames.map((frame) => {
        const selected = frame.index === selectedIndex;
        const anchored = anchorIndexes.has(frame.index);
        return (
          <button
            key={frame.index}
            type="button"
            role="option"
            aria-selected={selected}
            aria-label={`Frame ${frame.index + 1}${anchored ? ', anchor' : ''}`}
            tabIndex={selected ? 0 : -1}
            data-index={frame.index}
            className={`af-frame${selected ? ' is-selected' : ''}${anchored ? ' is-anchor' : ''}`}
            onClick={() => onSelect(frame.index)}
          >
            {frame.thumb ? <img src={frame.thumb} alt="" draggable={false} /> : <span className="af-frame__placeholder" />}
            <span className="af-frame__label">{frame.index + 1}</span>
          </button>
        );
      })}
    </div>
  );
}
