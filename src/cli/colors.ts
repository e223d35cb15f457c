import picocolors from "picocolors";

/**
 * Terminal colors only when a person is reading a terminal: never in pipes, files or CI logs (picocolors
 * alone turns colors on whenever `CI` is set, which breaks scripts that parse our output). FORCE_COLOR and
 * NO_COLOR are honored.
 */
const env = process.env;
export const colorsEnabled = "FORCE_COLOR" in env ? env.FORCE_COLOR !== "0" : !("NO_COLOR" in env) && Boolean(process.stdout.isTTY) && env.TERM !== "dumb";

const pc = picocolors.createColors(colorsEnabled);
export default pc;
