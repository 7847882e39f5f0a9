/**
 * A small progress reporter over cli-progress, shared by data staging and the CLI.
 *
 * On a terminal (stderr is a TTY) it draws a live bar on stderr. Otherwise (CI logs, pipes,
 * test runners) it draws nothing while running and prints one summary line on `stop()`, so logs
 * stay clean.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances by `n` (default 1; negative undoes); `info` is shown beside the bar (e.g. a file name). */
  tick(n?: number, info?: string): void;
  /** Ends the bar (or prints the summary line). Idempotent. */
  stop(): void;
}

/** Formats a byte count as B / kB / MB / GB (decimal units). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/**
 * @param label shown before the bar and in the summary line.
 * @param total the value at completion.
 * @param unit  what is counted ('items' by default); `'B'` shows values as kB/MB/GB.
 */
export function createProgress(label: string, total: number, unit = 'items'): Progress {
  const fmt = (v: number): string => (unit === 'B' ? formatBytes(v) : `${v} ${unit}`);
  const started = Date.now();
  let value = 0;
  let stopped = false;
  let bar: cliProgress.SingleBar | undefined;
  if (process.stderr.isTTY) {
    bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] {percentage}% | {done} / {all} | {info}`,
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { done: fmt(0), all: fmt(total), info: '' });
  }
  return {
    tick(n = 1, info?: string) {
      if (stopped) return;
      value += n;
      bar?.update(Math.max(0, value), { done: fmt(value), ...(info !== undefined ? { info } : {}) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (bar) {
        bar.update(Math.max(0, value), { done: fmt(value), info: `done in ${secs} s` });
        bar.stop();
      } else {
        process.stderr.write(`${label}: ${fmt(value)} of ${fmt(total)} in ${secs} s\n`);
      }
    },
  };
}
