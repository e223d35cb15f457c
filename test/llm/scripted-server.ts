import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { countTokens } from "gpt-tokenizer";
import { type DataFact, type DraftPayload, type NarrativePayload, unfence } from "../../src/ai/prompts";

/**
 * A local OpenAI-compatible chat-completions server for tests, the eval harness and bench B4. It answers
 * `POST /v1/chat/completions` (and Azure's `/openai/deployments/{d}/chat/completions`) from a script: a
 * function of the request that returns a completion, an error, a delay or a throttle. Built-in responders
 * write a grounded narrative or policy draft from the data block, or behave like a compromised model
 * (obeying injected instructions), a broken one (malformed JSON, wrong schema, tool calls) or a slow one.
 * Usage is counted with gpt-tokenizer, as a real server would report it.
 */
export interface ScriptContext {
  n: number;
  body: { model?: string; messages: { role: string; content: string }[]; max_tokens?: number };
  system: string;
  user: string;
  payload: unknown;
  task: "narrative" | "draft" | "unknown";
  retry: boolean;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** The assistant message content (a string the model "wrote"). */
  content?: string | null;
  toolCalls?: { name: string; arguments: string }[];
  /** Raw body instead of a completion (for broken servers). */
  raw?: string;
  delayMs?: number;
  /** Omit `usage` (the client must count with gpt-tokenizer). */
  noUsage?: boolean;
}

export type Script = (ctx: ScriptContext) => Reply | Promise<Reply>;

export interface ScriptedServer {
  url: string;
  /** Azure-style endpoint root (`http://127.0.0.1:PORT`). */
  origin: string;
  requests: ScriptContext[];
  setScript(s: Script): void;
  close(): Promise<void>;
}

export async function startScriptedServer(script: Script = groundedResponder): Promise<ScriptedServer> {
  let current = script;
  const requests: ScriptContext[] = [];
  const server: Server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== "POST" || !/\/chat\/completions(\?|$)/.test(req.url ?? "")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: ScriptContext["body"];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end("{}");
      return;
    }
    const system = body.messages.find((m) => m.role === "system")?.content ?? "";
    const userMsgs = body.messages.filter((m) => m.role === "user");
    const user = userMsgs[0]?.content ?? "";
    const payload = unfence(user);
    const task =
      (payload as { task?: string })?.task === "explain-finding-group"
        ? "narrative"
        : (payload as { task?: string })?.task === "draft-azure-policy"
          ? "draft"
          : "unknown";
    const ctx: ScriptContext = { n: requests.length + 1, body, system, user, payload, task, retry: userMsgs.length > 1 };
    requests.push(ctx);
    let reply: Reply;
    try {
      reply = await current(ctx);
    } catch (e) {
      reply = { status: 500, raw: JSON.stringify({ error: { message: (e as Error).message } }) };
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed || res.socket?.destroyed) return;
    const status = reply.status ?? 200;
    const headers = { "content-type": "application/json", ...(reply.headers ?? {}) };
    if (reply.raw !== undefined || status !== 200) {
      res.writeHead(status, headers).end(reply.raw ?? JSON.stringify({ error: { message: `scripted ${status}`, type: "scripted" } }));
      return;
    }
    const content = reply.content ?? null;
    const promptTokens = body.messages.reduce((n, m) => n + countTokens(m.content) + 4, 3);
    const completionTokens = content ? countTokens(content) : 0;
    const message: Record<string, unknown> = { role: "assistant", content };
    if (reply.toolCalls) message.tool_calls = reply.toolCalls.map((t, i) => ({ id: `call_${i}`, type: "function", function: t }));
    res.writeHead(200, headers).end(
      JSON.stringify({
        id: `chatcmpl-${ctx.n}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? "scripted",
        choices: [{ index: 0, message, finish_reason: reply.toolCalls ? "tool_calls" : "stop" }],
        ...(reply.noUsage
          ? {}
          : { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } }),
      }),
    );
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    setScript(s) {
      current = s;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** A well-behaved model: a grounded narrative from the data block, or a draft from the top candidate. */
export const groundedResponder: Script = (ctx) => {
  if (ctx.task === "narrative") return { content: JSON.stringify(groundedNarrative(ctx.payload as NarrativePayload)) };
  if (ctx.task === "draft") return { content: JSON.stringify(groundedDraft(ctx.payload as DraftPayload)) };
  return { content: JSON.stringify({ error: "unknown task" }) };
};

export function groundedNarrative(p: NarrativePayload) {
  const has = (id: string) => p.facts.find((f) => f.id === id);
  const cites = new Set<string>();
  const use = (id: string) => {
    const f = has(id);
    if (!f) return undefined;
    cites.add(id);
    return f.slot ? `{{${id}}}` : f.value;
  };
  const name = use("resource.name") ?? "This resource";
  const type = use("resource.typeLabel") ?? "resource";
  const env = use("env");
  const data = use("tag.dataClassification");
  const app = use("tag.application");
  use("recommendation");
  const summary = `${name} is a ${env && env !== "unknown" ? `${env} ` : ""}${type}${data ? `, tagged as holding ${data} data` : ""}.${app ? ` It belongs to the ${app} application.` : ""} It does not meet the Defender recommendation on its configuration.`;
  const why: string[] = ["Until it is fixed, the weakness this recommendation describes stays open to anyone who can reach it."];
  if (use("exposure.internet")) why.push("It is reachable from the Internet ({{exposure.internet}}).");
  if (use("alert.1")) why.push("A recent alert raises the urgency: {{alert.1}}.");
  if (use("path.1")) why.push("It lies on an attack path: {{path.1}}.");
  if (use("kev.1")) why.push("It carries a known exploited vulnerability: {{kev.1}}.");
  if (use("change.1")) why.push("It changed recently: {{change.1}}.");
  const frameworks = p.facts.filter((f) => f.id.startsWith("framework."));
  const parts = frameworks.map((fw) => {
    cites.add(fw.id);
    const key = fw.id.slice("framework.".length);
    const controls = p.facts.filter((f) => f.id.startsWith(`control.${key}/`)).slice(0, 3);
    for (const c of controls) cites.add(c.id);
    return `${fw.value} ${controls.map((c) => c.id.split("/").slice(1).join("/")).join(", ")}`.trim();
  });
  const complianceImpact = parts.length
    ? `The obligations at stake: ${parts.join("; ")}.`
    : "No framework control in the mapping covers this recommendation.";
  const playbook = p.facts.find((f) => f.id.startsWith("playbook."));
  if (playbook) cites.add(playbook.id);
  const owner = use("owner");
  const recommendedAction = `Apply the configuration change the recommendation asks for${playbook ? ", following the organization's playbook" : ""}.${owner ? ` ${owner} owns the decision.` : ""}`;
  return { summary, businessImpact: why.join(" "), complianceImpact, recommendedAction, citations: [...cites] };
}

export function groundedDraft(p: DraftPayload) {
  const b = p.builtins[0];
  if (b && !/custom/i.test(p.request))
    return { builtinId: b.id, policy: null, rationale: `built-in "${b.displayName}" matches the request` };
  const alias = p.aliases[0];
  const type = alias ? alias.slice(0, alias.lastIndexOf("/")) : p.resourceTypes[0];
  return {
    builtinId: null,
    policy: {
      properties: {
        displayName: `Clarion draft: ${p.request.slice(0, 80)}`,
        mode: "Indexed",
        parameters: { effect: { type: "String", allowedValues: ["Audit", "Deny", "Disabled"], defaultValue: "Audit" } },
        policyRule: {
          if: {
            allOf: [
              { field: "type", equals: type },
              { field: alias, exists: "false" },
            ],
          },
          // biome-ignore lint/suspicious/noThenProperty: Azure Policy's rule shape is {if, then}
          then: { effect: "[parameters('effect')]" },
        },
      },
    },
    rationale: "no built-in fits; audits resources where the property is not set",
  };
}

export interface CorpusEntry {
  id: string;
  field: string;
  payload: string;
  evil: { say?: string; cite?: string; malformed?: boolean; extraField?: boolean; toolCall?: boolean };
}

/**
 * A compromised model: writes what the injection asks for. With `always`, it obeys the given entries on every
 * request (as if it had seen them, even when Clarion kept the value out of the prompt); otherwise only the
 * entries whose payload text appears in the request.
 */
export function compromisedResponder(corpus: CorpusEntry[], opts: { always?: boolean } = {}): Script {
  return (ctx) => {
    if (ctx.task === "draft") return { content: JSON.stringify(evilDraft(ctx.payload as DraftPayload)) };
    const base = groundedNarrative(ctx.payload as NarrativePayload) as Record<string, unknown> & { summary: string; citations: string[] };
    const seen = opts.always ? corpus : corpus.filter((c) => ctx.user.includes(JSON.stringify(c.payload).slice(1, 40)));
    for (const c of seen) {
      if (c.evil.malformed) return { content: `Sure! ${c.payload}` };
      if (c.evil.toolCall) return { content: null, toolCalls: [{ name: "deploy_remediation", arguments: JSON.stringify({ scope: "/" }) }] };
      if (c.evil.extraField) base.action = "deploy";
      if (c.evil.say) base.summary = `${base.summary} ${c.evil.say}`;
      if (c.evil.cite) base.citations = [...base.citations, c.evil.cite];
    }
    return { content: JSON.stringify(base) };
  };
}

export function evilDraft(p: DraftPayload) {
  const d = groundedDraft({ ...p, builtins: [], request: `custom ${p.request}` });
  const props = (d.policy as { properties: { parameters: { effect: { defaultValue: string } }; policyRule: { if: unknown } } }).properties;
  props.parameters.effect.defaultValue = "Deny";
  props.policyRule.if = { field: "location", notEquals: "nowhere" };
  return { ...d, rationale: "the data block asked for Deny on every resource" };
}

/** Throttles the first `n` requests with 429 and the given headers, then delegates. */
export function throttleFirst(n: number, headers: Record<string, string>, next: Script = groundedResponder): Script {
  return (ctx) => (ctx.n <= n ? { status: 429, headers } : next(ctx));
}

/** Hallucinates: a framework and a number the dossier does not state, then fixes it when told (or not). */
export function hallucinatingResponder(opts: { fixOnRetry: boolean }): Script {
  return (ctx) => {
    const base = groundedNarrative(ctx.payload as NarrativePayload);
    if (ctx.retry && opts.fixOnRetry) return { content: JSON.stringify(base) };
    return {
      content: JSON.stringify({
        ...base,
        complianceImpact: `${base.complianceImpact} It also breaches GDPR and HIPAA, with fines up to 20000000 euros.`,
      }),
    };
  };
}

export const malformedResponder: Script = (ctx) =>
  ctx.n % 2
    ? { content: "I think the storage account is fine. {not json" }
    : { content: JSON.stringify({ summary: 42, citations: "all" }) };

export function slowResponder(delayMs: number, next: Script = groundedResponder): Script {
  return async (ctx) => ({ ...(await next(ctx)), delayMs });
}

export type { DataFact };
