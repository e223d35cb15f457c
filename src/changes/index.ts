/** Change intelligence: Activity Log normalization, baselines, anomalies, drift root cause, Sentinel incidents. */
export * from "./anomalies";
export * from "./baselines";
export * from "./model";
export * from "./normalize-activity";
export * from "./related";
export * from "./root-cause";
export * from "./sentinel";
export { parseSince } from "./time";
