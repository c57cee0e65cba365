/**
 * One row of the upload list: the file's name, a progress bar, what is
 * happening (an <output>, announced by screen readers), the numbers, and the
 * buttons that apply now. Plain DOM: the page has no framework to load.
 */
import type { UploadProgress } from '../../client/index.js';

export interface Action {
  label: string;
  run(): void;
}

export interface Row {
  item: HTMLLIElement;
  /** What is happening, in words; ignored once the row reached a final state. */
  status(text: string): void;
  progress(progress: UploadProgress): void;
  /** An explanation under the bar (replaces the numbers). */
  detail(text: string): void;
  actions(actions: Action[]): void;
  /** The end: done (AVAILABLE) or failed. Never overwritten. */
  final(state: 'done' | 'failed', text: string): void;
  /** The download link, with a note on how the file came (e.g. through LFS). */
  link(url: string, name: string, note?: string): void;
  /** Asks for the file again (to resume after a reload) with the row's own file input. */
  chooseFile(): Promise<File | undefined>;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.ceil((seconds % 3600) / 60)} min`;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, properties: Partial<HTMLElementTagNameMap[K]> = {}): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), properties);
}

export function addRow(list: HTMLElement, name: string): Row {
  const item = element('li');
  const label = element('span', { className: 'name', textContent: name });
  const bar = element('progress', { max: 1, value: 0 });
  bar.setAttribute('aria-label', `${name}: progress`);
  const status = element('output');
  const detail = element('span', { className: 'detail' });
  const buttons = element('span', { className: 'actions' });
  const picker = element('input', { type: 'file', tabIndex: -1 });
  picker.setAttribute('aria-hidden', 'true');
  item.append(label, ' ', status, bar, detail, element('br'), buttons, picker);
  list.prepend(item);

  return {
    item,
    status(text) {
      if (!item.dataset.state) status.textContent = text;
    },
    progress(p) {
      if (item.dataset.state) return;
      if (p.phase === 'promotion') {
        bar.max = 1;
        bar.value = p.promotionProgress ?? 0;
        detail.textContent = `copying into the vault: ${Math.floor((p.promotionProgress ?? 0) * 100)}%`;
        return;
      }
      bar.max = p.totalBytes;
      bar.value = p.bytesSent;
      const rate = p.bytesPerSecond > 0 ? ` at ${formatBytes(p.bytesPerSecond)}/s` : '';
      const left = p.secondsLeft !== null && p.secondsLeft > 0 ? `, ${formatSeconds(p.secondsLeft)} left` : '';
      detail.textContent = `${formatBytes(p.bytesSent)} of ${formatBytes(p.totalBytes)}${rate}${left}`;
    },
    detail(text) {
      detail.textContent = text;
    },
    actions(actions) {
      buttons.replaceChildren(
        ...actions.map((action) => {
          const button = element('button', { type: 'button', textContent: action.label });
          button.setAttribute('aria-label', `${action.label} ${name}`);
          button.addEventListener('click', () => action.run());
          return button;
        }),
      );
    },
    final(state, text) {
      if (item.dataset.state) return;
      status.textContent = text;
      item.dataset.state = state;
      buttons.replaceChildren();
      if (state === 'done') bar.value = bar.max;
    },
    link(url, fileName, note) {
      const anchor = element('a', { href: url, textContent: `Download ${fileName}`, className: 'download' });
      detail.replaceChildren(anchor, ...(note ? [` (${note})`] : []));
    },
    chooseFile() {
      return new Promise((resolve) => {
        picker.onchange = () => resolve(picker.files?.[0]);
        picker.oncancel = () => resolve(undefined);
        picker.value = '';
        picker.click();
      });
    },
  };
}
