import type { UploadProgress } from './types.js';

/** The rate is measured over this window, so a pause or a burst fades out. */
const WINDOW_MS = 10_000;

export interface ProgressMeter {
  /** `bytes` more reached the dock. */
  add(bytes: number): void;
  /** Reports the upload as it stands. */
  report(phase: 'upload' | 'fallback'): void;
  /** Reports the vault copy. */
  promotion(share: number | null): void;
}

/**
 * Bytes, rate and time left for `onProgress`. Parts an earlier run sent
 * count in bytesSent but not in the rate, which is this run's own.
 */
export function createProgressMeter(fileId: string, totalBytes: number, alreadySent: number, onProgress: ((progress: UploadProgress) => void) | undefined, now = Date.now): ProgressMeter {
  let sent = alreadySent;
  const samples: Array<{ at: number; sent: number }> = [{ at: now(), sent }];
  const emit = (progress: UploadProgress) => {
    try {
      onProgress?.(progress);
    } catch {
      // A failing callback must not fail the upload.
    }
  };
  return {
    add(bytes) {
      sent += bytes;
      const at = now();
      samples.push({ at, sent });
      // Keep one sample at or before the window's start, so the rate spans the whole window.
      while (samples.length > 2 && samples[1].at <= at - WINDOW_MS) samples.shift();
    },
    report(phase) {
      const first = samples[0];
      const last = samples[samples.length - 1];
      const seconds = (now() - first.at) / 1000;
      const bytesPerSecond = seconds > 0 && last.sent > first.sent ? (last.sent - first.sent) / seconds : 0;
      emit({
        phase,
        fileId,
        bytesSent: sent,
        totalBytes,
        bytesPerSecond,
        secondsLeft: bytesPerSecond > 0 ? (totalBytes - sent) / bytesPerSecond : sent >= totalBytes ? 0 : null,
        promotionProgress: null,
      });
    },
    promotion(share) {
      emit({ phase: 'promotion', fileId, bytesSent: totalBytes, totalBytes, bytesPerSecond: 0, secondsLeft: null, promotionProgress: share });
    },
  };
}
