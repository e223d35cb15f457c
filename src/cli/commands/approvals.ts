import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import type { Store } from "../../store/store";
import {
  type Approval,
  type ApprovalState,
  approve,
  getApproval,
  listApprovals,
  loadGovernanceConfig,
  openWorkflow,
  PolicyWriteClient,
  reject,
  requestApproval,
  requestInfo,
  schedule,
  verify,
  type WorkflowContext,
} from "../../workflow";
import { suggestTuning, tuningSignals } from "../../workflow/tuning";
import { render } from "../output";

const COLUMNS = ["id", "state", "finding", "effect", "blastRadius", "approvals", "author", "scope", "updated"];

export function approvalRow(a: Approval): Record<string, unknown> {
  return {
    id: a.id,
    state: a.state,
    finding: a.findingId,
    effect: a.targetEffect,
    blastRadius: a.blastRadius ?? "?",
    approvals: `${a.approvals.length}/${a.requiredApprovals}`,
    author: a.author,
    scope: a.scope,
    updated: a.updatedAt,
  };
}

export function actorOf(o: { actor?: string }): string {
  const actor = o.actor ?? process.env.CLARION_ACTOR;
  if (!actor) throw new InputError("who is acting? pass --actor NAME or set CLARION_ACTOR", { field: "--actor" });
  return actor;
}

export interface WorkflowCliOptions {
  db: string;
  config?: string;
  armEndpoint?: string;
}

/** Opens the store and a workflow context for one command, closing both afterwards. */
export async function withWorkflow<T>(
  o: WorkflowCliOptions,
  needsAzure: boolean,
  fn: (ctx: WorkflowContext, store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(o.db, { mustExist: true });
  const policy = needsAzure ? new PolicyWriteClient({ armEndpoint: o.armEndpoint }) : undefined;
  try {
    return await fn(openWorkflow(store, loadGovernanceConfig(o.config), { policy }), store);
  } finally {
    policy?.close();
    await store.close();
  }
}

function print(a: Approval | Approval[], o: { output?: string; query?: string }): void {
  const list = Array.isArray(a) ? a : [a];
  const flat = ["table", "csv"].includes(o.output ?? "table") && !o.query;
  process.stdout.write(render(flat ? list.map(approvalRow) : a, { output: o.output, query: o.query }, flat ? COLUMNS : undefined));
}

const common = (c: Command) =>
  c
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--config <file>", "governance config (roles, rollout phases); default ./clarion.governance.json or CLARION_GOVERNANCE_CONFIG")
    .option("--actor <name>", "who is acting (default CLARION_ACTOR)")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output");

export function register(program: Command): void {
  const cmd = program.command("approvals").description("Approval workflow for remediations: list, request, approve, reject, ask for info");

  common(cmd.command("list").description("List approvals"))
    .option("--state <state>", "draft | pending-review | approved | rejected | needs-info | scheduled | deployed | verified | rolled-back")
    .option("--finding <id>", "approvals of one finding")
    .action(async (o) =>
      withWorkflow(o, false, async (ctx) =>
        print(await listApprovals(ctx, { state: o.state as ApprovalState | undefined, findingId: o.finding }), o),
      ),
    );

  common(cmd.command("show <id>").description("Show one approval with its history")).action(async (id: string, o) =>
    withWorkflow(o, false, async (ctx) => print(await getApproval(ctx, id), { ...o, output: o.output === "table" ? "json" : o.output })),
  );

  common(
    cmd
      .command("request <id>")
      .description("Request approval to fix a finding (finding id), or resubmit a draft / needs-info approval (approval id)"),
  )
    .option("--reason <text>", "why")
    .option(
      "--effect <effect>",
      "effect after the audit stage: Deny | Modify | DeployIfNotExists | Audit (default: the strongest the draft allows)",
    )
    .option("--draft", "stop at draft instead of submitting for review")
    .action(async (id: string, o) =>
      withWorkflow(o, false, async (ctx) =>
        print(await requestApproval(ctx, { id, actor: actorOf(o), reason: o.reason, effect: o.effect, submit: !o.draft }), o),
      ),
    );

  const decision = (name: string, desc: string, fn: typeof approve) =>
    common(cmd.command(`${name} <id>`).description(desc))
      .option("--reason <text>", "why (required to reject or ask for info)")
      .action(async (id: string, o) =>
        withWorkflow(o, false, async (ctx) => print(await fn(ctx, id, { actor: actorOf(o), reason: o.reason }), o)),
      );
  decision("approve", "Approve (four-eyes: not the author; a second approver above the blast-radius limit)", approve);
  decision("reject", "Reject with a reason", reject);
  decision("info", "Ask the author for more information", requestInfo);

  common(cmd.command("schedule <id>").description("Schedule an approved change"))
    .option("--at <datetime>", "ISO date-time (default now)")
    .option("--reason <text>", "why")
    .action(async (id: string, o) =>
      withWorkflow(o, false, async (ctx) => print(await schedule(ctx, id, { actor: actorOf(o), reason: o.reason, at: o.at }), o)),
    );

  common(cmd.command("verify <id>").description("Check a deployed change is live as recorded and mark it verified"))
    .option("--arm-endpoint <url>", "ARM endpoint (default CLARION_AZURE_ENDPOINT or public cloud)")
    .option("--reason <text>", "why")
    .action(async (id: string, o) =>
      withWorkflow(o, true, async (ctx) => print(await verify(ctx, id, { actor: actorOf(o), reason: o.reason }), o)),
    );

  cmd
    .command("tune")
    .description("Suggest policy scope or parameter refinements from exemptions, rejected fixes and dismissed findings")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--config <file>", "governance config")
    .option("--min-signals <n>", "signals needed per policy", "2")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .action(async (o) =>
      withWorkflow(o, false, async (ctx, store) => {
        const findings = await store.listFindings();
        const s = suggestTuning(findings, tuningSignals(findings, await listApprovals(ctx)), { minSignals: Number(o.minSignals) });
        const table = o.output === "table" && !o.query;
        const rows = table
          ? s.map((x) => ({
              recommendation: x.recommendationName,
              kind: x.kind,
              signals: x.evidence.signals,
              of: x.evidence.ofFindings,
              suggestion: x.suggestion,
            }))
          : s;
        process.stdout.write(render(rows, { output: o.output, query: o.query }));
      }),
    );
}
