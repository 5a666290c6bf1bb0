import { useEffect, useRef, useState, type PointerEvent } from 'react';

const SIZE = 168;

/**
 * A small drawing surface for mouse, pen and touch (pointer events): dark strokes on
 * white; Undo removes the last stroke, Clear all of them. `onUse` receives the pixels.
 */
export function DrawPad({
  onUse,
  targets,
  target,
  onTarget,
}: {
  onUse: (rgba: ImageData, target: number) => void;
  targets: string[];
  target: number;
  onTarget: (t: number) => void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [strokes, setStrokes] = useState<[number, number][][]>([]);
  const [drawing, setDrawing] = useState<[number, number][] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    const ctx = canvas.current!.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 9;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of drawing ? [...strokes, drawing] : strokes) {
      ctx.beginPath();
      s.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (s.length === 1) ctx.lineTo(s[0][0] + 0.1, s[0][1]);
      ctx.stroke();
    }
  }, [strokes, drawing]);
  const point = (e: PointerEvent): [number, number] => {
    const r = canvas.current!.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * SIZE, ((e.clientY - r.top) / r.height) * SIZE];
  };
  const down = (e: PointerEvent) => {
    canvas.current!.setPointerCapture(e.pointerId);
    setDrawing([point(e)]);
    setMessage(null);
  };
  const move = (e: PointerEvent) => drawing && setDrawing([...drawing, point(e)]);
  const up = () => {
    if (drawing) setStrokes((s) => [...s, drawing]);
    setDrawing(null);
  };
  const use = () => {
    if (!strokes.length) {
      setMessage('The drawing is empty: draw a character first.');
      return;
    }
    onUse(canvas.current!.getContext('2d')!.getImageData(0, 0, SIZE, SIZE), target);
    setStrokes([]);
  };
  return (
    <div className="drawpad">
      <canvas
        ref={canvas}
        width={SIZE}
        height={SIZE}
        data-testid="drawpad"
        aria-label="Drawing surface: draw one character"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      />
      <div className="drawpad-tools">
        <button onClick={() => setStrokes((s) => s.slice(0, -1))} disabled={!strokes.length}>
          Undo
        </button>
        <button onClick={() => setStrokes([])} disabled={!strokes.length}>
          Clear
        </button>
        <label className="inline-field">
          add to{' '}
          <select
            aria-label="Add drawings and pasted images to"
            value={target}
            onChange={(e) => onTarget(Number(e.target.value))}
            data-testid="drawpad-target"
          >
            {targets.map((t, i) => (
              <option key={i} value={i}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <button className="primary" onClick={use} data-testid="drawpad-add">
          Add drawing
        </button>
      </div>
      {message && (
        <p className="error-text" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}
