/** Starts the scripted OpenAI-compatible server and prints its base URL (manual runs: `npx tsx test/llm/serve.ts`). */
import { startScriptedServer } from "./scripted-server";

const s = await startScriptedServer();
process.stdout.write(`${s.url}\n`);
process.on("SIGTERM", () => void s.close().then(() => process.exit(0)));
