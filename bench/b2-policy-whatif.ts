/**
 * B2 policy what-if (architecture.md): every applicable built-in policy (the committed catalog derived from
 * ../shared/realdata) whose resource type occurs, plus 50 drafted policies with `[*]` and `count`, over
 * 100k generated ARG-shaped resources; against hand-written TypeScript predicates for 10 built-ins
 * measured in the same run (same resources, outcomes cross-checked).
 *
 *   npx tsx bench/b2-policy-whatif.ts [--n 100000] [--seed 42]
 *
 * Targets: engine <= 2x hand-written on the 10; >= 5M leaf conditions per second per core (single thread).
 */
import { builtinDefinition, builtinPolicies, getBuiltin } from "../src/policy/builtins";
import { type CompiledPolicy, compileCollect } from "../src/policy/compile";
import { buildInventory, defaultEnv, type PreparedResource, prepare } from "../src/policy/context";
import { type Outcome, outcomeOnly } from "../src/policy/evaluate";
import { parsePolicy } from "../src/policy/parse";
import { generateContainers, generateResources } from "./b2/generate";

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg("--n", 100_000);
const SEED = arg("--seed", 42);
type Row = Record<string, unknown>;

function compile(doc: unknown, params: Row = {}, counter?: { leaves: number }): CompiledPolicy | undefined {
  const { definition } = parsePolicy(doc);
  if (!definition) return undefined;
  const { compiled, errors } = compileCollect(definition, params, { placeholders: true, counter });
  if (errors.some((e) => !/has no default value/.test(e.message))) return undefined;
  return compiled.evaluable ? compiled : undefined;
}

/** 50 drafted policies in the shapes knowledge packs write: `[*]`, field count with where, value count. */
function drafted(): Row[] {
  const out: Row[] = [];
  const ports = ["22", "3389", "445", "1433", "5432", "3306", "23", "21", "6379", "27017"];
  const sources = ["*", "Internet", "0.0.0.0/0"];
  for (const p of ports)
    out.push({
      mode: "All",
      policyRule: {
        if: {
          allOf: [
            { field: "type", equals: "Microsoft.Network/networkSecurityGroups" },
            {
              count: {
                field: "Microsoft.Network/networkSecurityGroups/securityRules[*]",
                where: {
                  allOf: [
                    { field: "Microsoft.Network/networkSecurityGroups/securityRules[*].access", equals: "Allow" },
                    { field: "Microsoft.Network/networkSecurityGroups/securityRules[*].direction", equals: "Inbound" },
                    { field: "Microsoft.Network/networkSecurityGroups/securityRules[*].sourceAddressPrefix", in: sources },
                    {
                      anyOf: [
                        { field: "Microsoft.Network/networkSecurityGroups/securityRules[*].destinationPortRange", in: [p, "*"] },
                        { field: "Microsoft.Network/networkSecurityGroups/securityRules[*].destinationPortRange", like: "*-*" },
                      ],
                    },
                  ],
                },
              },
              greater: 0,
            },
          ],
        },
        then: { effect: "audit" },
      },
    });
  for (const prefix of ["10.*", "192.168.*", "172.16.*", "20.*", "0.0.0.0*"])
    out.push({
      mode: "Indexed",
      policyRule: {
        if: {
          allOf: [
            { field: "type", equals: "Microsoft.Storage/storageAccounts" },
            { not: { field: "Microsoft.Storage/storageAccounts/networkAcls.ipRules[*].value", notLike: prefix } },
          ],
        },
        then: { effect: "deny" },
      },
    });
  for (const tag of ["environment", "owner", "costCenter", "dataClassification", "application"])
    for (const type of ["Microsoft.Storage/storageAccounts", "Microsoft.Compute/virtualMachines", "Microsoft.Web/sites"])
      out.push({
        mode: "Indexed",
        policyRule: {
          if: {
            allOf: [
              { field: "type", equals: type },
              { field: `tags['${tag}']`, exists: "false" },
            ],
          },
          then: { effect: "audit" },
        },
      });
  for (const pats of [["vm*", "app*"], ["st*"], ["nic*", "nsg*", "kv*"], ["prod-*"], ["*-tmp"]])
    out.push({
      mode: "Indexed",
      policyRule: {
        if: { count: { value: pats, name: "p", where: { field: "name", like: "[current('p')]" } }, equals: 0 },
        then: { effect: "audit" },
      },
    });
  for (const loc of ["westeurope", "eastus", "uksouth", "northeurope", "eastus2"])
    out.push({
      mode: "Indexed",
      policyRule: {
        if: {
          allOf: [
            { field: "type", in: ["Microsoft.Compute/virtualMachines", "Microsoft.Compute/disks", "Microsoft.Network/networkInterfaces"] },
            { field: "location", notEquals: loc },
            {
              count: {
                field: "Microsoft.Network/networkInterfaces/ipconfigurations[*]",
                where: { field: "Microsoft.Network/networkInterfaces/ipconfigurations[*].publicIpAddress.id", exists: "true" },
              },
              greater: 0,
            },
          ],
        },
        then: { effect: "audit" },
      },
    });
  for (const tls of ["1.0", "1.1"])
    for (const t of ["Microsoft.Web/sites", "Microsoft.Cache/redis"])
      out.push({
        mode: "Indexed",
        policyRule: {
          if: {
            allOf: [
              { field: "type", equals: t },
              {
                anyOf: [
                  {
                    field:
                      t === "Microsoft.Web/sites"
                        ? "Microsoft.Web/sites/siteConfig.minTlsVersion"
                        : "Microsoft.Cache/Redis/minimumTlsVersion",
                    equals: tls,
                  },
                  {
                    field:
                      t === "Microsoft.Web/sites"
                        ? "Microsoft.Web/sites/siteConfig.minTlsVersion"
                        : "Microsoft.Cache/Redis/minimumTlsVersion",
                    exists: "false",
                  },
                ],
              },
            ],
          },
          then: { effect: "audit" },
        },
      });
  for (const n of [0, 1, 2, 3, 5, 8])
    out.push({
      mode: "Indexed",
      policyRule: {
        if: {
          allOf: [
            { field: "type", equals: "Microsoft.Network/networkSecurityGroups" },
            {
              count: {
                field: "Microsoft.Network/networkSecurityGroups/securityRules[*]",
                where: { field: "Microsoft.Network/networkSecurityGroups/securityRules[*].access", equals: "Allow" },
              },
              greater: n,
            },
          ],
        },
        then: { effect: "audit" },
      },
    });
  return out.slice(0, 50);
}

// ---- hand-written predicates for 10 built-ins (the same semantics, written directly) ----------------------
const lc = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
const P = (x: Row) => (x.properties ?? {}) as Row;
const indexedNA = (x: Row) => !x.location;
const HAND: { id: string; params?: Row; fn: (x: Row) => Outcome }[] = [
  {
    id: "404c3081-a854-4457-ae30-26a93ef643f9",
    fn: (x) => {
      if (indexedNA(x) || x.type !== "microsoft.storage/storageaccounts") return "notApplicable";
      const v = P(x).supportsHttpsTrafficOnly;
      return v === false || lc(v) === "false" ? "noncompliant" : "compliant";
    },
  },
  {
    id: "34c877ad-507e-4c82-993e-3452a6e0ad3c",
    fn: (x) => {
      if (indexedNA(x) || x.type !== "microsoft.storage/storageaccounts") return "notApplicable";
      return lc((P(x).networkAcls as Row | undefined)?.defaultAction) !== "deny" ? "noncompliant" : "compliant";
    },
  },
  {
    id: "2a1a9cdf-e04d-429a-8416-3bfb72a1b26f",
    fn: (x) => {
      if (indexedNA(x) || x.type !== "microsoft.storage/storageaccounts") return "notApplicable";
      const acl = P(x).networkAcls as Row | undefined;
      const rules = acl?.ipRules;
      return lc(acl?.defaultAction) !== "deny" || (Array.isArray(rules) && rules.length >= 1) ? "noncompliant" : "compliant";
    },
  },
  {
    id: "fe83a0eb-a853-422d-aac2-1bffd182c5d0",
    fn: (x) => {
      if (indexedNA(x) || x.type !== "microsoft.storage/storageaccounts") return "notApplicable";
      const v = P(x).minimumTlsVersion;
      return v === undefined || lc(v) !== "tls1_2" ? "noncompliant" : "compliant";
    },
  },
  {
    id: "6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab",
    fn: (x) => {
      const k = typeof x.kind === "string" ? x.kind.toLowerCase() : undefined;
      if (x.type !== "microsoft.web/sites" || !k?.includes("functionapp") || k.includes("workflowapp") || k.includes("azurecontainerapps"))
        return "notApplicable";
      const v = P(x).httpsOnly;
      return v === undefined || v === false || lc(v) === "false" ? "noncompliant" : "compliant";
    },
  },
  {
    id: "a4af4a39-4135-47fb-b175-47fbdf85311d",
    fn: (x) => {
      const k = typeof x.kind === "string" ? x.kind.toLowerCase() : undefined;
      if (indexedNA(x) || x.type !== "microsoft.web/sites" || k?.includes("functionapp")) return "notApplicable";
      const v = P(x).httpsOnly;
      return v === undefined || v === false || lc(v) === "false" ? "noncompliant" : "compliant";
    },
  },
  {
    id: "0fdf0491-d080-4575-b627-ad0e843cba0f",
    fn: (x) => {
      if (indexedNA(x) || x.type !== "microsoft.containerregistry/registries") return "notApplicable";
      return lc(P(x).publicNetworkAccess) !== "disabled" ? "noncompliant" : "compliant";
    },
  },
  {
    id: "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5",
    fn: (x) => {
      if (indexedNA(x) || x.type !== "microsoft.keyvault/vaults") return "notApplicable";
      const p = P(x);
      if (lc(p.createMode) === "recover") return "compliant";
      const v = p.enableRbacAuthorization;
      return v === undefined || v === false || lc(v) === "false" ? "noncompliant" : "compliant";
    },
  },
  {
    id: "83a86a26-fd1f-447c-b59d-e51f44264114",
    fn: (x) => {
      if (indexedNA(x) || x.type !== "microsoft.network/networkinterfaces") return "notApplicable";
      const cfgs = P(x).ipConfigurations;
      if (Array.isArray(cfgs))
        for (const c of cfgs)
          if (
            ((c as Row).properties as Row | undefined)?.publicIPAddress &&
            typeof (((c as Row).properties as Row).publicIPAddress as Row).id === "string"
          )
            return "noncompliant";
      return "compliant";
    },
  },
  {
    id: "e56962a6-4747-49cd-b67b-bf8b01975c4c",
    params: { listOfAllowedLocations: ["westeurope", "northeurope"] },
    fn: (x) => {
      if (indexedNA(x) || x.type === "microsoft.azureactivedirectory/b2cdirectories") return "notApplicable";
      const l = String(x.location).toLowerCase().replace(/\s+/g, "");
      return l !== "westeurope" && l !== "northeurope" && l !== "global" ? "noncompliant" : "compliant";
    },
  },
];

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const v = fn();
  return [v, performance.now() - t0];
}

function main() {
  console.log(`B2 policy what-if: ${N.toLocaleString()} resources (seed ${SEED}), node ${process.version}, single thread`);
  const [rows, tGen] = time(() => generateResources(N, SEED));
  const [prepared, tPrep] = time(() => rows.map((r) => prepare(r)));
  // The inventory also holds the resourcecontainers rows (resourceGroup()/subscription() lookups), as an ARG export would.
  const env = defaultEnv({
    now: "2026-01-01T00:00:00.000Z",
    inventory: buildInventory([...prepared, ...generateContainers().map((r) => prepare(r))]),
  });
  console.log(`generate ${tGen.toFixed(0)} ms; prepare (once per inventory, shared by all policies) ${tPrep.toFixed(0)} ms`);

  // --- 10 built-ins: engine vs hand-written, same run, outcomes cross-checked -----------------------------
  const engine10 = HAND.map((h) => compile(builtinDefinition(getBuiltin(h.id)!), h.params ?? {})!);
  const cur: unknown[] = [];
  const runEngine = () => {
    let nc = 0;
    for (const c of engine10) for (const r of prepared) if (outcomeOnly(c, r, env, cur) === "noncompliant") nc++;
    return nc;
  };
  const runHand = () => {
    let nc = 0;
    for (const h of HAND) for (const x of rows) if (h.fn(x) === "noncompliant") nc++;
    return nc;
  };
  let mismatches = 0;
  HAND.forEach((h, i) => {
    for (let j = 0; j < prepared.length; j++) if (outcomeOnly(engine10[i], prepared[j], env, cur) !== h.fn(rows[j])) mismatches++;
  });
  const te: number[] = [];
  const th: number[] = [];
  let ncE = 0;
  let ncH = 0;
  for (let k = 0; k < 7; k++) {
    const [a, ta] = time(runHand);
    const [b, tb] = time(runEngine);
    ncH = a;
    ncE = b;
    th.push(ta);
    te.push(tb);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mE = med(te);
  const mH = med(th);
  console.log(`\n10 built-ins x ${N.toLocaleString()}: engine ${mE.toFixed(1)} ms, hand-written ${mH.toFixed(1)} ms (median of 7)`);
  console.log(
    `  ratio engine/hand-written = ${(mE / mH).toFixed(2)}x (target <= 2x); noncompliant ${ncE} vs ${ncH}; outcome mismatches ${mismatches}`,
  );
  console.log(`  with prepare() charged to these 10 alone: ${((mE + tPrep) / mH).toFixed(2)}x`);

  // --- every applicable built-in + 50 drafted ----------------------------------------------------------------
  const present = new Set(prepared.map((r) => r.t));
  const builtins = builtinPolicies().filter(
    (b) => (b.mode === null || /^(all|indexed)$/i.test(b.mode)) && b.types.some((t) => present.has(t.toLowerCase())),
  );
  const docs: { name: string; doc: unknown }[] = [
    ...builtins.map((b) => ({ name: b.id, doc: builtinDefinition(b) })),
    ...drafted().map((d, i) => ({ name: `draft-${i}`, doc: d })),
  ];
  const [compiled, tCompile] = time(() => docs.map((d) => ({ name: d.name, c: compile(d.doc) })).filter((x) => x.c));
  const counter: { leaves: number; gated?: number } = { leaves: 0 };
  const counted = docs.map((d) => compile(d.doc, {}, counter)).filter(Boolean) as CompiledPolicy[];
  const nb = compiled.filter((x) => !x.name.startsWith("draft-")).length;
  console.log(
    `\nall: ${builtins.length} built-ins whose type occurs (${nb} evaluable offline) + ${compiled.length - nb} drafted; compile ${tCompile.toFixed(0)} ms`,
  );
  const totals = { compliant: 0, noncompliant: 0, notApplicable: 0, errored: 0 };
  const [, tAll] = time(() => {
    for (const { c } of compiled) for (const r of prepared) totals[outcomeOnly(c!, r, env, cur)]++;
  });
  for (const c of counted) for (const r of prepared) outcomeOnly(c, r, env, cur);
  const evals = compiled.length * prepared.length;
  console.log(
    `  ${evals.toLocaleString()} policy x resource evaluations in ${(tAll / 1000).toFixed(2)} s (${(((evals / tAll) * 1000) / 1e6).toFixed(2)}M/s)`,
  );
  console.log(`  outcomes: ${JSON.stringify(totals)}`);
  const gated = counter.gated ?? 0;
  console.log(
    `  leaf conditions evaluated: ${counter.leaves.toLocaleString()} -> ${(((counter.leaves / tAll) * 1000) / 1e6).toFixed(1)}M leaf conditions/s/core (target >= 5M)`,
  );
  console.log(
    `    of which ${gated.toLocaleString()} are top-level type conditions decided by the compiled type gate (one hash lookup each);`,
  );
  console.log(`    without counting those: ${((((counter.leaves - gated) / tAll) * 1000) / 1e6).toFixed(1)}M/s`);
}

main();
