/**
 * The runtime-spec release this build implements: written as `ociVersion` by `spec` and
 * `state`, printed by `--version`, and `features`' ociVersionMax. Every property of the vendored
 * 1.3 schema is applied or refused by name (conformance/fate/, checked by a test).
 */
export const SPEC_VERSION = '1.3.0';

/** Configs of any other major version are refused: the spec only promises compatibility within one. */
export const SUPPORTED_MAJOR = 1;
