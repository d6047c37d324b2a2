/** Rich display: multi-MIME bundles, tables, charts, live outputs, provenance. */
export * from "./bundle";
export * from "./chart";
export * from "./clear";
export * from "./provenance";
export * from "./show";
export * from "./sink";
export * from "./table";
export { packetwalkVersion, packageRoot } from "./version";
export * from "./ladder";
