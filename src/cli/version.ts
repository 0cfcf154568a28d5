/** The version of this tool and the repository format it reads and writes, as `-V` and `version` print them. */

export const VERSION = "0.1.0";
/** The backpak release whose repositories this tool reads and writes. */
export const REPOSITORY_FORMAT = "backpak 0.3.0";

/** What `backpak -V` and `backpak version` print. */
export const versionLine = (): string => `backpak ${VERSION} (reads and writes ${REPOSITORY_FORMAT} repositories)`;
