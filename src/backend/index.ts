/** The backend layer's surface: the contract and its implementations. */
export type { Backend, ListedObject, RangeReader } from "./backend.ts";
export { FilesystemBackend } from "./filesystem.ts";
export { MemoryBackend } from "./memory.ts";
export { CountingBackend, newTally, REQUEST_KINDS, type RequestKind, type Tally, type Traffic } from "./counting.ts";
