/** Runs the FastCDC conformance suite on the plain-JS reference kernel. */
import { chunkerSuite } from "./cdc-suite.ts";

chunkerSuite("js");
