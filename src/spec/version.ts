/**
 * The runtime-spec release this build implements: written as `ociVersion` by `spec` and
 * `state`, and printed by `--version`. The vendored schemas are newer (1.3.0+dev) but the
 * 1.3 additions (netDevices, memoryPolicy, ...) are not implemented, so 1.2.0 is the claim.
 */
export const SPEC_VERSION = '1.2.0';

/** Configs of any other major version are refused: the spec only promises compatibility within one. */
export const SUPPORTED_MAJOR = 1;
