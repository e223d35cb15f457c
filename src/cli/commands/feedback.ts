import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { listFeedback, recordFeedback } from "../../ai/feedback";
import { InputError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { render } from "../output";

const COLUMNS = ["id", "time", "subject", "kind", "vote", "comment", "actor", "engine", "model"];

export function register(program: Command): void {
  program
    .command("feedback")
    .description(
      "Thumbs up/down on an explanation or policy draft (`clarion feedback ID --up --comment TEXT`), or `clarion feedback export -o json|csv`",
    )
    .argument("<id>", "finding id (explanation) or draft id, or `export`")
    .option("--up", "the explanation or draft helped")
    .option("--down", "the explanation or draft was wrong or unhelpful")
    .option("--comment <text>", "what was good or wrong")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("-o, --output <format>", "export format: json|csv|table", "json")
    .option("--query <jmespath>", "JMESPath query over the export")
    .option("--file <path>", "write the export to a file instead of stdout")
    .action(
      async (
        id: string,
        o: { up?: boolean; down?: boolean; comment?: string; db: string; output: string; query?: string; file?: string },
      ) => {
        const store = await openStore(o.db, { mustExist: true });
        try {
          if (id === "export") {
            const rows = await listFeedback(store);
            const text = render(rows, { output: o.output, query: o.query }, COLUMNS);
            if (o.file) writeFileSync(o.file, text);
            else process.stdout.write(text);
            return;
          }
          if (!!o.up === !!o.down) throw new InputError("give exactly one of --up or --down", { field: "--up/--down" });
          const rec = await recordFeedback(store, { subject: id, vote: o.up ? "up" : "down", comment: o.comment });
          process.stdout.write(`recorded ${rec.vote} on ${rec.kind} ${rec.subject} (#${rec.id})\n`);
        } finally {
          await store.close();
        }
      },
    );
}
