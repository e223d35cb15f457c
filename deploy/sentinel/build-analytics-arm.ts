/**
 * Builds analytics-rules.json (an ARM template deploying every rule in analytics-rules/*.yaml as a Microsoft Sentinel
 * scheduled analytics rule) from the YAML files, so the YAML stays the single source.
 * Run: npx tsx deploy/sentinel/build-analytics-arm.ts   (test/templates checks the output is current)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const HERE = dirname(fileURLToPath(import.meta.url));
export const RULES_DIR = join(HERE, "analytics-rules");
export const ARM_FILE = join(HERE, "analytics-rules.json");
export const SECURITY_INSIGHTS_API = "2024-09-01";

const OPERATORS: Record<string, string> = { gt: "GreaterThan", lt: "LessThan", eq: "Equal", ne: "NotEqual" };

/** "1h" -> "PT1H", "14d" -> "P14D", "30m" -> "PT30M". */
export function isoDuration(s: string): string {
  const m = /^(\d+)([mhd])$/.exec(String(s).trim());
  if (!m) throw new Error(`cannot read duration '${s}' (use 30m, 1h, 14d)`);
  return m[2] === "d" ? `P${m[1]}D` : `PT${m[1]}${m[2].toUpperCase()}`;
}

export interface RuleYaml {
  id: string;
  name: string;
  description: string;
  severity: string;
  queryFrequency: string;
  queryPeriod: string;
  triggerOperator: string;
  triggerThreshold: number;
  tactics: string[];
  relevantTechniques: string[];
  query: string;
  entityMappings?: { entityType: string; fieldMappings: { identifier: string; columnName: string }[] }[];
  customDetails?: Record<string, string>;
  alertDetailsOverride?: Record<string, string>;
  eventGroupingSettings?: Record<string, unknown>;
  incidentConfiguration?: { createIncident: boolean; groupingConfiguration?: Record<string, unknown> & { lookbackDuration?: string } };
  version: string;
  kind: string;
}

export function readRules(): { file: string; rule: RuleYaml }[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => ({ file, rule: YAML.parse(readFileSync(join(RULES_DIR, file), "utf8")) as RuleYaml }));
}

export function buildArm(rules: RuleYaml[]): Record<string, unknown> {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    metadata: { description: "Clarion analytics rules for Microsoft Sentinel over AI_CSPMRecommendations_CL (generated from analytics-rules/*.yaml)" },
    parameters: {
      workspaceName: { type: "string", metadata: { description: "Log Analytics workspace with Microsoft Sentinel enabled" } },
      enabled: { type: "bool", defaultValue: true },
    },
    resources: rules.map((r) => ({
      type: "Microsoft.SecurityInsights/alertRules",
      apiVersion: SECURITY_INSIGHTS_API,
      scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspaceName'))]",
      name: r.id,
      kind: r.kind,
      properties: {
        displayName: r.name,
        description: r.description.trim(),
        severity: r.severity,
        enabled: "[parameters('enabled')]",
        query: r.query.trimEnd(),
        queryFrequency: isoDuration(r.queryFrequency),
        queryPeriod: isoDuration(r.queryPeriod),
        triggerOperator: OPERATORS[r.triggerOperator] ?? r.triggerOperator,
        triggerThreshold: r.triggerThreshold,
        suppressionEnabled: false,
        suppressionDuration: "PT5H",
        tactics: r.tactics,
        techniques: r.relevantTechniques,
        ...(r.entityMappings ? { entityMappings: r.entityMappings } : {}),
        ...(r.customDetails ? { customDetails: r.customDetails } : {}),
        ...(r.alertDetailsOverride ? { alertDetailsOverride: r.alertDetailsOverride } : {}),
        ...(r.eventGroupingSettings ? { eventGroupingSettings: r.eventGroupingSettings } : {}),
        ...(r.incidentConfiguration
          ? {
              incidentConfiguration: {
                ...r.incidentConfiguration,
                ...(r.incidentConfiguration.groupingConfiguration
                  ? {
                      groupingConfiguration: {
                        ...r.incidentConfiguration.groupingConfiguration,
                        lookbackDuration: isoDuration(r.incidentConfiguration.groupingConfiguration.lookbackDuration ?? "1d"),
                      },
                    }
                  : {}),
              },
            }
          : {}),
        templateVersion: r.version,
      },
    })),
    outputs: { ruleIds: { type: "array", value: rules.map((r) => r.id) } },
  };
}

export function renderArm(): string {
  return `${JSON.stringify(buildArm(readRules().map((r) => r.rule)), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(ARM_FILE, renderArm());
  process.stdout.write(`wrote ${ARM_FILE}\n`);
}
