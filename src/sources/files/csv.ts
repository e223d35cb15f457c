/** A small RFC 4180 CSV reader that keeps the line each record starts on (quoted fields may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export function parseCsv(text: string): { records: CsvRecord[]; errors: { line: number; reason: string }[] } {
  const records: CsvRecord[] = [];
  const errors: { line: number; reason: string }[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
    field = "";
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === "") inQuotes = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\r") continue;
    else if (c === "\n") {
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (inQuotes) errors.push({ line: recordLine, reason: "unterminated quoted field (truncated file?)" });
  else if (field !== "" || fields.length) endRecord();
  return { records, errors };
}
