import pc from 'picocolors';

type Style = 'bold' | 'dim' | 'green' | 'red' | 'yellow' | 'cyan';

export interface OutputOptions {
  readonly json: boolean;
}

/** Where a command's result goes: exactly one JSON document with --json, human text otherwise. */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly interactive: boolean;
  /** Colour for what goes to stderr (errors, warnings, progress), which may be a terminal when stdout is not, or the reverse. */
  private readonly stderrColor: boolean;

  constructor(options: OutputOptions, private readonly stdout = process.stdout, private readonly stderr = process.stderr) {
    this.json = options.json;
    this.interactive = !options.json && stderr.isTTY === true;
    this.color = stdout.isTTY === true && !('NO_COLOR' in process.env) && !options.json;
    this.stderrColor = stderr.isTTY === true && !('NO_COLOR' in process.env) && !options.json;
  }

  /** The command's result: `document` with --json, else the lines `human` renders. */
  result(document: unknown, human: () => string[]): void {
    if (this.json) this.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    else this.stdout.write(human().map((line) => `${line}\n`).join(''));
  }

  warn(message: string): void {
    this.stderr.write(`${this.paintStderr('yellow', 'warning:')} ${message}\n`);
  }

  error(message: string): void {
    this.stderr.write(`${this.paintStderr('red', 'error:')} ${message}\n`);
  }

  paint(style: Style, text: string): string {
    return this.color ? pc[style](text) : text;
  }

  private paintStderr(style: Style, text: string): string {
    return this.stderrColor ? pc[style](text) : text;
  }

  /**
   * A counter with the time spent, on stderr, only on a TTY and never with --json. It redraws every
   * quarter second, so a single step that takes minutes still shows that work goes on.
   */
  progress(label: string): { update(done: number, total: number, stage?: string): void; done(): void } {
    if (!this.interactive) return { update: () => undefined, done: () => undefined };
    const started = Date.now();
    let state = '';
    const draw = () => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      this.stderr.write(`\r\x1b[K${label}${state} ${this.paintStderr('dim', `${seconds} s`)}`);
    };
    let timer: NodeJS.Timeout | undefined;
    return {
      update: (done, total, stage) => {
        state = `${stage === undefined ? '' : `: ${stage}`} ${done}/${total}`;
        timer ??= setInterval(draw, 250).unref();
        draw();
      },
      done: () => {
        if (timer === undefined) return;
        clearInterval(timer);
        this.stderr.write('\r\x1b[K');
      },
    };
  }
}

/**
 * Lays rows out as columns that fit `width`, shortening the widest column with an ellipsis. Columns
 * listed in `whole` (ids a user copies into the next command) are never shortened.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { readonly width?: number; readonly whole?: readonly number[] } = {},
): string[] {
  const width = options.width ?? 80;
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const gap = 2;
  while (widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1) > width) {
    const shrinkable = widths.map((w, i) => (options.whole?.includes(i) === true ? 0 : w));
    const widest = shrinkable.indexOf(Math.max(...shrinkable));
    if ((shrinkable[widest] ?? 0) <= 4) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const fit = (text: string, w: number): string => (text.length > w ? `${text.slice(0, Math.max(0, w - 1))}…` : text.padEnd(w));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => fit(cell, widths[i] ?? 0))
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
