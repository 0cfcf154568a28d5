/** Ambient types for Bun's file loader: `import x from "./k.wasm" with { type: "file" }` yields the file's path. */
declare module "*.wasm" {
  const path: string;
  export default path;
}
