import { useId, useState, type DragEvent } from 'react';

/** Drop an edited image here, or choose one with the (keyboard-reachable) file button. */
export function DropZone({ disabled, onFile }: { disabled: boolean; onFile: (file: File) => void }) {
  const [over, setOver] = useState(false);
  const inputId = useId();

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  }

  return (
    <div
      className={`af-drop${over ? ' is-over' : ''}`}
      data-testid="dropzone"
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <span>Drop an edited image of this frame (PNG, JPEG, TIFF, PSD) or</span>
      <label htmlFor={inputId} className="af-button-like">
        Choose file…
      </label>
      <input
        id={inputId}
        className="af-visually-hidden"
        type="file"
        accept=".png,.jpg,.jpeg,.tif,.tiff,.psd"
        disabled={disabled}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) onFile(file);
          event.target.value = '';
        }}
      />
    </div>
  );
}
