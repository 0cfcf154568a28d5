/** The in-memory backend used by unit tests passes the same suite. */
import { MemoryBackend } from "../../src/backend/index.ts";
import { backendSuite } from "./suite.ts";

backendSuite("memory", () => new MemoryBackend());
