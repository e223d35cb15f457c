import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import {
  type Anomaly,
  buildBaselines,
  buildSentinelIncidents,
  FLAG_THRESHOLD,
  findRootCauses,
  parseSince,
  type RootCause,
  scoreAnomalies,
  displayName,
  toChanges,
} from "../../changes";
import { assertTimeZone } from "../../changes/time";
import { incidentSinks, loadDeliveryConfig } from "../../delivery/config";
import { StoreDeliveryRepo } from "../../delivery/repo";
import { incidentMessages } from "../../delivery/sentinel-incident";
import { InputError, NotFoundError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import type { Store } from "../../store/store";
import { render } from "../output";

interface CommonOpts {
  output?: string;
  query?: string;
  db: string;
  tz?: string;
}

/** The tenant's time zone: --tz, else the store's `timeZone` setting, else CLARION_TIME_ZONE, else UTC. */
async function timeZoneOf(store: Store, tz?: string): Promise<string> {
  const zone = tz ?? (await store.getMeta("timeZone")) ?? process.env.CLARION_TIME_ZONE ?? "UTC";
  assertTimeZone(zone);
  return zone;
}

async function withStore<T>(db: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db, { mustExist: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const changes = program.command("changes").description("Change intelligence: anomalous configuration changes and the change that caused each drift");

  changes
    .command("anomalies")
    .description("Changes unlike the team's normal work, scored 0-100 with reasons and security impact")
    .option("--since <when>", "start of the scored window: a duration before the latest event (7d, 12h) or a date (2026-11-01)", "7d")
    .option("--now <iso>", "reference time for a duration (default: the latest stored event)")
    .option("--min-score <n>", "report items at or above this score", String(FLAG_THRESHOLD))
    .option("--tz <zone>", "the tenant's time zone for usual hours (IANA; default: store setting, CLARION_TIME_ZONE or UTC)")
    .option("--incidents <file>", "also write Sentinel incident requests (PUT bodies) as NDJSON to FILE")
    .option("--deliver", "queue a Sentinel incident per anomaly at or above the incident score in the delivery outbox (sent by `clarion deliver run`)")
    .option("--config <file>", "delivery config for --deliver (default ./clarion.delivery.json or CLARION_DELIVERY_CONFIG)")
    .option("--incident-min-score <n>", "lowest score that becomes a Sentinel incident (default: --min-score when given, else 70)")
    .option("-o, --output <fmt>", "table|json|csv", "table")
    .option("--query <jmespath>", "JMESPath query on the JSON result")
    .option("--db <file>", "store", DEFAULT_DB)
    .action(async (o: CommonOpts & { since: string; now?: string; minScore: string; incidents?: string; incidentMinScore?: string; deliver?: boolean; config?: string }, cmd: Command) => {
      const minScore = Number(o.minScore);
      if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100) throw new InputError(`--min-score must be 0-100, got '${o.minScore}'`, { field: "--min-score" });
      // Incidents: --incident-min-score, else an explicit --min-score, else 70 (the listing's own default stays 50).
      const incidentMin =
        o.incidentMinScore !== undefined ? Number(o.incidentMinScore) : cmd.getOptionValueSource("minScore") === "cli" ? minScore : INCIDENT_MIN_SCORE;
      if (!Number.isFinite(incidentMin) || incidentMin < 0 || incidentMin > 100)
        throw new InputError(`--incident-min-score must be 0-100, got '${o.incidentMinScore}'`, { field: "--incident-min-score" });
      const wantIncidents = Boolean(o.deliver || o.incidents);
      // Read the delivery config before any work, so a bad file fails fast.
      const cfg = o.deliver ? loadDeliveryConfig(o.config) : undefined;
      const scoreMin = wantIncidents ? Math.min(minScore, incidentMin) : minScore;
      const scored = await withStore(o.db, async (store) => {
        const events = await store.listActivity();
        const tz = await timeZoneOf(store, o.tz);
        const changeList = toChanges(events);
        const latest = changeList.length ? changeList[changeList.length - 1].time : Date.now();
        const ref = o.now ? Date.parse(o.now) : latest;
        if (!Number.isFinite(ref)) throw new InputError(`cannot read --now '${o.now}'`, { field: "--now" });
        const since = parseSince(o.since, ref);
        const [resources, findings] = await Promise.all([store.listResources(), store.listFindings()]);
        const baselines = buildBaselines(changeList, { timeZone: tz, until: since, resources });
        const rootCauses = findRootCauses(findings, changeList, { resources });
        const anomalies = scoreAnomalies(changeList, baselines, { since, resources, rootCauses, minScore: scoreMin });
        if (baselines.changes === 0 && changeList.length)
          process.stderr.write(`note: no activity before ${new Date(since).toISOString()} to learn from; every principal is new. Use an earlier --since window or load more history.\n`);
        if (cfg) {
          const sinks = incidentSinks(cfg);
          if (!sinks.length) {
            const file = o.config ?? process.env.CLARION_DELIVERY_CONFIG ?? "./clarion.delivery.json";
            process.stderr.write(
              `not delivered: no sentinel-incident sink is configured (${existsSync(file) ? `none in ${file}` : `${file} does not exist`}). ` +
                `Add one, e.g. "soc": {"type": "sentinel-incident", "subscriptionId": "…", "resourceGroup": "…", "workspaceName": "…"}; see docs/delivery.md.\n`,
            );
            process.exitCode = 1;
          } else {
            const incidents = buildSentinelIncidents(anomalies, { minScore: incidentMin });
            const msgs = incidentMessages(incidents, sinks);
            const n = await new StoreDeliveryRepo(store).enqueue(msgs, new Date().toISOString());
            process.stderr.write(
              `queued ${n} Sentinel incident message(s) for ${incidents.length} anomaly(ies) at score >= ${incidentMin} to ${sinks.join(", ")}` +
                `${msgs.length - n ? ` (${msgs.length - n} unchanged, already queued or sent)` : ""}; send them with \`clarion deliver run\`\n`,
            );
          }
        }
        return anomalies;
      });
      if (o.incidents) {
        const incidents = buildSentinelIncidents(scored, { minScore: incidentMin });
        writeFileSync(o.incidents, incidents.map((i) => JSON.stringify(i)).join("\n") + (incidents.length ? "\n" : ""));
        process.stderr.write(`wrote ${incidents.length} Sentinel incident request(s) to ${o.incidents}\n`);
      }
      const result = scored.filter((a) => a.score >= minScore);
      const rows = o.output === "table" && !o.query ? result.map(tableRow) : result;
      process.stdout.write(render(rows, o, ["score", "time", "caller", "operation", "resource", "reasons", "impact"]));
    });

  changes
    .command("rootcause [findingId]")
    .description("For findings that turned unhealthy, the most likely causing change with a confidence and an explanation")
    .option("-o, --output <fmt>", "table|json|csv", "table")
    .option("--query <jmespath>", "JMESPath query on the JSON result")
    .option("--lookback <hours>", "how far before the status change to look", "72")
    .option("--db <file>", "store", DEFAULT_DB)
    .action(async (findingId: string | undefined, o: CommonOpts & { lookback: string }) => {
      const lookbackHours = Number(o.lookback);
      if (!Number.isFinite(lookbackHours) || lookbackHours <= 0) throw new InputError(`--lookback must be a positive number of hours, got '${o.lookback}'`, { field: "--lookback" });
      const rows = await withStore(o.db, async (store) => {
        let findings = await store.listFindings();
        if (findingId) {
          const one = (await store.getFinding(findingId)) ?? findings.find((f) => f.id.toLowerCase() === findingId.toLowerCase());
          if (!one) throw new NotFoundError(`no finding '${findingId}'`, { hint: "list ids with `clarion findings -o json --query '[].id'`" });
          findings = [one];
        }
        const links = findRootCauses(findings, await store.listActivity(), { lookbackHours, resources: await store.listResources() });
        const out: (RootCause & { findingId: string; resourceName: string; recommendation: string; statusChangeDate: string | null })[] = [];
        for (const f of findings) {
          const link = links[f.id];
          if (!link) continue;
          out.push({ findingId: f.id, resourceName: f.resourceName, recommendation: f.recommendation.name, statusChangeDate: f.statusChangeDate ?? null, ...link });
        }
        if (findingId && !out.length) {
          const f = findings[0];
          const why = f.status !== "Unhealthy" ? `it is ${f.status}` : !f.statusChangeDate ? "it has no status change date" : `no change to ${f.resourceName} was logged in the ${lookbackHours} h before ${f.statusChangeDate}`;
          process.stderr.write(`no root cause for ${f.id}: ${why}\n`);
        }
        return out;
      });
      const view = o.output === "table" && !o.query
        ? rows.map((r) => ({ finding: r.findingId.split("/providers/Microsoft.Security/assessments/")[0].split("/").pop(), recommendation: r.recommendation, confidence: r.confidence, time: r.time, caller: r.caller, operation: r.operation, changeId: r.changeId, deployment: r.deployment ?? "" }))
        : rows;
      process.stdout.write(render(view, o, ["finding", "recommendation", "confidence", "time", "caller", "operation", "changeId", "deployment"]));
    });
}

/** Default lowest score of a Sentinel incident (the listing's flag threshold is FLAG_THRESHOLD, 50). */
const INCIDENT_MIN_SCORE = 70;

function tableRow(a: Anomaly): Record<string, unknown> {
  return {
    score: a.score,
    time: a.time,
    caller: a.caller,
    operation: a.operation.split("/").slice(-2).join("/"),
    resource: a.resourceIds.length > 1 ? `${displayName(a.resourceId)} +${a.resourceIds.length - 1}` : displayName(a.resourceId),
    reasons: [...new Set(a.signals.filter((s) => s.code !== "production" && s.code !== "sensitive").map((s) => s.code))].join(", "),
    impact: a.impact.summary,
  };
}
