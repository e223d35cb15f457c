import { resolve } from "node:path";
import type { Command } from "commander";
import { runEval } from "../../ai/eval";
import { loadConfig } from "../../config/config";
import { InputError } from "../../domain/errors";
import { render } from "../output";

export function register(program: Command): void {
  program
    .command("eval")
    .description(
      "Run the labeled eval set (evals/) per provider: grounding rate, schema validity, policy validity, what-if agreement, injection resistance",
    )
    .option(
      "--provider <list>",
      "comma-separated: offline, scripted (local scripted server), configured (CLARION_LLM_* / config file)",
      "offline,scripted",
    )
    .option("--evals <dir>", "eval set folder", "evals")
    .option("--config <file>", "config file (for --provider configured)")
    .option("-o, --output <format>", "table|json|csv", "table")
    .option("--query <jmespath>", "JMESPath query")
    .option("--failures", "also list each failed case")
    .action(async (o: { provider: string; evals: string; config?: string; output: string; query?: string; failures?: boolean }) => {
      const providers = o.provider
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
      for (const p of providers)
        if (!["offline", "scripted", "configured"].includes(p))
          throw new InputError(`unknown provider '${p}' (offline, scripted, configured)`, { field: "--provider" });
      const rows = [];
      for (const p of providers) {
        const config = p === "configured" ? loadConfig({ file: o.config }) : undefined;
        const r = await runEval({ dir: resolve(o.evals), provider: p as "offline" | "scripted" | "configured", config });
        rows.push(o.failures || o.output === "json" ? r : { ...r, failures: r.failures.length });
      }
      process.stdout.write(
        render(rows, { output: o.output, query: o.query }, [
          "provider",
          "model",
          "modelRate",
          "groundingRate",
          "schemaValidity",
          "labelAgreement",
          "policyValidity",
          "whatIfAgreement",
          "injectionResistance",
          "tokens",
          "failures",
        ]),
      );
    });
}
