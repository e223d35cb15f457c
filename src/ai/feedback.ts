import { NotFoundError } from "../domain/errors";
import type { Store } from "../store/store";
import { aiStoreFor, type FeedbackRecord } from "./ai-store";
import { sha256 } from "./narrative";

/**
 * Thumbs up/down, with an optional comment, on an explanation (subject = finding id) or a policy draft
 * (subject = `draft-…`). Stored in the AI tables, audited, and exportable (CLI: `clarion feedback`; the API
 * layer calls the same two functions).
 */
export async function recordFeedback(
  store: Store,
  input: { subject: string; vote: "up" | "down"; comment?: string; actor?: string; now?: Date },
): Promise<FeedbackRecord> {
  const finding = await store.getFinding(input.subject);
  if (!finding && !input.subject.startsWith("draft-"))
    throw new NotFoundError(`no finding or draft ${input.subject}`, {
      hint: "use a finding id from `clarion findings` or a draft id (draft-…)",
    });
  const rec: FeedbackRecord = {
    subject: input.subject,
    kind: finding ? "explanation" : "draft",
    vote: input.vote,
    comment: input.comment?.slice(0, 2000) ?? null,
    actor: input.actor ?? process.env.CLARION_ACTOR ?? "clarion",
    time: (input.now ?? new Date()).toISOString(),
    engine: finding?.explanation.engine ?? null,
    model: finding?.explanation.model ?? null,
    digest: finding ? sha256(JSON.stringify(finding.explanation)) : null,
  };
  const saved = await aiStoreFor(store).addFeedback(rec);
  await store.appendAudit([
    {
      time: rec.time,
      actor: rec.actor,
      action: "feedback.recorded",
      subject: rec.subject,
      digest: rec.digest ?? sha256(rec.subject),
      details: { vote: rec.vote, kind: rec.kind, engine: rec.engine, model: rec.model, comment: !!rec.comment },
    },
  ]);
  return saved;
}

export async function listFeedback(store: Store): Promise<FeedbackRecord[]> {
  return aiStoreFor(store).listFeedback();
}
