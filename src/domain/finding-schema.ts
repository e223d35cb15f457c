import { z } from "zod";
import { FindingSchema } from "./finding";

/** The published JSON Schema of one enriched finding (`findings.json` is an array of these). */
export function findingJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://clarion.example/schemas/finding.schema.json",
    title: "Clarion enriched finding",
    ...(z.toJSONSchema(FindingSchema, { target: "draft-2020-12" }) as Record<string, unknown>),
  };
}
