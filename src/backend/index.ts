/** The backend layer's surface: the contract and its implementations. */
export type { Backend, ListedObject, RangeReader } from "./backend.ts";
export { FilesystemBackend } from "./filesystem.ts";
export { MemoryBackend } from "./memory.ts";
export { CountingBackend, type Traffic } from "./counting.ts";
