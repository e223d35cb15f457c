/** Writes schemas/finding.schema.json (JSON Schema 2020-12) from the zod schema that the pipeline validates with. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { findingJsonSchema } from "../src/domain/finding-schema";
import { REPO_ROOT } from "../src/testing/shared";

writeFileSync(join(REPO_ROOT, "schemas", "finding.schema.json"), `${JSON.stringify(findingJsonSchema(), null, 2)}\n`);
console.log("wrote schemas/finding.schema.json");
