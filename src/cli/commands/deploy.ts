import type { Command } from "commander";
import { DEFAULT_DB } from "../../store/open-store";
import { deploy, rollback } from "../../workflow";
import { render } from "../output";
import { actorOf, approvalRow, withWorkflow } from "./approvals";

const opts = (c: Command) =>
  c
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--config <file>", "governance config (roles, rollout phases)")
    .option("--actor <name>", "who is acting (default CLARION_ACTOR)")
    .option(
      "--arm-endpoint <url>",
      "ARM endpoint (default CLARION_AZURE_ENDPOINT or the public cloud); token from CLARION_AZURE_TOKEN or az login",
    )
    .option("--reason <text>", "why")
    .option("-o, --output <format>", "table | json | csv", "table");

export function register(program: Command): void {
  opts(
    program
      .command("deploy <approvalId>")
      .description("Deploy an approved change through Azure Policy (audit first, then the target effect after a what-if)"),
  )
    .option("--location <region>", "location of the assignment's managed identity (modify / deployIfNotExists)", "eastus")
    .action(async (id: string, o) =>
      withWorkflow(o, true, async (ctx) => {
        const a = await deploy(ctx, id, { actor: actorOf(o), reason: o.reason, location: o.location });
        process.stdout.write(
          render(
            o.output === "table"
              ? [{ ...approvalRow(a), stages: a.deployment?.stages.join(" → "), version: a.deployment?.definitionVersion }]
              : a,
            { output: o.output },
          ),
        );
      }),
    );
  opts(
    program
      .command("rollback <approvalId>")
      .description("Roll a deployed change back: properties reverted, assignment removed or restored, previous definition version"),
  ).action(async (id: string, o) =>
    withWorkflow(o, true, async (ctx) => {
      const a = await rollback(ctx, id, { actor: actorOf(o), reason: o.reason });
      process.stdout.write(render(o.output === "table" ? [approvalRow(a)] : a, { output: o.output }));
    }),
  );
}
