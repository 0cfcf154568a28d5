/** The in-memory backend used by unit tests passes the same suite. */
import { MemoryBackend } from "../../src/backend/index.ts";
import { backendSuite } from "./suite.ts";
import { cleanUpAfterThisFile } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

backendSuite("memory", () => new MemoryBackend());
