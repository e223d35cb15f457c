import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpPipeline, sendJson } from "../src/http";
import {
  AzureContext,
  collect,
  getAssessment,
  listActivityLog,
  listAlerts,
  listAssessmentMetadata,
  listAssessments,
  listPolicyAssignments,
  listPolicyDefinitions,
  listRegulatoryAssessments,
  listRegulatoryControls,
  listRegulatoryStandards,
  listSecureScoreControls,
  listSecureScores,
  listSubAssessments,
  queryPolicyStates,
  queryResourceGraph,
  queryResourceGraphPages,
  querySentinelTable,
} from "../src/sources/azure";
import { makeFixtureTenant } from "./fixtures/tenant";
import { parseIsoMs, parseKql, runKql } from "./kql";
import { KqlTableIndex } from "./kql-index";
import { type AzureSimulator, startSimulator } from "./server";

describe("Azure simulator", () => {
  let sim: AzureSimulator;
  let ctx: AzureContext;
  const tenant = makeFixtureTenant({ now: new Date(), resourcesPerSubscription: 10 });
  const sub0 = tenant.resourceContainers[0].subscriptionId;
  beforeAll(async () => {
    sim = await startSimulator({ tenant, pageSize: 3, argQuota: { limit: 1000, windowMs: 5000 } });
    ctx = new AzureContext({ armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert, retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000 } });
  });
  afterAll(async () => {
    ctx?.close();
    await sim?.stop();
  });
  const raw = (token?: string) => createHttpPipeline({ ca: sim.cert.cert, retry: false, ...(token ? { credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60_000 }) }, scopes: "x/.default" } : {}) });
  const argUrl = () => `${sim.url}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`;

  it("rejects a missing or wrong bearer token with ARM's 401", async () => {
    const res = await sendJson(raw(), { method: "POST", url: argUrl(), body: { query: "resources" }, acceptStatus: [401] });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: "AuthenticationFailed" } });
    expect(res.headers["www-authenticate"]).toContain("invalid_token");
    const bad = await sendJson(raw("nope"), { method: "POST", url: argUrl(), body: { query: "resources" }, acceptStatus: [401] });
    expect(bad.body).toMatchObject({ error: { code: "InvalidAuthenticationToken" } });
  });

  it("pages Resource Graph with $skipToken in the body, string resultTruncated and quota headers", async () => {
    const http = raw(sim.token);
    const first = await sendJson<any>(http, { method: "POST", url: argUrl(), body: { query: "resources | order by id asc", options: { $top: 7 } } });
    expect(first.body.count).toBe(7);
    expect(first.body.totalRecords).toBe(tenant.resources.length);
    expect(first.body.resultTruncated).toBe("false");
    expect(typeof first.body.$skipToken).toBe("string");
    expect(first.headers["x-ms-user-quota-remaining"]).toMatch(/^\d+$/);
    expect(first.headers["x-ms-user-quota-resets-after"]).toMatch(/^\d\d:\d\d:\d\d$/);
    const second = await sendJson<any>(http, { method: "POST", url: argUrl(), body: { query: "resources | order by id asc", options: { $top: 7, $skipToken: first.body.$skipToken } } });
    expect(second.body.data[0].id).toBe([...tenant.resources].sort((a, b) => (a.id < b.id ? -1 : 1))[7].id);
    // a token is bound to its query
    const wrong = await sendJson<any>(http, { method: "POST", url: argUrl(), body: { query: "resourcecontainers", options: { $skipToken: first.body.$skipToken } }, acceptStatus: [400] });
    expect(wrong.status).toBe(400);
    // take => no token, truncated
    const taken = await sendJson<any>(http, { method: "POST", url: argUrl(), body: { query: "resources | take 9", options: { $top: 5 } } });
    expect(taken.body.$skipToken).toBeUndefined();
    expect(taken.body.resultTruncated).toBe("true");
    // bad KQL => ARM 400 with InvalidQuery details
    const badq = await sendJson<any>(http, { method: "POST", url: argUrl(), body: { query: "resources | summarize count()" }, acceptStatus: [400] });
    expect(badq.body.error.code).toBe("BadRequest");
    expect(badq.body.error.details[0].code).toBe("InvalidQuery");
  });

  it("the client follows every page and every subscription batch", async () => {
    const subs = tenant.resourceContainers.filter((c) => c.type === "microsoft.resources/subscriptions").map((c) => c.subscriptionId);
    const pages = await collect(queryResourceGraphPages(ctx, "resources | order by id asc", { pageSize: 4, batchSize: 1, scope: { subscriptions: subs } }));
    expect(pages.length).toBeGreaterThan(subs.length);
    expect(new Set(pages.map((p) => p.batch))).toEqual(new Set([0, 1]));
    const ids = pages.flatMap((p) => p.rows.map((r: any) => r.id));
    expect(new Set(ids).size).toBe(tenant.resources.length);
    const mg = await collect(queryResourceGraph<any>(ctx, "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project id, subscriptionId", { scope: { managementGroup: "mg-prod" } }));
    expect(mg.map((r) => r.subscriptionId)).toEqual([sub0]);
    const filtered = await collect(
      queryResourceGraph<any>(ctx, "securityresources | where type == 'microsoft.security/assessments' and properties.status.code == 'Unhealthy' | project id, key = name, status = tostring(properties.status.code)"),
    );
    expect(filtered.length).toBe(tenant.securityResources.filter((r: any) => r.type === "microsoft.security/assessments" && r.properties.status.code === "Unhealthy").length);
    expect(filtered.every((r) => r.status === "Unhealthy")).toBe(true);
  });

  it("with prefetch the next Resource Graph page is requested while the caller handles the current one, across batches", async () => {
    const subs = tenant.resourceContainers.filter((c) => c.type === "microsoft.resources/subscriptions").map((c) => c.subscriptionId);
    const run = async (prefetch: boolean) => {
      const events: string[] = [];
      sim.onRequest = (route) => {
        if (route === "arg") events.push("request");
      };
      const ids: string[] = [];
      try {
        for await (const page of queryResourceGraphPages(ctx, "resources | order by id asc", { pageSize: 4, batchSize: 1, scope: { subscriptions: subs }, prefetch })) {
          events.push("handle");
          await new Promise((r) => setTimeout(r, 40)); // the caller's work on this page
          ids.push(...page.rows.map((r: any) => r.id));
          events.push("done");
        }
      } finally {
        sim.onRequest = undefined;
      }
      return { events, ids };
    };
    const plain = await run(false);
    const ahead = await run(true);
    expect(ahead.ids).toEqual(plain.ids); // same pages, same order, nothing twice
    expect(new Set(ahead.ids).size).toBe(tenant.resources.length);
    // Requests the service has seen by the time the caller is done with each page: without prefetch one per page
    // so far; with it, the next page's request is already in while the caller works (all but the last page).
    const requestsBeforeEachDone = (events: string[]) => {
      const out: number[] = [];
      let requests = 0;
      for (const e of events) {
        if (e === "request") requests++;
        if (e === "done") out.push(requests);
      }
      return out;
    };
    const pages = plain.events.filter((e) => e === "handle").length;
    expect(pages).toBeGreaterThan(subs.length);
    expect(requestsBeforeEachDone(plain.events)).toEqual(Array.from({ length: pages }, (_, k) => k + 1));
    expect(requestsBeforeEachDone(ahead.events)).toEqual(Array.from({ length: pages }, (_, k) => Math.min(k + 2, pages)));
    expect(ahead.events.filter((e) => e === "request").length).toBe(pages);
  });

  it("answers 429 with Retry-After and quota headers when the Resource Graph quota is spent, and the client waits it out", async () => {
    const tight = await startSimulator({ tenant, cert: sim.cert, argQuota: { limit: 2, windowMs: 1000 } });
    try {
      // Each pipeline has its own quota gate; a fresh one per call shows what the server answers.
      const fresh = () => createHttpPipeline({ ca: sim.cert.cert, retry: false, credential: { getToken: async () => ({ token: tight.token, expiresOnTimestamp: Date.now() + 60_000 }) }, scopes: "x/.default" });
      const url = `${tight.url}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`;
      const statuses: number[] = [];
      let last: any;
      for (let i = 0; i < 3; i++) {
        const http = fresh();
        last = await sendJson(http, { method: "POST", url, body: { query: "resources" }, acceptStatus: [429] });
        http.close();
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(last.headers["retry-after"]).toMatch(/^\d+$/);
      expect(last.headers["x-ms-user-quota-remaining"]).toBe("0");
      const c2 = new AzureContext({ armEndpoint: tight.url, token: tight.token, ca: sim.cert.cert, retry: { baseDelayMs: 1 } });
      const rows = await collect(queryResourceGraph(c2, "resources | order by id asc", { pageSize: 20 }));
      expect(rows.length).toBe(tenant.resources.length);
      c2.close();
    } finally {
      await tight.stop();
    }
  });

  it("serves Defender REST with nextLink paging, REST casing and $expand", async () => {
    const plain = await collect(listAssessments(ctx, sub0));
    const expected = tenant.securityResources.filter((r) => r.type === "microsoft.security/assessments" && r.subscriptionId === sub0);
    expect(plain).toHaveLength(expected.length);
    const a = plain[0] as any;
    expect(a.type).toBe("Microsoft.Security/assessments");
    expect(a.properties.resourceDetails).toMatchObject({ source: "Azure" });
    expect(a.properties.resourceDetails.id).toBeTruthy();
    expect(a.properties.metadata).toBeUndefined();
    const expanded = (await collect(listAssessments(ctx, sub0, { expand: ["links", "metadata"] })))[0] as any;
    expect(expanded.properties.metadata.severity).toBeTruthy();
    expect(expanded.properties.links.azurePortalUri).toMatch(/^https:\/\//);
    const one = (await getAssessment(ctx, a.properties.resourceDetails.id, a.name)) as any;
    expect(one.id).toBe(a.id);
    expect((await collect(listAssessmentMetadata(ctx))).length).toBe(4);
    expect((await collect(listSubAssessments(ctx, `/subscriptions/${sub0}`))).length).toBe(tenant.securityResources.filter((r) => r.type.endsWith("subassessments") && r.subscriptionId === sub0).length);
    expect(await collect(listSecureScores(ctx, sub0))).toHaveLength(1);
    const controls = (await collect(listSecureScoreControls(ctx, sub0))) as any[];
    expect(controls[0].properties.definition.properties.assessmentDefinitions.length).toBeGreaterThan(0);
    const stds = (await collect(listRegulatoryStandards(ctx, sub0))) as any[];
    const ctls = (await collect(listRegulatoryControls(ctx, sub0, stds[0].name))) as any[];
    expect((await collect(listRegulatoryAssessments(ctx, sub0, stds[0].name, ctls[0].name))).length).toBe(1);
    expect((await collect(listAlerts(ctx, sub0))).length).toBe(tenant.alerts.filter((x: any) => x.id.includes(sub0)).length);
  });

  it("enforces the Activity Log $filter grammar and returns the window", async () => {
    const all = await collect(listActivityLog(ctx, sub0, { from: new Date(Date.now() - 90 * 86_400_000), to: new Date() }));
    expect(all.length).toBe(tenant.activityLog.filter((e: any) => e.subscriptionId === sub0).length);
    const one = await collect(listActivityLog(ctx, sub0, { from: new Date(Date.now() - 1.5 * 86_400_000), to: new Date() }));
    expect(one.length).toBe(1);
    const res = await sendJson<any>(raw(sim.token), {
      method: "GET",
      url: `${sim.url}/subscriptions/${sub0}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent("caller eq 'x'")}`,
      acceptStatus: [400],
    });
    expect(res.status).toBe(400);
  });

  it("serves Policy objects and PolicyInsights states with @odata.nextLink", async () => {
    expect((await collect(listPolicyDefinitions(ctx))).length).toBe(1);
    expect((await collect(listPolicyAssignments(ctx, { subscriptionId: sub0 }))).length).toBe(1);
    const states = await collect(queryPolicyStates(ctx, { subscriptionId: sub0 }, { filter: "IsCompliant eq false" }));
    expect(states.length).toBe(tenant.policy?.states?.filter((s: any) => s.subscriptionId === sub0).length);
    expect(states.length).toBeGreaterThan(0);
  });

  it("answers Log Analytics queries with tables/columns/rows and decodes dynamic cells", async () => {
    const recs = await querySentinelTable(ctx, "00000000-0000-0000-0000-000000000001", "recommendations", { days: 365 });
    expect(recs.length).toBe(tenant.securityResources.filter((r) => r.type === "microsoft.security/assessments").length);
    expect(typeof (recs[0].Properties as any).status.code).toBe("string");
    expect((await querySentinelTable(ctx, "w", "alerts", { days: 365 })).length).toBe(tenant.alerts.length);
    expect((await querySentinelTable(ctx, "w", "activity", { days: 365 })).length).toBe(tenant.activityLog.length);
  });
});

describe("KQL subset", () => {
  const rows = [
    { id: "/a", type: "Microsoft.Storage/storageAccounts", properties: { n: 3, t: "2025-01-02T00:00:00Z" }, tags: { env: "prod" } },
    { id: "/b", type: "microsoft.compute/virtualmachines", properties: { n: 1, t: "2025-01-01T00:00:00Z" }, tags: {} },
    { id: "/c", type: "microsoft.storage/storageaccounts", properties: { n: 2 }, tags: { env: "dev" } },
  ];
  const q = (s: string) => runKql(parseKql(s), rows, Date.parse("2025-01-03T00:00:00Z"));
  it("filters with =~, ==, in~, datetime, and/or/not, and projects", () => {
    expect(q("resources | where type =~ 'microsoft.storage/storageaccounts' | project id").rows).toEqual([{ id: "/a" }, { id: "/c" }]);
    expect(q("resources | where type == 'microsoft.storage/storageaccounts'").rows.map((r) => r.id)).toEqual(["/c"]);
    expect(q("resources | where id in~ ('/A', '/b')").rows.map((r) => r.id)).toEqual(["/a", "/b"]);
    expect(q("resources | where todatetime(properties.t) > datetime(2025-01-01T12:00:00Z)").rows.map((r) => r.id)).toEqual(["/a"]);
    expect(q("resources | where properties.t > ago(1d) or tags['env'] == 'dev'").rows.map((r) => r.id)).toEqual(["/c"]);
    expect(q("resources | where not(isempty(tags.env)) | order by properties.n asc | project id, n = properties.n").rows).toEqual([
      { id: "/c", n: 2 },
      { id: "/a", n: 3 },
    ]);
    expect(q("resources | order by id").rows.map((r) => r.id)).toEqual(["/c", "/b", "/a"]);
    expect(q("resources | take 1").limited).toBe(true);
    expect(q("resources | project properties").allDynamic).toBe(true);
  });
  it("compiled comparisons keep KQL's meaning", () => {
    // =~ against a literal: case-insensitive, also when lower-casing changes the length (U+0130)
    const turkish = [{ id: "/t", name: "\u0130x" }, { id: "/u", name: "i\u0307X" }];
    expect(runKql(parseKql("resources | where name =~ 'i\u0307x' | project id"), turkish).rows).toEqual([{ id: "/t" }, { id: "/u" }]);
    expect(runKql(parseKql("resources | where name !~ 'I\u0307X' | project id"), turkish).rows).toEqual([]);
    // todatetime(x) > datetime(...): a row without a parseable time never matches; an object is not a datetime
    const odd = [...rows, { id: "/d", properties: { t: "not a date" } }, { id: "/e", properties: { t: { dt: 9e15 } } }];
    expect(runKql(parseKql("resources | where todatetime(properties.t) > datetime(2024-12-31) | project id"), odd).rows).toEqual([{ id: "/a" }, { id: "/b" }]);
    expect(runKql(parseKql("resources | where properties.t <= datetime(2025-01-01T00:00:00Z) | project id"), odd).rows).toEqual([{ id: "/b" }]);
  });
  it("parses Azure's ISO times exactly as Date.parse does", () => {
    const odd = ["2025-02-30T00:00:00Z", "2025-06-01T24:00:00Z", "2025-06-01T23:59:60Z", "2025-13-01T00:00:00Z", "2025-06-01T00:00:00.Z", "2025-06-01T00:00:00.1234Z", "0042-01-01T00:00:00Z", "2025-06-01T00:00:00+01:00", "2025-06-01", ""];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const p = (x: number, n: number) => String(x).padStart(n, "0");
    const sample = Array.from({ length: 5000 }, () => `${p(rnd(10000), 4)}-${p(rnd(14), 2)}-${p(rnd(33), 2)}T${p(rnd(26), 2)}:${p(rnd(61), 2)}:${p(rnd(61), 2)}${["", ".5", ".25", ".125", ".1250"][rnd(5)]}Z`);
    for (const s of [...odd, ...sample]) expect(Object.is(parseIsoMs(s), Date.parse(s)), s).toBe(true);
  });
  it("an index narrows a query to a superset of its matches, so every answer is the one a scan gives", () => {
    const odd = [
      ...rows,
      {
        id: "/D",
        type: "Microsoft.Storage/storageAccounts",
        properties: { t: "2025-01-01T12:00:00.0000000Z", u: "2025-01-01T12:00:00.000Z" },
      },
      { id: "/e", type: 7, properties: { t: "not a date", u: { dt: 1 } } },
      { id: "/f", properties: { t: "2025-01-01T12:00:00.000Z", u: "2025-01-02" } },
      { id: "/g", type: "microsoft.compute/virtualmachines", properties: { t: "2025-01-01T11:59:59.999Z" } },
    ];
    const index = new KqlTableIndex(odd, ["properties.t", "properties.u"]);
    const queries = [
      "resources | where id in~ ('/A', '/d', '/nope') | project id",
      "resources | where id in ('/a', '/D') | project id",
      "resources | where id == '/d' or id =~ '/B' | project id",
      "resources | where type =~ 'MICROSOFT.storage/storageaccounts' | project id",
      "resources | where type == 'Microsoft.Storage/storageAccounts' | project id",
      "resources | where type == '7' | project id",
      "resources | where type !~ 'microsoft.storage/storageaccounts' | project id",
      "resources | where type !~ 'microsoft.storage/storageaccounts' and type !~ 'microsoft.compute/virtualmachines' | project id",
      ...[">", ">=", "<", "<="].flatMap((op) => [
        `resources | where todatetime(properties.t) ${op} datetime(2025-01-01T12:00:00Z) | project id`,
        `resources | where properties.u ${op} datetime(2025-01-01T12:00:00Z) | project id`,
      ]),
      "resources | where (type =~ 'microsoft.storage/storageaccounts' and todatetime(properties.t) > datetime(2025-01-01)) or (type !~ 'microsoft.storage/storageaccounts' and properties.u < datetime(2025-06-01)) | order by id asc",
      "resources | where not(type =~ 'microsoft.storage/storageaccounts') | project id",
      "resources | where properties.n > 1 and id in~ ('/a', '/b', '/c') | project id",
      "resources | where type =~ 'microsoft.compute/virtualmachines' | where todatetime(properties.t) >= datetime(2025-01-01T11:59:59.999Z) | project id",
      "resources | extend id = 'x' | where id == 'x' | project id",
      "resources | take 2 | where id =~ '/c'",
    ];
    for (const text of queries) {
      const parsed = parseKql(text);
      const narrowed = index.candidates(parsed);
      expect(runKql(parsed, [...narrowed], 0), text).toEqual(runKql(parsed, odd, 0));
    }
    // and it does narrow: a selective query starts from a handful of rows, not the table
    expect(index.candidates(parseKql("resources | where id in~ ('/A', '/d')")).map((r) => r.id)).toEqual(["/a", "/D"]);
    expect(
      index.candidates(parseKql("resources | where todatetime(properties.t) > datetime(2025-01-01T12:00:00Z)")).map((r) => r.id),
    ).toEqual(["/a"]);
    expect(index.candidates(parseKql("resources | extend id = 'x' | where id == 'x'"))).toHaveLength(odd.length);
  });
  it("rejects what it does not support", () => {
    expect(() => parseKql("resources | summarize count() by type")).toThrow(/unsupported operator/);
    expect(() => parseKql("nosuchtable")).toThrow(/unknown table/);
    expect(() => parseKql("resources | where name == 'x")).toThrow(/unterminated/);
  });
});
