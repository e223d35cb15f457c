import { vi } from "vitest";
import { main } from "./main";

/**
 * Runs `clarion ARGS…` in this process, as the binary would (typed errors printed, exit code set), and returns
 * what it wrote to stdout and stderr and its exit code. For tests.
 */
export async function runCli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const into = (sink: string[]) => (c: string | Uint8Array) => {
    sink.push(String(c));
    return true;
  };
  const o = vi.spyOn(process.stdout, "write").mockImplementation(into(out));
  const e = vi.spyOn(process.stderr, "write").mockImplementation(into(err));
  process.exitCode = 0;
  try {
    await main(["node", "clarion", ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out: out.join(""), err: err.join(""), code };
}
