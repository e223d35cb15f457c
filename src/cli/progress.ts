import cliProgress from "cli-progress";
import pc from "./colors";

/**
 * Progress on stderr: a live bar per stage on a terminal, one line per stage elsewhere (CI logs, pipes).
 * Returns the pipeline's `onProgress` callback and a `done()` to close the display.
 */
export function createProgress(opts: { quiet?: boolean } = {}): { onProgress: (stage: string, done: number, total: number) => void; done: () => void } {
  if (opts.quiet) return { onProgress: () => {}, done: () => {} };
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let current = "";
  let bar: cliProgress.SingleBar | undefined;
  const finishStage = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    onProgress(stage, done, total) {
      if (stage !== current) {
        finishStage();
        current = stage;
        if (tty) {
          bar = new cliProgress.SingleBar(
            { format: `${pc.cyan("{stage}")} ${pc.dim("[")}{bar}${pc.dim("]")} {value}/{total} {duration_formatted}`, barsize: 28, hideCursor: true, stream: process.stderr, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          );
          bar.start(Math.max(total || done, 1), done, { stage: stage.padEnd(9) });
        } else process.stderr.write(`${pc.dim(`[${((Date.now() - started) / 1000).toFixed(1)}s]`)} ${stage}…\n`);
        return;
      }
      if (bar) {
        if (total > 0) bar.setTotal(total);
        else bar.setTotal(Math.max(done, 1));
        bar.update(done);
      }
    },
    done() {
      finishStage();
    },
  };
}
