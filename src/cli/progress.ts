import cliProgress, { type Options, type Params } from 'cli-progress';
import { fit, formatBytes, formatDuration, formatRate } from './format.js';

/** Where a transfer stands. */
export interface Step {
  /** 'send' / 'receive' count bytes; 'promote' counts the vault copy (done/total is its share). */
  phase: 'send' | 'send via LFS' | 'receive' | 'promote';
  done: number;
  total: number;
  bytesPerSecond: number;
  secondsLeft: number | null;
}

export interface ProgressLine {
  update(step: Step): void;
  /** The line's last words (available, failed: …); it stays on screen. */
  finish(text: string): void;
}

export interface ProgressView {
  add(label: string): ProgressLine;
  /** A remark about one file, above the bars (none when quiet). */
  note(text: string): void;
  /** Bars are drawn: a result line on a terminal stdout would cut through them (each bar says its outcome itself). */
  readonly drawing: boolean;
  /** Leaves the bars drawn as they are and gives the terminal back. */
  stop(): void;
}

// A CommonJS package: its named exports come through the default one.
const { Format, MultiBar, Presets } = cliProgress;
const LABEL_WIDTH = 20;
const percent = (step: Step) => (step.total > 0 ? Math.floor((step.done / step.total) * 100) : 100);

interface Payload {
  label: string;
  step?: Step;
  final?: string;
}

/** One bar's text: bytes, rate and time left while sending, then the promotion, then the outcome. */
function barText(options: Options, params: Params, payload: Payload): string {
  const label = fit(payload.label, LABEL_WIDTH);
  if (payload.final) return `${label} ${payload.final}`;
  const bar = Format.BarFormat(params.progress, options);
  const step = payload.step;
  if (!step) return `${label} ${bar} starting`;
  if (step.phase === 'promote') return `${label} ${bar} promoting ${percent(step)}%`;
  const via = step.phase === 'send via LFS' ? ' (via LFS)' : '';
  return `${label} ${bar} ${String(percent(step)).padStart(3)}% ${formatBytes(step.done)}/${formatBytes(step.total)} ${formatRate(step.bytesPerSecond)} ${formatDuration(step.secondsLeft)} left${via}`;
}

/** On a terminal: one bar per file, redrawn in place (cli-progress), on stderr so stdout stays for results. */
function bars(stream: NodeJS.WriteStream): ProgressView {
  const multi = new MultiBar({ stream, format: barText, hideCursor: true, clearOnComplete: false, stopOnComplete: false, barsize: 16, fps: 8, emptyOnZero: true }, Presets.shades_classic);
  return {
    add(label) {
      // The bar counts per mille, so the bytes phase and the promotion share one scale.
      const bar = multi.create(1000, 0, { label } satisfies Payload);
      return {
        update: (step) => bar.update(step.total > 0 ? Math.floor((step.done / step.total) * 1000) : 1000, { label, step } satisfies Payload),
        finish: (text) => bar.update(1000, { label, final: text } satisfies Payload),
      };
    },
    stop: () => multi.stop(),
    note: (text) => multi.log(`${text}\n`),
    drawing: true,
  };
}

/** Elsewhere (a pipe, a log): a plain line at each quarter and at each change of phase. */
function lines(write: (line: string) => void): ProgressView {
  return {
    add(label) {
      let last = '';
      return {
        update(step) {
          const mark = step.phase === 'promote' ? 'promote' : `${step.phase} ${Math.floor(percent(step) / 25) * 25}`;
          if (mark === last) return;
          last = mark;
          write(
            step.phase === 'promote'
              ? `${label}: promoting`
              : `${label}: ${step.phase} ${percent(step)}% (${formatBytes(step.done)} of ${formatBytes(step.total)}, ${formatRate(step.bytesPerSecond)})`,
          );
        },
        finish: (text) => write(`${label}: ${text}`),
      };
    },
    stop() {},
    note: write,
    drawing: false,
  };
}

const silent: ProgressView = { add: () => ({ update() {}, finish() {} }), stop() {}, note() {}, drawing: false };

/** Bars on a terminal, plain lines in a pipe, nothing when `quiet` (--json off a terminal: scripts read stdout alone). */
export function progressView(stream: NodeJS.WriteStream, quiet: boolean): ProgressView {
  if (stream.isTTY) return bars(stream);
  return quiet ? silent : lines((line) => stream.write(`${line}\n`));
}
