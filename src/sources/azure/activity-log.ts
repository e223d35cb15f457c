import { InputError } from "../../domain/errors";
import type { AzureContext, OperationOptions } from "./client";

export const ACTIVITY_API = "2015-04-01";

export interface ActivityLogOptions extends OperationOptions {
  from: Date | string;
  to: Date | string;
  /** At most one of these narrows the window (the only shapes the service accepts). */
  resourceGroup?: string;
  resourceUri?: string;
  resourceProvider?: string;
  correlationId?: string;
  select?: string[];
}

const iso = (d: Date | string) => (typeof d === "string" ? new Date(d) : d).toISOString();

/** Builds the `$filter` — always an `eventTimestamp ge … and le …` window, plus at most one narrowing clause. */
export function activityFilter(o: ActivityLogOptions): string {
  const narrow = (
    [
      ["resourceGroupName", o.resourceGroup],
      ["resourceUri", o.resourceUri],
      ["resourceProvider", o.resourceProvider],
      ["correlationId", o.correlationId],
    ] as const
  ).filter(([, v]) => v);
  if (narrow.length > 1) throw new InputError("the Activity Log accepts at most one of resourceGroup, resourceUri, resourceProvider, correlationId", { field: "filter" });
  let f = `eventTimestamp ge '${iso(o.from)}' and eventTimestamp le '${iso(o.to)}'`;
  if (narrow.length) f += ` and ${narrow[0][0]} eq '${String(narrow[0][1]).replace(/'/g, "''")}'`;
  return f;
}

/** Activity Log events of a subscription in a time window (newest first, as the service returns them). */
export function listActivityLog(ctx: AzureContext, subscriptionId: string, opts: ActivityLogOptions): AsyncIterable<Record<string, unknown>> {
  return ctx.list(
    ctx.armUrl(`/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Insights/eventtypes/management/values`, ACTIVITY_API, {
      $filter: activityFilter(opts),
      $select: opts.select?.join(","),
    }),
    opts,
  );
}
