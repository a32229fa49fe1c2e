/** Turning a drawing on a large canvas into a 28 x 28 model input, the way MNIST's digits were prepared. */
import { DIGIT_PIXELS, DIGIT_SIDE } from './assets';

/** Where a drawing's pixels go in the 28 x 28 input: `input = drawing * scale + (dx, dy)`. */
export interface InputTransform {
  scale: number;
  dx: number;
  dy: number;
}

/** The plain reduction of a `size` x `size` drawing to 28 x 28. */
export function plainTransform(size: number): InputTransform {
  return { scale: DIGIT_SIDE / size, dx: 0, dy: 0 };
}

/**
 * Like MNIST: the ink's bounding box scaled to fit 20 x 20 pixels (never enlarged more than 2 times the plain
 * reduction, so that a tiny scribble does not become a blob) and its centre of mass put at the centre.
 * `ink` holds the drawing in its red channel; an empty drawing gets the plain reduction.
 */
export function mnistTransform(ink: CanvasRenderingContext2D): InputTransform {
  const { width, height } = ink.canvas;
  const plain = plainTransform(width);
  const { data } = ink.getImageData(0, 0, width, height);
  let [left, top, right, bottom] = [width, height, -1, -1];
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = data[(y * width + x) * 4];
      if (value === 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      mass += value;
      sumX += value * (x + 0.5);
      sumY += value * (y + 0.5);
    }
  }
  if (mass === 0) return plain;
  const scale = Math.min(2 * plain.scale, 20 / Math.max(right - left + 1, bottom - top + 1));
  return { scale, dx: DIGIT_SIDE / 2 - (sumX / mass) * scale, dy: DIGIT_SIDE / 2 - (sumY / mass) * scale };
}

/** Draws `source` through the transform onto `small` (a 28 x 28 context) and reads its values in [0, 1]. */
export function reduceCanvas(
  source: CanvasImageSource,
  transform: InputTransform,
  small: CanvasRenderingContext2D,
): Float32Array {
  small.setTransform(1, 0, 0, 1, 0, 0);
  small.fillStyle = '#000';
  small.fillRect(0, 0, DIGIT_SIDE, DIGIT_SIDE);
  small.imageSmoothingEnabled = true;
  small.imageSmoothingQuality = 'high';
  small.setTransform(transform.scale, 0, 0, transform.scale, transform.dx, transform.dy);
  small.drawImage(source, 0, 0);
  small.setTransform(1, 0, 0, 1, 0, 0);
  const { data } = small.getImageData(0, 0, DIGIT_SIDE, DIGIT_SIDE);
  const values = new Float32Array(DIGIT_PIXELS);
  for (let i = 0; i < DIGIT_PIXELS; i++) values[i] = data[4 * i] / 255;
  return values;
}

/** A new canvas 2-D context that is read often. */
export function canvas2d(width: number, height: number): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas.getContext('2d', { willReadFrequently: true })!;
}

/**
 * A drawing pad: pointer strokes with a round brush, white on black, on a square canvas. Calls `onStroke` for
 * every stroke segment (a stroke starts with a segment from its first point to itself) and `onStrokeStart`, if
 * given, before each new stroke.
 */
export class DrawingPad {
  readonly context: CanvasRenderingContext2D;
  empty = true;
  private last: [number, number] | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onStroke: (from: [number, number], to: [number, number]) => void,
    private readonly onStrokeStart?: () => void,
  ) {
    this.context = canvas.getContext('2d', { willReadFrequently: true })!;
    canvas.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      this.onStrokeStart?.();
      this.last = this.point(event);
      this.onStroke(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!this.last) return;
      const events = event.getCoalescedEvents?.() ?? [];
      for (const each of events.length ? events : [event]) {
        const next = this.point(each);
        this.onStroke(this.last, next);
        this.last = next;
      }
    });
    const end = () => {
      this.last = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  private point(event: PointerEvent): [number, number] {
    const box = this.canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) / box.width) * this.canvas.width,
      ((event.clientY - box.top) / box.height) * this.canvas.height,
    ];
  }
}

/** Draws one brush segment. */
export function strokeLine(
  g: CanvasRenderingContext2D,
  from: [number, number],
  to: [number, number],
  colour: string,
  width: number,
): void {
  g.strokeStyle = colour;
  g.lineWidth = width;
  g.lineCap = 'round';
  g.lineJoin = 'round';
  g.beginPath();
  g.moveTo(from[0], from[1]);
  g.lineTo(to[0] + 0.01, to[1]);
  g.stroke();
}

/**
 * From the keyboard: a digit key pressed on `target` picks a test digit of that class, the next one of the class on
 * each press (`pick(label, k)`, k cycling below `countOf(label)`).
 */
export function pickDigitsByKey(
  target: HTMLElement,
  countOf: (label: number) => number,
  pick: (label: number, k: number) => void,
): void {
  const pressed = new Array<number>(10).fill(-1);
  target.addEventListener('keydown', (event) => {
    if (!/^[0-9]$/.test(event.key)) return;
    event.preventDefault();
    const label = Number(event.key);
    pressed[label] = (pressed[label] + 1) % Math.max(1, countOf(label));
    pick(label, pressed[label]);
  });
}
