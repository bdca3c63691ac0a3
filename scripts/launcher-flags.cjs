'use strict';
// The Node flags the runtime runs under, read from bin/ocirun's exec line, their one place:
// whatever runs the runtime's code outside the launcher (the code-cache build, tests that fork
// from a runner of their own) must run it under the same flags. The reasons for each flag are
// written next to that line.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

function launcherFlags() {
  const launcher = join(__dirname, '..', 'bin', 'ocirun');
  const line = readFileSync(launcher, 'utf8').split('\n')[1] ?? '';
  const match = / exec node (.*) "\$0" "\$@"$/.exec(line);
  if (match === null) throw new Error(`${launcher}: no \`exec node FLAGS "$0" "$@"\` on its second line`);
  return match[1].split(' ');
}

module.exports = { launcherFlags };
