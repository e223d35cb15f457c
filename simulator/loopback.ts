import type { Server } from "node:https";
import type { AddressInfo } from "node:net";

/** Starts `server` on an ephemeral loopback port and returns its `https://127.0.0.1:PORT` base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Stops `server` now: open (keep-alive) connections are cut rather than waited for. */
export async function closeNow(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
