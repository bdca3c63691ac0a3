// The one place ocirun accepts more than the vendored schema: runc takes the recursive
// rootfsPropagation values and containerd's CRI plugin sends them (Bidirectional and
// HostToContainer mounts); src/init/plan.ts maps every one of them. gen-validators.mjs compiles
// the widened schemas, and the test that holds src/spec/types.ts to them reads them the same way.
export function widenSchema(file, schema) {
  const prop = file === 'defs-linux.json' ? schema.definitions?.RootfsPropagation : undefined;
  if (prop?.enum) prop.enum = [...new Set([...prop.enum, 'rprivate', 'rshared', 'rslave', 'runbindable'])];
  return schema;
}
