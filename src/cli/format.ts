import type { LfsFile, LfsFileEvent } from 'large-file-service/client';

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB": binary units, as the part sizes and limits are given. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export const formatRate = (bytesPerSecond: number): string => (bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '–/s');

/** 75 → "1m15s"; null (unknown) → "–". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** Shortens a label to `width` characters, keeping its end (a file name's extension tells more than its start). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `…${text.slice(text.length - width + 1)}`;
}

/** `lfs status`: one "field: value" line each. */
export function fileDetails(file: LfsFile): string {
  const rows: Array<[string, string | null | undefined]> = [
    ['id', file.id],
    ['name', file.name],
    ['status', file.status + (file.status === 'PROMOTING' && file.promotionProgress != null ? ` (${Math.round(file.promotionProgress * 100)}%)` : '')],
    ['size', `${formatBytes(file.size)} (${file.size} bytes)`],
    ['content type', file.contentType],
    ['checksum', file.checksum && `${file.checksum.algorithm} ${file.checksum.value}`],
    ['owner', file.owner],
    ['metadata', Object.keys(file.metadata).length ? JSON.stringify(file.metadata) : null],
    ['failure', file.failureReason],
    ['created', file.createdAt],
    ['uploaded', file.uploadedAt],
    ['available', file.availableAt],
  ];
  return rows
    .filter(([, value]) => value)
    .map(([field, value]) => `${`${field}:`.padEnd(14)}${value}`)
    .join('\n');
}

/** `lfs ls`: a header and one row per file. */
export function fileTable(files: readonly LfsFile[]): string {
  const rows = [['ID', 'STATUS', 'SIZE', 'CREATED', 'NAME'], ...files.map((file) => [file.id, file.status, formatBytes(file.size), file.createdAt.replace(/\.\d+Z$/, 'Z'), file.name])];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n');
}

/** `lfs events`: one line per event. */
export function eventLine(event: LfsFileEvent): string {
  const { file } = event;
  const detail = file.status === 'PROMOTING' && file.promotionProgress != null ? ` ${Math.round(file.promotionProgress * 100)}%` : file.failureReason ? ` (${file.failureReason})` : '';
  return `${event.at}  ${event.type.padEnd(14)}  ${file.status.padEnd(15)}  ${file.id}  ${file.name}${detail}`;
}
