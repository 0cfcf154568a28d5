/** Runs the FastCDC conformance suite on the WebAssembly kernel. */
import { chunkerSuite } from "./cdc-suite.ts";

chunkerSuite("wasm");
