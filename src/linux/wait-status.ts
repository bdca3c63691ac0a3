/** Shell convention for a waitpid status: the exit code, or 128 + the signal that killed it. */
export function exitCodeOf(waitStatus: number): number {
  const sig = waitStatus & 0x7f;
  if (sig === 0) return (waitStatus >> 8) & 0xff;
  return 128 + sig;
}
